/*
 * funclat.c -- a function whose latency depends on its argument.
 *
 * What it demonstrates: funclatency-style histograms (uprobe + uretprobe on
 * work()).  work(n) runs a loop of n iterations; n comes from a fixed
 * xorshift32 sequence and is spread over powers of two (1 .. 2047), so
 * the latency histogram has ~11 populated log2 buckets.  main() prints the
 * histogram of n that it generated itself (the "ground truth" a uprobe tool
 * should reproduce in iteration units) and a checksum of work()'s results.
 *
 * Probe targets: work (entry; at -O0 "push %rbp"), work's return (uretprobe).
 * Calls: NCALLS = 3000.  Output is deterministic.
 */
#include <stdio.h>

#define NCALLS 3000

static unsigned int rng_state = 0x2545f491u;

static unsigned int xorshift32(void)
{
	unsigned int x = rng_state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	rng_state = x;
	return x;
}

__attribute__((noinline)) unsigned long work(unsigned int n)
{
	unsigned long acc = n;
	for (unsigned int i = 0; i < n; i++)
		acc = acc * 31u + i;
	return acc;
}

int main(void)
{
	unsigned long hist[12] = {0};
	unsigned long sum = 0, iters = 0;

	for (int c = 0; c < NCALLS; c++) {
		unsigned int r = xorshift32();
		unsigned int k = r % 11;                 /* bucket 0..10 */
		unsigned int n = (1u << k) + ((r >> 8) & ((1u << k) - 1));
		unsigned int b = 0;
		while ((2u << b) <= n)
			b++;
		hist[b]++;
		iters += n;
		sum ^= work(n) + (unsigned long)c;
	}
	printf("funclat: %d calls, %lu loop iterations\n", NCALLS, iters);
	for (int b = 0; b < 11; b++)
		printf("  n in [%5u, %5u]: %lu\n", 1u << b, (2u << b) - 1, hist[b]);
	printf("checksum: %016lx\n", sum);
	return 0;
}
