// SSE/SSE2: the subset compilers and libc emit (moves, packed integer ops,
// logic, scalar and packed float arithmetic, conversions, comparisons).
//
// XMM registers live in one buffer (xmm.ts). A memory source is first loaded
// into the scratch slot (16), so every operation is written once, register to
// register. Legacy-SSE 16-byte memory operands must be 16-byte aligned (#GP
// otherwise) except for the explicitly unaligned moves.

import { Mnemonic } from "iced-x86";
import type { Cpu, Exec } from "../cpu.js";
import { CpuException, X86_TRAP_GP } from "../exceptions.js";
import { CF, OF, PF, SF, ZF, AF } from "../flags.js";
import { OpK, type Insn, type Operand } from "../insn.js";
import { makeEA, reader, reader64, writer, writer64 } from "../operands.js";
import { RegClass } from "../registers.js";
import type { Builder } from "../translate.js";
import { mulHiU32 } from "./muldiv.js";

const TMP = 16;

/** Mnemonics whose 16-byte memory operand may be unaligned. */
const UNALIGNED = new Set<Mnemonic>([Mnemonic.Movups, Mnemonic.Movupd, Mnemonic.Movdqu, Mnemonic.Lddqu]);

function isXmm(o: Operand | undefined): boolean {
  return !!o && o.kind === OpK.Reg && o.cls === RegClass.Xmm;
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
    if (aligned && bytes === 16 && a % 16 !== 0) throw new CpuException(X86_TRAP_GP, 0, "misaligned SSE operand");
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
    if (aligned && bytes === 16 && a % 16 !== 0) throw new CpuException(X86_TRAP_GP, 0, "misaligned SSE operand");
    const b = r * 4;
    if (bytes === 4) {
      m.write32(a, x[b]!);
      return;
    }
    m.write64(a, x[b]!, x[b + 1]!);
    if (bytes === 16) m.write64(a + 8, x[b + 2]!, x[b + 3]!);
  };
}

// ---- moves ----

/** movaps movups movapd movupd movdqa movdqu: full 128-bit moves. */
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
    const lanes = size / 4;
    if (isXmm(d) && isXmm(s)) {
      const db = d.reg * 4, sb = s.reg * 4;
      return () => {
        for (let i = 0; i < lanes; i++) x[db + i] = x[sb + i]!;
      };
    }
    if (isXmm(d)) {
      const src = xmmSource(cpu, s, size, false);
      const db = d.reg * 4;
      return () => {
        const sb = src() * 4;
        for (let i = 0; i < 4; i++) x[db + i] = i < lanes ? x[sb + i]! : 0;
      };
    }
    const st = xmmStore(cpu, d, size, false);
    const r = s.reg;
    return () => st(r);
  };
}

/** movlps/movlpd/movhps/movhpd: move 64 bits to or from one half. */
function movHalf(high: boolean): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    const x = cpu.xmm.i32;
    const off = high ? 2 : 0;
    if (isXmm(d)) {
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

// ---- lane-wise binary ops on 128 bits ----

type LaneOp = (x: Cpu["xmm"], d: number, s: number) => void;

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
  return (x, d, s) => {
    if (bytes === 1) {
      const u = x.u8;
      for (let i = 0; i < 16; i++) u[d * 16 + i] = f(u[d * 16 + i]!, u[s * 16 + i]!);
    } else if (bytes === 2) {
      const u = x.u16;
      for (let i = 0; i < 8; i++) u[d * 8 + i] = f(u[d * 8 + i]!, u[s * 8 + i]!);
    } else {
      const u = x.i32;
      for (let i = 0; i < 4; i++) u[d * 4 + i] = f(u[d * 4 + i]!, u[s * 4 + i]!);
    }
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
  for (const k of [0, 2]) {
    const a = u[d * 4 + k]! >>> 0, b = u[s * 4 + k]! >>> 0;
    u[d * 4 + k] = Math.imul(a, b);
    u[d * 4 + k + 1] = mulHiU32(a, b);
  }
};

const sx8 = (v: number): number => (v << 24) >> 24;
const sx16 = (v: number): number => (v << 16) >> 16;

/** Interleave low or high halves (punpckl and punpckh forms, unpcklps, unpcklpd ...). */
function unpack(bytes: 1 | 2 | 4 | 8, high: boolean): LaneOp {
  return (x, d, s) => {
    const u = x.u8;
    const a = u.slice(d * 16, d * 16 + 16);
    const b = u.slice(s * 16, s * 16 + 16);
    const start = high ? 8 : 0;
    let o = d * 16;
    for (let i = 0; i < 8; i += bytes) {
      for (let k = 0; k < bytes; k++) u[o++] = a[start + i + k]!;
      for (let k = 0; k < bytes; k++) u[o++] = b[start + i + k]!;
    }
  };
}

/** packsswb/packssdw/packuswb: narrow with saturation. */
function pack(from: 2 | 4, signedOut: boolean): LaneOp {
  return (x, d, s) => {
    const src: number[] = [];
    for (const r of [d, s]) {
      for (let i = 0; i < 16 / from; i++) src.push(from === 2 ? sx16(x.u16[r * 8 + i]!) : x.i32[r * 4 + i]!);
    }
    const lo = signedOut ? (from === 2 ? -128 : -32768) : 0;
    const hi = signedOut ? (from === 2 ? 127 : 32767) : from === 2 ? 255 : 65535;
    src.forEach((v, i) => {
      const c = v < lo ? lo : v > hi ? hi : v;
      if (from === 2) x.u8[d * 16 + i] = c & 0xff;
      else x.u16[d * 8 + i] = c & 0xffff;
    });
  };
}

// ---- shifts by immediate or register ----

function shiftLanes(bytes: 2 | 4 | 8, kind: "l" | "r" | "a"): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
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
      const bits = bytes * 8;
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
      void bits;
    };
  };
}

