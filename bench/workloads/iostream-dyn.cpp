// Start-up of a dynamically linked C++ program (libstdc++, libm, libgcc_s):
// ld.so binds libstdc++'s symbols and runs its initializers (ios_base::Init).
#include <iostream>
#include <string>
int main() {
  std::string s = "hello";
  std::cout << s << " " << 42 << std::endl;
  return 0;
}
