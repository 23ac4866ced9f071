// MMX: the integer SIMD set on mm0-mm7 (movd movq, padd* psub* with wrap and
// saturation, pand pandn por pxor, pcmpeq* pcmpgt*, punpck*, packsswb
// packssdw packuswb, psll* psrl* psra*, pmullw pmulhw pmaddwd, emms), the
// forms SSE added (pshufw pmovmskb pminub pmaxub pminsw pmaxsw pavgb pavgw
// psadbw pmulhuw pinsrw pextrw maskmovq movntq), SSE2's pmuludq on mm, and
// the conversions and moves between mm and xmm (cvtpi2ps cvtps2pi cvttps2pi
// cvtpi2pd cvtpd2pi cvttpd2pi movq2dq movdq2q).
//
// mmN is the 64-bit significand of the x87 physical register RN, so the state
// lives in X87 (mlo/mhi). As on hardware, every MMX instruction but emms sets
// TOP to 0 and all eight tags to valid, and a write to mmN sets RN's sign and
// exponent to all ones (a NaN to the x87); emms marks all eight empty. fxsave,
// fnsave and fnstenv then see what a processor stores. emms also sets TOP to 0 (measured).
//
// Forms with an xmm operand are SSE2's (sse.ts): translate.ts picks this table
// when an operand is an mm register, or for emms. Off the hot path (compilers
// do not emit MMX for x86-64): each operation goes through small lane loops
// over two 8-byte scratch views.

import { Mnemonic } from "../iced.js";
import type { Cpu } from "../cpu.js";
import { CpuException, X86_TRAP_GP } from "../exceptions.js";
import { OpK, type Insn, type Operand } from "../insn.js";
import { makeEA, reader, reader64, writer, writer64 } from "../operands.js";
import { Gpr, RegClass } from "../registers.js";
import type { Builder } from "../translate.js";
import { x87Of, type X87 } from "../x87.js";
import { roundRC, toI32 } from "./sse.js";

/** Is this operand an MMX register? */
function isMm(o: Operand | undefined): boolean {
  return o !== undefined && o.kind === OpK.Reg && o.cls === RegClass.Mm;
}

function isXmm(o: Operand | undefined): boolean {
  return o !== undefined && o.kind === OpK.Reg && o.cls === RegClass.Xmm;
}

// scratch: destination (A), source (B) and result (R) lanes, little-endian
const A = new DataView(new ArrayBuffer(8));
const B = new DataView(new ArrayBuffer(8));
const R = new DataView(new ArrayBuffer(8));

/** Any MMX instruction but emms: TOP = 0, every tag valid. */
function enter(x: X87): void {
  x.top = 0;
  x.empty.fill(0);
}

function putMm(x: X87, n: number, lo: number, hi: number): void {
  x.mlo[n] = lo;
  x.mhi[n] = hi;
  x.se[n] = 0xffff;
}

/** Loader of a 64-bit source (mm or m64; a GPR for movq r64) into view v. */
function load64(cpu: Cpu, o: Operand, v: DataView): () => void {
  const x = x87Of(cpu);
  if (isMm(o)) {
    const n = o.reg;
    return () => {
      v.setUint32(0, x.mlo[n]!, true);
      v.setUint32(4, x.mhi[n]!, true);
    };
  }
  const rd = reader64(cpu, o);
  return () => {
    v.setInt32(0, rd(), true);
    v.setInt32(4, cpu.thi, true);
  };
}

type Lanes = (a: DataView, b: DataView, r: DataView) => void;

/** op mm, mm/m64: the source is read first (a fault changes nothing), then the state is entered. */
function binary(f: Lanes): Builder {
  return (cpu, insn) => {
    const d = insn.ops[0]!, s = insn.ops[1]!;
    if (!isMm(d)) return undefined;
    const x = x87Of(cpu);
    const n = d.reg;
    const ldB = load64(cpu, s, B);
    return () => {
      ldB();
      enter(x);
      A.setUint32(0, x.mlo[n]!, true);
      A.setUint32(4, x.mhi[n]!, true);
      f(A, B, R);
      putMm(x, n, R.getUint32(0, true), R.getUint32(4, true));
    };
  };
}

// ---- lane helpers --------------------------------------------------------------