/** pslldq/psrldq: byte shifts of the whole register. */
function byteShift(left: boolean): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    const n = Math.min(s.immLo & 0xff, 16);
    const u = cpu.xmm.u8;
    const b = d.reg * 16;
    return () => {
      const old = u.slice(b, b + 16);
      for (let i = 0; i < 16; i++) {
        const from = left ? i - n : i + n;
        u[b + i] = from >= 0 && from < 16 ? old[from]! : 0;
      }
    };
  };
}

const pmovmskb: Builder = (cpu, insn) => {
  const [d, s] = insn.ops as [Operand, Operand];
  const u = cpu.xmm.u8;
  const dst = writer(cpu, d, 4);
  const b = s.reg * 16;
  return () => {
    let m = 0;
    for (let i = 0; i < 16; i++) m |= (u[b + i]! >>> 7) << i;
    dst(m);
  };
};

/** pshufd/pshuflw/pshufhw and shufps/shufpd: immediate-controlled shuffles. */
function shuffle(kind: "d" | "lw" | "hw" | "ps" | "pd"): Builder {
  return (cpu, insn) => {
    const [d, s, i] = insn.ops as [Operand, Operand, Operand];
    const imm = i.immLo & 0xff;
    const src = xmmSource(cpu, s, 16, true);
    const x = cpu.xmm;
    const dr = d.reg;
    return () => {
      const sr = src();
      const a = x.i32.slice(dr * 4, dr * 4 + 4);
      const b = x.i32.slice(sr * 4, sr * 4 + 4);
      const w = x.u16.slice(sr * 8, sr * 8 + 8);
      switch (kind) {
        case "d":
          for (let k = 0; k < 4; k++) x.i32[dr * 4 + k] = b[(imm >> (2 * k)) & 3]!;
          return;
        case "ps":
          x.i32[dr * 4] = a[imm & 3]!;
          x.i32[dr * 4 + 1] = a[(imm >> 2) & 3]!;
          x.i32[dr * 4 + 2] = b[(imm >> 4) & 3]!;
          x.i32[dr * 4 + 3] = b[(imm >> 6) & 3]!;
          return;
        case "pd": {
          const lo = imm & 1 ? 2 : 0, hi = imm & 2 ? 2 : 0;
          x.i32[dr * 4] = a[lo]!;
          x.i32[dr * 4 + 1] = a[lo + 1]!;
          x.i32[dr * 4 + 2] = b[hi]!;
          x.i32[dr * 4 + 3] = b[hi + 1]!;
          return;
        }
        case "lw":
          for (let k = 0; k < 4; k++) x.u16[dr * 8 + k] = w[(imm >> (2 * k)) & 3]!;
          for (let k = 4; k < 8; k++) x.u16[dr * 8 + k] = w[k]!;
          return;
        default:
          for (let k = 0; k < 4; k++) x.u16[dr * 8 + k] = w[k]!;
          for (let k = 0; k < 4; k++) x.u16[dr * 8 + 4 + k] = w[4 + ((imm >> (2 * k)) & 3)]!;
      }
    };
  };
}

