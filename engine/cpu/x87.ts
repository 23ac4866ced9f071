// The x87 FPU: register stack, control/status words, and exact 80-bit
// extended-precision arithmetic in software.
//
// Why exact: musl formats and parses floating point with long double
// (printf's %f/%g/%e/%a go through fmt_fp, strtod through __floatscan and
// decfloat), and their digits depend on every rounding of the 64-bit
// significand. So values are kept in their 80-bit encoding, and each
// operation decodes its operands to exact (significand, exponent) BigInt
// pairs, computes the exact result (or an exact quotient/root plus a sticky
// bit) and rounds once, as the hardware does.
//
// Exact (bit for bit, as on hardware with the Linux default control word):
// - loads and stores of m32/m64/m80 and m16/m32/m64 integers, including
//   denormals, infinities, NaN quieting and payloads, signed zeros;
// - fadd fsub fsubr fmul fdiv fdivr (all forms), fsqrt, fprem, frndint, fchs,
//   fabs, fxam, the compares (flags and C0/C2/C3), under every rounding control
//   (RC) and precision control (PC: 24/53/64-bit significands, keeping the
//   extended exponent range);
// - fist/fistp rounding per RC and the integer indefinite on overflow.
// Not modelled: the sticky exception flags are set for invalid (IE), zero
// divide (ZE), overflow (OE), underflow (UE) and inexact (PE) results, but not
// the denormal-operand flag (DE), the C1 round-up indicator, or stack-fault
// details beyond IE|SF; unmasked exceptions (#MF) are never raised. The x87
// state is not yet part of signal frames (the kernel model writes fcw 0x37f;
// fxsaveX87/fxrstorX87 below are there for it).
// Transcendentals: f2xm1 fyl2x fyl2xp1 fpatan (what glibc's libm uses) are
// correctly rounded in x87-transcendental.ts (the hardware is within 1 ulp of
// that); fsin fcos fsincos fptan are not implemented (#UD): nothing in glibc
// runs them.
//
// Not on any hot path: values are decoded into small objects and BigInts.

import type { Cpu } from "./cpu.js";
import { FSW_C1, FSW_IE, FSW_OE, FSW_PE, FSW_SF, FSW_UE, FSW_ZE } from "./x87-status.js";

/** A decoded extended value: finite values are s * m * 2^e with m > 0n. */
export interface XVal {
  /** 0 zero, 1 finite non-zero, 2 infinity, 3 NaN. */
  k: 0 | 1 | 2 | 3;
  s: 0 | 1;
  m: bigint;
  e: number;
  /** An unsupported encoding (unnormal, pseudo-NaN, pseudo-infinity), read as the indefinite NaN. */
  bad?: boolean;
}


const INT_BIT = 1n << 63n;
const QUIET_BIT = 1n << 62n;

/** Formats: significand bits (incl. the integer bit), min and max normal exponents (of the leading bit). */
export const EXT = { p: 64, emin: -16382, emax: 16383 };
export const DBL = { p: 53, emin: -1022, emax: 1023 };
export const SGL = { p: 24, emin: -126, emax: 127 };
export type Fmt = typeof EXT;

function bitLength(v: bigint): number {
  return v.toString(2).length;
}

export class X87 {
  /** Raw registers by physical index: sign+exponent (16 bits), significand halves. */
  readonly se = new Uint16Array(8);
  readonly mhi = new Uint32Array(8);
  readonly mlo = new Uint32Array(8);
  /** Physical register is empty. */
  readonly empty = new Uint8Array(8).fill(1);
  top = 0;
  /** Control word: all exceptions masked, 64-bit precision, round to nearest (the Linux default). */
  cw = 0x37f;
  /** Status word without TOP (bits 11-13, kept in `top`). */
  sw = 0;

  /** Reset (fninit). */
  init(): void {
    this.empty.fill(1);
    this.top = 0;
    this.cw = 0x37f;
    this.sw = 0;
  }

  get status(): number {
    return (this.sw & ~0x3800) | (this.top << 11);
  }

  get rc(): number {
    return (this.cw >> 10) & 3;
  }

  /** Precision control as a format for arithmetic results (the exponent range stays extended). */
  get arithFmt(): Fmt {
    switch ((this.cw >> 8) & 3) {
      case 0:
        return { p: 24, emin: EXT.emin, emax: EXT.emax };
      case 2:
        return { p: 53, emin: EXT.emin, emax: EXT.emax };
      default:
        return EXT;
    }
  }

