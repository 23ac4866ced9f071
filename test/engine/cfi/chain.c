/*
 * chain.c -- the program of the .eh_frame unwinder's tests
 * (test/engine/cfi-unwind.test.ts), built -O2 -fomit-frame-pointer, so only
 * the CFI knows its frames:
 *   main -> top -> mid -> leaf       a known chain in the program
 *   main -> qsort -> ... -> cmp -> leaf   a callback through libc's frames
 * leaf(2) is where the probe and gdb's breakpoint stop.
 */
#include <stdio.h>
#include <stdlib.h>
volatile long sink;
__attribute__((noinline)) long leaf(long x) { sink += x; return x * 3 + sink; }
__attribute__((noinline)) long mid(long x) { long a[8]; for (int i = 0; i < 8; i++) a[i] = leaf(x + i); return a[x & 7] + 1; }
__attribute__((noinline)) long top(long x) { return mid(x) * 2 + mid(x + 1); }
static int cmp(const void *a, const void *b) { long d = *(const long *)a - *(const long *)b; leaf(d); return (d > 0) - (d < 0); }
int main(int argc, char **argv) {
  long t = 0;
  for (int i = 0; i < 3; i++) t += top(i + argc);
  long v[5] = {5, 3, 9, 1, 7};
  qsort(v, 5, sizeof v[0], cmp);
  printf("%ld %ld\n", t, v[0]);
  return 0;
}
