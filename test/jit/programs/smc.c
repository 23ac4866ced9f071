// Code that changes while it is hot (test/jit/code-change.test.ts): run
// natively and in the emulator under both tiers, the output must be the same.
// 1. a hot function whose immediate the program rewrites between rounds;
// 2. a hot loop whose store rewrites the next instruction of the same pass
//    (x86 sees its own stores to the instruction stream);
// 3. code pages toggled with mprotect (RW to write, RX to run) while hot;
// 4. munmap and a new MAP_FIXED mapping with other code at the same address.
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef int (*fn)(int);

/* lea imm32(%rdi),%eax ; ret */
static const unsigned char ADD_K[] = {0x8d, 0x87, 1, 0, 0, 0, 0xc3};
/* imul $imm32,%edi,%eax ; ret */
static const unsigned char MUL_K[] = {0x69, 0xc7, 3, 0, 0, 0, 0xc3};
/*
 * mov %edi,%ecx; xor %eax,%eax
 * 4: mov %cl,2(%rip)   -- writes the imm8 of the add below
 * 10: add $0,%eax; dec %ecx; jnz 4; ret
 */
static const unsigned char SELF[] = {0x89, 0xf9, 0x31, 0xc0, 0x88, 0x0d, 0x02, 0, 0, 0, 0x83, 0xc0, 0x00, 0xff, 0xc9, 0x75, 0xf3, 0xc3};

static long rounds(fn f, int n) {
  long s = 0;
  for (int i = 0; i < n; i++) s += f(i);
  return s;
}

int main(void) {
  unsigned char *p = mmap(0, 8192, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return 1;
  memcpy(p, ADD_K, sizeof ADD_K);
  long total = 0;
  for (int r = 0; r < 40; r++) {
    long s = rounds((fn)p, 300);
    total += s;
    if (r % 8 == 0) printf("rewrite round %d: %ld\n", r, s);
    p[2] = (unsigned char)(r * 7 + 3); /* a store into hot code */
  }
  printf("rewrite total %ld\n", total);

  unsigned char *q = p + 4096;
  memcpy(q, SELF, sizeof SELF);
  long self = 0;
  for (int r = 0; r < 30; r++) self += ((fn)q)(100 + r);
  printf("self-modifying loop %ld\n", self);

  unsigned char *c = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (c == MAP_FAILED) return 1;
  memcpy(c, ADD_K, sizeof ADD_K);
  long prot = 0;
  for (int r = 0; r < 30; r++) {
    if (mprotect(c, 4096, PROT_READ | PROT_EXEC)) return 2;
    prot += rounds((fn)c, 200);
    if (mprotect(c, 4096, PROT_READ | PROT_WRITE)) return 3;
    memcpy(c, r & 1 ? ADD_K : MUL_K, 7);
    c[2] = (unsigned char)(r + 1);
  }
  printf("mprotect toggling %ld\n", prot);

  long remap = 0;
  for (int r = 0; r < 20; r++) {
    if (munmap(c, 4096)) return 4;
    unsigned char *d = mmap(c, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (d != c) return 5;
    memcpy(d, r & 1 ? MUL_K : ADD_K, 7);
    d[2] = (unsigned char)(r + 2);
    if (mprotect(d, 4096, PROT_READ | PROT_EXEC)) return 6;
    remap += rounds((fn)d, 200);
  }
  printf("munmap and mmap again %ld\n", remap);
  return 0;
}
