/* setjmp.c -- setjmp/longjmp: jumps out of nested frames, longjmp with
 * value 0 (must become 1), callee-saved registers and volatile locals
 * across the jump, and re-entering the same jmp_buf many times. */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf jb;
static int depth_reached;

__attribute__((noinline)) static void dive(int depth, int target, int val)
{
	depth_reached = depth;
	if (depth == target)
		longjmp(jb, val);
	dive(depth + 1, target, val);
	depth_reached = -1; /* never reached */
}

__attribute__((noinline)) static long regs_survive(long a, long b)
{
	volatile long keep = a * 3 + b;
	if (setjmp(jb) == 0) {
		dive(0, 5, 7);
	}
	return keep + a + b;
}

int main(void)
{
	volatile int total = 0, rounds = 0;
	for (volatile int t = 0; t < 20; t++) {
		int v = setjmp(jb);
		if (v == 0) {
			dive(0, t, t == 3 ? 0 : t * 10);
		} else {
			total += v;
			rounds++;
			printf("round %d: longjmp value %d from depth %d\n", t, v, depth_reached);
		}
	}
	printf("rounds=%d total=%d\n", rounds, total);
	printf("regs_survive=%ld\n", regs_survive(100, 23));

	/* re-enter the same setjmp point repeatedly */
	volatile int count = 0;
	if (setjmp(jb) < 1000) {
		count++;
		if (count < 1000)
			longjmp(jb, count);
	}
	printf("re-entered %d times\n", count);
	return 0;
}
