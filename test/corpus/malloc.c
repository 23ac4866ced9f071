/* malloc.c -- malloc/calloc/realloc/free stress (musl mallocng: brk and
 * mmap, madvise/munmap on free of large blocks) with content checksums. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 256
#define OPS 5000

static unsigned int s = 0xdecafbad;
static unsigned int rnd(void) { s ^= s << 13; s ^= s >> 17; s ^= s << 5; return s; }

/* visit every byte of small blocks, ~512 evenly spaced bytes of large ones */
static unsigned long sum_block(const unsigned char *p, size_t n)
{
	unsigned long c = 0;
	size_t step = n > 4096 ? n / 512 : 1;
	for (size_t k = 0; k < n; k += step)
		c += p[k] * (k + 1);
	return c + p[n - 1];
}

int main(void)
{
	unsigned char *p[SLOTS] = {0};
	size_t len[SLOTS] = {0};
	unsigned long check = 0, allocs = 0, reallocs = 0, frees = 0, bytes = 0;

	for (int op = 0; op < OPS; op++) {
		unsigned int r = rnd();
		int i = (int)(r % SLOTS);
		unsigned int kind = (r >> 8) % 10;
		size_t n = (r >> 12) % 512 + 1;
		if ((r >> 25) == 0x7f)
			n = 100000 + (r % 200000); /* 1 in 128: large, mmap path */
		if (!p[i] || kind < 3) {
			if (p[i]) {
				check += sum_block(p[i], len[i]);
				free(p[i]);
				frees++;
			}
			p[i] = (kind & 1) ? calloc(n, 1) : malloc(n);
			if (!p[i]) { printf("alloc failed\n"); return 1; }
			if (!(kind & 1))
				memset(p[i], (int)(r & 0xff), n);
			else if (sum_block(p[i], n)) {
				printf("calloc not zero\n");
				return 1;
			}
			len[i] = n;
			allocs++;
			bytes += n;
		} else if (kind < 6) {
			unsigned char *q = realloc(p[i], n);
			if (!q) { printf("realloc failed\n"); return 1; }
			if (n > len[i])
				memset(q + len[i], 0x5a, n - len[i]);
			p[i] = q;
			len[i] = n;
			reallocs++;
		} else {
			size_t k = r % len[i];
			p[i][k] = (unsigned char)(p[i][k] + 1);
		}
	}
	for (int i = 0; i < SLOTS; i++) {
		if (p[i])
			check += sum_block(p[i], len[i]);
		free(p[i]);
	}
	printf("allocs=%lu reallocs=%lu frees=%lu bytes=%lu\n", allocs, reallocs, frees, bytes);
	printf("checksum=%lu\n", check);
	return 0;
}
