/* sort.c -- qsort (musl's smoothsort) and a hand-written merge sort on the
 * same pseudo-random data; prints checksums and a few elements. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 4000

static unsigned int seed = 12345;
static unsigned int lcg(void) { seed = seed * 1103515245u + 12345u; return seed >> 1; }

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void merge_sort(int *a, int *tmp, int n)
{
	if (n < 2)
		return;
	int m = n / 2;
	merge_sort(a, tmp, m);
	merge_sort(a + m, tmp, n - m);
	int i = 0, j = m, k = 0;
	while (i < m && j < n)
		tmp[k++] = a[i] <= a[j] ? a[i++] : a[j++];
	while (i < m)
		tmp[k++] = a[i++];
	while (j < n)
		tmp[k++] = a[j++];
	memcpy(a, tmp, (size_t)n * sizeof *a);
}

static unsigned long checksum(const int *a, int n)
{
	unsigned long h = 1469598103934665603UL;
	for (int i = 0; i < n; i++)
		h = (h ^ (unsigned int)a[i]) * 1099511628211UL;
	return h;
}

int main(void)
{
	static int a[N], b[N], tmp[N];
	for (int i = 0; i < N; i++)
		a[i] = b[i] = (int)(lcg() % 100000) - 50000;
	printf("unsorted checksum %016lx\n", checksum(a, N));
	qsort(a, N, sizeof a[0], cmp_int);
	merge_sort(b, tmp, N);
	int sorted = 1;
	for (int i = 1; i < N; i++)
		sorted &= a[i - 1] <= a[i];
	printf("qsort sorted=%d checksum %016lx\n", sorted, checksum(a, N));
	printf("merge sorted=%d checksum %016lx\n", memcmp(a, b, sizeof a) == 0, checksum(b, N));
	printf("min %d max %d median %d\n", a[0], a[N - 1], a[N / 2]);
	/* strings too, through a comparator that dereferences char ** */
	static const char *words[] = {"pear", "apple", "fig", "banana", "kiwi", "cherry", "date", "grape"};
	qsort(words, 8, sizeof words[0], cmp_str);
	for (int i = 0; i < 8; i++)
		printf("%s%c", words[i], i == 7 ? '\n' : ' ');
	return 0;
}
