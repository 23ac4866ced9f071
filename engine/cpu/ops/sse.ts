// SSE/SSE2: the subset compilers and libc emit (moves, packed integer ops,
// logic, shuffles, scalar and packed float arithmetic, conversions,
// comparisons), fxsave/fxrstor, and the cheap SSE3/SSSE3/SSE4.1 instructions
// (movddup movshdup movsldup haddp* hsubp* addsubp*; pshufb palignr pabs*
// psign* phadd* phsub* pmaddubsw pmulhrsw; pmin*/pmax* of every lane type,
// round*). cpuid offers SSE2 only, so glibc's ifuncs never pick the routines
// that need the latter (they run if a program uses them regardless, as on a
// CPU that has them); SSE4.2 string instructions and AVX stay #UD.
//
// XMM registers live in one buffer (xmm.ts). A memory source is first loaded
// into the scratch slot TMP, so every operation is written once, register to
// register. Legacy-SSE 16-byte memory operands must be 16-byte aligned (#GP
// otherwise) except for the explicitly unaligned moves. Instructions that
// read an operand they overwrite (shuffles, unpacks, packs, byte shifts)
// first copy it to the SCRATCH slot; nothing allocates per instruction.
//
// Floating point follows the SDM exactly for every input, NaNs included:
// - a NaN result of an arithmetic instruction is the first source's NaN if it
//   is one, else the second's, quieted (SNaN -> QNaN); an invalid operation
//   on non-NaN inputs (inf - inf, 0 * inf, 0 / 0, sqrt(-1)) gives the default
//   NaN, 0xfff8000000000000 / 0xffc00000 (negative: printf shows "-nan");
// - min/max return the second operand if either is a NaN or both are zeros;
// - NaN results are written through the integer views (see xmm.ts).
// JS arithmetic is IEEE binary64 with round-to-nearest-even, no flush to zero,
// which is MXCSR's default; single precision is computed in double and
// rounded once with Math.fround, which is exact for + - * / and sqrt (double
// has more than 2 * 24 + 2 bits). Not modelled: MXCSR rounding modes other
// than nearest for arithmetic (conversions to integer do honour MXCSR.RC),
// DAZ/FTZ, the sticky exception flags, and unmasked SIMD exceptions (#XM).

import { Mnemonic } from "../iced.js";
import type { Cpu, Exec } from "../cpu.js";
import { CpuException, X86_TRAP_GP } from "../exceptions.js";
import { Fl } from "../flags.js";
import { OpK, type Insn, type Operand } from "../insn.js";
import { makeEA, reader, reader64, writer, writer64 } from "../operands.js";
import { RegClass, Gpr } from "../registers.js";
import type { Builder } from "../translate.js";
import { XmmFile } from "../xmm.js";
import { fxrstorX87, fxsaveX87 } from "../x87.js";
import { mulHiU32 } from "./muldiv.js";

// local copies of the constants (see Gpr in registers.ts: imported bindings are slow in hot code)
const CF = Fl.CF, OF = Fl.OF, PF = Fl.PF, SF = Fl.SF, ZF = Fl.ZF, AF = Fl.AF;
const RDI = Gpr.RDI;

const TMP = XmmFile.TMP;
const SCR = XmmFile.SCRATCH;
const TWO32 = 4294967296;

/** Mnemonics whose 16-byte memory operand may be unaligned. */
const UNALIGNED = new Set<Mnemonic>([Mnemonic.Movups, Mnemonic.Movupd, Mnemonic.Movdqu, Mnemonic.Lddqu]);

function isXmm(o: Operand | undefined): boolean {
  return !!o && o.kind === OpK.Reg && o.cls === RegClass.Xmm;
}

function misaligned(): CpuException {
  return new CpuException(X86_TRAP_GP, 0, "misaligned SSE operand");
}

/** Returns a function yielding the XMM slot index holding the source operand (loading memory into the scratch slot). */
function xmmSource(cpu: Cpu, o: Operand, bytes: number, aligned: boolean): () => number {
  if (o.kind === OpK.Reg) {
    const r = o.reg;
    return () => r;
  }
  const ea = makeEA(cpu, o);
  const m = cpu.mem;
  const x = cpu.xmm.i32;
  const base = TMP * 4;
  return () => {
    const a = ea();
    if (aligned && bytes === 16 && a % 16 !== 0) throw misaligned();
    if (bytes >= 4) x[base] = m.read32(a);
    else x[base] = m.read16(a);
    if (bytes >= 8) x[base + 1] = m.read32(a + 4);
    if (bytes === 16) {
      x[base + 2] = m.read32(a + 8);
      x[base + 3] = m.read32(a + 12);
    }
    return TMP;
  };
}

/** Store `bytes` bytes of XMM slot `r` to memory operand o. */
function xmmStore(cpu: Cpu, o: Operand, bytes: number, aligned: boolean): (r: number) => void {
  const ea = makeEA(cpu, o);
  const m = cpu.mem;
  const x = cpu.xmm.i32;
  return (r) => {
    const a = ea();
    if (aligned && bytes === 16 && a % 16 !== 0) throw misaligned();
    const b = r * 4;
    if (bytes === 4) {
      m.write32(a, x[b]!);
      return;
    }
    m.write64(a, x[b]!, x[b + 1]!);
    if (bytes === 16) m.write64(a + 8, x[b + 2]!, x[b + 3]!);
  };
}

/** Copy slot s to SCRATCH; returns SCRATCH. */
function snapshot(I: Int32Array, s: number): number {
  const a = s * 4, b = SCR * 4;
  I[b] = I[a]!;
  I[b + 1] = I[a + 1]!;
  I[b + 2] = I[a + 2]!;
  I[b + 3] = I[a + 3]!;
  return SCR;
}

// ---- NaNs ------------------------------------------------------------------------

/** The double at i32 offset b (low word at b) is a NaN. */
function isNaN64(I: Int32Array, b: number): boolean {
  const hi = I[b + 1]!;
  return (hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0xfffff) | I[b]!) !== 0;
}

function isNaN32(v: number): boolean {
  return (v & 0x7f800000) === 0x7f800000 && (v & 0x7fffff) !== 0;
}

/** Write the NaN result of a binary double op at offset a (first source, the destination) with second source at b. */
function nan64(I: Int32Array, a: number, b: number): void {
  if (isNaN64(I, a)) I[a + 1] = I[a + 1]! | 0x80000;
  else if (isNaN64(I, b)) {
    I[a] = I[b]!;
    I[a + 1] = I[b + 1]! | 0x80000;
  } else {
    I[a] = 0;
    I[a + 1] = 0xfff80000 | 0;
  }
}

function nan32(I: Int32Array, a: number, b: number): void {
  const va = I[a]!;
  if (isNaN32(va)) I[a] = va | 0x400000;
  else {
    const vb = I[b]!;
    I[a] = isNaN32(vb) ? vb | 0x400000 : 0xffc00000 | 0;
  }
}

/** NaN result of a unary op (sqrt) on the double at s, written at d. */
function nanUnary64(I: Int32Array, d: number, s: number): void {
  if (isNaN64(I, s)) {
    I[d] = I[s]!;
    I[d + 1] = I[s + 1]! | 0x80000;
  } else {
    I[d] = 0;
    I[d + 1] = 0xfff80000 | 0;
  }
}

function nanUnary32(I: Int32Array, d: number, s: number): void {
  const v = I[s]!;
  I[d] = isNaN32(v) ? v | 0x400000 : 0xffc00000 | 0;
}

/** cvtsd2ss/cvtpd2ps of the double at s into the single at d (NaNs keep sign and top payload bits, quieted). */
function toSingle(x: XmmFile, d: number, s: number): void {
  const I = x.i32;
  if (isNaN64(I, s)) {
    const hi = I[s + 1]!;
    I[d] = (hi & 0x80000000) | 0x7fc00000 | ((hi & 0xfffff) << 3) | (I[s]! >>> 29);
  } else x.f32[d] = Math.fround(x.f64[s >> 1]!);
}

/** cvtss2sd/cvtps2pd of the single at s into the double at d (s must not overlap d's high word before it is read). */
function toDouble(x: XmmFile, d: number, s: number): void {
  const I = x.i32;
  const v = I[s]!;
  if (isNaN32(v)) {
    const mant = (v & 0x7fffff) | 0x400000;
    I[d + 1] = (v & 0x80000000) | 0x7ff00000 | (mant >>> 3);
    I[d] = mant << 29;
  } else x.f64[d >> 1] = x.f32[s]!;
}

// ---- moves -----------------------------------------------------------------------

