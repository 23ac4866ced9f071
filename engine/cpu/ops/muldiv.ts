// Multiplication and division: mul imul div idiv, all widths, 128-bit included.
//
// 32x32 and 64x64 products are built from 16-bit partial products so they
// stay exact in doubles (a BigInt multiply costs ~10x more, and imul is hot in
// hashing loops). Division falls back to BigInt when the dividend does not fit
// in 53 bits; div is slow on hardware too and rare in loops.

import { Mnemonic } from "../iced.js";
import type { Cpu, Exec } from "../cpu.js";
import { CpuException, X86_TRAP_DE } from "../exceptions.js";
import type { Operand } from "../insn.js";
import { maskOf, reader, reader64, writer, writer64, signExtend } from "../operands.js";
import { Gpr } from "../registers.js";
import type { Builder } from "../translate.js";

// local copies of the constants (see Gpr in registers.ts: imported bindings are slow in hot code)
const RAX = Gpr.RAX, RDX = Gpr.RDX;

/** High 32 bits of the unsigned 64-bit product of two uint32 values. */
export function mulHiU32(a: number, b: number): number {
  const aL = a & 0xffff, aH = a >>> 16, bL = b & 0xffff, bH = b >>> 16;
  const ll = aL * bL;
  const mid = aL * bH + aH * bL + (ll >>> 16);
  return (aH * bH + Math.floor(mid / 65536)) >>> 0;
}

/** 128-bit product words, little-endian, as uint32 (module scratch, no allocation). */
const P = new Uint32Array(4);

/** Unsigned 64x64 -> 128 product into P. */
function mulU64(aL: number, aH: number, bL: number, bH: number): void {
  aL >>>= 0; aH >>>= 0; bL >>>= 0; bH >>>= 0;
  // four 32x32 partial products
  const p0l = Math.imul(aL, bL) >>> 0, p0h = mulHiU32(aL, bL);
  const p1l = Math.imul(aL, bH) >>> 0, p1h = mulHiU32(aL, bH);
  const p2l = Math.imul(aH, bL) >>> 0, p2h = mulHiU32(aH, bL);
  const p3l = Math.imul(aH, bH) >>> 0, p3h = mulHiU32(aH, bH);
  P[0] = p0l;
  let s = p0h + p1l + p2l; // < 3 * 2^32: exact
  P[1] = s;
  let carry = Math.floor(s / 4294967296);
  s = p1h + p2h + p3l + carry;
  P[2] = s;
  carry = Math.floor(s / 4294967296);
  P[3] = p3h + carry;
}

/** Signed 64x64 -> 128 product into P (two's complement correction of the unsigned one). */
function mulS64(aL: number, aH: number, bL: number, bH: number): void {
  mulU64(aL, aH, bL, bH);
  if (aH < 0 || aH >>> 31) sub128hi(bL, bH);
  if (bH < 0 || bH >>> 31) sub128hi(aL, aH);
}

/** P[2..3] -= (lo, hi) modulo 2^64. */
function sub128hi(lo: number, hi: number): void {
  const d = P[2]! - (lo >>> 0);
  P[2] = d;
  P[3] = P[3]! - (hi >>> 0) - (d < 0 ? 1 : 0);
}

// ---- mul / one-operand imul ----

