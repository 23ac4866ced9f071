/* divmod.c -- signed/unsigned division and modulo at 8/16/32/64 bits:
 * negative operands (C truncation toward zero), INT_MIN / 1, UINT_MAX,
 * division by powers of two (sar + fixups at -O2), by constants
 * (multiply-high at -O2) and by runtime values (div/idiv). INT_MIN / -1
 * is deliberately avoided (it traps). */
#include <limits.h>
#include <stdio.h>

int main(void)
{
	volatile int sv[] = {0, 1, -1, 7, -7, 100, -100, 12345, -12345, INT_MAX, INT_MIN};
	volatile int dv[] = {1, -1, 2, -2, 3, -3, 7, -7, 10, 16, -16, 1000, INT_MAX};
	unsigned long h = 0;
	for (unsigned i = 0; i < sizeof sv / sizeof sv[0]; i++)
		for (unsigned j = 0; j < sizeof dv / sizeof dv[0]; j++) {
			int a = sv[i], b = dv[j];
			if (a == INT_MIN && b == -1)
				continue;
			int q = a / b, r = a % b;
			h = h * 1000003 + (unsigned)q * 31u + (unsigned)r;
			if (i % 3 == 0 && j % 3 == 0)
				printf("%d / %d = %d r %d\n", a, b, q, r);
		}
	printf("int32 hash %lx\n", h);

	volatile long long lv[] = {0, 5, -5, 1LL << 40, -(1LL << 40), LLONG_MAX, LLONG_MIN + 1, -123456789012345LL};
	volatile long long ld[] = {1, -1, 3, -3, 1000000007LL, -65536, LLONG_MAX};
	h = 0;
	for (unsigned i = 0; i < 8; i++)
		for (unsigned j = 0; j < 7; j++) {
			long long q = lv[i] / ld[j], r = lv[i] % ld[j];
			h = h * 1000003 + (unsigned long)q + (unsigned long)r * 7;
		}
	printf("int64 hash %lx\n", h);

	volatile unsigned long uv[] = {0, 1, 3, 1000, ULONG_MAX, ULONG_MAX - 1, 1UL << 63, 0x123456789abcdefUL};
	volatile unsigned long ud[] = {1, 2, 3, 10, 255, 1UL << 32, ULONG_MAX, 0x8000000000000001UL};
	h = 0;
	for (unsigned i = 0; i < 8; i++)
		for (unsigned j = 0; j < 8; j++)
			h = h * 1000003 + uv[i] / ud[j] + (uv[i] % ud[j]) * 11;
	printf("uint64 hash %lx\n", h);

	/* constant divisors: compiler strength reduction */
	long acc = 0;
	for (volatile int x = -500; x <= 500; x += 7) {
		int xi = x;
		acc += xi / 3 + xi % 3 + xi / 8 + xi % 8 + xi / 10 + xi % 10 + xi / -4 + (unsigned)xi / 5u + (unsigned)xi % 9u;
	}
	printf("const-divisor acc %ld\n", acc);

	volatile signed char c1 = -128, c2 = 3;
	volatile short s1 = -32768, s2 = -7;
	volatile unsigned short us = 65535, us2 = 256;
	printf("8-bit %d %d, 16-bit %d %d, u16 %d %d\n", c1 / c2, c1 % c2, s1 / s2, s1 % s2, us / us2, us % us2);
	return 0;
}
