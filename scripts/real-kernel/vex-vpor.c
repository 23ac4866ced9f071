#include <stdio.h>
#include <string.h>
/* vpor %xmm2,%xmm1,%xmm0 at a probed site: if the kernel treated it as "jmp +0"
   (OPCODE1 = 0xeb), xmm0 would keep its old value. */
__attribute__((noinline)) void f(unsigned *out, const unsigned *a, const unsigned *b) {
  __asm__ volatile(
    "vmovdqu (%1), %%xmm1\n\t"
    "vmovdqu (%2), %%xmm2\n\t"
    "vpxor %%xmm0, %%xmm0, %%xmm0\n\t"
    ".globl site\nsite:\n\t"
    "vpor %%xmm2, %%xmm1, %%xmm0\n\t"
    "vmovdqu %%xmm0, (%0)\n\t"
    :: "r"(out), "r"(a), "r"(b) : "xmm0", "xmm1", "xmm2", "memory");
}
int main(void) {
  unsigned a[4] = {1, 2, 4, 8}, b[4] = {16, 32, 64, 128}, o[4];
  f(o, a, b);
  printf("%u %u %u %u\n", o[0], o[1], o[2], o[3]);
  return 0;
}
