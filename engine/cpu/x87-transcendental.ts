// The x87 transcendental instructions glibc's libm runs for long double
// (expl, exp2l, exp10l, expm1l, powl through f2xm1; logl, log2l, log10l,
// log1pl through fyl2x and fyl2xp1; atanl, atan2l, acosl, asinl and the
// complex functions through fpatan), with the special-operand tables of the
// SDM (FYL2X, FYL2XP1, F2XM1, FPATAN).
//
// The hardware's results are not specified bit for bit (the SDM promises an
// error below 1 ulp, and processors differ), so no exact model exists. Here
// every result is the exact value correctly rounded under RC: the function
// is evaluated with 256-bit floating BigInt arithmetic (an error far below
// 2^-200 relative) and then rounded once like any other x87 result, with the
// inexact flag; results that are exact (log2 of a power of two, 2^+-1 - 1,
// zeros) are recognised and stay exact (but raise PE like the processor). The
// differential test (test/cpu/x87t.test.ts) allows the processor's 1 ulp:
// 100 of 8,004 results differ by one on the AMD host, none by more.
//
// Not on any hot path: every call allocates BigInts freely.

import { add, mul, type X87, type XVal, EXT, indefinite, nanOf } from "./x87.js";
import { FSW_PE, FSW_ZE } from "./x87-status.js";

// ---- 256-bit binary floating point on BigInt ------------------------------------------

/** m * 2^e; m is signed, at most PREC bits after normalization; 0n for zero. */
interface BF {
  m: bigint;
  e: number;
}

const PREC = 256;
const PREC_N = BigInt(PREC);

function bitLen(v: bigint): number {
  return (v < 0n ? -v : v).toString(2).length;
}

function bf(m: bigint, e = 0): BF {
  if (m === 0n) return { m: 0n, e: 0 };
  const n = bitLen(m);
  if (n <= PREC) return { m, e };
  const sh = BigInt(n - PREC);
  // truncate the magnitude (the sign does not change the error bound)
  return m < 0n ? { m: -(-m >> sh), e: e + n - PREC } : { m: m >> sh, e: e + n - PREC };
}

/** Exponent of the leading bit (value in [2^lead, 2^(lead+1))). */
function lead(a: BF): number {
  return a.e + bitLen(a.m) - 1;
}

function bAdd(a: BF, b: BF): BF {
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  // an addend below the working precision only perturbs the result by less than 2^-PREC
  if (lead(a) - lead(b) > PREC + 8) return a;
  if (lead(b) - lead(a) > PREC + 8) return b;
  const e = Math.min(a.e, b.e);
  return bf((a.m << BigInt(a.e - e)) + (b.m << BigInt(b.e - e)), e);
}

function bNeg(a: BF): BF {
  return { m: -a.m, e: a.e };
}

function bSub(a: BF, b: BF): BF {
  return bAdd(a, bNeg(b));
}

function bMul(a: BF, b: BF): BF {
  return bf(a.m * b.m, a.e + b.e);
}

function bDiv(a: BF, b: BF): BF {
  if (a.m === 0n) return a;
  const k = PREC + 2 + bitLen(b.m) - bitLen(a.m);
  const sh = BigInt(Math.max(0, k));
  return bf((a.m << sh) / b.m, a.e - b.e - Math.max(0, k));
}

function bScale(a: BF, k: number): BF {
  return { m: a.m, e: a.e + k };
}

function bInt(n: number | bigint): BF {
  return bf(BigInt(n));
}

