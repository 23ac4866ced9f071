/* vec.c -- loops that gcc vectorizes with SSE2 at -O3 (integer sums, dot products,
 * min/max, saturation, conversions, shifts, shuffles, compares, scalar and packed
 * double/float arithmetic with NaN, infinity, signed zero and denormal inputs).
 * Each kernel's result or output array is hashed and printed, so the emulator
 * must agree with the CPU bit for bit. Built at -O2 and -O3 by programs.test.ts. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <stdlib.h>
__attribute__((noinline)) int sum_i32(const int *a, int n) { int s = 0; for (int i = 0; i < n; i++) s += a[i]; return s; }
__attribute__((noinline)) long sum_i64(const long *a, int n) { long s = 0; for (int i = 0; i < n; i++) s += a[i]; return s; }
__attribute__((noinline)) long sum_i32_to_64(const int *a, int n) { long s = 0; for (int i = 0; i < n; i++) s += a[i]; return s; }
__attribute__((noinline)) unsigned sum_u8(const unsigned char *a, int n) { unsigned s = 0; for (int i = 0; i < n; i++) s += a[i]; return s; }
__attribute__((noinline)) int sum_i16(const short *a, int n) { int s = 0; for (int i = 0; i < n; i++) s += a[i]; return s; }
__attribute__((noinline)) int dot_i32(const int *a, const int *b, int n) { int s = 0; for (int i = 0; i < n; i++) s += a[i] * b[i]; return s; }
__attribute__((noinline)) int dot_i16(const short *a, const short *b, int n) { int s = 0; for (int i = 0; i < n; i++) s += a[i] * b[i]; return s; }
__attribute__((noinline)) long dot_i64(const long *a, const long *b, int n) { long s = 0; for (int i = 0; i < n; i++) s += a[i] * b[i]; return s; }
__attribute__((noinline)) void mul_u32(unsigned *a, const unsigned *b, int n) { for (int i = 0; i < n; i++) a[i] *= b[i]; }
__attribute__((noinline)) void mul_u64(uint64_t *a, const uint64_t *b, int n) { for (int i = 0; i < n; i++) a[i] *= b[i]; }
__attribute__((noinline)) void mul_u8(uint8_t *a, const uint8_t *b, int n) { for (int i = 0; i < n; i++) a[i] *= b[i]; }
__attribute__((noinline)) int max_i32(const int *a, int n) { int m = a[0]; for (int i = 1; i < n; i++) m = a[i] > m ? a[i] : m; return m; }
__attribute__((noinline)) unsigned max_u32(const unsigned *a, int n) { unsigned m = 0; for (int i = 0; i < n; i++) m = a[i] > m ? a[i] : m; return m; }
__attribute__((noinline)) int min_i8(const signed char *a, int n) { signed char m = 127; for (int i = 0; i < n; i++) m = a[i] < m ? a[i] : m; return m; }
__attribute__((noinline)) int max_u16(const uint16_t *a, int n) { uint16_t m = 0; for (int i = 0; i < n; i++) m = a[i] > m ? a[i] : m; return m; }
__attribute__((noinline)) long max_i64(const long *a, int n) { long m = a[0]; for (int i = 1; i < n; i++) m = a[i] > m ? a[i] : m; return m; }
__attribute__((noinline)) double sum_d(const double *a, int n) { double s = 0; for (int i = 0; i < n; i++) s += a[i]; return s; }
__attribute__((noinline)) void axpy(double *y, const double *x, double a, int n) { for (int i = 0; i < n; i++) y[i] += a * x[i]; }
__attribute__((noinline)) void axpyf(float *y, const float *x, float a, int n) { for (int i = 0; i < n; i++) y[i] += a * x[i]; }
__attribute__((noinline)) double maxd(const double *a, int n) { double m = a[0]; for (int i = 0; i < n; i++) m = a[i] > m ? a[i] : m; return m; }
__attribute__((noinline)) float minf_(const float *a, int n) { float m = a[0]; for (int i = 0; i < n; i++) m = a[i] < m ? a[i] : m; return m; }
__attribute__((noinline)) void cvt_i2d(double *d, const int *a, int n) { for (int i = 0; i < n; i++) d[i] = a[i]; }
__attribute__((noinline)) void cvt_d2i(int *d, const double *a, int n) { for (int i = 0; i < n; i++) d[i] = (int)a[i]; }
__attribute__((noinline)) void cvt_f2i(int *d, const float *a, int n) { for (int i = 0; i < n; i++) d[i] = (int)a[i]; }
__attribute__((noinline)) void cvt_i2f(float *d, const int *a, int n) { for (int i = 0; i < n; i++) d[i] = a[i]; }
__attribute__((noinline)) void cvt_f2d(double *d, const float *a, int n) { for (int i = 0; i < n; i++) d[i] = a[i]; }
__attribute__((noinline)) void cvt_d2f(float *d, const double *a, int n) { for (int i = 0; i < n; i++) d[i] = a[i]; }
__attribute__((noinline)) void cvt_l2d(double *d, const long *a, int n) { for (int i = 0; i < n; i++) d[i] = a[i]; }
__attribute__((noinline)) void cvt_u2d(double *d, const unsigned *a, int n) { for (int i = 0; i < n; i++) d[i] = a[i]; }
__attribute__((noinline)) void cvt_ul2d(double *d, const unsigned long *a, int n) { for (int i = 0; i < n; i++) d[i] = a[i]; }
__attribute__((noinline)) void cvt_d2ul(unsigned long *d, const double *a, int n) { for (int i = 0; i < n; i++) d[i] = a[i]; }
__attribute__((noinline)) void cvt_u8_to_i32(int *d, const unsigned char *a, int n) { for (int i = 0; i < n; i++) d[i] = a[i]; }
__attribute__((noinline)) void cvt_i8_to_i32(int *d, const signed char *a, int n) { for (int i = 0; i < n; i++) d[i] = a[i]; }
__attribute__((noinline)) void cvt_i16_to_i64(long *d, const short *a, int n) { for (int i = 0; i < n; i++) d[i] = a[i]; }
__attribute__((noinline)) void cvt_i32_to_i64(long *d, const int *a, int n) { for (int i = 0; i < n; i++) d[i] = a[i]; }
__attribute__((noinline)) void cvt_u32_to_u64(unsigned long *d, const unsigned *a, int n) { for (int i = 0; i < n; i++) d[i] = a[i]; }
__attribute__((noinline)) void narrow_i32_u8(unsigned char *d, const int *a, int n) { for (int i = 0; i < n; i++) d[i] = a[i]; }
__attribute__((noinline)) void narrow_i64_i32(int *d, const long *a, int n) { for (int i = 0; i < n; i++) d[i] = a[i]; }
__attribute__((noinline)) void sat_u8(unsigned char *d, const int *a, int n) { for (int i = 0; i < n; i++) { int v = a[i]; d[i] = v < 0 ? 0 : v > 255 ? 255 : v; } }
__attribute__((noinline)) void add_sat_u8(uint8_t *d, const uint8_t *a, int n) { for (int i = 0; i < n; i++) { unsigned v = d[i] + a[i]; d[i] = v > 255 ? 255 : v; } }
__attribute__((noinline)) void abs_i32(int *a, int n) { for (int i = 0; i < n; i++) a[i] = abs(a[i]); }
__attribute__((noinline)) void abs_d(double *a, int n) { for (int i = 0; i < n; i++) a[i] = fabs(a[i]); }
__attribute__((noinline)) void neg_d(double *a, int n) { for (int i = 0; i < n; i++) a[i] = -a[i]; }
__attribute__((noinline)) void sqrt_d(double *a, int n) { for (int i = 0; i < n; i++) a[i] = sqrt(a[i]); }
__attribute__((noinline)) void sqrt_f(float *a, int n) { for (int i = 0; i < n; i++) a[i] = sqrtf(a[i]); }
__attribute__((noinline)) int count_eq(const char *s, char c, int n) { int k = 0; for (int i = 0; i < n; i++) k += s[i] == c; return k; }
__attribute__((noinline)) int count_lt(const int *a, int x, int n) { int k = 0; for (int i = 0; i < n; i++) k += a[i] < x; return k; }
__attribute__((noinline)) void shift_r(unsigned *a, int n) { for (int i = 0; i < n; i++) a[i] = (a[i] >> 3) ^ (a[i] << 5); }
__attribute__((noinline)) void shift_s(int *a, int n) { for (int i = 0; i < n; i++) a[i] >>= 2; }
__attribute__((noinline)) void shift_s64(long *a, int n) { for (int i = 0; i < n; i++) a[i] >>= 2; }
__attribute__((noinline)) void shift_s16(short *a, int n) { for (int i = 0; i < n; i++) a[i] >>= 2; }
__attribute__((noinline)) void shift_u64(unsigned long *a, int n) { for (int i = 0; i < n; i++) a[i] = (a[i] >> 7) + (a[i] << 9); }
__attribute__((noinline)) void rev(int *a, int n) { for (int i = 0; i < n / 2; i++) { int t = a[i]; a[i] = a[n - 1 - i]; a[n - 1 - i] = t; } }
__attribute__((noinline)) void interleave(int *d, const int *a, const int *b, int n) { for (int i = 0; i < n; i++) { d[2*i] = a[i]; d[2*i+1] = b[i]; } }
__attribute__((noinline)) void deinterleave(int *a, int *b, const int *d, int n) { for (int i = 0; i < n; i++) { a[i] = d[2*i]; b[i] = d[2*i+1]; } }
__attribute__((noinline)) void sel(int *d, const int *a, const int *b, int n) { for (int i = 0; i < n; i++) d[i] = a[i] > b[i] ? a[i] : b[i] * 3; }
__attribute__((noinline)) void seld(double *d, const double *a, const double *b, int n) { for (int i = 0; i < n; i++) d[i] = a[i] < b[i] ? a[i] : b[i]; }
__attribute__((noinline)) void cmpd(long *d, const double *a, const double *b, int n) { for (int i = 0; i < n; i++) d[i] = a[i] <= b[i]; }
__attribute__((noinline)) unsigned sad(const uint8_t *a, const uint8_t *b, int n) { unsigned s = 0; for (int i = 0; i < n; i++) s += abs(a[i] - b[i]); return s; }
__attribute__((noinline)) void avg_u8(uint8_t *d, const uint8_t *a, const uint8_t *b, int n) { for (int i = 0; i < n; i++) d[i] = (a[i] + b[i] + 1) >> 1; }
__attribute__((noinline)) void mulhi(short *d, const short *a, const short *b, int n) { for (int i = 0; i < n; i++) d[i] = (a[i] * b[i]) >> 16; }
__attribute__((noinline)) void mulhu(uint16_t *d, const uint16_t *a, const uint16_t *b, int n) { for (int i = 0; i < n; i++) d[i] = (a[i] * b[i]) >> 16; }
__attribute__((noinline)) void divc(unsigned *a, int n) { for (int i = 0; i < n; i++) a[i] /= 7; }
__attribute__((noinline)) void divcs(int *a, int n) { for (int i = 0; i < n; i++) a[i] /= 7; }
__attribute__((noinline)) void fill(int *a, int v, int n) { for (int i = 0; i < n; i++) a[i] = v; }
__attribute__((noinline)) void iota(int *a, int n) { for (int i = 0; i < n; i++) a[i] = i; }
__attribute__((noinline)) void iotad(double *a, int n) { for (int i = 0; i < n; i++) a[i] = i * 0.5; }
__attribute__((noinline)) void tolower_(char *s, int n) { for (int i = 0; i < n; i++) if (s[i] >= 'A' && s[i] <= 'Z') s[i] += 32; }
__attribute__((noinline)) int allz(const int *a, int n) { int r = 0; for (int i = 0; i < n; i++) r |= a[i]; return r == 0; }
__attribute__((noinline)) double complex_mul(double *re, double *im, const double *ar, const double *ai, int n) { double s=0; for (int i = 0; i < n; i++) { double r = re[i]*ar[i]-im[i]*ai[i]; im[i] = re[i]*ai[i]+im[i]*ar[i]; re[i] = r; s += r; } return s; }
struct v2 { double x, y; };
__attribute__((noinline)) struct v2 add2(struct v2 a, struct v2 b) { struct v2 r = { a.x + b.x, a.y * b.y }; return r; }
__attribute__((noinline)) float hsum_f(const float *a, int n) { float s = 0; for (int i = 0; i < n; i++) s += a[i] * a[i]; return s; }
__attribute__((noinline)) double roundd(double x) { return (double)(long)x; }
__attribute__((noinline)) int d2i_round(double x) { return lrint(x); }
__attribute__((noinline)) double fmaxx(double a, double b) { return fmax(a, b); }
__attribute__((noinline)) double copys(double a, double b) { return copysign(a, b); }
__attribute__((noinline)) int isnan_(double x) { return isnan(x); }
__attribute__((noinline)) float f_ops(float a, float b) { return a / b + a * b - (a < b ? a : b); }
__attribute__((noinline)) double floor_(double x) { return floor(x); }
__attribute__((noinline)) double ceil_(double x) { return ceil(x); }
__attribute__((noinline)) double trunc_(double x) { return trunc(x); }
__attribute__((noinline)) unsigned long d2ul(double x) { return x; }
__attribute__((noinline)) float ul2f(unsigned long x) { return x; }
__attribute__((noinline)) double ul2d(unsigned long x) { return x; }
__attribute__((noinline)) unsigned f2u(float x) { return x; }
__attribute__((noinline)) long sq_i64(const int *a, int n) { long s = 0; for (int i = 0; i < n; i++) s += (long)a[i] * a[i]; return s; }
__attribute__((noinline)) unsigned long mul_u32_u64(const unsigned *a, const unsigned *b, int n) { unsigned long s = 0; for (int i = 0; i < n; i++) s += (unsigned long)a[i] * b[i]; return s; }
__attribute__((noinline)) void bswap_all(uint32_t *a, int n) { for (int i = 0; i < n; i++) a[i] = __builtin_bswap32(a[i]); }
__attribute__((noinline)) void memcpy_struct(char *d, const char *s) { memcpy(d, s, 64); }
__attribute__((noinline)) int eq16(const char *a, const char *b) { return memcmp(a, b, 16) == 0; }
__attribute__((noinline)) int popc(const unsigned *a, int n) { int s = 0; for (int i = 0; i < n; i++) s += __builtin_popcount(a[i]); return s; }
__attribute__((noinline)) void minmax_u8(uint8_t *d, const uint8_t *a, int n) { for (int i = 0; i < n; i++) d[i] = d[i] < a[i] ? d[i] : a[i]; }
__attribute__((noinline)) void minmax_i16(int16_t *d, const int16_t *a, int n) { for (int i = 0; i < n; i++) d[i] = d[i] > a[i] ? d[i] : a[i]; }
__attribute__((noinline)) void minmax_u16(uint16_t *d, const uint16_t *a, int n) { for (int i = 0; i < n; i++) d[i] = d[i] > a[i] ? d[i] : a[i]; }
__attribute__((noinline)) void minmax_i8(int8_t *d, const int8_t *a, int n) { for (int i = 0; i < n; i++) d[i] = d[i] > a[i] ? d[i] : a[i]; }
__attribute__((noinline)) void cmp_u32(int *d, const unsigned *a, const unsigned *b, int n) { for (int i = 0; i < n; i++) d[i] = a[i] > b[i] ? -1 : 0; }
__attribute__((noinline)) void cmp_i64(long *d, const long *a, const long *b, int n) { for (int i = 0; i < n; i++) d[i] = a[i] > b[i] ? a[i] : b[i]; }
__attribute__((noinline)) void u16_to_f(float *d, const uint16_t *a, int n) { for (int i = 0; i < n; i++) d[i] = a[i]; }
__attribute__((noinline)) void f_to_u8(uint8_t *d, const float *a, int n) { for (int i = 0; i < n; i++) d[i] = a[i]; }
__attribute__((noinline)) void pack16(short *d, const int *a, int n) { for (int i = 0; i < n; i++) d[i] = a[i] > 32767 ? 32767 : a[i] < -32768 ? -32768 : a[i]; }

#define N 203 /* odd: the vector loops have a scalar tail */
static uint64_t seed = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void) { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; return seed; }
static uint64_t H;
static void hb(const void *p, size_t n) { const unsigned char *c = p; for (size_t i = 0; i < n; i++) H = (H ^ c[i]) * 0x100000001b3ULL; }
static void hv(uint64_t v) { hb(&v, 8); }
static void out(const char *name) { printf("%-16s %016llx\n", name, (unsigned long long)H); H = 0xcbf29ce484222325ULL; }

