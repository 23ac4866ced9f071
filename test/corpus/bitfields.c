/* bitfields.c -- struct bitfields (signed/unsigned, straddling bytes),
 * packed structs with unaligned members, unions for type punning, and
 * byte-wise little-endian views of integers. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct flags {
	unsigned a : 3;
	signed b : 5;
	unsigned c : 11;
	unsigned d : 1;
	signed e : 12;
	uint64_t f : 40;
};

struct __attribute__((packed)) pk {
	uint8_t tag;
	uint32_t u32;
	uint16_t u16;
	uint64_t u64;
};

union pun {
	uint64_t u;
	uint32_t w[2];
	uint8_t b[8];
	int16_t h[4];
};

int main(void)
{
	struct flags f;
	memset(&f, 0, sizeof f);
	unsigned long h = 0;
	for (int i = 0; i < 300; i++) {
		f.a += 5;
		f.b = (signed)(f.b - 3);
		f.c = f.c * 3 + 1;
		f.d = !f.d;
		f.e = (signed)(f.e + (i % 2 ? -77 : 55));
		f.f = f.f * 7 + (uint64_t)i;
		h = h * 31 + f.a + (unsigned)(f.b + 16) + f.c + f.d + (unsigned)(f.e + 2048) + (unsigned long)f.f;
	}
	printf("flags a=%u b=%d c=%u d=%u e=%d f=%llu sizeof=%zu hash=%lx\n", f.a, f.b, f.c, f.d, f.e,
	       (unsigned long long)f.f, sizeof f, h);
	struct pk p[3];
	printf("packed sizeof=%zu\n", sizeof(struct pk));
	for (int i = 0; i < 3; i++) {
		p[i].tag = (uint8_t)i;
		p[i].u32 = 0x11223344u * (unsigned)(i + 1);
		p[i].u16 = (uint16_t)(0xbeef + i);
		p[i].u64 = 0x0102030405060708ULL << i;
	}
	unsigned long ps = 0;
	for (int i = 0; i < 3; i++)
		ps = ps * 131 + p[i].tag + p[i].u32 + p[i].u16 + p[i].u64;
	printf("packed sum %lx\n", ps);
	const unsigned char *raw = (const unsigned char *)&p[1];
	printf("raw p[1]:");
	for (size_t i = 0; i < sizeof p[1]; i++)
		printf(" %02x", raw[i]);
	printf("\n");
	union pun u;
	u.u = 0x8877665544332211ULL;
	printf("pun w0=%08x w1=%08x b0=%02x b7=%02x h3=%d\n", u.w[0], u.w[1], u.b[0], u.b[7], u.h[3]);
	return 0;
}