  phys(i: number): number {
    return (this.top + i) & 7;
  }

  /** ST(i) decoded; an empty register is a stack underflow: IE|SF and the indefinite NaN. */
  get(i: number): XVal {
    const p = this.phys(i);
    if (this.empty[p]) {
      this.sw |= FSW_IE | FSW_SF;
      return indefinite();
    }
    const v = decode(this.se[p]!, this.mhi[p]!, this.mlo[p]!);
    if (v.bad) this.sw |= FSW_IE; // an operation on an unsupported encoding is invalid
    return v;
  }

  /** Raw ST(i) (for m80 stores and fxch). */
  raw(i: number): [number, number, number] {
    const p = this.phys(i);
    if (this.empty[p]) {
      this.sw |= FSW_IE | FSW_SF;
      return [0xffff, 0xc0000000, 0];
    }
    return [this.se[p]!, this.mhi[p]!, this.mlo[p]!];
  }

  setRaw(i: number, se: number, hi: number, lo: number): void {
    const p = this.phys(i);
    this.se[p] = se;
    this.mhi[p] = hi;
    this.mlo[p] = lo;
    this.empty[p] = 0;
  }

  /** Store an exact value into ST(i), rounded to the precision control. */
  set(i: number, v: XVal): void {
    const [se, hi, lo] = this.encodeExt(v, this.arithFmt);
    this.setRaw(i, se, hi, lo);
  }

  pushRaw(se: number, hi: number, lo: number): void {
    this.top = (this.top - 1) & 7;
    if (!this.empty[this.top]) {
      // stack overflow: the register gets the indefinite NaN
      this.sw |= FSW_IE | FSW_SF | FSW_C1;
      this.setRaw(0, 0xffff, 0xc0000000, 0);
      return;
    }
    this.setRaw(0, se, hi, lo);
  }

  push(v: XVal): void {
    const [se, hi, lo] = this.encodeExt(v, this.arithFmt);
    this.pushRaw(se, hi, lo);
  }

  /** Push a value that is already exact in extended precision (loads: no precision-control rounding). */
  pushExact(v: XVal): void {
    const [se, hi, lo] = this.encodeExt(v, EXT);
    this.pushRaw(se, hi, lo);
  }

  pop(): void {
    this.empty[this.top] = 1;
    this.top = (this.top + 1) & 7;
  }

  /** Round v to `fmt` (significand and exponent range) and encode as 80 bits. */
  encodeExt(v: XVal, fmt: Fmt): [number, number, number] {
    const s = v.s << 15;
    switch (v.k) {
      case 0:
        return [s, 0, 0];
      case 2:
        return [s | 0x7fff, 0x80000000, 0];
      case 3: {
        const m = v.m | INT_BIT;
        return [s | 0x7fff, Number(m >> 32n), Number(m & 0xffffffffn)];
      }
    }
    const r = this.round(v, fmt);
    if (r.k !== 1) return this.encodeExt(r, fmt);
    // r.m has fmt.p bits when normal; the extended encoding keeps 64 bits with the integer bit
    const shift = 64 - bitLength(r.m);
    let m = r.m << BigInt(shift);
    let e = r.e - shift; // value = m * 2^e, m in [2^63, 2^64)
    let E = e + 63 + 16383; // biased exponent of the leading bit
    if (E <= 0) {
      // extended denormal: biased exponent 0, value = m' * 2^(1 - 16383 - 63)
      m >>= BigInt(1 - E);
      E = 0;
      e = 0;
    }
    void e;
    return [s | E, Number(m >> 32n), Number(m & 0xffffffffn)];
  }

