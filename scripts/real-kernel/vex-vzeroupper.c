#include <stdio.h>
__attribute__((noinline)) void f(unsigned *out, const unsigned *a) {
  __asm__ volatile(
    "vmovdqu (%1), %%ymm0\n\t"
    ".globl site\nsite:\n\t"
    "vzeroupper\n\t"
    "vmovdqu %%ymm0, (%0)\n\t"
    :: "r"(out), "r"(a) : "xmm0", "memory");
}
int main(void) {
  unsigned a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, o[8];
  f(o, a);
  for (int i = 0; i < 8; i++) printf("%u ", o[i]);
  printf("\n");
  return 0;
}
