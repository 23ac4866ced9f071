/*
 * push.c -- the test program from Linux commit e7ed9d9bd0375c74fe6e27d8bc73d3c6f4c8c3bc
 * "uprobes/x86: Emulate push insns for uprobe on x86" (Yonghong Song, 2017).
 *
 * What it demonstrates: a uprobe on the first instruction of test(), which at
 * -O0 is "push %rbp" (0x55).  Before that commit the kernel single-stepped the
 * push out of line (2 traps per hit: int3 + the single-step #DB); after it the
 * push is emulated in the int3 handler (1 trap per hit).  A uretprobe on test()
 * costs 3 traps before / 2 traps after.  The program prints the elapsed wall
 * time in microseconds for 1,000,000 calls, so its output is NOT deterministic
 * natively (no samples/expected/push.out).
 *
 * Build at -O0: test() must start with "push %rbp" (checked by `make check-sites`).
 * At -O2 gcc discovers that test() has no side effects and deletes the calls,
 * so push-O2 is only useful as a "no calls at all" baseline.
 *
 * The program text below the line is reproduced from the commit message (see
 * push.README.md for the source and for exactly which parts were verified).
 * ---------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/time.h>

static void test() __attribute__((noinline));
void test() {}
int main() {
  struct timeval start, end;

  gettimeofday(&start, NULL);
  for (int i = 0; i < 1000000; i++) {
    test();
  }
  gettimeofday(&end, NULL);

  printf("%ld\n", ((end.tv_sec * 1000000 + end.tv_usec)
                   - (start.tv_sec * 1000000 + start.tv_usec)));
  return 0;
}
