/* bits.c -- popcount/ctz/clz (libgcc __popcountdi2 or inline), rotates,
 * bswap, parity, bit reversal, ffs; at -O2 gcc emits rol/ror/bswap/bsr/bsf. */
#include <stdint.h>
#include <stdio.h>
#include <strings.h>

static inline uint64_t rotl64(uint64_t x, unsigned r) { return (x << (r & 63)) | (x >> ((64 - r) & 63)); }
static inline uint32_t rotr32(uint32_t x, unsigned r) { return (x >> (r & 31)) | (x << ((32 - r) & 31)); }

static uint64_t rev64(uint64_t x)
{
	uint64_t r = 0;
	for (int i = 0; i < 64; i++, x >>= 1)
		r = (r << 1) | (x & 1);
	return r;
}

int main(void)
{
	uint64_t v = 0x0123456789abcdefULL, acc = 0;
	for (int i = 0; i < 64; i++) {
		uint64_t x = v * (uint64_t)(2 * i + 1) ^ ((uint64_t)1 << i);
		int pc = __builtin_popcountll(x);
		int tz = __builtin_ctzll(x);
		int lz = __builtin_clzll(x);
		acc = acc * 131 + (uint64_t)(pc * 10000 + tz * 100 + lz);
		acc ^= rotl64(x, (unsigned)i) + __builtin_bswap64(x) + rotr32((uint32_t)x, (unsigned)i);
		if (i % 8 == 0)
			printf("x=%016llx pc=%d ctz=%d clz=%d bswap=%016llx rotl=%016llx parity=%d ffs=%d\n",
			       (unsigned long long)x, pc, tz, lz, (unsigned long long)__builtin_bswap64(x),
			       (unsigned long long)rotl64(x, (unsigned)i), __builtin_parityll(x), ffsll((long long)x));
	}
	printf("bswap32 %08x bswap16 %04x\n", __builtin_bswap32(0x11223344u), __builtin_bswap16(0xaabb));
	printf("rev64 %016llx\n", (unsigned long long)rev64(v));
	printf("popcount32 %d clz32 %d ctz32 %d\n", __builtin_popcount(0xf0f0f0f1u), __builtin_clz(0x00010000u), __builtin_ctz(0x00010000u));
	printf("acc %016llx\n", (unsigned long long)acc);
	return 0;
}
