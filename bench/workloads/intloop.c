/*
 * intloop -- an integer-heavy loop with no calls: xorshift, add, multiply,
 * shifts, compares and a small array in memory (loads and stores), R rounds
 * (default 2e6). This is the "integer workload at -O2" of the 20 M instr/s
 * target. Prints a checksum.
 *
 *   intloop [R]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
	long rounds = argc > 1 ? atol(argv[1]) : 2000000;
	uint32_t t[256];
	for (int i = 0; i < 256; i++) t[i] = (uint32_t)i * 2654435761u;
	uint64_t x = 88172645463325252ull, acc = 0;
	for (long i = 0; i < rounds; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint32_t k = (uint32_t)x & 255;
		t[k] += (uint32_t)(x >> 32);
		acc += t[(k + 1) & 255] ^ (uint32_t)i;
		if (acc & 1) acc = acc * 3 + 1;
	}
	printf("%016llx\n", (unsigned long long)acc);
	return 0;
}