  /**
   * Round an exact finite value to a format under the current RC: returns a
   * finite value with at most fmt.p significand bits (or zero or infinity),
   * setting PE/UE/OE.
   */
  round(v: XVal, fmt: Fmt, rc = this.rc): XVal {
    if (v.k !== 1) return v;
    const n = bitLength(v.m);
    const lead = v.e + n - 1;
    const quantum = Math.max(lead, fmt.emin) - (fmt.p - 1);
    let q: bigint;
    let inexact = false;
    const shift = quantum - v.e;
    if (shift > 0) {
      const sh = BigInt(shift);
      q = v.m >> sh;
      const rem = v.m & ((1n << sh) - 1n);
      if (rem !== 0n) {
        inexact = true;
        if (roundsAway(rc, v.s, q, rem, 1n << (sh - 1n))) q += 1n;
      }
    } else q = v.m << BigInt(-shift);
    let e = quantum;
    if (inexact) {
      this.sw |= FSW_PE;
      // Masked underflow: UE when the result is tiny and inexact, tininess detected after
      // rounding (as measured): a value just below 2^emin that rounds up to it is not tiny.
      if (lead < fmt.emin && !(lead === fmt.emin - 1 && roundsUpToPow2(v, fmt.p, rc))) this.sw |= FSW_UE;
    }
    if (q === 0n) return { k: 0, s: v.s, m: 0n, e: 0 };
    if (bitLength(q) > fmt.p) {
      q >>= 1n;
      e += 1;
    }
    if (e + bitLength(q) - 1 > fmt.emax) {
      this.sw |= FSW_OE | FSW_PE;
      const toInf = rc === 0 || (rc === 1 && v.s === 1) || (rc === 2 && v.s === 0);
      if (toInf) return { k: 2, s: v.s, m: 0n, e: 0 };
      return { k: 1, s: v.s, m: (1n << BigInt(fmt.p)) - 1n, e: fmt.emax - (fmt.p - 1) };
    }
    return { k: 1, s: v.s, m: q, e };
  }

  // ---- loads and stores of memory formats ----

  /** Decode an m32/m64 float (given as its bit pattern) exactly; an SNaN raises IE and is quieted. */
  fromFloat(bits: bigint, fmt: Fmt): XVal {
    const fracBits = fmt.p - 1;
    const expBits = fmt === SGL ? 8 : 11;
    const bias = (1 << (expBits - 1)) - 1;
    const s = Number(bits >> BigInt(fracBits + expBits)) as 0 | 1;
    const E = Number((bits >> BigInt(fracBits)) & BigInt((1 << expBits) - 1));
    const f = bits & ((1n << BigInt(fracBits)) - 1n);
    if (E === (1 << expBits) - 1) {
      if (f === 0n) return { k: 2, s, m: 0n, e: 0 };
      let m = INT_BIT | (f << BigInt(64 - 1 - fracBits));
      if (!(m & QUIET_BIT)) {
        this.sw |= FSW_IE;
        m |= QUIET_BIT;
      }
      return { k: 3, s, m, e: 0 };
    }
    if (E === 0) {
      if (f === 0n) return { k: 0, s, m: 0n, e: 0 };
      return { k: 1, s, m: f, e: 1 - bias - fracBits };
    }
    return { k: 1, s, m: f | (1n << BigInt(fracBits)), e: E - bias - fracBits };
  }

  /** Round to m32/m64 and return the bit pattern (NaNs quieted, payload truncated). */
  toFloat(v: XVal, fmt: Fmt): bigint {
    const fracBits = fmt.p - 1;
    const expBits = fmt === SGL ? 8 : 11;
    const bias = (1 << (expBits - 1)) - 1;
    const maxE = BigInt((1 << expBits) - 1);
    const sign = BigInt(v.s) << BigInt(fracBits + expBits);
    const r = v.k === 1 ? this.round(v, fmt) : v;
    switch (r.k) {
      case 0:
        return sign;
      case 2:
        return sign | (maxE << BigInt(fracBits));
      case 3: {
        if (!(r.m & QUIET_BIT)) this.sw |= FSW_IE;
        const f = ((r.m & ~INT_BIT) >> BigInt(64 - 1 - fracBits)) | (1n << BigInt(fracBits - 1));
        return sign | (maxE << BigInt(fracBits)) | f;
      }
    }
    const n = bitLength(r.m);
    const lead = r.e + n - 1;
    if (lead < fmt.emin) {
      // denormal: the significand at the fixed quantum emin - fracBits
      const f = r.m << BigInt(r.e - (fmt.emin - fracBits));
      return sign | f;
    }
    const m = r.m << BigInt(fmt.p - n);
    const E = BigInt(lead + bias);
    return sign | (E << BigInt(fracBits)) | (m & ((1n << BigInt(fracBits)) - 1n));
  }