static int i32a[N], i32b[N], i32c[2 * N];
static unsigned u32a[N], u32b[N];
static long i64a[N], i64b[N];
static unsigned long u64a[N], u64b[N];
static short i16a[N], i16b[N];
static uint16_t u16a[N], u16b[N];
static signed char i8a[N];
static unsigned char u8a[N], u8b[N], u8c[N];
static double da[N], db[N], dc[N], dd[N];
static float fa[N], fb[N], fc[N];
static char str[N];

static void init(void) {
  static const double special[] = {0.0, -0.0, 1.0, -1.0, 0.5, 2.5, -2.5, 1e300, -1e-310, 5e-324, 1.0 / 0.0, -1.0 / 0.0, 2147483647.5, -2147483649.0, 9.3e18, 3.0};
  for (int i = 0; i < N; i++) {
    uint64_t r = rnd(), s = rnd();
    i32a[i] = (int)r; i32b[i] = (int)(s >> 7); u32a[i] = (unsigned)(r >> 32); u32b[i] = (unsigned)s | 1;
    i64a[i] = (long)s; i64b[i] = (long)(r >> (i & 63)); u64a[i] = r; u64b[i] = s;
    i16a[i] = (short)r; i16b[i] = (short)(s >> 16); u16a[i] = (uint16_t)(r >> 16); u16b[i] = (uint16_t)s;
    i8a[i] = (signed char)(r >> 8); u8a[i] = (unsigned char)r; u8b[i] = (unsigned char)(s >> 24); u8c[i] = (unsigned char)(r >> 40);
    if (i % 7 == 0) { i32a[i] = i % 2 ? 0x7fffffff : (int)0x80000000; i16a[i] = i % 2 ? 0x7fff : -0x8000; u8a[i] = 255; i8a[i] = -128; }
    da[i] = (double)(long)(r >> 11) / (double)(1L << (i % 60)) - 1e3;
    db[i] = i % 3 ? (double)(int)s / 7.0 : special[i % 16];
    dc[i] = special[(i * 5) % 16];
    dd[i] = da[i] * 0.25;
    fa[i] = (float)da[i]; fb[i] = (float)db[i]; fc[i] = (float)(int)(r >> 40) / 64.0f;
    str[i] = "Hello, World! xyzABC"[i % 20];
  }
  H = 0xcbf29ce484222325ULL;
}

