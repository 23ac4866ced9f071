// iostream, exceptions thrown through several frames and caught by type,
// rethrow, destructors run during unwinding (libgcc_s's unwinder).
#include <iostream>
#include <stdexcept>
#include <string>

struct Guard {
  std::string name;
  explicit Guard(std::string n) : name(std::move(n)) {}
  ~Guard() { std::cout << "~Guard(" << name << ")\n"; }
};

struct MyError : std::runtime_error {
  int code;
  MyError(const std::string& what, int c) : std::runtime_error(what), code(c) {}
};

static int depth(int n) {
  Guard g("depth" + std::to_string(n));
  if (n == 0) throw MyError("bottom reached", 42);
  return depth(n - 1) + 1;
}

static void rethrower() {
  try {
    throw std::out_of_range("index 7");
  } catch (const std::exception& e) {
    std::cout << "caught and rethrowing: " << e.what() << "\n";
    throw;
  }
}

int main(int argc, char** argv) {
  try {
    depth(3);
  } catch (const MyError& e) {
    std::cout << "MyError: " << e.what() << " code " << e.code << "\n";
  }
  try {
    rethrower();
  } catch (const std::out_of_range& e) {
    std::cout << "out_of_range: " << e.what() << "\n";
  }
  try {
    std::string s("abc");
    (void)s.at(10);
  } catch (const std::exception& e) {
    std::cout << "std::string::at threw\n";
  }
  int caught = 0;
  for (int i = 0; i < 1000; i++) {
    try {
      if (i % 3 == 0) throw i;
    } catch (int v) {
      caught += v % 7;
    }
  }
  std::cout << "caught sum " << caught << " argc " << argc << " " << (argc > 1 ? argv[1] : "-") << std::endl;
  std::cerr << "done on stderr\n";
  return 3;
}