// ---- floating point ----

type FOp2 = (a: number, b: number) => number;

const fadd: FOp2 = (a, b) => a + b;
const fsub: FOp2 = (a, b) => a - b;
const fmul: FOp2 = (a, b) => a * b;
const fdiv: FOp2 = (a, b) => a / b;
/** minsd/maxsd return the second operand when either is NaN or both are zero. */
const fmin: FOp2 = (a, b) => (a < b ? a : b);
const fmax: FOp2 = (a, b) => (a > b ? a : b);

/** Scalar double/single arithmetic: op on lane 0, other lanes of dst kept. */
function scalarF(double: boolean, f: FOp2): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    const src = xmmSource(cpu, s, double ? 8 : 4, false);
    const x = cpu.xmm;
    const dr = d.reg;
    if (double) return () => void (x.f64[dr * 2] = f(x.f64[dr * 2]!, x.f64[src() * 2]!));
    return () => void (x.f32[dr * 4] = Math.fround(f(x.f32[dr * 4]!, x.f32[src() * 4]!)));
  };
}

function packedF(double: boolean, f: FOp2): Builder {
  return packed((x, d, s) => {
    if (double) {
      x.f64[d * 2] = f(x.f64[d * 2]!, x.f64[s * 2]!);
      x.f64[d * 2 + 1] = f(x.f64[d * 2 + 1]!, x.f64[s * 2 + 1]!);
    } else for (let i = 0; i < 4; i++) x.f32[d * 4 + i] = Math.fround(f(x.f32[d * 4 + i]!, x.f32[s * 4 + i]!));
  });
}

function sqrtScalar(double: boolean): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    const src = xmmSource(cpu, s, double ? 8 : 4, false);
    const x = cpu.xmm;
    const dr = d.reg;
    if (double) return () => void (x.f64[dr * 2] = Math.sqrt(x.f64[src() * 2]!));
    return () => void (x.f32[dr * 4] = Math.fround(Math.sqrt(x.f32[src() * 4]!)));
  };
}

/** ucomisd/comisd/ucomiss/comiss: ZF PF CF from an unordered compare; OF SF AF cleared. */
function compareFlags(double: boolean): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
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
    const p = i.immLo & 7;
    const src = xmmSource(cpu, s, scalar ? (double ? 8 : 4) : 16, !scalar);
    const x = cpu.xmm;
    const dr = d.reg;
    return () => {
      const sr = src();
      const lanes = scalar ? 1 : double ? 2 : 4;
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

/** Integer conversion result for NaN/out-of-range: the "integer indefinite" value. */
function toIntTrunc(v: number, size: 4 | 8, round: boolean): [number, number] {
  const r = round ? roundEven(v) : Math.trunc(v);
  if (size === 4) {
    if (!(r >= -2147483648 && r <= 2147483647)) return [0x80000000 | 0, 0];
    return [r | 0, 0];
  }
  if (!(r >= -9223372036854775808 && r < 9223372036854775808)) return [0, 0x80000000 | 0];
  const big = BigInt.asUintN(64, BigInt(r));
  return [Number(big & 0xffffffffn) | 0, Number(big >> 32n) | 0];
}

/** Round to nearest even (MXCSR default rounding). */
function roundEven(v: number): number {
  const f = Math.floor(v);
  const diff = v - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** cvttsd2si/cvtsd2si/cvttss2si/cvtss2si. */
function cvtToInt(double: boolean, round: boolean): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    const src = xmmSource(cpu, s, double ? 8 : 4, false);
    const x = cpu.xmm;
    const size = d.size as 4 | 8;
    const L = cpu.lo, H = cpu.hi;
    const r = d.reg;
    return () => {
      const v = double ? x.f64[src() * 2]! : x.f32[src() * 4]!;
      const [lo, hi] = toIntTrunc(v, size, round);
      L[r] = lo;
      H[r] = hi;
    };
  };
}

