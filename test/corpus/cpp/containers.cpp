// The standard library's containers and algorithms, formatted output of
// integers and doubles through iostream manipulators.
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

struct Shape {
  virtual ~Shape() = default;
  virtual double area() const = 0;
  virtual std::string name() const = 0;
};
struct Rect : Shape {
  double w, h;
  Rect(double a, double b) : w(a), h(b) {}
  double area() const override { return w * h; }
  std::string name() const override { return "rect"; }
};
struct Circle : Shape {
  double r;
  explicit Circle(double a) : r(a) {}
  double area() const override { return 3.14159265358979 * r * r; }
  std::string name() const override { return "circle"; }
};

template <typename T>
T sumSquares(const std::vector<T>& v) {
  return std::accumulate(v.begin(), v.end(), T{}, [](T acc, T x) { return acc + x * x; });
}

int main() {
  std::vector<int> v;
  unsigned x = 12345;
  for (int i = 0; i < 2000; i++) {
    x = x * 1103515245u + 12345u;
    v.push_back(static_cast<int>((x >> 8) % 10000));
  }
  std::sort(v.begin(), v.end());
  std::cout << "min " << v.front() << " max " << v.back() << " median " << v[v.size() / 2] << "\n";
  std::map<std::string, int> words;
  std::istringstream text("the quick brown fox jumps over the lazy dog the end");
  for (std::string w; text >> w;) words[w]++;
  for (const auto& [w, n] : words) std::cout << w << "=" << n << " ";
  std::cout << "\n";
  std::unordered_map<int, int> mod;
  for (int e : v) mod[e % 17]++;
  std::cout << "buckets " << mod.size() << " of 0: " << mod[0] << "\n";
  std::vector<std::unique_ptr<Shape>> shapes;
  shapes.push_back(std::make_unique<Rect>(3, 4.5));
  shapes.push_back(std::make_unique<Circle>(2));
  for (const auto& s : shapes) std::cout << s->name() << " " << std::fixed << std::setprecision(3) << s->area() << "\n";
  std::cout << std::setw(8) << std::hex << 48879 << std::dec << " " << sumSquares(std::vector<double>{1.5, 2.5}) << " " << sumSquares(std::vector<long>{3, 4}) << "\n";
  std::string s = "Hello, World";
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  std::reverse(s.begin(), s.end());
  std::cout << s << " " << std::scientific << 1e-7 / 3 << std::endl;
  return 0;
}