  /** Round to an integer of `bits` bits per RC; out of range or NaN: the integer indefinite (and IE). */
  toInt(v: XVal, bits: number, rc = this.rc): bigint {
    const min = -(1n << BigInt(bits - 1)), max = (1n << BigInt(bits - 1)) - 1n;
    let r: bigint;
    if (v.k === 0) return 0n;
    if (v.k !== 1) r = max + 1n;
    else {
      const q = this.roundToIntegral(v, rc);
      r = q.k === 0 ? 0n : q.s ? -(q.m << BigInt(q.e)) : q.m << BigInt(q.e);
    }
    if (r < min || r > max) {
      this.sw |= FSW_IE;
      return BigInt.asUintN(bits, min);
    }
    return BigInt.asUintN(bits, r);
  }

  /** Round a finite value to an integral value per RC (frndint), exactly. */
  roundToIntegral(v: XVal, rc = this.rc): XVal {
    if (v.k !== 1 || v.e >= 0) return v;
    const sh = BigInt(-v.e);
    let q = v.m >> sh;
    const rem = v.m & ((1n << sh) - 1n);
    if (rem !== 0n) {
      this.sw |= FSW_PE;
      if (roundsAway(rc, v.s, q, rem, 1n << (sh - 1n))) q += 1n;
    }
    if (q === 0n) return { k: 0, s: v.s, m: 0n, e: 0 };
    return { k: 1, s: v.s, m: q, e: 0 };
  }
}

/** Rounding v's significand to p bits (unbounded exponent) carries into a new power of two. */
function roundsUpToPow2(v: XVal, p: number, rc: number): boolean {
  const n = bitLength(v.m);
  if (n <= p) return false;
  const sh = BigInt(n - p);
  const q = v.m >> sh, rem = v.m & ((1n << sh) - 1n);
  if (q !== (1n << BigInt(p)) - 1n || rem === 0n) return false;
  return roundsAway(rc, v.s, q, rem, 1n << (sh - 1n));
}

/**
 * Does truncating to q, with a non-zero remainder rem (half: half a unit of q),
 * round away from zero under the rounding control rc?
 */
function roundsAway(rc: number, s: 0 | 1, q: bigint, rem: bigint, half: bigint): boolean {
  switch (rc) {
    case 0: // to nearest, ties to even
      return rem > half || (rem === half && (q & 1n) === 1n);
    case 1: // down (toward -inf)
      return s === 1;
    case 2: // up (toward +inf)
      return s === 0;
    default: // toward zero
      return false;
  }
}

// ---- decoding and exact arithmetic ------------------------------------------------

export function indefinite(): XVal {
  return { k: 3, s: 1, m: 0xc000000000000000n, e: 0 };
}

/** Decode an 80-bit encoding. Unsupported encodings (unnormals, pseudo-NaNs/infinities) are invalid: the indefinite NaN. */
export function decode(se: number, hi: number, lo: number): XVal {
  const s = (se >> 15) as 0 | 1;
  const E = se & 0x7fff;
  const m = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  if (E === 0x7fff) {
    if (!(m & INT_BIT)) return { ...indefinite(), bad: true };
    if ((m & ~INT_BIT) === 0n) return { k: 2, s, m: 0n, e: 0 };
    return { k: 3, s, m, e: 0 };
  }
  if (E === 0) {
    if (m === 0n) return { k: 0, s, m: 0n, e: 0 };
    return { k: 1, s, m, e: 1 - 16383 - 63 }; // denormal (or pseudo-denormal)
  }
  if (!(m & INT_BIT)) return { ...indefinite(), bad: true }; // unnormal
  return { k: 1, s, m, e: E - 16383 - 63 };
}

function isSNaN(v: XVal): boolean {
  return v.k === 3 && !(v.m & QUIET_BIT);
}

/**
 * NaN result of an operation with a NaN or unsupported operand (SDM table 4-7,
 * x87 column, and this host's behaviour where the table is silent): an
 * unsupported encoding gives the indefinite NaN; of two NaNs a QNaN beats an
 * SNaN, then the larger significand wins, then the positive one; the result
 * is quieted.
 */
export function nanOf(x87: X87, a: XVal, b: XVal): XVal {
  if (a.bad || b.bad) return invalid(x87);
  if (isSNaN(a) || isSNaN(b)) x87.sw |= FSW_IE;
  let r: XVal;
  if (a.k === 3 && b.k === 3) {
    const qa = !isSNaN(a), qb = !isSNaN(b);
    if (qa !== qb) r = qa ? a : b;
    else if (a.m !== b.m) r = b.m > a.m ? b : a;
    else r = a.s === 0 ? a : b;
  } else r = a.k === 3 ? a : b;
  return { k: 3, s: r.s, m: r.m | QUIET_BIT, e: 0 };
}