/** cvtsi2sd/cvtsi2ss from a 32/64-bit integer. */
function cvtFromInt(double: boolean): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    const x = cpu.xmm;
    const dr = d.reg;
    if (s.size === 8) {
      const src = reader64(cpu, s);
      return () => {
        const lo = src();
        const v = Number(BigInt.asIntN(64, (BigInt(cpu.thi >>> 0) << 32n) | BigInt(lo >>> 0)));
        if (double) x.f64[dr * 2] = v;
        else x.f32[dr * 4] = Math.fround(v);
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

/** cvtsd2ss / cvtss2sd. */
function cvtPrecision(toDouble: boolean): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    const src = xmmSource(cpu, s, toDouble ? 4 : 8, false);
    const x = cpu.xmm;
    const dr = d.reg;
    if (toDouble) return () => void (x.f64[dr * 2] = x.f32[src() * 4]!);
    return () => void (x.f32[dr * 4] = Math.fround(x.f64[src() * 2]!));
  };
}

/** cvtdq2pd, cvtdq2ps, cvttpd2dq, cvttps2dq, cvtpd2ps, cvtps2pd. */
function cvtPacked(kind: "dq2pd" | "dq2ps" | "tpd2dq" | "tps2dq" | "pd2ps" | "ps2pd"): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    const narrowSrc = kind === "dq2pd" || kind === "ps2pd";
    const src = xmmSource(cpu, s, narrowSrc ? 8 : 16, !narrowSrc);
    const x = cpu.xmm;
    const dr = d.reg;
    return () => {
      const sr = src();
      const i32 = x.i32.slice(sr * 4, sr * 4 + 4);
      const f32 = x.f32.slice(sr * 4, sr * 4 + 4);
      const f64 = x.f64.slice(sr * 2, sr * 2 + 2);
      switch (kind) {
        case "dq2pd":
          x.f64[dr * 2] = i32[0]!;
          x.f64[dr * 2 + 1] = i32[1]!;
          return;
        case "dq2ps":
          for (let k = 0; k < 4; k++) x.f32[dr * 4 + k] = Math.fround(i32[k]!);
          return;
        case "tpd2dq":
          x.i32[dr * 4] = toIntTrunc(f64[0]!, 4, false)[0];
          x.i32[dr * 4 + 1] = toIntTrunc(f64[1]!, 4, false)[0];
          x.i32[dr * 4 + 2] = 0;
          x.i32[dr * 4 + 3] = 0;
          return;
        case "tps2dq":
          for (let k = 0; k < 4; k++) x.i32[dr * 4 + k] = toIntTrunc(f32[k]!, 4, false)[0];
          return;
        case "pd2ps":
          x.f32[dr * 4] = Math.fround(f64[0]!);
          x.f32[dr * 4 + 1] = Math.fround(f64[1]!);
          x.i32[dr * 4 + 2] = 0;
          x.i32[dr * 4 + 3] = 0;
          return;
        default:
          x.f64[dr * 2] = f32[0]!;
          x.f64[dr * 2 + 1] = f32[1]!;
      }
    };
  };
}

const ldmxcsr: Builder = (cpu, insn) => {
  const src = reader(cpu, insn.ops[0]!, 4);
  return () => void (cpu.mxcsr = src());
};

const stmxcsr: Builder = (cpu, insn) => {
  const dst = writer(cpu, insn.ops[0]!, 4);
  return () => dst(cpu.mxcsr);
};

/** movsd and cmpsd share mnemonics with the string instructions; string.ts forwards non-string forms here. */
export const sseMovsd: Builder = movScalar(8);
export const sseCmpsd: Builder = cmpF(true, true);

const and = (a: number, b: number): number => a & b;
const andn = (a: number, b: number): number => ~a & b;
const or = (a: number, b: number): number => a | b;
const xor = (a: number, b: number): number => a ^ b;

