/* overflow.c -- 64/32/16/8-bit wraparound (unsigned arithmetic, signed via
 * conversions), carries through multi-word addition, __builtin_*_overflow
 * (seto/setc/jo at -O2), and mul-high. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

int main(void)
{
	volatile uint64_t a = UINT64_MAX, b = 2;
	printf("u64 max+1=%llu max*2=%llu 0-1=%llu\n", (unsigned long long)(a + 1),
	       (unsigned long long)(a * b), (unsigned long long)((uint64_t)0 - 1));
	volatile uint32_t c = UINT32_MAX;
	volatile uint16_t d = 65535;
	volatile uint8_t e = 255;
	printf("u32 %u u16 %u u8 %u\n", (uint32_t)(c + 1u), (uint16_t)(d + 1), (uint8_t)(e + 1));
	volatile int64_t s = INT64_MAX;
	printf("s64 max as u64 +1 -> %lld\n", (long long)(int64_t)((uint64_t)s + 1));
	/* 256-bit addition with carries */
	uint64_t x[4] = {UINT64_MAX, UINT64_MAX, 5, 0}, y[4] = {1, 0, UINT64_MAX, 7}, z[4];
	unsigned carry = 0;
	for (int i = 0; i < 4; i++) {
		uint64_t t = x[i] + carry;
		unsigned c1 = t < carry;
		z[i] = t + y[i];
		carry = c1 | (z[i] < t);
	}
	printf("256-bit sum %016llx %016llx %016llx %016llx carry %u\n", (unsigned long long)z[3],
	       (unsigned long long)z[2], (unsigned long long)z[1], (unsigned long long)z[0], carry);
	int ovf = 0;
	long long r;
	volatile long long p = LLONG_MAX / 3 + 1, q = 3;
	ovf += __builtin_mul_overflow(p, q, &r);
	printf("mul_overflow(%lld,%lld) -> %d (%lld)\n", p, q, ovf, r);
	int ri1, ri2;
	volatile int m = INT_MAX, n = 1;
	int o1 = __builtin_add_overflow(m, n, &ri1), o2 = __builtin_sub_overflow(-m, 2, &ri2);
	printf("add_overflow int %d (%d), sub_overflow int %d (%d)\n", o1, ri1, o2, ri2);
	unsigned ur1, ur2;
	volatile unsigned u1 = 4000000000u, u2 = 1u;
	int o3 = __builtin_add_overflow(u1, 400000000u, &ur1), o4 = __builtin_sub_overflow(u2, 2u, &ur2);
	printf("uadd_overflow %d (%u) usub_overflow %d (%u)\n", o3, ur1, o4, ur2);
	volatile unsigned long f1 = 0xfedcba9876543210UL, f2 = 0x0fedcba987654321UL;
	unsigned __int128 w = (unsigned __int128)f1 * f2;
	printf("mulhi %016llx mullo %016llx\n", (unsigned long long)(w >> 64), (unsigned long long)w);
	uint64_t h = 1;
	for (int i = 0; i < 1000; i++)
		h = h * 6364136223846793005ULL + 1442695040888963407ULL;
	printf("lcg^1000 %016llx\n", (unsigned long long)h);
	uint32_t h32 = 1;
	for (int i = 0; i < 1000; i++)
		h32 = h32 * 1664525u + 1013904223u;
	printf("lcg32^1000 %08x\n", h32);
	return 0;
}