function mulOne(signed: boolean): Builder {
  return (cpu, insn): Exec => {
    const s = insn.ops[0]!;
    const size = s.size;
    const L = cpu.lo, H = cpu.hi;
    const fl = cpu.fl;
    if (size === 8) {
      const src = reader64(cpu, s);
      return () => {
        const bL = src(), bH = cpu.thi;
        if (signed) mulS64(L[RAX]!, H[RAX]!, bL, bH);
        else mulU64(L[RAX]!, H[RAX]!, bL, bH);
        const lo = P[0]!, hi = P[1]!, xlo = P[2]!, xhi = P[3]!;
        const ext = signed ? (hi >>> 31 ? 0xffffffff : 0) : 0;
        const over = xlo !== ext || xhi !== ext ? 1 : 0;
        L[RAX] = lo;
        H[RAX] = hi;
        L[RDX] = xlo;
        H[RDX] = xhi;
        fl.setRes(64, lo, hi, over, over);
      };
    }
    const src = reader(cpu, s);
    const bits = size * 8;
    return () => {
      const b = src();
      if (size === 4) {
        const a = L[RAX]! >>> 0;
        const lo = Math.imul(a, b) >>> 0;
        let hi: number;
        if (signed) {
          hi = mulHiU32(a, b);
          if (a >>> 31) hi = (hi - b) >>> 0;
          if (b >>> 31) hi = (hi - a) >>> 0;
        } else hi = mulHiU32(a, b);
        const ext = signed ? (lo >>> 31 ? 0xffffffff : 0) : 0;
        const over = hi !== ext ? 1 : 0;
        L[RAX] = lo;
        H[RAX] = 0;
        L[RDX] = hi;
        H[RDX] = 0;
        fl.setRes(32, lo, 0, over, over);
        return;
      }
      const a = size === 1 ? L[RAX]! & 0xff : L[RAX]! & 0xffff;
      const prod = signed ? signExtend(a, size) * signExtend(b, size) : a * b;
      const mask = maskOf(size);
      const low = prod & mask;
      const high = (prod >> bits) & mask;
      const over = signed ? (signExtend(low, size) !== prod ? 1 : 0) : high !== 0 ? 1 : 0;
      if (size === 1) L[RAX] = (L[RAX]! & ~0xffff) | (prod & 0xffff);
      else {
        L[RAX] = (L[RAX]! & ~0xffff) | low;
        L[RDX] = (L[RDX]! & ~0xffff) | high;
      }
      fl.setRes(bits, low, 0, over, over);
    };
  };
}

// ---- two/three-operand imul (truncated product) ----

const imulMulti: Builder = (cpu, insn) => {
  if (insn.ops.length === 1) return mulOne(true)(cpu, insn, 0);
  const [d, s1, s2] = insn.ops as [Operand, Operand, Operand | undefined];
  const a = s2 ? s1 : d;
  const b = s2 ?? s1;
  const size = d.size;
  const fl = cpu.fl;
  if (size === 8) {
    const ra = reader64(cpu, a), rb = reader64(cpu, b);
    const w = writer64(cpu, d);
    return () => {
      const aL = ra(), aH = cpu.thi;
      const bL = rb(), bH = cpu.thi;
      mulS64(aL, aH, bL, bH);
      const lo = P[0]!, hi = P[1]!;
      const ext = hi >>> 31 ? 0xffffffff : 0;
      const over = P[2] !== ext || P[3] !== ext ? 1 : 0;
      fl.setRes(64, lo, hi, over, over);
      w(lo, hi);
    };
  }
  const ra = reader(cpu, a, size), rb = reader(cpu, b, size);
  const w = writer(cpu, d);
  const bits = size * 8;
  const mask = maskOf(size);
  return () => {
    const x = signExtend(ra(), size), y = signExtend(rb(), size);
    let low: number, over: number;
    if (size === 4) {
      low = Math.imul(x, y) >>> 0;
      const prod = x * y; // inexact above 2^53, but only the int32 range test matters
      over = prod < -0x80000000 || prod > 0x7fffffff ? 1 : 0;
    } else {
      const prod = x * y;
      low = (prod & mask) >>> 0;
      over = signExtend(low, size) !== prod ? 1 : 0;
    }
    fl.setRes(bits, low, 0, over, over);
    w(low);
  };
};

// ---- div / idiv ----

