/* fp.c -- musl's floating-point formatting and parsing, which run on the x87
 * (long double): printf %f %e %g %a (and %L forms) of edge and random doubles,
 * strtod/strtof/strtold/sscanf of decimal and hex strings (round trips), and
 * long double arithmetic and libm (fmodl, sqrtl, frexpl, ldexpl, rintl,
 * lrintl, remainderl). Built at -O2 by programs.test.ts (libc is the same at every level). */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t seed = 0x2545f4914f6cdd1dULL;
static uint64_t rnd(void) { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; return seed; }
static double bits2d(uint64_t b) { double d; memcpy(&d, &b, 8); return d; }
static uint64_t d2bits(double d) { uint64_t b; memcpy(&b, &d, 8); return b; }

static void show(double v) {
  printf("%f|%.0f|%.3f|%.20f|%e|%.0e|%.15e|%g|%.17g|%#g|%a|%.3a|%+10.4f|%-12.3e|\n", v, v, v, v, v, v, v, v, v, v, v, v, v, v);
}

static void showl(long double v) {
  unsigned char b[10]; memcpy(b, &v, 10);
  printf("%Lf|%.25Le|%Lg|%.21Lg|%La|", v, v, v, v, v);
  for (int i = 9; i >= 0; i--) printf("%02x", b[i]);
  printf("\n");
}

int main(void) {
  static const double edge[] = {0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1.5, 2.5, 0.125, 1e-5, 123456.789, 1e15, 1e16, 1e17, 1e21, 1e22, 1e23,
    9007199254740993.0, 4.35, 0.3, 2.675, 1.005, 5e-324, 2.2250738585072014e-308, 2.2250738585072009e-308, 1.7976931348623157e308,
    1e300, 1e-300, 3.141592653589793, 2.718281828459045, 6.02214076e23, 1.602176634e-19, 299792458.0, 0.999999999999999, 9.5, 99.5, 999999.5};
  for (unsigned i = 0; i < sizeof edge / sizeof *edge; i++) { show(edge[i]); show(-edge[i]); }
  show(1.0 / 0.0); show(-1.0 / 0.0); show(bits2d(0x7ff8000000000000ULL)); show(bits2d(0xfff8000000000000ULL));
  for (int i = 0; i < 100; i++) {
    uint64_t b = rnd();
    if (i % 3 == 0) b = (b & 0x800fffffffffffffULL) | ((uint64_t)(1023 + (int)(rnd() % 120) - 60) << 52); /* moderate exponents */
    double v = bits2d(b);
    if (isnan(v)) continue;
    show(v);
    /* round trips through text */
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g", v);
    double back = strtod(buf, 0);
    snprintf(buf, sizeof buf, "%a", v);
    double backh = strtod(buf, 0);
    printf("rt %016llx %016llx %016llx\n", (unsigned long long)d2bits(v), (unsigned long long)d2bits(back), (unsigned long long)d2bits(backh));
  }
  static const char *in[] = {"0", "-0", "1e-400", "1e400", "-1e400", "4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
    "0.1", "0.30000000000000004", "123456789012345678901234567890", "1.7976931348623158e308", "1.7976931348623159e308", "0x1.fffffffffffffp1023",
    "0x1p-1074", "0x1.8p-1075", "inf", "-infinity", "nan", "  +3.5e+2xyz", "1e-310", ".5", "5.", "1_000", "0x", "2.2250738585072011e-308",
    "9007199254740993", "9007199254740995", "1.00000000000000011102230246251565404236316680908203125", "3.4028235e38", "3.4028236e38", "1e-45", "7e-46"};
  for (unsigned i = 0; i < sizeof in / sizeof *in; i++) {
    char *end;
    double d = strtod(in[i], &end);
    float f = strtof(in[i], 0);
    long double l = strtold(in[i], 0);
    double s = 0; int n = sscanf(in[i], "%lf", &s);
    uint32_t fb; memcpy(&fb, &f, 4);
    printf("%-45s d=%016llx end=%d f=%08x n=%d s=%016llx ", in[i], (unsigned long long)d2bits(d), (int)(end - in[i]), fb, n, (unsigned long long)d2bits(s));
    showl(l);
  }
  /* long double arithmetic and libm */
  long double x = 1.0L / 3.0L, y = 10.0L;
  for (int i = 0; i < 24; i++) {
    long double a = (long double)bits2d(rnd() & 0xbfffffffffffffffULL) * (i % 2 ? 1e10L : 1e-10L);
    long double b = (long double)(int64_t)rnd() / 7.0L;
    showl(a + b); showl(a * b); showl(a / b); showl(a - b * x);
    showl(fmodl(a, b)); showl(remainderl(b, a)); showl(sqrtl(fabsl(a)));
    int e; showl(frexpl(a, &e)); printf("e=%d\n", e); showl(ldexpl(b, i * 97 - 2000));
    showl(rintl(b / 1e15L)); printf("lrintl %ld llrintl %lld (long)%ld (unsigned long)%lu\n", lrintl(a), llrintl(b / 3), (long)b, (unsigned long)fabsl(b));
    printf("cmp %d %d %d %d\n", a < b, a == a, b >= x, isnan(a * 0.0L / 0.0L));
    x = x * y + 1.0L / (i + 1);
  }
  showl(x); showl(LDBL_MAX); showl(LDBL_MIN); showl(LDBL_EPSILON); showl(-LDBL_TRUE_MIN);
  printf("%.30Lf %.40Le\n", 1.0L / 7.0L, 2.0L / 3.0L);
  return 0;
}