/** Square root of a >= 0 to PREC bits. */
function bSqrt(a: BF): BF {
  if (a.m === 0n) return a;
  let m = a.m, e = a.e;
  const extra = Math.max(0, 2 * PREC + 2 - bitLen(m));
  m <<= BigInt(extra);
  e -= extra;
  if (e & 1) {
    m <<= 1n;
    e -= 1;
  }
  let x = 1n << BigInt(Math.ceil(bitLen(m) / 2));
  for (;;) {
    const y = (x + m / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  return bf(x, e / 2);
}

/** A term is negligible once it is PREC + 8 binades below the running sum. */
function negligible(term: BF, sum: BF): boolean {
  return term.m === 0n || (sum.m !== 0n && lead(term) < lead(sum) - PREC - 8);
}

/**
 * The sum of a series that stopped at a negligible term, moved by 2^-254 of
 * itself toward that term. It matters when the sum is (nearly) exactly
 * representable, as atan(x) = x - x^3/3 is for a tiny x: the true value lies
 * on the side of the first omitted term, and directed rounding must see that.
 */
function settle(sum: BF, term: BF): BF {
  if (term.m === 0n) return sum;
  return bAdd(sum, { m: term.m < 0n ? -1n : 1n, e: lead(sum) - PREC + 2 });
}

/** atanh(z) = z + z^3/3 + z^5/5 + ... for |z| <= 1/3 or so. */
function atanhSeries(z: BF): BF {
  const z2 = bMul(z, z);
  let p = z, sum = z;
  for (let k = 3; ; k += 2) {
    p = bMul(p, z2);
    const t = bDiv(p, bInt(k));
    if (negligible(t, sum)) return settle(sum, t);
    sum = bAdd(sum, t);
  }
}

/** atan(q) = q - q^3/3 + q^5/5 - ... for small |q|. */
function atanSeries(q: BF): BF {
  const q2 = bNeg(bMul(q, q));
  let p = q, sum = q;
  for (let k = 3; ; k += 2) {
    p = bMul(p, q2);
    const t = bDiv(p, bInt(k));
    if (negligible(t, sum)) return settle(sum, t);
    sum = bAdd(sum, t);
  }
}

// ln 2 and pi, computed on first use (not at start-up: few programs run these instructions)
let ln2Memo: BF | undefined;
let piMemo: BF | undefined;

function LN2(): BF {
  return (ln2Memo ??= bScale(atanhSeries(bDiv(bInt(1), bInt(3))), 1));
}

/** Machin: pi = 16 atan(1/5) - 4 atan(1/239). */
function PI(): BF {
  return (piMemo ??= bSub(bScale(atanSeries(bDiv(bInt(1), bInt(5))), 4), bScale(atanSeries(bDiv(bInt(1), bInt(239))), 2)));
}

/** ln(x), x > 0. */
function bLn(x: BF): BF {
  // x = m * 2^k with m in [0.75, 1.5): ln x = k ln 2 + 2 atanh((m - 1) / (m + 1))
  let k = lead(x);
  let m = bScale(x, -k); // [1, 2)
  if (m.m >= 3n << BigInt(bitLen(m.m) - 2)) {
    m = bScale(m, -1);
    k += 1;
  }
  const one = bInt(1);
  const r = bScale(atanhSeries(bDiv(bSub(m, one), bAdd(m, one))), 1);
  return k === 0 ? r : bAdd(bMul(bInt(k), LN2()), r);
}

/** ln(1 + x) for |x| < 1, accurate for tiny x: 2 atanh(x / (2 + x)). */
function bLn1p(x: BF): BF {
  return bScale(atanhSeries(bDiv(x, bAdd(bInt(2), x))), 1);
}

/** e^t - 1 for |t| <= 1: t + t^2/2! + ... */
function bExpm1(t: BF): BF {
  let p = t, sum = t;
  for (let n = 2; ; n++) {
    p = bDiv(bMul(p, t), bInt(n));
    if (negligible(p, sum)) return settle(sum, p);
    sum = bAdd(sum, p);
  }
}

/** atan(q) for q >= 0: three halvings atan(q) = 2 atan(q / (1 + sqrt(1 + q^2))), then the series. */
function bAtan(q: BF): BF {
  const one = bInt(1);
  for (let i = 0; i < 3; i++) q = bDiv(q, bAdd(one, bSqrt(bAdd(one, bMul(q, q)))));
  return bScale(atanSeries(q), 3);
}

// ---- conversions --------------------------------------------------------------------------

function fromX(v: XVal): BF {
  return bf(v.s ? -v.m : v.m, v.e);
}

/** v with the trailing zero bits of its significand moved into the exponent (an integer iff e >= 0). */
function stripped(v: XVal): XVal {
  let m = v.m, e = v.e;
  if (m === 0n) return v;
  while ((m & 0xffffffffn) === 0n) {
    m >>= 32n;
    e += 32;
  }
  while ((m & 1n) === 0n) {
    m >>= 1n;
    e += 1;
  }
  return { ...v, m, e };
}

/**
 * The extended value nearest (under RC) to an inexact BF: the significand is
 * widened to PREC bits and its last bit set, a sticky bit far below the
 * rounding point, so that round() sees an inexact value on the correct side.
 */
function toXInexact(x: X87, v: BF): XVal {
  if (v.m === 0n) return { k: 0, s: 0, m: 0n, e: 0 };
  const s = v.m < 0n ? 1 : 0;
  let m = s ? -v.m : v.m;
  let e = v.e;
  const n = bitLen(m);
  if (n < PREC) {
    m <<= BigInt(PREC - n);
    e -= PREC - n;
  }
  return x.round({ k: 1, s, m: m | 1n, e }, EXT);
}

function zero(s: number): XVal {
  return { k: 0, s: s as 0 | 1, m: 0n, e: 0 };
}

function inf(s: number): XVal {
  return { k: 2, s: s as 0 | 1, m: 0n, e: 0 };
}

function invalid(x: X87): XVal {
  x.sw |= 1; // IE
  return indefinite();
}

/** The NaN result of a one-operand instruction (SNaN: IE, quieted; unsupported encodings: invalid). */
function nan1(x: X87, a: XVal): XVal {
  return nanOf(x, a, a);
}

/** If v is a power of two, its exponent; else undefined. */
function log2Exact(v: XVal): number | undefined {
  if (v.k !== 1) return undefined;
  const m = v.m;
  if ((m & (m - 1n)) !== 0n) return undefined;
  return v.e + bitLen(m) - 1;
}

/**
 * An exact result of a transcendental instruction: the processors compute it
 * like any other (by approximation), and the one measured (AMD) reports it as
 * inexact all the same, so PE is set for every finite nonzero result.
 */
function exactResult(x: X87, v: XVal): XVal {
  if (v.k === 1) x.sw |= FSW_PE;
  return v;
}

/** y * k exactly (k an integer), rounded once: the value of y * log2(2^k). */
function timesInt(x: X87, y: XVal, k: number): XVal {
  if (k === 0) return mul(x, y, zero(0));
  return exactResult(x, mul(x, y, { k: 1, s: k < 0 ? 1 : 0, m: BigInt(Math.abs(k)), e: 0 }));
}

// ---- the instructions (results before rounding bookkeeping of the caller: all rounded here) ----

/** fyl2x: st1 * log2(st0). a = st0, b = st1. */
export function fyl2x(x: X87, a: XVal, b: XVal): XVal {
  if (a.k === 3 || b.k === 3 || a.bad || b.bad) return nanOf(x, a, b);
  if (a.s === 1 && a.k !== 0) return invalid(x); // log of a negative number (-inf included)
  if (a.k === 0) {
    // log2(+-0) = -inf
    if (b.k === 0) return invalid(x);
    if (b.k === 1) x.sw |= FSW_ZE;
    return inf(b.s ^ 1);
  }
  if (a.k === 2) {
    // log2(+inf) = +inf
    if (b.k === 0) return invalid(x);
    return inf(b.s);
  }
  const k = log2Exact(a);
  if (k !== undefined) {
    if (k === 0 && b.k === 2) return invalid(x); // inf * log2(1)
    if (b.k === 2) return inf(b.s ^ (k < 0 ? 1 : 0));
    return timesInt(x, b, k);
  }
  // log2(a) is irrational, a != 1
  const neg = lead(fromX(a)) < 0; // a < 1: log negative
  if (b.k === 0) return zero(b.s ^ (neg ? 1 : 0));
  if (b.k === 2) return inf(b.s ^ (neg ? 1 : 0));
  return toXInexact(x, bMul(fromX(b), bDiv(bLn(fromX(a)), LN2())));
}

/** fyl2xp1: st1 * log2(st0 + 1). a = st0, b = st1 (the SDM defines |st0| < 1 - sqrt(2)/2; beyond, the true value). */
export function fyl2xp1(x: X87, a: XVal, b: XVal): XVal {
  if (a.k === 3 || b.k === 3 || a.bad || b.bad) return nanOf(x, a, b);
  if (a.k === 0) {
    // log2(1 +- 0) = +-0
    if (b.k === 2) return invalid(x);
    return zero(a.s ^ b.s);
  }
  if (a.k === 2) {
    if (a.s === 1 || b.k === 0) return invalid(x);
    return inf(b.s);
  }
  const u = add(x, { k: 1, s: 0, m: 1n, e: 0 }, a); // 1 + a, exact
  if (u.k === 0 || u.s === 1) {
    if (u.k === 0 && b.k !== 0) {
      if (b.k === 1) x.sw |= FSW_ZE;
      return inf(b.s ^ 1);
    }
    return invalid(x);
  }
  const k = log2Exact(u);
  if (k !== undefined) {
    if (b.k === 2) return inf(b.s ^ (k < 0 ? 1 : 0));
    return timesInt(x, b, k);
  }
  const neg = a.s === 1;
  if (b.k === 0) return zero(b.s ^ (neg ? 1 : 0));
  if (b.k === 2) return inf(b.s ^ (neg ? 1 : 0));
  const fa = fromX(a);
  const l = lead(fa) < -1 ? bLn1p(fa) : bLn(fromX(u));
  return toXInexact(x, bMul(fromX(b), bDiv(l, LN2())));
}

/** f2xm1: 2^st0 - 1 (the SDM defines -1 <= st0 <= 1; beyond, the true value). */
export function f2xm1(x: X87, a: XVal): XVal {
  if (a.k === 3 || a.bad) return nan1(x, a);
  if (a.k === 0) return a;
  if (a.k === 2) return a.s ? { k: 1, s: 1, m: 1n, e: 0 } : a;
  a = stripped(a);
  const fa = fromX(a);
  const L = lead(fa);
  if (L > 15) {
    // |a| >= 65536: overflow to +inf, or -1 + 2^a (far below any rounding point)
    if (a.s === 0) return x.round({ k: 1, s: 0, m: 1n, e: 20000 }, EXT);
    return toXInexact(x, bSub(bScale(bInt(1), -(PREC + 16)), bInt(1)));
  }
  if (a.e >= 0) {
    // an integer n: 2^n - 1 is exact before rounding
    const n = Number(a.m << BigInt(a.e)) * (a.s ? -1 : 1);
    return exactResult(x, add(x, { k: 1, s: 0, m: 1n, e: n }, { k: 1, s: 1, m: 1n, e: 0 }));
  }
  if (L < 0) return toXInexact(x, bExpm1(bMul(fa, LN2())));
  // |a| >= 1 (out of the SDM's range): 2^n * 2^f - 1 with f in (-1, 1)
  const n = Number((a.m >> BigInt(-a.e)) * (a.s ? -1n : 1n));
  const f = bSub(fa, bInt(n));
  const p = bScale(bAdd(bInt(1), bExpm1(bMul(f, LN2()))), n);
  return toXInexact(x, bSub(p, bInt(1)));
}

/** fpatan: arctan(st1 / st0) in the quadrant of (st0, st1), as atan2(y = st1, x = st0). a = st0, b = st1. */
export function fpatan(x: X87, a: XVal, b: XVal): XVal {
  if (a.k === 3 || b.k === 3 || a.bad || b.bad) return nanOf(x, a, b);
  const s = b.s;
  const withSign = (v: BF): XVal => toXInexact(x, s ? bNeg(v) : v);
  if (b.k === 0) {
    // y = +-0: +-0 for x > 0 or +0; +-pi for x < 0 or -0
    if (a.s === 0) return zero(s);
    return withSign(PI());
  }
  if (b.k === 2) {
    if (a.k === 2) return withSign(a.s ? bScale(bMul(PI(), bInt(3)), -2) : bScale(PI(), -2)); // 3pi/4, pi/4
    return withSign(bScale(PI(), -1));
  }
  if (a.k === 0) return withSign(bScale(PI(), -1));
  if (a.k === 2) return a.s ? withSign(PI()) : zero(s);
  const ay = fromX({ ...b, s: 0 }), ax = fromX({ ...a, s: 0 });
  let r: BF;
  if (lead(ay) < lead(ax) || (lead(ay) === lead(ax) && bSub(ay, ax).m <= 0n)) r = bAtan(bDiv(ay, ax));
  else r = bSub(bScale(PI(), -1), bAtan(bDiv(ax, ay)));
  if (a.s) r = bSub(PI(), r);
  return withSign(r);
}