/** movaps movups movapd movupd movdqa movdqu lddqu movnt*: full 128-bit moves. */
const move128: Builder = (cpu, insn) => {
  const [d, s] = insn.ops as [Operand, Operand];
  const aligned = !UNALIGNED.has(insn.mnemonic);
  const x = cpu.xmm.i32;
  if (isXmm(d)) {
    const src = xmmSource(cpu, s, 16, aligned);
    const db = d.reg * 4;
    return () => {
      const sb = src() * 4;
      x[db] = x[sb]!;
      x[db + 1] = x[sb + 1]!;
      x[db + 2] = x[sb + 2]!;
      x[db + 3] = x[sb + 3]!;
    };
  }
  if (!isXmm(s)) return undefined;
  const st = xmmStore(cpu, d, 16, aligned);
  const r = s.reg;
  return () => st(r);
};

/** movd/movq between XMM and GPR/memory, and movq xmm, xmm/m64. */
function movdq(size: 4 | 8): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    const x = cpu.xmm.i32;
    if (isXmm(d)) {
      const db = d.reg * 4;
      if (isXmm(s)) {
        const sb = s.reg * 4;
        return () => {
          x[db] = x[sb]!;
          x[db + 1] = x[sb + 1]!;
          x[db + 2] = 0;
          x[db + 3] = 0;
        };
      }
      if (size === 8) {
        const src = reader64(cpu, s);
        return () => {
          x[db] = src();
          x[db + 1] = cpu.thi;
          x[db + 2] = 0;
          x[db + 3] = 0;
        };
      }
      const src = reader(cpu, s, 4);
      return () => {
        x[db] = src();
        x[db + 1] = 0;
        x[db + 2] = 0;
        x[db + 3] = 0;
      };
    }
    if (!isXmm(s)) return undefined;
    const sb = s.reg * 4;
    if (size === 8) {
      const dst = writer64(cpu, d);
      return () => dst(x[sb]!, x[sb + 1]!);
    }
    const dst = writer(cpu, d, 4);
    return () => dst(x[sb]! >>> 0);
  };
}

/** movss/movsd (scalar): load zero-extends, reg-reg merges the low lane, store writes the lane. */
function movScalar(size: 4 | 8): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    const x = cpu.xmm.i32;
    if (isXmm(d) && isXmm(s)) {
      const db = d.reg * 4, sb = s.reg * 4;
      if (size === 4) return () => void (x[db] = x[sb]!);
      return () => {
        x[db] = x[sb]!;
        x[db + 1] = x[sb + 1]!;
      };
    }
    if (isXmm(d)) {
      const src = xmmSource(cpu, s, size, false);
      const db = d.reg * 4;
      return () => {
        const sb = src() * 4;
        x[db] = x[sb]!;
        x[db + 1] = size === 8 ? x[sb + 1]! : 0;
        x[db + 2] = 0;
        x[db + 3] = 0;
      };
    }
    const st = xmmStore(cpu, d, size, false);
    const r = s.reg;
    return () => st(r);
  };
}

/** movlps/movlpd/movhps/movhpd: move 64 bits to or from one half (memory forms only). */
function movHalf(high: boolean): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    const x = cpu.xmm.i32;
    const off = high ? 2 : 0;
    if (isXmm(d)) {
      if (s.kind !== OpK.Mem) return undefined;
      const src = xmmSource(cpu, s, 8, false);
      const db = d.reg * 4 + off;
      return () => {
        const sb = src() * 4;
        x[db] = x[sb]!;
        x[db + 1] = x[sb + 1]!;
      };
    }
    const ea = makeEA(cpu, d);
    const sb = s.reg * 4 + off;
    return () => cpu.mem.write64(ea(), x[sb]!, x[sb + 1]!);
  };
}

/** movhlps: low qword of dst = high qword of src; movlhps: high qword of dst = low qword of src. */
function movHL(toLow: boolean): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    const x = cpu.xmm.i32;
    const db = d.reg * 4 + (toLow ? 0 : 2), sb = s.reg * 4 + (toLow ? 2 : 0);
    return () => {
      const lo = x[sb]!, hi = x[sb + 1]!;
      x[db] = lo;
      x[db + 1] = hi;
    };
  };
}

/** movmskps/movmskpd/pmovmskb: sign bits of the lanes into a GPR (zero-extended). */
function movmsk(lanes: 4 | 2 | 16): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    const dst = writer(cpu, d, 4);
    const x = cpu.xmm;
    const b = s.reg;
    if (lanes === 16) {
      const u = x.u8;
      return () => {
        let m = 0;
        for (let i = 0; i < 16; i++) m |= (u[b * 16 + i]! >>> 7) << i;
        dst(m);
      };
    }
    const I = x.i32;
    if (lanes === 4) return () => dst((I[b * 4]! >>> 31) | ((I[b * 4 + 1]! >>> 31) << 1) | ((I[b * 4 + 2]! >>> 31) << 2) | ((I[b * 4 + 3]! >>> 31) << 3));
    return () => dst((I[b * 4 + 1]! >>> 31) | ((I[b * 4 + 3]! >>> 31) << 1));
  };
}

/** pextrw r32, xmm, imm8 (the register form; the SSE4.1 memory form is not offered). */
const pextrw: Builder = (cpu, insn) => {
  const [d, s, i] = insn.ops as [Operand, Operand, Operand];
  if (d.kind !== OpK.Reg || !isXmm(s)) return undefined;
  const dst = writer(cpu, d, 4);
  const u = cpu.xmm.u16;
  const at = s.reg * 8 + (i.immLo & 7);
  return () => dst(u[at]!);
};

/** pinsrw xmm, r32/m16, imm8. */
const pinsrw: Builder = (cpu, insn) => {
  const [d, s, i] = insn.ops as [Operand, Operand, Operand];
  if (!isXmm(d)) return undefined;
  const src = reader(cpu, s, 2);
  const u = cpu.xmm.u16;
  const at = d.reg * 8 + (i.immLo & 7);
  return () => void (u[at] = src());
};

/** movnti m32/m64, r: a plain store here (no caches to bypass). */
const movnti: Builder = (cpu, insn) => {
  const [d, s] = insn.ops as [Operand, Operand];
  if (s.size === 8) {
    const src = reader64(cpu, s), dst = writer64(cpu, d);
    return () => {
      const lo = src();
      dst(lo, cpu.thi);
    };
  }
  const src = reader(cpu, s, 4), dst = writer(cpu, d, 4);
  return () => dst(src());
};

/** maskmovdqu xmm1, xmm2: store the bytes of xmm1 whose mask byte in xmm2 has its top bit set, at [rdi]. */
const maskmovdqu: Builder = (cpu, insn) => {
  const regs = insn.ops.filter(isXmm);
  if (regs.length !== 2) return undefined;
  const [s, m] = regs as [Operand, Operand];
  const u = cpu.xmm.u8;
  const L = cpu.lo, H = cpu.hi;
  const addr32 = insn.bytes.indexOf(0x67) >= 0 && insn.bytes.indexOf(0x67) < insn.bytes.indexOf(0x0f);
  return () => {
    const a = addr32 ? L[RDI]! >>> 0 : H[RDI]! * TWO32 + (L[RDI]! >>> 0);
    for (let i = 0; i < 16; i++) if (u[m.reg * 16 + i]! & 0x80) cpu.mem.write8(a + i, u[s.reg * 16 + i]!);
  };
};

// ---- lane-wise binary ops on 128 bits ----------------------------------------------

type LaneOp = (x: XmmFile, d: number, s: number) => void;

/** dst = op(dst, src) over the full register; the source may be memory (aligned). */
function packed(op: LaneOp): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    if (!isXmm(d)) return undefined;
    const src = xmmSource(cpu, s, 16, true);
    const xf = cpu.xmm;
    const dr = d.reg;
    return () => op(xf, dr, src());
  };
}

function laneInt(bytes: 1 | 2 | 4, f: (a: number, b: number) => number): LaneOp {
  if (bytes === 1)
    return (x, d, s) => {
      const u = x.u8;
      for (let i = 0; i < 16; i++) u[d * 16 + i] = f(u[d * 16 + i]!, u[s * 16 + i]!);
    };
  if (bytes === 2)
    return (x, d, s) => {
      const u = x.u16;
      for (let i = 0; i < 8; i++) u[d * 8 + i] = f(u[d * 8 + i]!, u[s * 8 + i]!);
    };
  return (x, d, s) => {
    const u = x.i32;
    for (let i = 0; i < 4; i++) u[d * 4 + i] = f(u[d * 4 + i]!, u[s * 4 + i]!);
  };
}

const logic = (f: (a: number, b: number) => number): LaneOp => laneInt(4, f);

