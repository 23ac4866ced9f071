// Sites whose probed run differs from the unprobed one on a real kernel,
// found by scripts/real-kernel-sweep.mjs; scripts/real-kernel-cases.mjs
// records what the program prints and each site's hit count under real
// uprobes, test/uprobes/real-kernel-cases.test.ts replays it in the model.
// Each site is a function (bpftrace names it) whose first instruction is
// probed.
#include <stdio.h>
#include <string.h>

char src[64] = "abcdefghijklmnopqrstuvwxyz", dst[64];
unsigned long out;

// rep movsb, 5 elements: stepped out of line, the CPU traps after each element with rip
// still on the instruction, so each element is one more hit.
__asm__(".text\n.globl rep_movsb\n.type rep_movsb,@function\nrep_movsb:\n rep movsb\n ret\n");
// repe cmpsb that stops at the first difference (after 3 equal elements and the differing one)
__asm__(".text\n.globl repe_cmpsb\n.type repe_cmpsb,@function\nrepe_cmpsb:\n repe cmpsb\n ret\n");
// rep stosb with rcx 0: nothing to do, one hit
__asm__(".text\n.globl rep_stosb\n.type rep_stosb,@function\nrep_stosb:\n rep stosb\n ret\n");
// REX then REX: the kernel's decoder takes "41 41" for a 2-byte instruction with no operand, so
// the rip-relative lea behind it is not rewritten and, stepped in the slot, addresses the slot
__asm__(".text\n.globl lea_rexrex\n.type lea_rexrex,@function\nlea_rexrex:\n .byte 0x41,0x41,0x8d,0x05,0x00,0x00,0x00,0x00\n mov %rax,out(%rip)\n ret\n");
// syscall stepped out of line: the kernel returns from the system call with TF set and the trap
// comes after the next instruction, which runs in the slot too (a rip-relative lea addresses the slot)
__asm__(".text\n.globl do_getpid\n.type do_getpid,@function\ndo_getpid:\n mov $39,%eax\n.globl sys_site\n.type sys_site,@function\nsys_site:\n syscall\n lea 0(%rip),%rdx\n mov %rdx,out(%rip)\n ret\n");
void do_getpid(void), rep_movsb(void), repe_cmpsb(void), rep_stosb(void), lea_rexrex(void);

static void call_rep(void (*f)(void), void *d, const void *s, unsigned long n) {
  __asm__ volatile("call *%[f]" : "+D"(d), "+S"(s), "+c"(n) : [f] "r"(f), "a"(0) : "memory", "cc");
}

int main(void) {
  call_rep(rep_movsb, dst, src, 5);
  printf("movsb: %s\n", dst);
  unsigned long left;
  char a[8] = "abcXefg", b[8] = "abcdefg";
  {
    void *d = b, *s = a;
    unsigned long n = 7;
    __asm__ volatile("call *%[f]" : "+D"(d), "+S"(s), "+c"(n) : [f] "r"(repe_cmpsb) : "memory", "cc");
    left = n;
  }
  printf("cmpsb: %lu left\n", left);
  call_rep(rep_stosb, dst, src, 0);
  do_getpid();
  extern char sys_site[];
  printf("syscall: the lea after it computed %s\n", out == (unsigned long)sys_site + 9 ? "its own address" : "elsewhere");
  out = 0;
  lea_rexrex();
  printf("lea: %s\n", out == (unsigned long)lea_rexrex + 8 ? "the next instruction" : "elsewhere");
  return 0;
}
