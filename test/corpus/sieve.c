/* sieve.c -- sieve of Eratosthenes (byte array) and a bit-packed sieve;
 * prime counts and sums must agree. */
#include <stdio.h>
#include <string.h>

#define N 120000

int main(void)
{
	static unsigned char comp[N + 1];
	static unsigned long bits[N / 64 + 1];
	unsigned long count = 0, sum = 0, last = 0;
	for (unsigned long i = 2; i * i <= N; i++)
		if (!comp[i])
			for (unsigned long j = i * i; j <= N; j += i)
				comp[j] = 1;
	for (unsigned long i = 2; i <= N; i++)
		if (!comp[i]) {
			count++;
			sum += i;
			last = i;
		}
	printf("primes <= %d: %lu, sum %lu, largest %lu\n", N, count, sum, last);

	memset(bits, 0, sizeof bits);
	for (unsigned long i = 2; i * i <= N; i++)
		if (!(bits[i / 64] >> (i % 64) & 1))
			for (unsigned long j = i * i; j <= N; j += i)
				bits[j / 64] |= 1UL << (j % 64);
	unsigned long count2 = 0;
	for (unsigned long i = 2; i <= N; i++)
		count2 += !(bits[i / 64] >> (i % 64) & 1);
	printf("bit sieve agrees: %s\n", count == count2 ? "yes" : "NO");
	printf("first primes:");
	for (unsigned long i = 2, k = 0; k < 15; i++)
		if (!comp[i]) {
			printf(" %lu", i);
			k++;
		}
	printf("\n");
	return 0;
}