const paddq: LaneOp = (x, d, s) => {
  const u = x.i32;
  for (let k = 0; k < 2; k++) {
    const dl = d * 4 + k * 2, sl = s * 4 + k * 2;
    const lo = (u[dl]! >>> 0) + (u[sl]! >>> 0);
    u[dl] = lo;
    u[dl + 1] = u[dl + 1]! + u[sl + 1]! + (lo > 0xffffffff ? 1 : 0);
  }
};

const psubq: LaneOp = (x, d, s) => {
  const u = x.i32;
  for (let k = 0; k < 2; k++) {
    const dl = d * 4 + k * 2, sl = s * 4 + k * 2;
    const lo = (u[dl]! >>> 0) - (u[sl]! >>> 0);
    u[dl] = lo;
    u[dl + 1] = u[dl + 1]! - u[sl + 1]! - (lo < 0 ? 1 : 0);
  }
};

/** pmuludq: unsigned 32x32 -> 64 products of dword lanes 0 and 2. */
const pmuludq: LaneOp = (x, d, s) => {
  const u = x.i32;
  for (let k = 0; k < 4; k += 2) {
    const a = u[d * 4 + k]! >>> 0, b = u[s * 4 + k]! >>> 0;
    u[d * 4 + k] = Math.imul(a, b);
    u[d * 4 + k + 1] = mulHiU32(a, b);
  }
};

/** pmaddwd: signed 16x16 products, adjacent pairs summed into dwords (0x8000 * 0x8000 * 2 wraps to 0x80000000). */
const pmaddwd: LaneOp = (x, d, s) => {
  const w = x.i16, I = x.i32;
  for (let k = 0; k < 4; k++) {
    const a0 = w[d * 8 + 2 * k]!, a1 = w[d * 8 + 2 * k + 1]!, b0 = w[s * 8 + 2 * k]!, b1 = w[s * 8 + 2 * k + 1]!;
    I[d * 4 + k] = (a0 * b0 + a1 * b1) | 0;
  }
};

/** psadbw: sums of absolute byte differences of each 8-byte half, in the low word of each qword. */
const psadbw: LaneOp = (x, d, s) => {
  const u = x.u8, I = x.i32;
  for (let h = 0; h < 2; h++) {
    let sum = 0;
    for (let i = 0; i < 8; i++) {
      const v = u[d * 16 + h * 8 + i]! - u[s * 16 + h * 8 + i]!;
      sum += v < 0 ? -v : v;
    }
    I[d * 4 + h * 2] = sum;
    I[d * 4 + h * 2 + 1] = 0;
  }
};

const sx8 = (v: number): number => (v << 24) >> 24;
const sx16 = (v: number): number => (v << 16) >> 16;

/** Interleave low or high halves (punpckl and punpckh forms, unpcklps, unpcklpd ...). */
function unpack(bytes: 1 | 2 | 4 | 8, high: boolean): LaneOp {
  const start = high ? 8 : 0;
  return (x, d, s) => {
    const u = x.u8;
    const a = snapshot(x.i32, d) * 16;
    const b = s === d ? a : s * 16;
    let o = d * 16;
    for (let i = 0; i < 8; i += bytes) {
      for (let k = 0; k < bytes; k++) u[o++] = u[a + start + i + k]!;
      for (let k = 0; k < bytes; k++) u[o++] = u[b + start + i + k]!;
    }
  };
}

/** packsswb/packssdw/packuswb: narrow dst's then src's lanes with saturation. */
function pack(from: 2 | 4, signedOut: boolean): LaneOp {
  const lo = signedOut ? (from === 2 ? -128 : -32768) : 0;
  const hi = signedOut ? (from === 2 ? 127 : 32767) : from === 2 ? 255 : 65535;
  const n = 16 / from;
  return (x, d, s) => {
    const a = snapshot(x.i32, d);
    const b = s === d ? a : s;
    for (let i = 0; i < 2 * n; i++) {
      const r = i < n ? a : b, k = i < n ? i : i - n;
      const v = from === 2 ? x.i16[r * 8 + k]! : x.i32[r * 4 + k]!;
      const c = v < lo ? lo : v > hi ? hi : v;
      if (from === 2) x.u8[d * 16 + i] = c;
      else x.u16[d * 8 + i] = c;
    }
  };
}

// ---- shifts by immediate or register ---------------------------------------------------

function shiftLanes(bytes: 2 | 4 | 8, kind: "l" | "r" | "a"): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    if (!isXmm(d)) return undefined;
    const x = cpu.xmm;
    const count: () => number =
      s.kind === OpK.Imm
        ? ((n: number) => () => n)(s.immLo & 0xff)
        : ((src) => () => {
            const b = src() * 4;
            return x.i32[b + 1] !== 0 || x.i32[b]! >>> 0 > 255 ? 255 : x.i32[b]! >>> 0;
          })(xmmSource(cpu, s, 16, true));
    const dr = d.reg;
    return () => {
      const n = count();
      if (bytes === 8) {
        for (let k = 0; k < 2; k++) {
          const i = dr * 4 + k * 2;
          let lo = x.i32[i]! >>> 0, hi = x.i32[i + 1]! >>> 0;
          if (n >= 64) {
            lo = 0;
            hi = 0;
          } else if (kind === "l") {
            if (n >= 32) {
              hi = lo << (n - 32);
              lo = 0;
            } else if (n > 0) {
              hi = (hi << n) | (lo >>> (32 - n));
              lo = lo << n;
            }
          } else if (n >= 32) {
            lo = hi >>> (n - 32);
            hi = 0;
          } else if (n > 0) {
            lo = (lo >>> n) | (hi << (32 - n));
            hi = hi >>> n;
          }
          x.i32[i] = lo;
          x.i32[i + 1] = hi;
        }
        return;
      }
      const lanes = 16 / bytes;
      for (let i = 0; i < lanes; i++) {
        if (bytes === 2) {
          const v = x.u16[dr * 8 + i]!;
          x.u16[dr * 8 + i] = kind === "l" ? (n >= 16 ? 0 : v << n) : kind === "r" ? (n >= 16 ? 0 : v >>> n) : sx16(v) >> Math.min(n, 15);
        } else {
          const v = x.i32[dr * 4 + i]!;
          x.i32[dr * 4 + i] = kind === "l" ? (n >= 32 ? 0 : v << n) : kind === "r" ? (n >= 32 ? 0 : v >>> n) : v >> Math.min(n, 31);
        }
      }
    };
  };
}

/** pslldq/psrldq: byte shifts of the whole register. */
function byteShift(left: boolean): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    const n = Math.min(s.immLo & 0xff, 16);
    const x = cpu.xmm;
    const u = x.u8;
    const b = d.reg * 16, t = SCR * 16;
    return () => {
      snapshot(x.i32, d.reg);
      for (let i = 0; i < 16; i++) {
        const from = left ? i - n : i + n;
        u[b + i] = from >= 0 && from < 16 ? u[t + from]! : 0;
      }
    };
  };
}

/** pshufd/pshuflw/pshufhw and shufps/shufpd: immediate-controlled shuffles. */
function shuffle(kind: "d" | "lw" | "hw" | "ps" | "pd"): Builder {
  return (cpu, insn) => {
    const [d, s, i] = insn.ops as [Operand, Operand, Operand];
    if (!isXmm(d)) return undefined;
    const imm = i.immLo & 0xff;
    const src = xmmSource(cpu, s, 16, true);
    const x = cpu.xmm;
    const I = x.i32, W = x.u16;
    const dr = d.reg, db = dr * 4;
    return () => {
      const sr = src();
      switch (kind) {
        case "d": {
          const b = snapshot(I, sr) * 4;
          for (let k = 0; k < 4; k++) I[db + k] = I[b + ((imm >> (2 * k)) & 3)]!;
          return;
        }
        case "ps": {
          const a = snapshot(I, dr) * 4;
          const b = sr === dr ? a : sr * 4;
          I[db] = I[a + (imm & 3)]!;
          I[db + 1] = I[a + ((imm >> 2) & 3)]!;
          I[db + 2] = I[b + ((imm >> 4) & 3)]!;
          I[db + 3] = I[b + ((imm >> 6) & 3)]!;
          return;
        }
        case "pd": {
          const a = snapshot(I, dr) * 4;
          const b = sr === dr ? a : sr * 4;
          const lo = imm & 1 ? 2 : 0, hi = imm & 2 ? 2 : 0;
          I[db] = I[a + lo]!;
          I[db + 1] = I[a + lo + 1]!;
          I[db + 2] = I[b + hi]!;
          I[db + 3] = I[b + hi + 1]!;
          return;
        }
        case "lw": {
          const w = snapshot(I, sr) * 8;
          for (let k = 0; k < 4; k++) W[dr * 8 + k] = W[w + ((imm >> (2 * k)) & 3)]!;
          for (let k = 4; k < 8; k++) W[dr * 8 + k] = W[w + k]!;
          return;
        }
        default: {
          const w = snapshot(I, sr) * 8;
          for (let k = 0; k < 4; k++) W[dr * 8 + k] = W[w + k]!;
          for (let k = 0; k < 4; k++) W[dr * 8 + 4 + k] = W[w + 4 + ((imm >> (2 * k)) & 3)]!;
        }
      }
    };
  };
}

