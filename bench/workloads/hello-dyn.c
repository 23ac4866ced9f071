/* Start-up of a dynamically linked glibc program: what a plain `gcc` builds. */
#include <stdio.h>
int main(void) {
  puts("hello");
  return 0;
}
