/*
 * longjmp.c -- leaving probed functions with longjmp instead of ret.
 *
 * What it demonstrates: uretprobe bookkeeping when frames die without
 * returning.  A uretprobe replaces the return address of level1/level2/level3
 * with the trampoline; when longjmp() discards those frames the pending return
 * instances become stale, and the kernel must drop them lazily (see
 * arch_uretprobe_is_alive() / cleanup_return_instances()) the next time a
 * uretprobe fires or a new one is set up at a lower/equal stack pointer.
 *
 * Part 1: 50 times, main -> level1 -> level2 -> level3 -> longjmp back to
 *         main (3 frames abandoned per round), then level1 called normally
 *         (all three return normally).
 * Part 2: the "chained call" pattern from Linux commit db087ef69a2b
 *         ("uprobes/x86: Make arch_uretprobe_is_alive(RP_CHECK_CALL) more
 *         clever", Oleg Nesterov, 2015): func_1() does setjmp() once and
 *         calls func_2(), which longjmp()s back into func_1 1023 times before
 *         finally returning.  With uretprobes on func_1 and func_2, a kernel
 *         without that fix accumulates stale return instances until it hits
 *         the 64-deep limit and the final return of func_2 is not reported.
 *         (Structure follows the test-case in that commit message; the code
 *         here is written for this lab.)
 *
 * Probe targets: level1, level2, level3, func_1, func_2 (entries and returns).
 * Output is deterministic.
 */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf env;
static unsigned long trail;

__attribute__((noinline)) void level3(int round, int jump)
{
	trail = trail * 7 + 3;
	if (jump)
		longjmp(env, round + 1);
}

__attribute__((noinline)) void level2(int round, int jump)
{
	trail = trail * 7 + 2;
	level3(round, jump);
	trail ^= 0x22;
}

__attribute__((noinline)) void level1(int round, int jump)
{
	trail = trail * 7 + 1;
	level2(round, jump);
	trail ^= 0x11;
}

static jmp_buf jmp2;
static volatile int nr = 1024;
static int func2_calls, func2_returns;

__attribute__((noinline)) void func_2(void)
{
	func2_calls++;
	if (--nr == 0) {
		func2_returns++;
		return;
	}
	longjmp(jmp2, 1);
}

__attribute__((noinline)) void func_1(void)
{
	setjmp(jmp2);
	func_2();
}

int main(void)
{
	volatile int jumps = 0;

	for (volatile int round = 0; round < 50; round++) {
		int v = setjmp(env);
		if (v == 0)
			level1(round, 1);
		else
			jumps += v;
	}
	level1(50, 0);
	printf("part1: longjmp sum %d, trail %016lx\n", jumps, trail);

	func_1();
	printf("part2: func_2 called %d times, returned normally %d time(s)\n",
	       func2_calls, func2_returns);
	return 0;
}
