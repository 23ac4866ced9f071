/* varargs.c -- variadic functions: va_list walking over ints, longs,
 * pointers-as-strings and doubles (the prologue saves xmm0-7 only when
 * %al != 0), va_copy, and vsnprintf forwarding. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

__attribute__((noinline)) static long sum_ints(int n, ...)
{
	va_list ap;
	long s = 0;
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		s = s * 3 + va_arg(ap, int);
	va_end(ap);
	return s;
}

/* fmt chars: i=int l=long s=string d=double */
__attribute__((noinline)) static unsigned long mixed(const char *fmt, ...)
{
	va_list ap, ap2;
	unsigned long h = 17;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	for (const char *p = fmt; *p; p++) {
		switch (*p) {
		case 'i': h = h * 31 + (unsigned long)va_arg(ap, int); break;
		case 'l': h = h * 31 + (unsigned long)va_arg(ap, long); break;
		case 's': { const char *s = va_arg(ap, const char *); h = h * 31 + strlen(s) + (unsigned char)s[0]; } break;
		case 'd': h = h * 31 + (unsigned long)(long)(va_arg(ap, double) * 1000); break;
		}
	}
	/* walk again with the copy: count the first argument twice */
	if (*fmt == 'i')
		h += (unsigned long)va_arg(ap2, int);
	va_end(ap2);
	va_end(ap);
	return h;
}

__attribute__((noinline, format(printf, 2, 3))) static int fmt_into(char *buf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(buf, 64, fmt, ap);
	va_end(ap);
	return r;
}

int main(void)
{
	printf("sum_ints %ld %ld %ld\n", sum_ints(0), sum_ints(3, 1, 2, 3), sum_ints(10, 1, -2, 3, -4, 5, -6, 7, -8, 9, -10));
	printf("mixed %lu\n", mixed("ilsd", 5, 1L << 40, "hello", 2.5));
	printf("mixed %lu\n", mixed("dddddddddi", 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 42));
	printf("mixed %lu\n", mixed("iiiiiiiiss", 1, 2, 3, 4, 5, 6, 7, 8, "a", "bc"));
	char buf[64];
	int r = fmt_into(buf, "%d-%s-%lx-%c", 77, "vs", 0xabcdefUL, 'Q');
	printf("vsnprintf %d [%s]\n", r, buf);
	return 0;
}
