/* int128.c -- __int128 / unsigned __int128 multiply, divide and modulo
 * (libgcc __udivti3/__umodti3/__divti3/__modti3), shifts and compares,
 * printed with a hand-rolled decimal conversion. */
#include <stdio.h>

typedef unsigned __int128 u128;
typedef __int128 s128;

static void put_u128(u128 v)
{
	char buf[48];
	int i = 47;
	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	fputs(buf + i, stdout);
}

static void put_s128(s128 v)
{
	if (v < 0) {
		putchar('-');
		put_u128((u128)0 - (u128)v);
	} else
		put_u128((u128)v);
}

static void put_hex(u128 v)
{
	printf("%016llx%016llx", (unsigned long long)(v >> 64), (unsigned long long)v);
}

int main(void)
{
	volatile unsigned long a = 0xfedcba9876543210UL, b = 0x0123456789abcdefUL;
	u128 p = (u128)a * b;
	printf("a*b = 0x"); put_hex(p); printf(" = "); put_u128(p); printf("\n");
	u128 max = ~(u128)0;
	printf("u128 max = "); put_u128(max); printf("\n");
	s128 smin = (s128)((u128)1 << 127);
	printf("s128 min = "); put_s128(smin); printf("\n");
	u128 x = max / 3;
	printf("max/3 = "); put_u128(x); printf(" rem "); put_u128(max % 3); printf("\n");
	u128 big = ((u128)0x123456789abcdefUL << 64) | 0xfedcba987654321fUL;
	volatile unsigned long dv[] = {7, 1000000007UL, 0xffffffffUL, 0x100000001UL, 0xffffffffffffffffUL};
	for (unsigned i = 0; i < 5; i++) {
		u128 q = big / dv[i], r = big % dv[i];
		printf("big / %lu = ", dv[i]); put_u128(q); printf(" r "); put_u128(r);
		printf(" check %s\n", q * dv[i] + r == big ? "ok" : "BAD");
	}
	u128 d128 = ((u128)3 << 64) | 12345;
	printf("big / (3<<64|12345) = "); put_u128(big / d128); printf(" r "); put_u128(big % d128); printf("\n");
	s128 sn = -(s128)big;
	volatile long sd[] = {7, -7, 1000, -123456789};
	for (unsigned i = 0; i < 4; i++) {
		printf("-big / %ld = ", sd[i]); put_s128(sn / sd[i]);
		printf(" r "); put_s128(sn % sd[i]); printf("\n");
	}
	u128 f = 1;
	for (int n = 1; n <= 34; n++)
		f *= (u128)n;
	printf("34! = "); put_u128(f); printf("\n");
	for (int sh = 0; sh < 128; sh += 37) {
		printf("big<<%d = 0x", sh); put_hex(big << sh);
		printf(" big>>%d = 0x", sh); put_hex(big >> sh);
		printf(" sn>>%d = ", sh); put_s128(sn >> sh); printf("\n");
	}
	printf("cmp: %d %d %d\n", big > d128, sn < 0, (s128)big > sn);
	return 0;
}
