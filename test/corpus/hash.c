/* hash.c -- integer hashing over generated data: FNV-1a 32/64, murmur3
 * fmix64, murmur3-32 block hash (rotates, unaligned memcpy loads, switch
 * fallthrough tail), CRC-32 with a table built at run time, and djb2. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t fmix64(uint64_t k)
{
	k ^= k >> 33; k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33; k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

static uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

static uint32_t murmur32(const uint8_t *p, size_t n, uint32_t seed)
{
	uint32_t h = seed, c1 = 0xcc9e2d51, c2 = 0x1b873593;
	size_t i = 0;
	for (; i + 4 <= n; i += 4) {
		uint32_t k;
		memcpy(&k, p + i, 4);
		k *= c1; k = rotl32(k, 15); k *= c2;
		h ^= k; h = rotl32(h, 13); h = h * 5 + 0xe6546b64;
	}
	uint32_t k = 0;
	switch (n & 3) {
	case 3: k ^= (uint32_t)p[i + 2] << 16; /* fallthrough */
	case 2: k ^= (uint32_t)p[i + 1] << 8;  /* fallthrough */
	case 1: k ^= p[i]; k *= c1; k = rotl32(k, 15); k *= c2; h ^= k;
	}
	h ^= (uint32_t)n;
	h ^= h >> 16; h *= 0x85ebca6b; h ^= h >> 13; h *= 0xc2b2ae35; h ^= h >> 16;
	return h;
}

int main(void)
{
	static uint8_t data[8192];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(fmix64(i) >> 17);

	uint32_t f32 = 2166136261u;
	uint64_t f64 = 14695981039346656037ULL;
	for (size_t i = 0; i < sizeof data; i++) {
		f32 = (f32 ^ data[i]) * 16777619u;
		f64 = (f64 ^ data[i]) * 1099511628211ULL;
	}
	printf("fnv1a32 %08x fnv1a64 %016llx\n", f32, (unsigned long long)f64);

	uint32_t crc_tab[256];
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_tab[i] = c;
	}
	uint32_t crc = 0xffffffffu;
	for (size_t i = 0; i < sizeof data; i++)
		crc = crc_tab[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
	printf("crc32 %08x\n", crc ^ 0xffffffffu);
	const char *s = "The quick brown fox jumps over the lazy dog";
	crc = 0xffffffffu;
	for (const char *p = s; *p; p++)
		crc = crc_tab[(crc ^ (uint8_t)*p) & 0xff] ^ (crc >> 8);
	printf("crc32(fox) %08x\n", crc ^ 0xffffffffu);

	for (size_t n = 0; n < 12; n++)
		printf("murmur32(data,%zu) %08x\n", n * 37, murmur32(data, n * 37, 0x9747b28c));
	uint64_t m = 0;
	for (uint64_t i = 0; i < 5000; i++)
		m ^= fmix64(i * 0x9e3779b97f4a7c15ULL);
	printf("fmix64 xor %016llx\n", (unsigned long long)m);
	unsigned long djb = 5381;
	for (size_t i = 0; i < sizeof data; i++)
		djb = ((djb << 5) + djb) + data[i];
	printf("djb2 %016lx\n", djb);
	return 0;
}