export const sseOps: [Mnemonic, Builder][] = [
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
  [Mnemonic.Movd, movdq(4)],
  [Mnemonic.Movq, movdq(8)],
  [Mnemonic.Movss, movScalar(4)],
  [Mnemonic.Movlps, movHalf(false)],
  [Mnemonic.Movlpd, movHalf(false)],
  [Mnemonic.Movhps, movHalf(true)],
  [Mnemonic.Movhpd, movHalf(true)],
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
  [Mnemonic.Pminub, packed(laneInt(1, (a, b) => Math.min(a, b)))],
  [Mnemonic.Pmaxub, packed(laneInt(1, (a, b) => Math.max(a, b)))],
  [Mnemonic.Pminsw, packed(laneInt(2, (a, b) => (sx16(a) < sx16(b) ? a : b)))],
  [Mnemonic.Pmaxsw, packed(laneInt(2, (a, b) => (sx16(a) > sx16(b) ? a : b)))],
  [Mnemonic.Pavgb, packed(laneInt(1, (a, b) => (a + b + 1) >> 1))],
  [Mnemonic.Pavgw, packed(laneInt(2, (a, b) => (a + b + 1) >> 1))],
  [Mnemonic.Paddusb, packed(laneInt(1, (a, b) => Math.min(a + b, 255)))],
  [Mnemonic.Paddusw, packed(laneInt(2, (a, b) => Math.min(a + b, 65535)))],
  [Mnemonic.Psubusb, packed(laneInt(1, (a, b) => Math.max(a - b, 0)))],
  [Mnemonic.Psubusw, packed(laneInt(2, (a, b) => Math.max(a - b, 0)))],
  [Mnemonic.Paddsb, packed(laneInt(1, (a, b) => Math.max(-128, Math.min(127, sx8(a) + sx8(b)))))],
  [Mnemonic.Paddsw, packed(laneInt(2, (a, b) => Math.max(-32768, Math.min(32767, sx16(a) + sx16(b)))))],
  [Mnemonic.Psubsb, packed(laneInt(1, (a, b) => Math.max(-128, Math.min(127, sx8(a) - sx8(b)))))],
  [Mnemonic.Psubsw, packed(laneInt(2, (a, b) => Math.max(-32768, Math.min(32767, sx16(a) - sx16(b)))))],
  [Mnemonic.Pmuludq, packed(pmuludq)],
  [Mnemonic.Pmullw, packed(laneInt(2, (a, b) => Math.imul(a, b)))],
  [Mnemonic.Pmulhw, packed(laneInt(2, (a, b) => (sx16(a) * sx16(b)) >> 16))],
  [Mnemonic.Pmulhuw, packed(laneInt(2, (a, b) => (a * b) >>> 16))],
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
  [Mnemonic.Pmovmskb, pmovmskb],
  [Mnemonic.Pshufd, shuffle("d")],
  [Mnemonic.Pshuflw, shuffle("lw")],
  [Mnemonic.Pshufhw, shuffle("hw")],
  [Mnemonic.Shufps, shuffle("ps")],
  [Mnemonic.Shufpd, shuffle("pd")],
  [Mnemonic.Addsd, scalarF(true, fadd)],
  [Mnemonic.Subsd, scalarF(true, fsub)],
  [Mnemonic.Mulsd, scalarF(true, fmul)],
  [Mnemonic.Divsd, scalarF(true, fdiv)],
  [Mnemonic.Minsd, scalarF(true, fmin)],
  [Mnemonic.Maxsd, scalarF(true, fmax)],
  [Mnemonic.Addss, scalarF(false, fadd)],
  [Mnemonic.Subss, scalarF(false, fsub)],
  [Mnemonic.Mulss, scalarF(false, fmul)],
  [Mnemonic.Divss, scalarF(false, fdiv)],
  [Mnemonic.Minss, scalarF(false, fmin)],
  [Mnemonic.Maxss, scalarF(false, fmax)],
  [Mnemonic.Addpd, packedF(true, fadd)],
  [Mnemonic.Subpd, packedF(true, fsub)],
  [Mnemonic.Mulpd, packedF(true, fmul)],
  [Mnemonic.Divpd, packedF(true, fdiv)],
  [Mnemonic.Addps, packedF(false, fadd)],
  [Mnemonic.Subps, packedF(false, fsub)],
  [Mnemonic.Mulps, packedF(false, fmul)],
  [Mnemonic.Divps, packedF(false, fdiv)],
  [Mnemonic.Sqrtsd, sqrtScalar(true)],
  [Mnemonic.Sqrtss, sqrtScalar(false)],
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
  [Mnemonic.Cvttps2dq, cvtPacked("tps2dq")],
  [Mnemonic.Cvtpd2ps, cvtPacked("pd2ps")],
  [Mnemonic.Cvtps2pd, cvtPacked("ps2pd")],
  [Mnemonic.Ldmxcsr, ldmxcsr],
  [Mnemonic.Stmxcsr, stmxcsr],
];

export type { Exec, Insn };
