// The glibc routines a baseline (SSE2) cpuid selects, through their public
// entry points: the ifunc'ed string functions (__memmove_sse2_unaligned,
// __strlen_sse2, __strchr_sse2, __memcmp_sse2 ...) at every small size and
// alignment and beyond the non-temporal threshold, the libm double and float
// functions (__sin_sse2 and friends), the long double ones (x87: f2xm1,
// fyl2x, fyl2xp1, fpatan, fxtract), <fenv.h> and <ucontext.h> (fnstenv,
// fldenv, stmxcsr, ldmxcsr), printf/strtod, qsort. Every line of output is
// compared with the processor's; long double results are printed to 17
// digits, above the 1-ulp freedom the processors have in the x87
// transcendentals (see test/cpu/x87t.test.ts).

#define _GNU_SOURCE
#include <fenv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <wchar.h>

static uint64_t h = 1469598103934665603ull;
static void mix(uint64_t v) { h = (h ^ v) * 1099511628211ull; }
static void mixs(const void *p, size_t n) { const unsigned char *c = p; for (size_t i = 0; i < n; i++) mix(c[i]); }

static void strings(void) {
  static char a[1024] __attribute__((aligned(64))), b[1024] __attribute__((aligned(64)));
  for (int i = 0; i < 1024; i++) a[i] = 'a' + i % 23;
  for (int al = 0; al < 64; al += 7)
    for (int n = 0; n < 300; n += 1 + n / 16) {
      char *s = a + al, *d = b + (al * 3) % 64;
      memset(b, 0, sizeof b);
      memcpy(d, s, n);
      mix(memcmp(d, s, n));
      d[n] = 0;
      mix(strlen(d));
      mix(strnlen(d, n / 2));
      char *p = memchr(d, 'k', n);
      mix(p ? p - d : -1);
      p = strchr(d, 'q');
      mix(p ? p - d : -1);
      p = strrchr(d, 'c');
      mix(p ? p - d : -1);
      p = memrchr(d, 'e', n);
      mix(p ? p - d : -1);
      p = rawmemchr(d, 0);
      mix(p - d);
      mix(strcmp(d, s) > 0);
      mix(strncmp(d, s, n) == 0);
      if (n > 3) {
        d[n - 2] ^= 1;
        mix(strcmp(d, s) < 0);
        mix(memcmp(d, s, n) < 0);
        mix(strcasecmp(d, s) < 0);
        mix(strncasecmp(d, s, n - 3));
      }
      memmove(d + 5, d, n);
      mixs(b, sizeof b);
      memset(d, 'z', n);
      mixs(b, sizeof b);
      strcpy(b + 512, d);
      stpcpy(b + 700, "end");
      strcat(b + 512, "tail");
      mix(strlen(b + 512));
      mix(strspn(d, "z"));
      mix(strcspn(a + al, "xyz"));
      char *q = strpbrk(a + al, "ki");
      mix(q ? q - a : -1);
      q = strstr(a + al, "hij");
      mix(q ? q - a : -1);
    }
  wchar_t w[64];
  for (int i = 0; i < 63; i++) w[i] = L'A' + i % 20;
  w[63] = 0;
  mix(wcslen(w));
  mix(wcschr(w, L'K') - w);
  mix(wmemchr(w, L'Q', 63) - w);
  mix(wcscmp(w, L"ABC") > 0);
  printf("strings %016llx\n", (unsigned long long)h);
}

static void big(void) {
  // beyond __x86_shared_non_temporal_threshold (6 MiB with the emulator's cpuid): the non-temporal loops
  size_t n = 7 << 20;
  unsigned char *x = malloc(n + 64), *y = malloc(n + 64);
  memset(x, 0x11, n + 64);
  for (size_t i = 0; i < n + 64; i += 509) x[i] = (unsigned char)(i * 2654435761u >> 13);
  memcpy(y + 3, x + 1, n);
  uint64_t s = 0;
  for (size_t i = 0; i < n; i += 4093) s = s * 31 + y[i + 3];
  memmove(y + 1000, y, n - 1000); // overlapping, backward
  for (size_t i = 0; i < n; i += 4093) s = s * 31 + y[i];
  memmove(y, y + 4096 + 5, n - 8192); // overlapping, forward
  for (size_t i = 0; i < n; i += 4093) s = s * 31 + y[i];
  printf("big %016llx %d %d\n", (unsigned long long)s, memcmp(x, y, n) < 0, memcmp(x + 1, y + 3, n - 8192) < 0);
  free(x);
  free(y);
}

