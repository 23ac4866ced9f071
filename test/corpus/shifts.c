/* shifts.c -- shifts by variable counts (shl/shr/sar with %cl, shlx/sarx not
 * used without -mbmi2), shld/shrd style double shifts, 8/16/32/64-bit
 * widths, arithmetic right shift of negatives; counts kept in range. */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
	volatile uint64_t u = 0x8123456789abcdefULL;
	volatile int64_t s = -0x123456789abcdefLL;
	uint64_t h = 0;
	for (volatile unsigned n = 0; n < 64; n++) {
		unsigned k = n;
		uint64_t a = u << k, b = u >> k;
		int64_t c = s >> k;
		uint32_t d = (uint32_t)u << (k & 31), e = (uint32_t)u >> (k & 31);
		int32_t f = (int32_t)s >> (k & 31);
		uint16_t g = (uint16_t)((uint16_t)u << (k & 15));
		int8_t i8 = (int8_t)((int8_t)s >> (k & 7));
		uint64_t dbl = k ? (u << k) | ((uint64_t)s >> (64 - k)) : u;
		h = h * 1099511628211ULL ^ a ^ (b << 1) ^ (uint64_t)c ^ ((uint64_t)d << 7) ^ e ^ (uint64_t)(int64_t)f ^ g ^ (uint64_t)(int64_t)i8 ^ dbl;
		if (k % 13 == 0)
			printf("k=%2u shl=%016llx shr=%016llx sar=%016llx u32shl=%08x sar32=%08x dbl=%016llx\n", k,
			       (unsigned long long)a, (unsigned long long)b, (unsigned long long)c, d, (uint32_t)f,
			       (unsigned long long)dbl);
	}
	printf("hash %016llx\n", (unsigned long long)h);
	/* shift by constant 0/1/63 and compound assignments */
	uint64_t x = 1;
	for (int i = 0; i < 10; i++) {
		x <<= 3;
		x ^= x >> 1;
		x += x << 63 >> 63;
	}
	printf("x %016llx\n", (unsigned long long)x);
	return 0;
}