// ---- floating point ---------------------------------------------------------------------

type FOp2 = (a: number, b: number) => number;

const fadd: FOp2 = (a, b) => a + b;
const fsub: FOp2 = (a, b) => a - b;
const fmul: FOp2 = (a, b) => a * b;
const fdiv: FOp2 = (a, b) => a / b;

/** add/sub/mul/div on `lanes` lanes (1 = scalar: the other lanes of dst are kept). */
function arithF(double: boolean, lanes: number, f: FOp2): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    if (!isXmm(d)) return undefined;
    const scalar = lanes === 1;
    const src = xmmSource(cpu, s, scalar ? (double ? 8 : 4) : 16, !scalar);
    const x = cpu.xmm;
    const F64 = x.f64, F32 = x.f32, I = x.i32;
    const dr = d.reg;
    if (double) {
      if (scalar)
        return () => {
          const sr = src();
          const r = f(F64[dr * 2]!, F64[sr * 2]!);
          if (r === r) F64[dr * 2] = r;
          else nan64(I, dr * 4, sr * 4);
        };
      return () => {
        const sr = src();
        for (let k = 0; k < 2; k++) {
          const r = f(F64[dr * 2 + k]!, F64[sr * 2 + k]!);
          if (r === r) F64[dr * 2 + k] = r;
          else nan64(I, dr * 4 + 2 * k, sr * 4 + 2 * k);
        }
      };
    }
    return () => {
      const sr = src();
      for (let k = 0; k < lanes; k++) {
        const r = Math.fround(f(F32[dr * 4 + k]!, F32[sr * 4 + k]!));
        if (r === r) F32[dr * 4 + k] = r;
        else nan32(I, dr * 4 + k, sr * 4 + k);
      }
    };
  };
}

/** min/max: the second operand (bits copied as they are) unless the first is strictly less/greater. */
function minmaxF(double: boolean, lanes: number, min: boolean): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    if (!isXmm(d)) return undefined;
    const scalar = lanes === 1;
    const src = xmmSource(cpu, s, scalar ? (double ? 8 : 4) : 16, !scalar);
    const x = cpu.xmm;
    const F64 = x.f64, F32 = x.f32, I = x.i32;
    const dr = d.reg;
    if (double)
      return () => {
        const sr = src();
        for (let k = 0; k < lanes; k++) {
          const a = F64[dr * 2 + k]!, b = F64[sr * 2 + k]!;
          if (min ? a < b : a > b) continue;
          I[dr * 4 + 2 * k] = I[sr * 4 + 2 * k]!;
          I[dr * 4 + 2 * k + 1] = I[sr * 4 + 2 * k + 1]!;
        }
      };
    return () => {
      const sr = src();
      for (let k = 0; k < lanes; k++) {
        const a = F32[dr * 4 + k]!, b = F32[sr * 4 + k]!;
        if (!(min ? a < b : a > b)) I[dr * 4 + k] = I[sr * 4 + k]!;
      }
    };
  };
}

function sqrtF(double: boolean, lanes: number): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    if (!isXmm(d)) return undefined;
    const scalar = lanes === 1;
    const src = xmmSource(cpu, s, scalar ? (double ? 8 : 4) : 16, !scalar);
    const x = cpu.xmm;
    const F64 = x.f64, F32 = x.f32, I = x.i32;
    const dr = d.reg;
    if (double)
      return () => {
        const sr = src();
        for (let k = 0; k < lanes; k++) {
          const r = Math.sqrt(F64[sr * 2 + k]!);
          if (r === r) F64[dr * 2 + k] = r;
          else nanUnary64(I, dr * 4 + 2 * k, sr * 4 + 2 * k);
        }
      };
    return () => {
      const sr = src();
      for (let k = 0; k < lanes; k++) {
        const r = Math.fround(Math.sqrt(F32[sr * 4 + k]!));
        if (r === r) F32[dr * 4 + k] = r;
        else nanUnary32(I, dr * 4 + k, sr * 4 + k);
      }
    };
  };
}

/** ucomisd/comisd/ucomiss/comiss: ZF PF CF from an unordered compare; OF SF AF cleared. */
function compareFlags(double: boolean): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    if (!isXmm(d)) return undefined;
    const src = xmmSource(cpu, s, double ? 8 : 4, false);
    const x = cpu.xmm;
    const dr = d.reg;
    const fl = cpu.fl;
    return () => {
      const sr = src();
      const a = double ? x.f64[dr * 2]! : x.f32[dr * 4]!;
      const b = double ? x.f64[sr * 2]! : x.f32[sr * 4]!;
      let f = fl.get() & ~(CF | PF | AF | ZF | SF | OF);
      if (a !== a || b !== b) f |= ZF | PF | CF;
      else if (a < b) f |= CF;
      else if (a === b) f |= ZF;
      fl.put(f);
    };
  };
}

/** cmpsd/cmpss/cmppd/cmpps predicate 0..7: eq lt le unord neq nlt nle ord. */
function cmpPredicate(p: number, a: number, b: number): boolean {
  const un = a !== a || b !== b;
  switch (p & 7) {
    case 0: return !un && a === b;
    case 1: return !un && a < b;
    case 2: return !un && a <= b;
    case 3: return un;
    case 4: return un || a !== b;
    case 5: return un || !(a < b);
    case 6: return un || !(a <= b);
    default: return !un;
  }
}

function cmpF(double: boolean, scalar: boolean): Builder {
  return (cpu, insn) => {
    const [d, s, i] = insn.ops as [Operand, Operand, Operand];
    if (!isXmm(d)) return undefined;
    const p = i.immLo & 7;
    const src = xmmSource(cpu, s, scalar ? (double ? 8 : 4) : 16, !scalar);
    const x = cpu.xmm;
    const dr = d.reg;
    const lanes = scalar ? 1 : double ? 2 : 4;
    return () => {
      const sr = src();
      for (let k = 0; k < lanes; k++) {
        if (double) {
          const r = cmpPredicate(p, x.f64[dr * 2 + k]!, x.f64[sr * 2 + k]!) ? -1 : 0;
          x.i32[dr * 4 + k * 2] = r;
          x.i32[dr * 4 + k * 2 + 1] = r;
        } else x.i32[dr * 4 + k] = cmpPredicate(p, x.f32[dr * 4 + k]!, x.f32[sr * 4 + k]!) ? -1 : 0;
      }
    };
  };
}

// ---- conversions ---------------------------------------------------------------------------

/** Round to nearest even (MXCSR.RC = 0). */
function roundEven(v: number): number {
  let r = Math.round(v); // ties toward +infinity
  if (r - v === 0.5 && r % 2 !== 0) r -= 1;
  return r;
}

/** Round per MXCSR.RC (bits 13-14): nearest even, down, up, toward zero. */
export function roundRC(v: number, rc: number): number {
  switch (rc) {
    case 0:
      return roundEven(v);
    case 1:
      return Math.floor(v);
    case 2:
      return Math.ceil(v);
    default:
      return Math.trunc(v);
  }
}

/** Integer conversion to 32 bits: NaN and out-of-range give the integer indefinite 0x80000000. */
export function toI32(r: number): number {
  return r >= -2147483648 && r <= 2147483647 ? r | 0 : 0x80000000 | 0;
}

/** Result halves of toI64 (module scratch, no allocation). */
let cvLo = 0;
let cvHi = 0;

/** Integer conversion to 64 bits of an integral double: the indefinite value 0x8000000000000000 if out of range. */
function toI64(r: number): void {
  if (!(r >= -9223372036854775808 && r < 9223372036854775808)) {
    cvLo = 0;
    cvHi = 0x80000000 | 0;
    return;
  }
  const hi = Math.floor(r / TWO32);
  cvLo = (r - hi * TWO32) | 0;
  cvHi = hi | 0;
}