static int cmpd(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void math(void) {
  double v[64];
  for (int i = 0; i < 64; i++) {
    double x = (i - 20) * 0.731 + 1e-3;
    v[i] = sin(x) + cos(x) * tan(x / 4) + exp(x / 3) + log(fabs(x) + 0.5) + pow(fabs(x) + 1, 1.37) + atan2(x, 3.0) + sqrt(fabs(x)) +
           asin(x / 40) + acos(x / 41) + sinh(x / 5) + cosh(x / 6) + tanh(x) + log1p(fabs(x)) + expm1(x / 7) + cbrt(x) + hypot(x, 2) + erf(x / 9) +
           lgamma(fabs(x) + 1) + exp2(x / 3) + log2(fabs(x) + 1) + log10(fabs(x) + 1) + fmod(x, 1.3) + floor(x) + ceil(x) + rint(x) + round(x) + trunc(x);
    v[i] += sinf((float)x) + expf((float)x / 4) + logf((float)fabs(x) + 1) + powf(1.1f, (float)x) + cosf((float)x);
  }
  qsort(v, 64, sizeof v[0], cmpd);
  for (int i = 0; i < 64; i += 9) printf("%.17g %a\n", v[i], v[i]);
  long double l[24];
  for (int i = 0; i < 24; i++) {
    long double x = (i - 8) * 0.37L + 0.001L;
    l[i] = expl(x) + logl(fabsl(x) + 0.25L) + powl(fabsl(x) + 1, 2.5L) + atan2l(x, 1.7L) + log1pl(fabsl(x)) + expm1l(x) + log2l(fabsl(x) + 2) +
           log10l(fabsl(x) + 3) + exp2l(x) + exp10l(x / 4) + atanl(x) + asinl(x / 8) + acosl(x / 9) + sinhl(x) + tanhl(x) + logbl(x * 1000) +
           ilogbl(x * 1e6L) + floorl(x) + ceill(x) + truncl(x) + nearbyintl(x) + rintl(x) + fmodl(x, 0.3L) + sqrtl(fabsl(x)) + hypotl(x, 3);
    printf("%.17Lg\n", l[i]);
  }
  printf("%.3f %e %g %a %f\n", M_PI, 6.02214076e23, 1e-300, 0.1, strtod("123.456e-2", 0));
  printf("%.20Lg %Lf\n", strtold("3.14159265358979323846264338327950288", 0), 1.0L / 3);
}

static ucontext_t uc_main, uc_co;
static int co_steps;
static void coroutine(void) {
  for (int i = 0; i < 3; i++) {
    co_steps++;
    swapcontext(&uc_co, &uc_main);
  }
}

// The exceptions and rounding go through long double arithmetic: the emulator
// keeps the x87's sticky flags and rounding control, not MXCSR's (sse.ts).
static void env(void) {
  fenv_t e;
  feclearexcept(FE_ALL_EXCEPT);
  volatile long double z = 0, one = 1;
  volatile long double r = one / z;
  printf("fe %d %d %Lg\n", fetestexcept(FE_DIVBYZERO) != 0, fetestexcept(FE_INEXACT) != 0, r);
  feholdexcept(&e);
  r = one / 3;
  printf("held %d\n", fetestexcept(FE_INEXACT) != 0);
  fesetenv(&e);
  printf("restored %d %d\n", fetestexcept(FE_DIVBYZERO) != 0, fetestexcept(FE_INEXACT) != 0);
  fesetround(FE_UPWARD);
  printf("up %.20Lg %.20Lg\n", one / 3, -one / 3);
  fesetround(FE_TOWARDZERO);
  printf("zero %.20Lg %ld\n", -one / 3, lrintl(-2.5L * one));
  fesetround(FE_TONEAREST);
  feraiseexcept(FE_OVERFLOW);
  printf("raised %d round %d\n", fetestexcept(FE_OVERFLOW) != 0, fegetround() == FE_TONEAREST);
  feclearexcept(FE_ALL_EXCEPT);
  static char stack[65536];
  getcontext(&uc_co);
  uc_co.uc_stack.ss_sp = stack;
  uc_co.uc_stack.ss_size = sizeof stack;
  uc_co.uc_link = &uc_main;
  makecontext(&uc_co, coroutine, 0);
  for (int i = 0; i < 3; i++) swapcontext(&uc_main, &uc_co);
  printf("coroutine %d\n", co_steps);
}

int main(void) {
  strings();
  big();
  math();
  env();
  return 0;
}
