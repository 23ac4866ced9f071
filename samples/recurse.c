/*
 * recurse.c -- deep recursion: the uretprobe nesting-depth limit demo.
 *
 * What it demonstrates: rec(n) calls itself until n == 0, so one top-level
 * call to rec(100) has 101 frames of rec live at once.  With a uretprobe on
 * rec, the kernel hijacks each return address; it keeps at most
 * MAX_URETPROBE_DEPTH (64) pending return instances per task, so the 37
 * innermost frames of every chain are not reported (uprobe hits: 101 per
 * chain, uretprobe hits: 64 per chain).  main() calls rec(100) 1000 times and
 * prints a checksum; the recursion is deliberately not a tail call and not
 * linear in the recursive result, so gcc -O2 keeps it recursive (checked with
 * objdump: rec calls rec at -O0 and -O2).
 *
 * Probe targets: rec (entry; "push %rbp" at -O0), rec's return.
 * Output is deterministic.
 */
#include <stdio.h>

#define DEPTH 100
#define CALLS 1000

static unsigned long max_depth_seen;
static volatile unsigned long depth_now;

__attribute__((noinline, noclone)) unsigned long rec(unsigned long n, unsigned long seed)
{
	unsigned long r;

	depth_now++;
	if (depth_now > max_depth_seen)
		max_depth_seen = depth_now;
	if (n == 0)
		r = seed;
	else {
		r = rec(n - 1, seed * 6364136223846793005UL + 1442695040888963407UL);
		r = (r ^ (r >> 29)) * 0xbf58476d1ce4e5b9UL + n;
	}
	depth_now--;
	return r;
}

int main(void)
{
	unsigned long sum = 0;

	for (unsigned long i = 0; i < CALLS; i++)
		sum += rec(DEPTH, i);
	printf("recurse: %d chains of depth %d (max frames of rec live: %lu)\n",
	       CALLS, DEPTH, max_depth_seen);
	printf("rec entries: %d\n", CALLS * (DEPTH + 1));
	printf("checksum: %016lx\n", sum);
	return 0;
}