/** cvttsd2si/cvtsd2si/cvttss2si/cvtss2si (truncating, or rounding per MXCSR.RC). */
function cvtToInt(double: boolean, round: boolean): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    const src = xmmSource(cpu, s, double ? 8 : 4, false);
    const x = cpu.xmm;
    const L = cpu.lo, H = cpu.hi;
    const r = d.reg;
    if (d.size === 8)
      return () => {
        const v = double ? x.f64[src() * 2]! : x.f32[src() * 4]!;
        toI64(round ? roundRC(v, (cpu.mxcsr >> 13) & 3) : Math.trunc(v));
        L[r] = cvLo;
        H[r] = cvHi;
      };
    return () => {
      const v = double ? x.f64[src() * 2]! : x.f32[src() * 4]!;
      L[r] = toI32(round ? roundRC(v, (cpu.mxcsr >> 13) & 3) : Math.trunc(v));
      H[r] = 0;
    };
  };
}

/** A signed 64-bit integer (lo, hi) rounded once to single precision. */
function i64ToF32(lo: number, hi: number): number {
  const neg = hi < 0;
  let ml = lo >>> 0, mh = hi >>> 0;
  if (neg) {
    ml = (~lo + 1) >>> 0;
    mh = (~hi + (ml === 0 ? 1 : 0)) >>> 0;
  }
  // Above 2^53 the double sum below would round first: fold the bits a double
  // cannot hold into a sticky bit (round to odd), so the one rounding that
  // matters, to 24 bits, sees the exact value's direction.
  if (mh >= 0x200000 && (ml & 0x7ff) !== 0) ml = ((ml & ~0x7ff) | 0x800) >>> 0;
  const m = mh * TWO32 + ml;
  return Math.fround(neg ? -m : m);
}

/** cvtsi2sd/cvtsi2ss from a 32/64-bit integer: the low lane only. */
function cvtFromInt(double: boolean): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    if (!isXmm(d)) return undefined;
    const x = cpu.xmm;
    const dr = d.reg;
    if (s.size === 8) {
      const src = reader64(cpu, s);
      if (double)
        return () => {
          const lo = src();
          x.f64[dr * 2] = cpu.thi * TWO32 + (lo >>> 0); // hi * 2^32 is exact: one rounding, in the addition
        };
      return () => {
        const lo = src();
        x.f32[dr * 4] = i64ToF32(lo, cpu.thi);
      };
    }
    const src = reader(cpu, s, 4);
    return () => {
      const v = src() | 0;
      if (double) x.f64[dr * 2] = v;
      else x.f32[dr * 4] = Math.fround(v);
    };
  };
}

/** cvtsd2ss / cvtss2sd: the low lane only. */
function cvtPrecision(toDbl: boolean): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    if (!isXmm(d)) return undefined;
    const src = xmmSource(cpu, s, toDbl ? 4 : 8, false);
    const x = cpu.xmm;
    const db = d.reg * 4;
    if (toDbl)
      return () => {
        const sb = src() * 4;
        if (sb === db) {
          // the double overwrites the single's dword before the high word is written
          x.i32[TMP * 4] = x.i32[sb]!;
          toDouble(x, db, TMP * 4);
        } else toDouble(x, db, sb);
      };
    return () => toSingle(x, db, src() * 4);
  };
}

/** Packed conversions between int32, single and double lanes. */
function cvtPacked(kind: "dq2pd" | "dq2ps" | "tpd2dq" | "pd2dq" | "tps2dq" | "ps2dq" | "pd2ps" | "ps2pd"): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    if (!isXmm(d)) return undefined;
    const narrowSrc = kind === "dq2pd" || kind === "ps2pd";
    const src = xmmSource(cpu, s, narrowSrc ? 8 : 16, !narrowSrc);
    const x = cpu.xmm;
    const I = x.i32, F32 = x.f32, F64 = x.f64;
    const dr = d.reg, db = dr * 4;
    return () => {
      const sb = snapshot(I, src()) * 4; // the destination may be the source
      const rc = (cpu.mxcsr >> 13) & 3;
      switch (kind) {
        case "dq2pd":
          F64[dr * 2] = I[sb]!;
          F64[dr * 2 + 1] = I[sb + 1]!;
          return;
        case "dq2ps":
          for (let k = 0; k < 4; k++) F32[db + k] = Math.fround(I[sb + k]!);
          return;
        case "tpd2dq":
        case "pd2dq": {
          const a = F64[sb >> 1]!, b = F64[(sb >> 1) + 1]!;
          I[db] = toI32(kind === "tpd2dq" ? Math.trunc(a) : roundRC(a, rc));
          I[db + 1] = toI32(kind === "tpd2dq" ? Math.trunc(b) : roundRC(b, rc));
          I[db + 2] = 0;
          I[db + 3] = 0;
          return;
        }
        case "tps2dq":
          for (let k = 0; k < 4; k++) I[db + k] = toI32(Math.trunc(F32[sb + k]!));
          return;
        case "ps2dq":
          for (let k = 0; k < 4; k++) I[db + k] = toI32(roundRC(F32[sb + k]!, rc));
          return;
        case "pd2ps":
          toSingle(x, db, sb);
          toSingle(x, db + 1, sb + 2);
          I[db + 2] = 0;
          I[db + 3] = 0;
          return;
        default:
          toDouble(x, db, sb);
          toDouble(x, db + 2, sb + 1);
      }
    };
  };
}

// ---- SSE3 -----------------------------------------------------------------------------------

/** movddup: both qwords = the source's low qword (m64: no alignment); movsldup/movshdup: even/odd dwords duplicated. */
function dup(kind: "ddup" | "sldup" | "shdup"): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    if (!isXmm(d)) return undefined;
    const src = xmmSource(cpu, s, kind === "ddup" ? 8 : 16, true);
    const I = cpu.xmm.i32;
    const db = d.reg * 4;
    if (kind === "ddup")
      return () => {
        const sb = src() * 4;
        const lo = I[sb]!, hi = I[sb + 1]!;
        I[db] = lo;
        I[db + 1] = hi;
        I[db + 2] = lo;
        I[db + 3] = hi;
      };
    const k = kind === "sldup" ? 0 : 1;
    return () => {
      const sb = src() * 4;
      const a = I[sb + k]!, b = I[sb + 2 + k]!;
      I[db] = a;
      I[db + 1] = a;
      I[db + 2] = b;
      I[db + 3] = b;
    };
  };
}

/**
 * One double lane r = f(a, b) with the SSE NaN rules, a, b, r being i32
 * offsets into the XMM file (r may alias a or b: both are read first).
 */
function lane64(x: XmmFile, f: FOp2, r: number, a: number, b: number): void {
  const v = f(x.f64[a >> 1]!, x.f64[b >> 1]!);
  if (v === v) {
    x.f64[r >> 1] = v;
    return;
  }
  const I = x.i32;
  if (isNaN64(I, a)) {
    const lo = I[a]!, hi = I[a + 1]! | 0x80000;
    I[r] = lo;
    I[r + 1] = hi;
  } else if (isNaN64(I, b)) {
    const lo = I[b]!, hi = I[b + 1]! | 0x80000;
    I[r] = lo;
    I[r + 1] = hi;
  } else {
    I[r] = 0;
    I[r + 1] = 0xfff80000 | 0;
  }
}

/** The single-precision lane32 of lane64. */
function lane32(x: XmmFile, f: FOp2, r: number, a: number, b: number): void {
  const v = Math.fround(f(x.f32[a]!, x.f32[b]!));
  if (v === v) {
    x.f32[r] = v;
    return;
  }
  const I = x.i32;
  const va = I[a]!, vb = I[b]!;
  I[r] = isNaN32(va) ? va | 0x400000 : isNaN32(vb) ? vb | 0x400000 : 0xffc00000 | 0;
}

/**
 * haddpd/hsubpd/haddps/hsubps (horizontal: adjacent lanes of dst, then of src)
 * and addsubpd/addsubps (even lanes subtract, odd lanes add). The operands are
 * snapshots, so dst == src needs no care.
 */
function horizontalF(double: boolean, kind: "hadd" | "hsub" | "addsub"): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    if (!isXmm(d)) return undefined;
    const src = xmmSource(cpu, s, 16, true);
    const x = cpu.xmm;
    const I = x.i32;
    const db = d.reg * 4;
    const A = SCR * 4, B = TMP * 4;
    return () => {
      const sr = src();
      if (sr !== TMP) {
        I[B] = I[sr * 4]!;
        I[B + 1] = I[sr * 4 + 1]!;
        I[B + 2] = I[sr * 4 + 2]!;
        I[B + 3] = I[sr * 4 + 3]!;
      }
      snapshot(I, d.reg);
      if (double) {
        if (kind === "addsub") {
          lane64(x, fsub, db, A, B);
          lane64(x, fadd, db + 2, A + 2, B + 2);
        } else {
          const f = kind === "hadd" ? fadd : fsub;
          lane64(x, f, db, A, A + 2);
          lane64(x, f, db + 2, B, B + 2);
        }
        return;
      }
      if (kind === "addsub") {
        for (let k = 0; k < 4; k++) lane32(x, k & 1 ? fadd : fsub, db + k, A + k, B + k);
        return;
      }
      const f = kind === "hadd" ? fadd : fsub;
      lane32(x, f, db, A, A + 1);
      lane32(x, f, db + 1, A + 2, A + 3);
      lane32(x, f, db + 2, B, B + 1);
      lane32(x, f, db + 3, B + 2, B + 3);
    };
  };
}