int main(void) {
  init();
  hv(sum_i32(i32a, N)); hv(sum_i64(i64a, N)); hv(sum_i32_to_64(i32a, N)); hv(sum_u8(u8a, N)); hv(sum_i16(i16a, N)); out("sums");
  hv(dot_i32(i32a, i32b, N)); hv(dot_i16(i16a, i16b, N)); hv(dot_i64(i64a, i64b, N)); out("dots");
  mul_u32(u32a, u32b, N); hb(u32a, sizeof u32a); mul_u64(u64a, u64b, N); hb(u64a, sizeof u64a); mul_u8(u8c, u8b, N); hb(u8c, sizeof u8c); out("muls");
  hv(max_i32(i32a, N)); hv(max_u32(u32a, N)); hv(min_i8(i8a, N)); hv(max_u16(u16a, N)); hv(max_i64(i64a, N)); out("minmax");
  { double s = sum_d(da, N); hb(&s, 8); } out("sum_d");
  memcpy(dd, da, sizeof da); axpy(dd, db, 1.5, N); hb(dd, sizeof dd); out("axpy");
  memcpy(fc, fa, sizeof fa); axpyf(fc, fb, -0.75f, N); hb(fc, sizeof fc); out("axpyf");
  { double m = maxd(db, N); float f = minf_(fb, N); hb(&m, 8); hb(&f, 4); } out("maxd minf");
  { static double t[N]; static int ti[N]; static float tf[N]; static long tl[N]; static unsigned long tu[N];
    cvt_i2d(t, i32a, N); hb(t, sizeof t); cvt_d2i(ti, da, N); hb(ti, sizeof ti); cvt_f2i(ti, fa, N); hb(ti, sizeof ti);
    cvt_i2f(tf, i32a, N); hb(tf, sizeof tf); cvt_f2d(t, fb, N); hb(t, sizeof t); cvt_d2f(tf, db, N); hb(tf, sizeof tf); out("cvt1");
    cvt_l2d(t, i64a, N); hb(t, sizeof t); cvt_u2d(t, u32a, N); hb(t, sizeof t); cvt_ul2d(t, u64a, N); hb(t, sizeof t);
    for (int i = 0; i < N; i++) t[i] = fabs(da[i]) * 1e6; cvt_d2ul(tu, t, N); hb(tu, sizeof tu); out("cvt2");
    cvt_u8_to_i32(ti, u8a, N); hb(ti, sizeof ti); cvt_i8_to_i32(ti, i8a, N); hb(ti, sizeof ti); cvt_i16_to_i64(tl, i16a, N); hb(tl, sizeof tl);
    cvt_i32_to_i64(tl, i32a, N); hb(tl, sizeof tl); cvt_u32_to_u64(tu, u32a, N); hb(tu, sizeof tu); out("widen");
    static unsigned char tc[N]; static short ts[N];
    narrow_i32_u8(tc, i32a, N); hb(tc, N); narrow_i64_i32(ti, i64a, N); hb(ti, sizeof ti); sat_u8(tc, i32b, N); hb(tc, N); pack16(ts, i32a, N); hb(ts, sizeof ts); out("narrow");
    memcpy(tc, u8a, N); add_sat_u8(tc, u8b, N); hb(tc, N); out("sat");
    u16_to_f(tf, u16a, N); hb(tf, sizeof tf); for (int i = 0; i < N; i++) tf[i] = fabsf(fc[i]); f_to_u8(tc, tf, N); hb(tc, N); out("cvt3");
  }
  { static int t[N]; static double d2[N]; static float f2[N];
    memcpy(t, i32a, sizeof t); abs_i32(t, N); hb(t, sizeof t);
    memcpy(d2, db, sizeof d2); abs_d(d2, N); hb(d2, sizeof d2); neg_d(d2, N); hb(d2, sizeof d2);
    memcpy(d2, db, sizeof d2); sqrt_d(d2, N); hb(d2, sizeof d2); memcpy(f2, fb, sizeof f2); sqrt_f(f2, N); hb(f2, sizeof f2); out("abs sqrt");
  }
  hv(count_eq(str, 'l', N)); hv(count_lt(i32a, 12345, N)); out("count");
  { static unsigned t[N]; static int s[N]; static long l[N]; static short w[N]; static unsigned long u[N];
    memcpy(t, u32a, sizeof t); shift_r(t, N); hb(t, sizeof t); memcpy(s, i32a, sizeof s); shift_s(s, N); hb(s, sizeof s);
    memcpy(l, i64a, sizeof l); shift_s64(l, N); hb(l, sizeof l); memcpy(w, i16a, sizeof w); shift_s16(w, N); hb(w, sizeof w);
    memcpy(u, u64a, sizeof u); shift_u64(u, N); hb(u, sizeof u); out("shifts");
    memcpy(s, i32a, sizeof s); rev(s, N); hb(s, sizeof s); interleave(i32c, i32a, i32b, N); hb(i32c, sizeof i32c);
    static int a2[N], b2[N]; deinterleave(a2, b2, i32c, N); hb(a2, sizeof a2); hb(b2, sizeof b2); out("shuffle");
    sel(s, i32a, i32b, N); hb(s, sizeof s);
  }
  { static double t[N]; static long c[N]; seld(t, da, db, N); hb(t, sizeof t); cmpd(c, db, dc, N); hb(c, sizeof c); out("select"); }
  hv(sad(u8a, u8b, N)); { static uint8_t t[N]; avg_u8(t, u8a, u8b, N); hb(t, N); } out("sad avg");
  { static short t[N]; static uint16_t u[N]; mulhi(t, i16a, i16b, N); hb(t, sizeof t); mulhu(u, u16a, u16b, N); hb(u, sizeof u); out("mulhi"); }
  { static unsigned t[N]; static int s[N]; memcpy(t, u32a, sizeof t); divc(t, N); hb(t, sizeof t); memcpy(s, i32a, sizeof s); divcs(s, N); hb(s, sizeof s); out("div const"); }
  { static int t[N]; static double d2[N]; fill(t, -7, N); hb(t, sizeof t); iota(t, N); hb(t, sizeof t); iotad(d2, N); hb(d2, sizeof d2); out("fill"); }
  { static char s[N]; memcpy(s, str, N); tolower_(s, N); hb(s, N); hv(allz(i32a, N)); out("tolower"); }
  { static double re[N], im[N]; memcpy(re, da, sizeof re); memcpy(im, db, sizeof im); double s = complex_mul(re, im, dc, dd, N); hb(&s, 8); hb(re, sizeof re); out("complex"); }
  { struct v2 a = {1.5, -2.0}, b = {0.25, 3.0}; struct v2 r = add2(a, b); hb(&r, sizeof r); float s = hsum_f(fa, N); hb(&s, 4); out("struct hsum"); }
  for (int i = 0; i < 16; i++) {
    double x = db[i], y = dc[i];
    hv(roundd(fabs(x) < 1e18 ? x : 0)); hv(d2i_round(fabs(x) < 1e9 ? x : 0)); double m = fmaxx(x, y); hb(&m, 8); m = copys(x, y); hb(&m, 8); hv(isnan_(x * y));
    float f = f_ops(fb[i], fc[i]); hb(&f, 4); m = floor_(x); hb(&m, 8); m = ceil_(x); hb(&m, 8); m = trunc_(x); hb(&m, 8);
    hv(d2ul(fabs(x) < 1e19 ? fabs(x) : 1)); f = ul2f(u64a[i]); hb(&f, 4); m = ul2d(u64a[i]); hb(&m, 8); hv(f2u(fabsf(fc[i])));
  }
  out("libm scalar");
  hv(sq_i64(i32a, N)); hv(mul_u32_u64(u32a, u32b, N)); out("wide mul");
  { static uint32_t t[N]; memcpy(t, u32a, sizeof t); bswap_all(t, N); hb(t, sizeof t); char d[64]; memcpy_struct(d, str); hb(d, 64); hv(eq16(str, str + 20)); hv(popc(u32a, N)); out("bytes"); }
  { static uint8_t a[N]; static int16_t b[N]; static uint16_t c[N]; static int8_t d[N];
    memcpy(a, u8a, N); minmax_u8(a, u8b, N); hb(a, N); memcpy(b, i16a, sizeof b); minmax_i16(b, i16b, N); hb(b, sizeof b);
    memcpy(c, u16a, sizeof c); minmax_u16(c, u16b, N); hb(c, sizeof c); memcpy(d, i8a, N); minmax_i8(d, (int8_t *)u8b, N); hb(d, N); out("minmax2"); }
  { static int t[N]; static long l[N]; cmp_u32(t, u32a, u32b, N); hb(t, sizeof t); cmp_i64(l, i64a, i64b, N); hb(l, sizeof l); out("cmp"); }
  return 0;
}
