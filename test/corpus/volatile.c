/* volatile.c -- volatile-heavy code (compile at -O2): every access to the
 * volatile objects must survive optimization, so loads/stores are real
 * memory operations with odd widths; includes read-modify-write chains,
 * volatile struct fields, bitfields and a volatile pointer walk. */
#include <stdint.h>
#include <stdio.h>

static volatile uint8_t b8[64];
static volatile uint16_t b16[32];
static volatile uint32_t b32[16];
static volatile uint64_t b64[8];
static volatile struct { uint32_t lo : 12, mid : 9, hi : 11; int16_t s; } vs;
static volatile int counter;

int main(void)
{
	for (int round = 0; round < 200; round++) {
		for (int i = 0; i < 64; i++)
			b8[i] = (uint8_t)(b8[(i + 1) & 63] + i + round);
		for (int i = 0; i < 32; i++)
			b16[i] ^= (uint16_t)(b8[i * 2] << 8 | b8[i * 2 + 1]);
		for (int i = 0; i < 16; i++)
			b32[i] += (uint32_t)b16[i * 2] * b16[i * 2 + 1] + 1;
		for (int i = 0; i < 8; i++)
			b64[i] = b64[i] * 31 + b32[i * 2] + ((uint64_t)b32[i * 2 + 1] << 32);
		vs.lo = vs.lo + 7;
		vs.mid = vs.mid ^ (unsigned)round;
		vs.hi = vs.hi - 3;
		vs.s = (int16_t)(vs.s - 1234);
		counter++;
		counter = counter * 1;  /* must stay a load and a store */
	}
	uint64_t h = 0;
	for (int i = 0; i < 8; i++)
		h = h * 1000003 ^ b64[i];
	volatile uint32_t *p = b32;
	uint32_t acc = 0;
	while (p < b32 + 16)
		acc = acc * 33 + *p++;
	printf("b64 hash %016llx b32 acc %08x\n", (unsigned long long)h, acc);
	printf("bitfields lo=%u mid=%u hi=%u s=%d counter=%d\n", (unsigned)vs.lo, (unsigned)vs.mid, (unsigned)vs.hi, vs.s, counter);
	printf("b8[0..3] %u %u %u %u b16[0] %u\n", b8[0], b8[1], b8[2], b8[3], b16[0]);
	return 0;
}