function get(v: DataView, size: number, i: number, signed: boolean): number {
  const o = i * size;
  if (size === 1) return signed ? v.getInt8(o) : v.getUint8(o);
  if (size === 2) return signed ? v.getInt16(o, true) : v.getUint16(o, true);
  return signed ? v.getInt32(o, true) : v.getUint32(o, true);
}

function set(v: DataView, size: number, i: number, val: number): void {
  const o = i * size;
  if (size === 1) v.setUint8(o, val & 0xff);
  else if (size === 2) v.setUint16(o, val & 0xffff, true);
  else v.setUint32(o, val >>> 0, true);
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Lane-wise f over size-byte lanes (sizes 1, 2, 4), operands read signed or not. */
function lanes(size: number, signed: boolean, f: (a: number, b: number) => number): Lanes {
  const n = 8 / size;
  return (a, b, r) => {
    for (let i = 0; i < n; i++) set(r, size, i, f(get(a, size, i, signed), get(b, size, i, signed)));
  };
}

/** 64-bit lanes (paddq psubq) with BigInt: exact modulo 2^64. */
function lanes64(f: (a: bigint, b: bigint) => bigint): Lanes {
  return (a, b, r) => r.setBigUint64(0, BigInt.asUintN(64, f(a.getBigUint64(0, true), b.getBigUint64(0, true))), true);
}

const SAT: Record<string, [number, number]> = { s1: [-128, 127], s2: [-32768, 32767], u1: [0, 255], u2: [0, 65535] };

function addsub(size: number, sub: boolean, sat?: "s" | "u"): Lanes {
  if (size === 8) return lanes64(sub ? (p, q) => p - q : (p, q) => p + q);
  if (!sat) return lanes(size, false, sub ? (p, q) => p - q : (p, q) => p + q);
  const [lo, hi] = SAT[sat + size]!;
  return lanes(size, sat === "s", sub ? (p, q) => clamp(p - q, lo, hi) : (p, q) => clamp(p + q, lo, hi));
}

const logic = (f: (a: number, b: number) => number): Lanes => lanes(4, false, f);

/** Interleave the low (high) halves: r = a0 b0 a1 b1 ... of size-byte lanes. */
function unpack(size: number, high: boolean): Lanes {
  const n = 4 / size, base = high ? n : 0;
  return (a, b, r) => {
    for (let i = 0; i < n; i++) {
      set(r, size, 2 * i, get(a, size, base + i, false));
      set(r, size, 2 * i + 1, get(b, size, base + i, false));
    }
  };
}

/** Narrow size-byte signed lanes of a then b to half-size lanes with saturation (signed or unsigned). */
function pack(size: number, unsignedOut: boolean): Lanes {
  const n = 8 / size, half = size / 2;
  const [lo, hi] = unsignedOut ? [0, half === 1 ? 255 : 65535] : half === 1 ? [-128, 127] : [-32768, 32767];
  return (a, b, r) => {
    for (let i = 0; i < n; i++) {
      set(r, half, i, clamp(get(a, size, i, true), lo, hi));
      set(r, half, n + i, clamp(get(b, size, i, true), lo, hi));
    }
  };
}

/** Shifts by the source's 64-bit count (mm/m64) or an imm8: a count past the lane width clears (logical) or fills with the sign (arithmetic). */
function shift(size: number, kind: "l" | "rl" | "ra"): Builder {
  const bits = size * 8;
  const f = (a: DataView, count: bigint, r: DataView): void => {
    if (size === 8) {
      const v = a.getBigUint64(0, true);
      const c = count > 63n ? 64n : count;
      r.setBigUint64(0, c === 64n ? 0n : kind === "l" ? BigInt.asUintN(64, v << c) : v >> c, true);
      return;
    }
    const n = 8 / size;
    const c = count > BigInt(bits - 1) ? bits : Number(count);
    for (let i = 0; i < n; i++) {
      const v = get(a, size, i, kind === "ra");
      let out: number;
      if (kind === "ra") out = v >> Math.min(c, bits - 1);
      else if (c >= bits) out = 0;
      else out = kind === "l" ? v << c : v >>> c;
      set(r, size, i, out);
    }
  };
  return (cpu, insn) => {
    const d = insn.ops[0]!, s = insn.ops[1]!;
    if (!isMm(d)) return undefined;
    const x = x87Of(cpu);
    const n = d.reg;
    let count: () => bigint;
    if (s.kind === OpK.Imm) {
      const c = BigInt(s.immLo & 0xff);
      count = () => c;
    } else {
      const ld = load64(cpu, s, B);
      count = () => {
        ld();
        return B.getBigUint64(0, true);
      };
    }
    return () => {
      const c = count();
      enter(x);
      A.setUint32(0, x.mlo[n]!, true);
      A.setUint32(4, x.mhi[n]!, true);
      f(A, c, R);
      putMm(x, n, R.getUint32(0, true), R.getUint32(4, true));
    };
  };
}

const pmullw: Lanes = lanes(2, true, (p, q) => Math.imul(p, q));
const pmulhw: Lanes = lanes(2, true, (p, q) => (p * q) >> 16);
const pmaddwd: Lanes = (a, b, r) => {
  for (let i = 0; i < 2; i++) {
    const s = a.getInt16(4 * i, true) * b.getInt16(4 * i, true) + a.getInt16(4 * i + 2, true) * b.getInt16(4 * i + 2, true);
    r.setInt32(4 * i, s | 0, true); // only 0x8000 * 0x8000 * 2 overflows, and wraps to 0x80000000 as on hardware
  }
};

/** movd/movq between mm and a GPR or memory (or mm to mm): 32-bit sources zero-extend, 32-bit destinations take the low half. */
const mov: Builder = (cpu, insn) => {
  const d = insn.ops[0]!, s = insn.ops[1]!;
  const x = x87Of(cpu);
  if (isMm(d)) {
    const n = d.reg;
    if (s.size === 4 || (s.kind === OpK.Mem && insn.memSize === 4)) {
      const rd = reader(cpu, s, 4);
      return () => {
        const v = rd();
        enter(x);
        putMm(x, n, v, 0);
      };
    }
    const ld = load64(cpu, s, B);
    return () => {
      ld();
      enter(x);
      putMm(x, n, B.getUint32(0, true), B.getUint32(4, true));
    };
  }
  if (!isMm(s)) return undefined;
  const n = s.reg;
  if (d.size === 4 || (d.kind === OpK.Mem && insn.memSize === 4)) {
    const wr = writer(cpu, d, 4);
    return () => {
      wr(x.mlo[n]!);
      enter(x);
    };
  }
  const wr = writer64(cpu, d);
  return () => {
    wr(x.mlo[n]! | 0, x.mhi[n]! | 0);
    enter(x);
  };
};

// ---- the MMX forms that came with SSE (and SSE2's pmuludq) ------------------------

const pmulhuw: Lanes = lanes(2, false, (p, q) => (p * q) >>> 16);
const pmuludq: Lanes = (a, b, r) => r.setBigUint64(0, BigInt(a.getUint32(0, true)) * BigInt(b.getUint32(0, true)), true);
const avg = (size: number): Lanes => lanes(size, false, (p, q) => (p + q + 1) >> 1);

/** psadbw: the sum of the eight absolute byte differences, in the low word; the rest is zeroed. */
const psadbw: Lanes = (a, b, r) => {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Math.abs(a.getUint8(i) - b.getUint8(i));
  r.setBigUint64(0, BigInt(sum), true);
};

/** pshufw mm, mm/m64, imm8: word i of the result is the source's word (imm >> 2i) & 3. */
const pshufw: Builder = (cpu, insn) => {
  const d = insn.ops[0]!, s = insn.ops[1]!;
  if (!isMm(d)) return undefined;
  const x = x87Of(cpu);
  const n = d.reg, imm = insn.ops[2]!.immLo & 0xff;
  const ldB = load64(cpu, s, B);
  return () => {
    ldB();
    enter(x);
    for (let i = 0; i < 4; i++) R.setUint16(2 * i, B.getUint16(2 * ((imm >> (2 * i)) & 3), true), true);
    putMm(x, n, R.getUint32(0, true), R.getUint32(4, true));
  };
};

/** pmovmskb r32/r64, mm: the top bits of the eight bytes, zero-extended. */
const pmovmskb: Builder = (cpu, insn) => {
  const d = insn.ops[0]!, s = insn.ops[1]!;
  if (!isMm(s)) return undefined;
  const x = x87Of(cpu);
  const dst = writer(cpu, d, 4);
  const n = s.reg;
  return () => {
    enter(x);
    const lo = x.mlo[n]!, hi = x.mhi[n]!;
    let m = 0;
    for (let i = 0; i < 4; i++) m |= ((lo >>> (8 * i + 7)) & 1) << i | ((hi >>> (8 * i + 7)) & 1) << (i + 4);
    dst(m);
  };
};

/** pextrw r32/r64, mm, imm8: word imm & 3, zero-extended. */
const pextrw: Builder = (cpu, insn) => {
  const d = insn.ops[0]!, s = insn.ops[1]!;
  if (!isMm(s)) return undefined;
  const x = x87Of(cpu);
  const dst = writer(cpu, d, 4);
  const n = s.reg, w = insn.ops[2]!.immLo & 3;
  return () => {
    enter(x);
    dst(((w < 2 ? x.mlo[n]! : x.mhi[n]!) >>> (16 * (w & 1))) & 0xffff);
  };
};

/** pinsrw mm, r32/m16, imm8: word imm & 3 from the source's low word. */
const pinsrw: Builder = (cpu, insn) => {
  const d = insn.ops[0]!, s = insn.ops[1]!;
  if (!isMm(d)) return undefined;
  const x = x87Of(cpu);
  const src = reader(cpu, s, 2);
  const n = d.reg, w = insn.ops[2]!.immLo & 3;
  return () => {
    const v = src() & 0xffff;
    enter(x);
    A.setUint32(0, x.mlo[n]!, true);
    A.setUint32(4, x.mhi[n]!, true);
    A.setUint16(2 * w, v, true);
    putMm(x, n, A.getUint32(0, true), A.getUint32(4, true));
  };
};

/** maskmovq mm1, mm2: store the bytes of mm1 whose byte in mm2 has its top bit set, at [rdi] ([edi] with 0x67). */
const maskmovq: Builder = (cpu, insn) => {
  const regs = insn.ops.filter(isMm);
  if (regs.length !== 2) return undefined;
  const [s, m] = regs as [Operand, Operand];
  const x = x87Of(cpu);
  const L = cpu.lo, H = cpu.hi;
  const addr32 = insn.bytes.indexOf(0x67) >= 0 && insn.bytes.indexOf(0x67) < insn.bytes.indexOf(0x0f);
  return () => {
    const a = addr32 ? L[Gpr.RDI]! >>> 0 : H[Gpr.RDI]! * 4294967296 + (L[Gpr.RDI]! >>> 0);
    A.setUint32(0, x.mlo[s.reg]!, true);
    A.setUint32(4, x.mhi[s.reg]!, true);
    B.setUint32(0, x.mlo[m.reg]!, true);
    B.setUint32(4, x.mhi[m.reg]!, true);
    for (let i = 0; i < 8; i++) if (B.getUint8(i) & 0x80) cpu.mem.write8(a + i, A.getUint8(i));
    enter(x);
  };
};

// ---- conversions and moves between mm and xmm -------------------------------------

/**
 * cvtpi2ps / cvtpi2pd xmm, mm/m64: two int32 to the low two singles (the high half kept) or to two
 * doubles. From mm it is an MMX instruction (TOP = 0, tags valid); from memory it leaves the x87
 * state alone (SDM: "executed without causing a transition to MMX technology").
 */
function cvtFromPi(double: boolean): Builder {
  return (cpu, insn) => {
    const d = insn.ops[0]!, s = insn.ops[1]!;
    if (!isXmm(d)) return undefined;
    const x = x87Of(cpu), xm = cpu.xmm;
    const dr = d.reg, fromMm = isMm(s);
    const ldB = load64(cpu, s, B);
    return () => {
      ldB();
      if (fromMm) enter(x);
      const lo = B.getInt32(0, true), hi = B.getInt32(4, true);
      if (double) {
        xm.f64[2 * dr] = lo;
        xm.f64[2 * dr + 1] = hi;
      } else {
        xm.f32[4 * dr] = Math.fround(lo);
        xm.f32[4 * dr + 1] = Math.fround(hi);
      }
    };
  };
}

/**
 * cvt(t)ps2pi mm, xmm/m64 and cvt(t)pd2pi mm, xmm/m128 (16-byte aligned): two singles or doubles to
 * int32, rounded per MXCSR.RC or truncated; NaN and out of range give the indefinite 0x80000000.
 */
function cvtToPi(double: boolean, truncate: boolean): Builder {
  return (cpu, insn) => {
    const d = insn.ops[0]!, s = insn.ops[1]!;
    if (!isMm(d)) return undefined;
    const x = x87Of(cpu), xm = cpu.xmm;
    const n = d.reg;
    const conv = (v: number): number => toI32(truncate ? Math.trunc(v) : roundRC(v, (cpu.mxcsr >> 13) & 3));
    let src: () => void; // leaves the two values in A: floats at 0 and 4, or doubles in A and B
    if (isXmm(s)) {
      const r = s.reg;
      src = double
        ? () => {
            A.setFloat64(0, xm.f64[2 * r]!, true);
            B.setFloat64(0, xm.f64[2 * r + 1]!, true);
          }
        : () => {
            A.setFloat32(0, xm.f32[4 * r]!, true);
            A.setFloat32(4, xm.f32[4 * r + 1]!, true);
          };
    } else {
      const ea = makeEA(cpu, s);
      const m = cpu.mem;
      src = () => {
        const a = ea();
        if (double && a % 16 !== 0) throw new CpuException(X86_TRAP_GP, 0, "misaligned SSE operand");
        A.setInt32(0, m.read64(a), true);
        A.setInt32(4, m.hi, true);
        if (!double) return;
        B.setInt32(0, m.read64(a + 8), true);
        B.setInt32(4, m.hi, true);
      };
    }
    return () => {
      src();
      enter(x);
      if (double) putMm(x, n, conv(A.getFloat64(0, true)), conv(B.getFloat64(0, true)));
      else putMm(x, n, conv(A.getFloat32(0, true)), conv(A.getFloat32(4, true)));
    };
  };
}

/** movq2dq xmm, mm: the low qword, the high one zeroed; movdq2q mm, xmm: the low qword. */
const movq2dq: Builder = (cpu, insn) => {
  const d = insn.ops[0]!, s = insn.ops[1]!;
  const x = x87Of(cpu), I = cpu.xmm.i32;
  if (isXmm(d) && isMm(s))
    return () => {
      enter(x);
      I.set([x.mlo[s.reg]! | 0, x.mhi[s.reg]! | 0, 0, 0], 4 * d.reg);
    };
  if (isMm(d) && isXmm(s))
    return () => {
      enter(x);
      putMm(x, d.reg, I[4 * s.reg]! >>> 0, I[4 * s.reg + 1]! >>> 0);
    };
  return undefined;
};

const emms: Builder = (cpu) => {
  const x = x87Of(cpu);
  return () => {
    x.top = 0; // TOP too, as every MMX instruction (SDM vol. 1 table 9-2; measured)
    x.empty.fill(1);
  };
};

const b = binary;
export const mmxOps: [Mnemonic, Builder][] = [
  [Mnemonic.Movd, mov],
  [Mnemonic.Movq, mov],
  [Mnemonic.Emms, emms],
  [Mnemonic.Paddb, b(addsub(1, false))],
  [Mnemonic.Paddw, b(addsub(2, false))],
  [Mnemonic.Paddd, b(addsub(4, false))],
  [Mnemonic.Paddq, b(addsub(8, false))],
  [Mnemonic.Paddsb, b(addsub(1, false, "s"))],
  [Mnemonic.Paddsw, b(addsub(2, false, "s"))],
  [Mnemonic.Paddusb, b(addsub(1, false, "u"))],
  [Mnemonic.Paddusw, b(addsub(2, false, "u"))],
  [Mnemonic.Psubb, b(addsub(1, true))],
  [Mnemonic.Psubw, b(addsub(2, true))],
  [Mnemonic.Psubd, b(addsub(4, true))],
  [Mnemonic.Psubq, b(addsub(8, true))],
  [Mnemonic.Psubsb, b(addsub(1, true, "s"))],
  [Mnemonic.Psubsw, b(addsub(2, true, "s"))],
  [Mnemonic.Psubusb, b(addsub(1, true, "u"))],
  [Mnemonic.Psubusw, b(addsub(2, true, "u"))],
  [Mnemonic.Pand, b(logic((p, q) => p & q))],
  [Mnemonic.Pandn, b(logic((p, q) => ~p & q))],
  [Mnemonic.Por, b(logic((p, q) => p | q))],
  [Mnemonic.Pxor, b(logic((p, q) => p ^ q))],
  [Mnemonic.Pcmpeqb, b(lanes(1, false, (p, q) => (p === q ? -1 : 0)))],
  [Mnemonic.Pcmpeqw, b(lanes(2, false, (p, q) => (p === q ? -1 : 0)))],
  [Mnemonic.Pcmpeqd, b(lanes(4, false, (p, q) => (p === q ? -1 : 0)))],
  [Mnemonic.Pcmpgtb, b(lanes(1, true, (p, q) => (p > q ? -1 : 0)))],
  [Mnemonic.Pcmpgtw, b(lanes(2, true, (p, q) => (p > q ? -1 : 0)))],
  [Mnemonic.Pcmpgtd, b(lanes(4, true, (p, q) => (p > q ? -1 : 0)))],
  [Mnemonic.Punpcklbw, b(unpack(1, false))],
  [Mnemonic.Punpcklwd, b(unpack(2, false))],
  [Mnemonic.Punpckldq, b(unpack(4, false))],
  [Mnemonic.Punpckhbw, b(unpack(1, true))],
  [Mnemonic.Punpckhwd, b(unpack(2, true))],
  [Mnemonic.Punpckhdq, b(unpack(4, true))],
  [Mnemonic.Packsswb, b(pack(2, false))],
  [Mnemonic.Packssdw, b(pack(4, false))],
  [Mnemonic.Packuswb, b(pack(2, true))],
  [Mnemonic.Psllw, shift(2, "l")],
  [Mnemonic.Pslld, shift(4, "l")],
  [Mnemonic.Psllq, shift(8, "l")],
  [Mnemonic.Psrlw, shift(2, "rl")],
  [Mnemonic.Psrld, shift(4, "rl")],
  [Mnemonic.Psrlq, shift(8, "rl")],
  [Mnemonic.Psraw, shift(2, "ra")],
  [Mnemonic.Psrad, shift(4, "ra")],
  [Mnemonic.Pmullw, b(pmullw)],
  [Mnemonic.Pmulhw, b(pmulhw)],
  [Mnemonic.Pmaddwd, b(pmaddwd)],
  [Mnemonic.Movntq, mov], // a plain store here (no caches to bypass)
  [Mnemonic.Pshufw, pshufw],
  [Mnemonic.Pmovmskb, pmovmskb],
  [Mnemonic.Pextrw, pextrw],
  [Mnemonic.Pinsrw, pinsrw],
  [Mnemonic.Maskmovq, maskmovq],
  [Mnemonic.Pminub, b(lanes(1, false, (p, q) => (p < q ? p : q)))],
  [Mnemonic.Pmaxub, b(lanes(1, false, (p, q) => (p > q ? p : q)))],
  [Mnemonic.Pminsw, b(lanes(2, true, (p, q) => (p < q ? p : q)))],
  [Mnemonic.Pmaxsw, b(lanes(2, true, (p, q) => (p > q ? p : q)))],
  [Mnemonic.Pavgb, b(avg(1))],
  [Mnemonic.Pavgw, b(avg(2))],
  [Mnemonic.Psadbw, b(psadbw)],
  [Mnemonic.Pmulhuw, b(pmulhuw)],
  [Mnemonic.Pmuludq, b(pmuludq)],
  [Mnemonic.Cvtpi2ps, cvtFromPi(false)],
  [Mnemonic.Cvtpi2pd, cvtFromPi(true)],
  [Mnemonic.Cvtps2pi, cvtToPi(false, false)],
  [Mnemonic.Cvttps2pi, cvtToPi(false, true)],
  [Mnemonic.Cvtpd2pi, cvtToPi(true, false)],
  [Mnemonic.Cvttpd2pi, cvtToPi(true, true)],
  [Mnemonic.Movq2dq, movq2dq],
  [Mnemonic.Movdq2q, movq2dq],
];

/** Conversions with an mm operand in their register form only: the memory form is theirs too. */
const MMX_ONLY = new Set<Mnemonic>([Mnemonic.Cvtpi2ps, Mnemonic.Cvtpi2pd, Mnemonic.Cvtps2pi, Mnemonic.Cvttps2pi, Mnemonic.Cvtpd2pi, Mnemonic.Cvttpd2pi]);

/** Does the instruction use an mm register, or is it an mm conversion (and so take the MMX builder rather than SSE's)? */
export function usesMmx(insn: Insn): boolean {
  return insn.ops.some(isMm) || MMX_ONLY.has(insn.mnemonic);
}
