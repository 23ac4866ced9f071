/* float.c -- light double-precision arithmetic with SSE2 (+ - * /,
 * comparisons incl. NaN, int<->double conversions with truncation and
 * rounding, Newton square roots, a series sum). Doubles are printed only
 * after conversion to integers (no %f/%g), and no x87 or libm is used. */
#include <stdio.h>

static long fx(double d, double scale) { return (long)(d * scale); }

__attribute__((noinline)) static double newton_sqrt(double x)
{
	double g = x > 1 ? x / 2 : 1;
	for (int i = 0; i < 40; i++)
		g = 0.5 * (g + x / g);
	return g;
}

int main(void)
{
	volatile double a = 3.25, b = -1.5, z = 0.0;
	printf("a+b %ld a-b %ld a*b %ld a/b %ld (x1e6)\n", fx(a + b, 1e6), fx(a - b, 1e6), fx(a * b, 1e6), fx(a / b, 1e6));
	double nan = z / z, inf = 1.0 / z;
	printf("cmp: %d %d %d %d nan==nan %d nan!=nan %d inf>1e308 %d -inf<0 %d\n", a > b, a < b, a >= 3.25, b <= -1.5,
	       nan == nan, nan != nan, inf > 1e308, -inf < 0);
	volatile double vals[] = {0.0, -0.0, 0.49999, 0.5, 1.5, 2.5, -2.5, -2.7, 1e15 + 0.5, 123456789.987654321, -9.99e17};
	for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		double v = vals[i];
		long t = (long)v;                       /* truncation */
		long r = (long)(v < 0 ? v - 0.5 : v + 0.5); /* round half away */
		unsigned long u = v >= 0 ? (unsigned long)v : 0;
		printf("v[%u] trunc %ld round %ld u %lu neg-zero-sign %d\n", i, t, r, u, (v == 0) ? (1 / v < 0) : 0);
	}
	volatile long li[] = {0, 1, -1, 9007199254740993L, -123456789012L, 0x7fffffffffffffffL};
	for (unsigned i = 0; i < 6; i++) {
		double d = (double)li[i];
		printf("long %ld -> double/4 -> long %ld; /3e6 x1000 %ld\n", li[i], (long)(d / 4), fx(d / 3e6, 1000));
	}
	volatile unsigned long ul = 0xfffffffffffff800UL;
	printf("ulong->double->ulong %lu\n", (unsigned long)(double)ul);
	for (int n = 2; n <= 50; n += 12)
		printf("sqrt(%d) x1e9 = %ld\n", n, fx(newton_sqrt(n), 1e9));
	double pi = 0;
	for (int k = 0; k < 20000; k++)
		pi += (k % 2 ? -4.0 : 4.0) / (2 * k + 1);
	printf("leibniz pi x1e8 = %ld\n", fx(pi, 1e8));
	double e = 1, term = 1;
	for (int k = 1; k < 20; k++) {
		term /= k;
		e += term;
	}
	printf("e x1e15 = %ld\n", fx(e, 1e15));
	float f = 1.1f, g = 3.0f;
	printf("float f*g x1e6 = %ld, (double)f x1e9 = %ld\n", (long)(f * g * 1e6f), fx((double)f, 1e9));
	int imin = -2147483647 - 1;
	printf("int->double->int %d %d\n", (int)(double)imin, (int)(double)2147483647);
	return 0;
}