// ---- SSSE3 -----------------------------------------------------------------------------------

/** pshufb: dst byte i = 0 if control byte i has bit 7 set, else the old dst byte (control & 15). */
const pshufb: LaneOp = (x, d, s) => {
  const u = x.u8;
  const t = snapshot(x.i32, d) * 16;
  const c = s === d ? t : s * 16;
  const o = d * 16;
  for (let i = 0; i < 16; i++) {
    const k = u[c + i]!;
    u[o + i] = k & 0x80 ? 0 : u[t + (k & 15)]!;
  }
};

/** palignr: the 32-byte dst:src (dst high) shifted right by imm bytes, low 16 bytes kept (zeros past the end). */
const palignr: Builder = (cpu, insn) => {
  const [d, s, i] = insn.ops as [Operand, Operand, Operand];
  if (!isXmm(d)) return undefined;
  const n = i.immLo & 0xff;
  const src = xmmSource(cpu, s, 16, true);
  const x = cpu.xmm;
  const u = x.u8;
  const o = d.reg * 16;
  return () => {
    const sr = src();
    const hi = snapshot(x.i32, d.reg) * 16;
    const lo = sr === d.reg ? hi : sr * 16;
    for (let k = 0; k < 16; k++) {
      const j = k + n;
      u[o + k] = j < 16 ? u[lo + j]! : j < 32 ? u[hi + j - 16]! : 0;
    }
  };
};

/** pabsb/pabsw/pabsd: dst = |src| per lane (the most negative value stays as its unsigned magnitude). */
function pabs(bytes: 1 | 2 | 4): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    if (!isXmm(d)) return undefined;
    const src = xmmSource(cpu, s, 16, true);
    const x = cpu.xmm;
    const dr = d.reg;
    if (bytes === 1)
      return () => {
        const sr = src();
        for (let k = 0; k < 16; k++) x.u8[dr * 16 + k] = Math.abs(x.i8[sr * 16 + k]!);
      };
    if (bytes === 2)
      return () => {
        const sr = src();
        for (let k = 0; k < 8; k++) x.u16[dr * 8 + k] = Math.abs(x.i16[sr * 8 + k]!);
      };
    return () => {
      const sr = src();
      for (let k = 0; k < 4; k++) x.i32[dr * 4 + k] = Math.abs(x.i32[sr * 4 + k]!); // 2^31 wraps back to 0x80000000
    };
  };
}

/** psignb/psignw/psignd: dst negated where src < 0, zeroed where src == 0. */
function psign(bytes: 1 | 2 | 4): LaneOp {
  return laneInt(bytes, (a, b) => {
    const sb = bytes === 1 ? sx8(b) : bytes === 2 ? sx16(b) : b;
    return sb < 0 ? -a : sb === 0 ? 0 : a;
  });
}

/** phaddw/phaddd/phaddsw/phsubw/phsubd/phsubsw: adjacent pairs of dst, then of src. */
function horizontalInt(bytes: 2 | 4, sub: boolean, sat: boolean): LaneOp {
  return (x, d, s) => {
    const a = snapshot(x.i32, d);
    const b = s === d ? a : s;
    if (bytes === 4) {
      const I = x.i32;
      for (let k = 0; k < 4; k++) {
        const r = k < 2 ? a : b, j = (k & 1) * 2;
        I[d * 4 + k] = sub ? I[r * 4 + j]! - I[r * 4 + j + 1]! : I[r * 4 + j]! + I[r * 4 + j + 1]!;
      }
      return;
    }
    const W = x.i16;
    for (let k = 0; k < 8; k++) {
      const r = k < 4 ? a : b, j = (k & 3) * 2;
      let v = sub ? W[r * 8 + j]! - W[r * 8 + j + 1]! : W[r * 8 + j]! + W[r * 8 + j + 1]!;
      if (sat) v = v < -32768 ? -32768 : v > 32767 ? 32767 : v;
      W[d * 8 + k] = v;
    }
  };
}

/** pmaddubsw: unsigned dst bytes times signed src bytes, adjacent products summed with signed saturation. */
const pmaddubsw: LaneOp = (x, d, s) => {
  const u = x.u8, i8 = x.i8, W = x.i16;
  for (let k = 0; k < 8; k++) {
    const v = u[d * 16 + 2 * k]! * i8[s * 16 + 2 * k]! + u[d * 16 + 2 * k + 1]! * i8[s * 16 + 2 * k + 1]!;
    W[d * 8 + k] = v < -32768 ? -32768 : v > 32767 ? 32767 : v;
  }
};

/** pmulhrsw: signed 16x16 products, scaled by 2^-15 with rounding: ((a * b >> 14) + 1) >> 1. */
const pmulhrsw: LaneOp = (x, d, s) => {
  const W = x.i16;
  for (let k = 0; k < 8; k++) W[d * 8 + k] = (((W[d * 8 + k]! * W[s * 8 + k]!) >> 14) + 1) >> 1;
};

// ---- SSE4.1 ----------------------------------------------------------------------------------

/**
 * roundsd/roundss/roundpd/roundps: imm bits 0-1 the rounding (nearest even,
 * down, up, toward zero), bit 2 use MXCSR.RC instead, bit 3 suppress the
 * inexact flag (not modelled anyway). The result keeps the sign (-0.5 -> -0);
 * an SNaN is quieted. Integral values of either width are exact as doubles,
 * so single lanes are rounded in double.
 */
function roundF(double: boolean, scalar: boolean): Builder {
  return (cpu, insn) => {
    const [d, s, i] = insn.ops as [Operand, Operand, Operand];
    if (!isXmm(d)) return undefined;
    const imm = i.immLo & 0xff;
    const src = xmmSource(cpu, s, scalar ? (double ? 8 : 4) : 16, !scalar);
    const x = cpu.xmm;
    const F64 = x.f64, F32 = x.f32, I = x.i32;
    const dr = d.reg;
    const lanes = scalar ? 1 : double ? 2 : 4;
    return () => {
      const sr = src();
      const rc = imm & 4 ? (cpu.mxcsr >> 13) & 3 : imm & 3;
      for (let k = 0; k < lanes; k++) {
        if (double) {
          const v = F64[sr * 2 + k]!;
          if (v === v) F64[dr * 2 + k] = roundRC(v, rc);
          else nanUnary64(I, dr * 4 + 2 * k, sr * 4 + 2 * k);
        } else {
          const v = F32[sr * 4 + k]!;
          if (v === v) F32[dr * 4 + k] = roundRC(v, rc);
          else nanUnary32(I, dr * 4 + k, sr * 4 + k);
        }
      }
    };
  };
}

// ---- SSE state -------------------------------------------------------------------------------

/** MXCSR_MASK as fxsave reports it: every defined bit, DAZ included (ldmxcsr's #GP check agrees). */
const MXCSR_MASK = 0xffff;

/**
 * fxsave/fxsave64 m512: FCW FSW, the abridged tag byte, MXCSR and its mask,
 * st0..st7 (16-byte slots) and xmm0..xmm15, written as bytes 0..415 with
 * every reserved byte zero; bytes 416..511 are left alone, as the hardware
 * does. FOP, FIP and FDP are stored as 0 (no x87 instruction pointers are
 * tracked; AMD processors store 0 too unless an exception is pending), so the
 * 32- and 64-bit-pointer forms write the same image. #GP if not 16-byte aligned.
 * ld.so's _dl_runtime_resolve_fxsave runs one per lazily bound call.
 */
const fxsave: Builder = (cpu, insn) => {
  const ea = makeEA(cpu, insn.ops[0]!);
  const img = new Uint8Array(416);
  const dv = new DataView(img.buffer);
  const xu = cpu.xmm.u8;
  return () => {
    const a = ea();
    if (a % 16 !== 0) throw misaligned();
    img.fill(0);
    fxsaveX87(cpu, img);
    dv.setUint32(24, cpu.mxcsr, true);
    dv.setUint32(28, MXCSR_MASK, true);
    img.set(xu.subarray(0, 256), 160);
    cpu.mem.writeBytes(a, img);
  };
};

