/* printf.c -- printf integer/string/char formatting with widths, precision
 * and flags (no %p, no floating point). Exercises musl's vfprintf and
 * stdout buffering. */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

int main(void)
{
	int iv[] = {0, 1, -1, 42, -42, 12345, INT_MAX, INT_MIN};
	for (unsigned i = 0; i < sizeof iv / sizeof iv[0]; i++)
		printf("[%d] [%5d] [%-5d] [%05d] [%+d] [% d] [%.3d] [%x] [%#x] [%o] [%#o] [%X] [%u]\n",
		       iv[i], iv[i], iv[i], iv[i], iv[i], iv[i], iv[i], (unsigned)iv[i], (unsigned)iv[i],
		       (unsigned)iv[i], (unsigned)iv[i], (unsigned)iv[i], (unsigned)iv[i]);
	long lv[] = {0L, LONG_MAX, LONG_MIN, -1234567890123L};
	for (unsigned i = 0; i < 4; i++)
		printf("[%ld] [%20ld] [%-20ld|] [%lx] [%#lx] [%lu]\n", lv[i], lv[i], lv[i],
		       (unsigned long)lv[i], (unsigned long)lv[i], (unsigned long)lv[i]);
	unsigned long long ull = 18446744073709551615ULL;
	printf("[%llu] [%llx] [%llo] [%lld]\n", ull, ull, ull, (long long)ull);
	printf("[%hhd] [%hhu] [%hd] [%hu] [%zu] [%zd] [%td] [%jd]\n", (signed char)-5, (unsigned char)250,
	       (short)-30000, (unsigned short)65000, (size_t)123456, (ssize_t)-7, (ptrdiff_t)-99, (intmax_t)-1);
	printf("[%s] [%8s] [%-8s] [%.2s] [%8.3s] [%-8.3s] [%s]\n", "abc", "abc", "abc", "abc", "abcdef", "abcdef", "");
	printf("[%c] [%3c] [%-3c] [%%]\n", 'A', 'B', 'C');
	printf("[%*d] [%-*d] [%.*d] [%*.*s]\n", 6, 42, 6, 42, 4, 42, 7, 2, "xyz");
	int n1, n2;
	printf("count%n here%n\n", &n1, &n2);
	printf("n1=%d n2=%d\n", n1, n2);
	char buf[64];
	int r = snprintf(buf, 10, "%s-%d-%x", "truncated", 123456, 0xabc);
	printf("snprintf r=%d buf=[%s]\n", r, buf);
	int total = 0;
	for (int i = 0; i < 300; i++)
		total += printf("%3d%c", i, i % 20 == 19 ? '\n' : ' ');
	printf("total=%d\n", total);
	return 0;
}