function invalid(x87: X87): XVal {
  x87.sw |= FSW_IE;
  return indefinite();
}

/** A value far below the rounding point of `big`, standing in for a tiny addend (same sign): same rounding, small BigInts. */
function sticky(big: XVal, small: XVal): XVal {
  return { k: 1, s: small.s, m: 1n, e: big.e + bitLength(big.m) - 1 - 70 };
}

export function add(x87: X87, a: XVal, b: XVal, negB = false): XVal {
  if (negB && b.k !== 3) b = { ...b, s: (b.s ^ 1) as 0 | 1 };
  if (a.k === 3 || b.k === 3) return nanOf(x87, a, b);
  if (a.k === 2 || b.k === 2) {
    if (a.k === 2 && b.k === 2 && a.s !== b.s) return invalid(x87);
    return a.k === 2 ? a : b;
  }
  if (a.k === 0 && b.k === 0) {
    // +0 + -0 is +0, except rounding down gives -0
    const s = a.s === b.s ? a.s : x87.rc === 1 ? 1 : 0;
    return { k: 0, s: s as 0 | 1, m: 0n, e: 0 };
  }
  if (a.k === 0) return { ...b };
  if (b.k === 0) return { ...a };
  const la = a.e + bitLength(a.m), lb = b.e + bitLength(b.m);
  if (la - lb > 68) b = sticky(a, b);
  else if (lb - la > 68) a = sticky(b, a);
  const e = Math.min(a.e, b.e);
  const ma = a.m << BigInt(a.e - e), mb = b.m << BigInt(b.e - e);
  const sum = (a.s ? -ma : ma) + (b.s ? -mb : mb);
  if (sum === 0n) return { k: 0, s: x87.rc === 1 ? 1 : 0, m: 0n, e: 0 };
  return sum < 0n ? { k: 1, s: 1, m: -sum, e } : { k: 1, s: 0, m: sum, e };
}

export function mul(x87: X87, a: XVal, b: XVal): XVal {
  if (a.k === 3 || b.k === 3) return nanOf(x87, a, b);
  const s = (a.s ^ b.s) as 0 | 1;
  if (a.k === 2 || b.k === 2) {
    if (a.k === 0 || b.k === 0) return invalid(x87);
    return { k: 2, s, m: 0n, e: 0 };
  }
  if (a.k === 0 || b.k === 0) return { k: 0, s, m: 0n, e: 0 };
  return { k: 1, s, m: a.m * b.m, e: a.e + b.e };
}

export function div(x87: X87, a: XVal, b: XVal): XVal {
  if (a.k === 3 || b.k === 3) return nanOf(x87, a, b);
  const s = (a.s ^ b.s) as 0 | 1;
  if (a.k === 2) return b.k === 2 ? invalid(x87) : { k: 2, s, m: 0n, e: 0 };
  if (b.k === 2) return { k: 0, s, m: 0n, e: 0 };
  if (b.k === 0) {
    if (a.k === 0) return invalid(x87);
    x87.sw |= FSW_ZE;
    return { k: 2, s, m: 0n, e: 0 };
  }
  if (a.k === 0) return { k: 0, s, m: 0n, e: 0 };
  // quotient with at least 66 significant bits, the remainder folded into a sticky bit
  const k = Math.max(0, 66 + bitLength(b.m) - bitLength(a.m));
  const num = a.m << BigInt(k);
  let q = num / b.m;
  let e = a.e - b.e - k;
  if (num % b.m !== 0n) {
    q = (q << 1n) | 1n;
    e -= 1;
  }
  return { k: 1, s, m: q, e };
}