/** fxrstor/fxrstor64 m512: the inverse; #GP (nothing loaded) if misaligned or MXCSR has bits outside MXCSR_MASK. */
const fxrstor: Builder = (cpu, insn) => {
  const ea = makeEA(cpu, insn.ops[0]!);
  const xu = cpu.xmm.u8;
  return () => {
    const a = ea();
    if (a % 16 !== 0) throw misaligned();
    const img = cpu.mem.readBytes(a, 416);
    const csr = (img[24]! | (img[25]! << 8) | (img[26]! << 16) | (img[27]! << 24)) >>> 0;
    if (csr & ~MXCSR_MASK) throw new CpuException(X86_TRAP_GP, 0, "reserved MXCSR bits");
    fxrstorX87(cpu, img);
    cpu.mxcsr = csr;
    xu.set(img.subarray(160, 416), 0);
  };
};

const ldmxcsr: Builder = (cpu, insn) => {
  const src = reader(cpu, insn.ops[0]!, 4);
  return () => {
    const v = src();
    if (v > 0xffff) throw new CpuException(X86_TRAP_GP, 0, "reserved MXCSR bits"); // MXCSR_MASK is 0xffff
    cpu.mxcsr = v;
  };
};

const stmxcsr: Builder = (cpu, insn) => {
  const dst = writer(cpu, insn.ops[0]!, 4);
  return () => dst(cpu.mxcsr);
};

/** A builder for XMM instructions: operands that are MMX (or other non-XMM, non-GPR) registers are not implemented (#UD). */
function xmmOnly(b: Builder): Builder {
  return (cpu, insn, k) => {
    for (const o of insn.ops) if (o.kind === OpK.Reg && o.cls !== RegClass.Xmm && o.cls !== RegClass.Gpr) return undefined;
    return b(cpu, insn, k);
  };
}

/** movsd and cmpsd share mnemonics with the string instructions; string.ts forwards non-string forms here. */
export const sseMovsd: Builder = xmmOnly(movScalar(8));
export const sseCmpsd: Builder = xmmOnly(cmpF(true, true));

const and = (a: number, b: number): number => a & b;
const andn = (a: number, b: number): number => ~a & b;
const or = (a: number, b: number): number => a | b;
const xor = (a: number, b: number): number => a ^ b;

