/*
 * bt.c -- the traced program of the bpftrace runtime suite (test/dsl/runtime).
 *
 * Built by scripts/record-bpftrace-suite.mjs as bin/bt: gcc -O0
 * -fno-omit-frame-pointer -no-pie, so ustack walks frame pointers and
 * addresses are the ELF's own. Every function is called 10 times from main's
 * loop; the output (t=720) is deterministic.
 *
 *   foo_add(i, 2), foo_sub(i, 1)    integer arguments and return values
 *   pt_sum(&p)                      a struct pointer (x, y, z, name[8]); p.x counts up
 *   greet("alphabet")               a string argument in .rodata
 *   many(1, ..., 7, i)              eight arguments: the last two on the stack (sarg0, sarg1)
 *   outer(i) -> inner(i) -> foo_add a three-deep stack for ustack
 */
#include <stdio.h>
#include <string.h>

struct pt { int x; int y; long z; char name[8]; };

__attribute__((noinline)) int foo_add(int a, int b) { return a + b; }
__attribute__((noinline)) int foo_sub(int a, int b) { return a - b; }
__attribute__((noinline)) long pt_sum(struct pt *p) { return p->x + p->y + p->z; }
__attribute__((noinline)) int greet(const char *s) { return (int)strlen(s); }
__attribute__((noinline)) long many(long a, long b, long c, long d, long e, long f, long g, long h) { return a + b + c + d + e + f + g + h; }
__attribute__((noinline)) int inner(int n) { return foo_add(n, 1); }
__attribute__((noinline)) int outer(int n) { return inner(n) * 2; }

int main(void)
{
	struct pt p = { 1, 2, 3, "abc" };
	long t = 0;
	for (int i = 0; i < 10; i++) {
		t += foo_add(i, 2) + foo_sub(i, 1) + pt_sum(&p) + greet("alphabet") + many(1, 2, 3, 4, 5, 6, 7, i) + outer(i);
		p.x++;
	}
	printf("t=%ld\n", t);
	return 0;
}
