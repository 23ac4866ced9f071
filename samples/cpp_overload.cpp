// cpp_overload.cpp -- a small C++ program for probing demangled names.
//
// Built with g++ -static (glibc + libstdc++), so it exercises iostream and
// exceptions. Probe targets (c++filt spellings):
//
//   geo::Shape::scale(int)          called 3 times
//   geo::Shape::scale(double)       called 2 times
//   geo::Shape::scale(int, int)     called 1 time   (the three overloads: 6 calls)
//   geo::area(geo::Shape const&)    called 10 times (once per loop iteration)
//   geo::checked_div(int, int)      called 10 times; throws when the divisor is 0
//                                   (3 of the 10 calls), caught in main
//   int geo::twice<int>(int)        a function template, called 4 times
//   geo::Shape::Shape(int, int)     the constructor, 2 objects
//   geo::Shape::~Shape()            the destructor
//   geo::operator<<(std::ostream&, geo::Shape const&)   printing, 2 calls
//
// Expected output: expected/cpp_overload.out. Functions are noinline so that
// -O2 would keep them too; the committed binary is -O0.

#include <iostream>
#include <stdexcept>

namespace geo {

struct Shape {
  int w, h;
  Shape(int w_, int h_) : w(w_), h(h_) {}
  ~Shape() { w = h = 0; }
  __attribute__((noinline)) void scale(int k) { w *= k; h *= k; }
  __attribute__((noinline)) void scale(double k) { w = int(w * k); h = int(h * k); }
  __attribute__((noinline)) void scale(int kw, int kh) { w *= kw; h *= kh; }
};

__attribute__((noinline)) long area(const Shape& s) { return long(s.w) * s.h; }

__attribute__((noinline)) int checked_div(int a, int b) {
  if (b == 0) throw std::invalid_argument("division by zero");
  return a / b;
}

template <typename T>
__attribute__((noinline)) T twice(T v) { return v + v; }

std::ostream& operator<<(std::ostream& os, const Shape& s) {
  return os << s.w << "x" << s.h;
}

}  // namespace geo

int main() {
  geo::Shape a(2, 3), b(1, 1);
  a.scale(2);                     // scale(int) #1
  b.scale(3);                     // scale(int) #2
  a.scale(1.5);                   // scale(double) #1
  b.scale(2, 5);                  // scale(int, int)
  long total = 0;
  int errors = 0;
  for (int i = 0; i < 10; i++) {
    total += geo::area(i % 2 ? a : b);
    try {
      total += geo::checked_div(100, i % 4 - 1);   // divisor 0 when i % 4 == 1: i = 1, 5, 9
    } catch (const std::invalid_argument& e) {
      errors++;
    }
  }
  a.scale(1);                     // scale(int) #3
  b.scale(0.5);                   // scale(double) #2
  int t = geo::twice(geo::twice(5)) + geo::twice(1) + geo::twice(2);
  std::cout << a << " " << b << " total=" << total << " errors=" << errors << " t=" << t << std::endl;
  return 0;
}