export function sqrt(x87: X87, a: XVal): XVal {
  if (a.k === 3) return nanOf(x87, a, a);
  if (a.k === 0) return a;
  if (a.s === 1) return invalid(x87);
  if (a.k === 2) return a;
  // scale to an even exponent with at least 2 * 66 significant bits, integer square root plus sticky
  let m = a.m, e = a.e;
  const extra = Math.max(0, 134 - bitLength(m));
  m <<= BigInt(extra);
  e -= extra;
  if (e & 1) {
    m <<= 1n;
    e -= 1;
  }
  let r = isqrt(m);
  let re = e / 2;
  if (r * r !== m) {
    r = (r << 1n) | 1n;
    re -= 1;
  }
  return { k: 1, s: 0, m: r, e: re };
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(bitLength(n) / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** Compare: -1 less, 0 equal, 1 greater, 2 unordered. */
export function compare(a: XVal, b: XVal): number {
  if (a.k === 3 || b.k === 3) return 2;
  const sa = a.k === 0 ? 0 : a.s ? -1 : 1, sb = b.k === 0 ? 0 : b.s ? -1 : 1;
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  let c: number;
  if (a.k === 2 || b.k === 2) c = a.k === b.k ? 0 : a.k === 2 ? 1 : -1;
  else {
    const la = a.e + bitLength(a.m), lb = b.e + bitLength(b.m);
    if (la !== lb) c = la > lb ? 1 : -1;
    else {
      const e = Math.min(a.e, b.e);
      const ma = a.m << BigInt(a.e - e), mb = b.m << BigInt(b.e - e);
      c = ma === mb ? 0 : ma > mb ? 1 : -1;
    }
  }
  return sa < 0 ? -c : c;
}

/** fprem: the remainder of st0 / st1 with the quotient truncated; partial (C2 set) when the exponents differ by 64 or more. */
export function prem(x87: X87, a: XVal, b: XVal): { r: XVal; q: bigint; partial: boolean } {
  if (a.k === 3 || b.k === 3) return { r: nanOf(x87, a, b), q: 0n, partial: false };
  if (a.k === 2 || b.k === 0) return { r: invalid(x87), q: 0n, partial: false };
  if (a.k === 0 || b.k === 2) return { r: a, q: 0n, partial: false };
  const la = a.e + bitLength(a.m) - 1, lb = b.e + bitLength(b.m) - 1;
  const d = la - lb;
  if (d < 0) return { r: a, q: 0n, partial: false };
  // For d >= 64 the hardware reduces by b * 2^(d - N) for an implementation-defined N in 32..63;
  // measured on Intel: N = 32 + d mod 32, i.e. the scale is a multiple of 32. (Loops like fmodl's
  // repeat until C2 is clear, so the final remainder is exact whatever N is; N only sets the count.)
  const scale = d >= 64 ? (d & ~31) - 32 : 0;
  const e = Math.min(a.e, b.e + scale);
  const ma = a.m << BigInt(a.e - e), mb = b.m << BigInt(b.e + scale - e);
  const q = ma / mb;
  const r = ma - q * mb;
  const rv: XVal = r === 0n ? { k: 0, s: a.s, m: 0n, e: 0 } : { k: 1, s: a.s, m: r, e };
  return { r: rv, q, partial: scale > 0 };
}

/**
 * The x87 part of an FXSAVE image (fcw, fsw, abridged ftw, st0..st7 at byte
 * 32 + 16 * i), saved and restored with signal frames (engine/os/signals.ts).
 */
export function fxsaveX87(cpu: Cpu, b: Uint8Array): void {
  const x = x87Of(cpu);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  dv.setUint16(0, x.cw, true);
  dv.setUint16(2, x.status, true);
  let ftw = 0;
  for (let p = 0; p < 8; p++) if (!x.empty[p]) ftw |= 1 << p;
  b[4] = ftw;
  for (let i = 0; i < 8; i++) {
    const p = x.phys(i);
    dv.setUint32(32 + 16 * i, x.mlo[p]!, true);
    dv.setUint32(36 + 16 * i, x.mhi[p]!, true);
    dv.setUint16(40 + 16 * i, x.se[p]!, true);
  }
}

export function fxrstorX87(cpu: Cpu, b: Uint8Array): void {
  const x = x87Of(cpu);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  x.cw = dv.getUint16(0, true);
  const sw = dv.getUint16(2, true);
  x.top = (sw >> 11) & 7;
  x.sw = sw & ~0x3800;
  for (let p = 0; p < 8; p++) x.empty[p] = (b[4]! >> p) & 1 ? 0 : 1;
  for (let i = 0; i < 8; i++) {
    const p = x.phys(i);
    x.mlo[p] = dv.getUint32(32 + 16 * i, true);
    x.mhi[p] = dv.getUint32(36 + 16 * i, true);
    x.se[p] = dv.getUint16(40 + 16 * i, true);
  }
}

/** The x87 state of a CPU, created on first use (most programs never touch the x87). */
const states = new WeakMap<Cpu, X87>();

export function x87Of(cpu: Cpu): X87 {
  let s = states.get(cpu);
  if (!s) states.set(cpu, (s = new X87()));
  return s;
}

