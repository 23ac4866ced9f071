/*
 * sieve -- CPU-bound integer workload (emulator-anchors.md §1):
 * a sieve of Eratosthenes up to N (default 2e6), then R (default 4e6) rounds
 * of a multiply/rotate hash. Prints the prime count and the hash, so the
 * result is checked, and the work cannot be optimized away.
 *
 *   sieve [N [R]]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned char composite[4000001];

static inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

int main(int argc, char **argv) {
	long n = argc > 1 ? atol(argv[1]) : 2000000;
	long rounds = argc > 2 ? atol(argv[2]) : 4000000;
	if (n < 2 || n > 4000000) n = 2000000;
	long count = 0;
	for (long i = 2; i <= n; i++) {
		if (composite[i]) continue;
		count++;
		for (long j = i * i; j <= n; j += i) composite[j] = 1;
	}
	uint64_t h = 0x9e3779b97f4a7c15ull;
	for (long i = 0; i < rounds; i++) {
		h ^= (uint64_t)i;
		h *= 0xff51afd7ed558ccdull;
		h = rotl(h, 31);
	}
	printf("%ld %016llx\n", count, (unsigned long long)h);
	return 0;
}