const table: [Mnemonic, Builder][] = [
  [Mnemonic.Movaps, move128],
  [Mnemonic.Movups, move128],
  [Mnemonic.Movapd, move128],
  [Mnemonic.Movupd, move128],
  [Mnemonic.Movdqa, move128],
  [Mnemonic.Movdqu, move128],
  [Mnemonic.Lddqu, move128],
  [Mnemonic.Movntdq, move128],
  [Mnemonic.Movntps, move128],
  [Mnemonic.Movntpd, move128],
  [Mnemonic.Movnti, movnti],
  [Mnemonic.Maskmovdqu, maskmovdqu],
  [Mnemonic.Movd, movdq(4)],
  [Mnemonic.Movq, movdq(8)],
  [Mnemonic.Movss, movScalar(4)],
  [Mnemonic.Movlps, movHalf(false)],
  [Mnemonic.Movlpd, movHalf(false)],
  [Mnemonic.Movhps, movHalf(true)],
  [Mnemonic.Movhpd, movHalf(true)],
  [Mnemonic.Movhlps, movHL(true)],
  [Mnemonic.Movlhps, movHL(false)],
  [Mnemonic.Movmskps, movmsk(4)],
  [Mnemonic.Movmskpd, movmsk(2)],
  [Mnemonic.Pmovmskb, movmsk(16)],
  [Mnemonic.Pextrw, pextrw],
  [Mnemonic.Pinsrw, pinsrw],
  [Mnemonic.Pxor, packed(logic(xor))],
  [Mnemonic.Xorps, packed(logic(xor))],
  [Mnemonic.Xorpd, packed(logic(xor))],
  [Mnemonic.Por, packed(logic(or))],
  [Mnemonic.Orps, packed(logic(or))],
  [Mnemonic.Orpd, packed(logic(or))],
  [Mnemonic.Pand, packed(logic(and))],
  [Mnemonic.Andps, packed(logic(and))],
  [Mnemonic.Andpd, packed(logic(and))],
  [Mnemonic.Pandn, packed(logic(andn))],
  [Mnemonic.Andnps, packed(logic(andn))],
  [Mnemonic.Andnpd, packed(logic(andn))],
  [Mnemonic.Paddb, packed(laneInt(1, (a, b) => a + b))],
  [Mnemonic.Paddw, packed(laneInt(2, (a, b) => a + b))],
  [Mnemonic.Paddd, packed(laneInt(4, (a, b) => a + b))],
  [Mnemonic.Paddq, packed(paddq)],
  [Mnemonic.Psubb, packed(laneInt(1, (a, b) => a - b))],
  [Mnemonic.Psubw, packed(laneInt(2, (a, b) => a - b))],
  [Mnemonic.Psubd, packed(laneInt(4, (a, b) => a - b))],
  [Mnemonic.Psubq, packed(psubq)],
  [Mnemonic.Pcmpeqb, packed(laneInt(1, (a, b) => (a === b ? 0xff : 0)))],
  [Mnemonic.Pcmpeqw, packed(laneInt(2, (a, b) => (a === b ? 0xffff : 0)))],
  [Mnemonic.Pcmpeqd, packed(laneInt(4, (a, b) => (a === b ? -1 : 0)))],
  [Mnemonic.Pcmpgtb, packed(laneInt(1, (a, b) => (sx8(a) > sx8(b) ? 0xff : 0)))],
  [Mnemonic.Pcmpgtw, packed(laneInt(2, (a, b) => (sx16(a) > sx16(b) ? 0xffff : 0)))],
  [Mnemonic.Pcmpgtd, packed(laneInt(4, (a, b) => (a > b ? -1 : 0)))],
  [Mnemonic.Pminub, packed(laneInt(1, (a, b) => (a < b ? a : b)))],
  [Mnemonic.Pmaxub, packed(laneInt(1, (a, b) => (a > b ? a : b)))],
  [Mnemonic.Pminsw, packed(laneInt(2, (a, b) => (sx16(a) < sx16(b) ? a : b)))],
  [Mnemonic.Pmaxsw, packed(laneInt(2, (a, b) => (sx16(a) > sx16(b) ? a : b)))],
  [Mnemonic.Pavgb, packed(laneInt(1, (a, b) => (a + b + 1) >> 1))],
  [Mnemonic.Pavgw, packed(laneInt(2, (a, b) => (a + b + 1) >> 1))],
  [Mnemonic.Paddusb, packed(laneInt(1, (a, b) => (a + b > 255 ? 255 : a + b)))],
  [Mnemonic.Paddusw, packed(laneInt(2, (a, b) => (a + b > 65535 ? 65535 : a + b)))],
  [Mnemonic.Psubusb, packed(laneInt(1, (a, b) => (a > b ? a - b : 0)))],
  [Mnemonic.Psubusw, packed(laneInt(2, (a, b) => (a > b ? a - b : 0)))],
  [Mnemonic.Paddsb, packed(laneInt(1, (a, b) => Math.max(-128, Math.min(127, sx8(a) + sx8(b)))))],
  [Mnemonic.Paddsw, packed(laneInt(2, (a, b) => Math.max(-32768, Math.min(32767, sx16(a) + sx16(b)))))],
  [Mnemonic.Psubsb, packed(laneInt(1, (a, b) => Math.max(-128, Math.min(127, sx8(a) - sx8(b)))))],
  [Mnemonic.Psubsw, packed(laneInt(2, (a, b) => Math.max(-32768, Math.min(32767, sx16(a) - sx16(b)))))],
  [Mnemonic.Pmuludq, packed(pmuludq)],
  [Mnemonic.Pmullw, packed(laneInt(2, (a, b) => Math.imul(a, b)))],
  [Mnemonic.Pmulhw, packed(laneInt(2, (a, b) => (sx16(a) * sx16(b)) >> 16))],
  [Mnemonic.Pmulhuw, packed(laneInt(2, (a, b) => (a * b) >>> 16))],
  [Mnemonic.Pmaddwd, packed(pmaddwd)],
  [Mnemonic.Psadbw, packed(psadbw)],
  [Mnemonic.Punpcklbw, packed(unpack(1, false))],
  [Mnemonic.Punpcklwd, packed(unpack(2, false))],
  [Mnemonic.Punpckldq, packed(unpack(4, false))],
  [Mnemonic.Punpcklqdq, packed(unpack(8, false))],
  [Mnemonic.Punpckhbw, packed(unpack(1, true))],
  [Mnemonic.Punpckhwd, packed(unpack(2, true))],
  [Mnemonic.Punpckhdq, packed(unpack(4, true))],
  [Mnemonic.Punpckhqdq, packed(unpack(8, true))],
  [Mnemonic.Unpcklps, packed(unpack(4, false))],
  [Mnemonic.Unpckhps, packed(unpack(4, true))],
  [Mnemonic.Unpcklpd, packed(unpack(8, false))],
  [Mnemonic.Unpckhpd, packed(unpack(8, true))],
  [Mnemonic.Packsswb, packed(pack(2, true))],
  [Mnemonic.Packssdw, packed(pack(4, true))],
  [Mnemonic.Packuswb, packed(pack(2, false))],
  [Mnemonic.Psllw, shiftLanes(2, "l")],
  [Mnemonic.Pslld, shiftLanes(4, "l")],
  [Mnemonic.Psllq, shiftLanes(8, "l")],
  [Mnemonic.Psrlw, shiftLanes(2, "r")],
  [Mnemonic.Psrld, shiftLanes(4, "r")],
  [Mnemonic.Psrlq, shiftLanes(8, "r")],
  [Mnemonic.Psraw, shiftLanes(2, "a")],
  [Mnemonic.Psrad, shiftLanes(4, "a")],
  [Mnemonic.Pslldq, byteShift(true)],
  [Mnemonic.Psrldq, byteShift(false)],
  [Mnemonic.Pshufd, shuffle("d")],
  [Mnemonic.Pshuflw, shuffle("lw")],
  [Mnemonic.Pshufhw, shuffle("hw")],
  [Mnemonic.Shufps, shuffle("ps")],
  [Mnemonic.Shufpd, shuffle("pd")],
  [Mnemonic.Addsd, arithF(true, 1, fadd)],
  [Mnemonic.Subsd, arithF(true, 1, fsub)],
  [Mnemonic.Mulsd, arithF(true, 1, fmul)],
  [Mnemonic.Divsd, arithF(true, 1, fdiv)],
  [Mnemonic.Minsd, minmaxF(true, 1, true)],
  [Mnemonic.Maxsd, minmaxF(true, 1, false)],
  [Mnemonic.Sqrtsd, sqrtF(true, 1)],
  [Mnemonic.Addss, arithF(false, 1, fadd)],
  [Mnemonic.Subss, arithF(false, 1, fsub)],
  [Mnemonic.Mulss, arithF(false, 1, fmul)],
  [Mnemonic.Divss, arithF(false, 1, fdiv)],
  [Mnemonic.Minss, minmaxF(false, 1, true)],
  [Mnemonic.Maxss, minmaxF(false, 1, false)],
  [Mnemonic.Sqrtss, sqrtF(false, 1)],
  [Mnemonic.Addpd, arithF(true, 2, fadd)],
  [Mnemonic.Subpd, arithF(true, 2, fsub)],
  [Mnemonic.Mulpd, arithF(true, 2, fmul)],
  [Mnemonic.Divpd, arithF(true, 2, fdiv)],
  [Mnemonic.Minpd, minmaxF(true, 2, true)],
  [Mnemonic.Maxpd, minmaxF(true, 2, false)],
  [Mnemonic.Sqrtpd, sqrtF(true, 2)],
  [Mnemonic.Addps, arithF(false, 4, fadd)],
  [Mnemonic.Subps, arithF(false, 4, fsub)],
  [Mnemonic.Mulps, arithF(false, 4, fmul)],
  [Mnemonic.Divps, arithF(false, 4, fdiv)],
  [Mnemonic.Minps, minmaxF(false, 4, true)],
  [Mnemonic.Maxps, minmaxF(false, 4, false)],
  [Mnemonic.Sqrtps, sqrtF(false, 4)],
  [Mnemonic.Ucomisd, compareFlags(true)],
  [Mnemonic.Comisd, compareFlags(true)],
  [Mnemonic.Ucomiss, compareFlags(false)],
  [Mnemonic.Comiss, compareFlags(false)],
  [Mnemonic.Cmpss, cmpF(false, true)],
  [Mnemonic.Cmppd, cmpF(true, false)],
  [Mnemonic.Cmpps, cmpF(false, false)],
  [Mnemonic.Cvttsd2si, cvtToInt(true, false)],
  [Mnemonic.Cvtsd2si, cvtToInt(true, true)],
  [Mnemonic.Cvttss2si, cvtToInt(false, false)],
  [Mnemonic.Cvtss2si, cvtToInt(false, true)],
  [Mnemonic.Cvtsi2sd, cvtFromInt(true)],
  [Mnemonic.Cvtsi2ss, cvtFromInt(false)],
  [Mnemonic.Cvtsd2ss, cvtPrecision(false)],
  [Mnemonic.Cvtss2sd, cvtPrecision(true)],
  [Mnemonic.Cvtdq2pd, cvtPacked("dq2pd")],
  [Mnemonic.Cvtdq2ps, cvtPacked("dq2ps")],
  [Mnemonic.Cvttpd2dq, cvtPacked("tpd2dq")],
  [Mnemonic.Cvtpd2dq, cvtPacked("pd2dq")],
  [Mnemonic.Cvttps2dq, cvtPacked("tps2dq")],
  [Mnemonic.Cvtps2dq, cvtPacked("ps2dq")],
  [Mnemonic.Cvtpd2ps, cvtPacked("pd2ps")],
  [Mnemonic.Cvtps2pd, cvtPacked("ps2pd")],
  [Mnemonic.Fxsave, fxsave],
  [Mnemonic.Fxsave64, fxsave],
  [Mnemonic.Fxrstor, fxrstor],
  [Mnemonic.Fxrstor64, fxrstor],
  // SSE3
  [Mnemonic.Movddup, dup("ddup")],
  [Mnemonic.Movsldup, dup("sldup")],
  [Mnemonic.Movshdup, dup("shdup")],
  [Mnemonic.Haddpd, horizontalF(true, "hadd")],
  [Mnemonic.Hsubpd, horizontalF(true, "hsub")],
  [Mnemonic.Haddps, horizontalF(false, "hadd")],
  [Mnemonic.Hsubps, horizontalF(false, "hsub")],
  [Mnemonic.Addsubpd, horizontalF(true, "addsub")],
  [Mnemonic.Addsubps, horizontalF(false, "addsub")],
  // SSSE3
  [Mnemonic.Pshufb, packed(pshufb)],
  [Mnemonic.Palignr, palignr],
  [Mnemonic.Pabsb, pabs(1)],
  [Mnemonic.Pabsw, pabs(2)],
  [Mnemonic.Pabsd, pabs(4)],
  [Mnemonic.Psignb, packed(psign(1))],
  [Mnemonic.Psignw, packed(psign(2))],
  [Mnemonic.Psignd, packed(psign(4))],
  [Mnemonic.Phaddw, packed(horizontalInt(2, false, false))],
  [Mnemonic.Phaddd, packed(horizontalInt(4, false, false))],
  [Mnemonic.Phaddsw, packed(horizontalInt(2, false, true))],
  [Mnemonic.Phsubw, packed(horizontalInt(2, true, false))],
  [Mnemonic.Phsubd, packed(horizontalInt(4, true, false))],
  [Mnemonic.Phsubsw, packed(horizontalInt(2, true, true))],
  [Mnemonic.Pmaddubsw, packed(pmaddubsw)],
  [Mnemonic.Pmulhrsw, packed(pmulhrsw)],
  // SSE4.1
  [Mnemonic.Pminsb, packed(laneInt(1, (a, b) => (sx8(a) < sx8(b) ? a : b)))],
  [Mnemonic.Pmaxsb, packed(laneInt(1, (a, b) => (sx8(a) > sx8(b) ? a : b)))],
  [Mnemonic.Pminuw, packed(laneInt(2, (a, b) => (a < b ? a : b)))],
  [Mnemonic.Pmaxuw, packed(laneInt(2, (a, b) => (a > b ? a : b)))],
  [Mnemonic.Pminsd, packed(laneInt(4, (a, b) => (a < b ? a : b)))],
  [Mnemonic.Pmaxsd, packed(laneInt(4, (a, b) => (a > b ? a : b)))],
  [Mnemonic.Pminud, packed(laneInt(4, (a, b) => (a >>> 0 < b >>> 0 ? a : b)))],
  [Mnemonic.Pmaxud, packed(laneInt(4, (a, b) => (a >>> 0 > b >>> 0 ? a : b)))],
  [Mnemonic.Roundsd, roundF(true, true)],
  [Mnemonic.Roundss, roundF(false, true)],
  [Mnemonic.Roundpd, roundF(true, false)],
  [Mnemonic.Roundps, roundF(false, false)],
  [Mnemonic.Ldmxcsr, ldmxcsr],
  [Mnemonic.Stmxcsr, stmxcsr],
];

export const sseOps: [Mnemonic, Builder][] = table.map(([m, b]) => [m, xmmOnly(b)]);