function divide(signed: boolean): Builder {
  return (cpu, insn): Exec => {
    const s = insn.ops[0]!;
    const size = s.size;
    const L = cpu.lo, H = cpu.hi;
    const de = (): CpuException => new CpuException(X86_TRAP_DE, 0, "divide error");
    if (size === 8) {
      const src = reader64(cpu, s);
      return () => {
        const bL = src() >>> 0, bH = cpu.thi >>> 0;
        if ((bL | bH) === 0) throw de();
        const aLo = L[RAX]! >>> 0, aHi = H[RAX]! >>> 0, xLo = L[RDX]! >>> 0, xHi = H[RDX]! >>> 0;
        // fast path: unsigned, rdx == 0 and both fit in 53 bits
        if (!signed && (xLo | xHi) === 0 && aHi < 0x200000 && bH < 0x200000) {
          const a = aHi * 4294967296 + aLo, b = bH * 4294967296 + bL;
          const q = Math.floor(a / b), r = a - q * b;
          L[RAX] = q % 4294967296; H[RAX] = Math.floor(q / 4294967296);
          L[RDX] = r % 4294967296; H[RDX] = Math.floor(r / 4294967296);
          return;
        }
        let dividend = (BigInt(xHi) << 96n) | (BigInt(xLo) << 64n) | (BigInt(aHi) << 32n) | BigInt(aLo);
        let divisor = (BigInt(bH) << 32n) | BigInt(bL);
        if (signed) {
          dividend = BigInt.asIntN(128, dividend);
          divisor = BigInt.asIntN(64, divisor);
        }
        const q = dividend / divisor; // BigInt division truncates toward zero, like idiv
        const r = dividend % divisor;
        if (signed ? q < -(1n << 63n) || q >= 1n << 63n : q >= 1n << 64n) throw de();
        const uq = BigInt.asUintN(64, q), ur = BigInt.asUintN(64, r);
        L[RAX] = Number(uq & 0xffffffffn); H[RAX] = Number(uq >> 32n);
        L[RDX] = Number(ur & 0xffffffffn); H[RDX] = Number(ur >> 32n);
      };
    }
    const src = reader(cpu, s);
    return () => {
      const b = src();
      if (b === 0) throw de();
      let a: number, d: number;
      if (size === 1) a = L[RAX]! & 0xffff;
      else if (size === 2) a = ((L[RDX]! & 0xffff) << 16 | (L[RAX]! & 0xffff)) >>> 0;
      else {
        // edx:eax may exceed 2^53: use BigInt unless edx is a plain extension
        const lo = L[RAX]! >>> 0, hi = L[RDX]! >>> 0;
        if (signed ? hi === (lo >>> 31 ? 0xffffffff : 0) : hi === 0) a = signed ? lo | 0 : lo;
        else {
          let n = (BigInt(hi) << 32n) | BigInt(lo);
          let dv = BigInt(b);
          if (signed) {
            n = BigInt.asIntN(64, n);
            dv = BigInt.asIntN(32, dv);
          }
          const q = n / dv, r = n % dv;
          if (signed ? q < -(1n << 31n) || q >= 1n << 31n : q >= 1n << 32n) throw de();
          L[RAX] = Number(BigInt.asIntN(32, q)); H[RAX] = 0;
          L[RDX] = Number(BigInt.asIntN(32, r)); H[RDX] = 0;
          return;
        }
      }
      let bv = b;
      if (signed) {
        if (size < 4) a = signExtend(a, size * 2);
        bv = signExtend(b, size);
      }
      const q = Math.trunc(a / bv);
      const r = a - q * bv;
      const bits = size * 8;
      const limit = 2 ** bits;
      if (signed ? q < -(limit / 2) || q >= limit / 2 : q >= limit) throw de();
      d = r;
      if (size === 1) L[RAX] = (L[RAX]! & ~0xffff) | (q & 0xff) | ((d & 0xff) << 8);
      else if (size === 2) {
        L[RAX] = (L[RAX]! & ~0xffff) | (q & 0xffff);
        L[RDX] = (L[RDX]! & ~0xffff) | (d & 0xffff);
      } else {
        L[RAX] = q; H[RAX] = 0;
        L[RDX] = d; H[RDX] = 0;
      }
    };
  };
}

export const muldivOps: [Mnemonic, Builder][] = [
  [Mnemonic.Mul, mulOne(false)],
  [Mnemonic.Imul, imulMulti],
  [Mnemonic.Div, divide(false)],
  [Mnemonic.Idiv, divide(true)],
];


/** The signed 64x64 product and its words, for the jit tier's generated imul (engine/cpu/jit/codegen.ts). */
export { mulS64, mulU64, P as productWords };
