// Operand access closures, built once per instruction at translation time.
//
// Conventions (all ops rely on them):
// - Values of 8/16/32-bit operands are unsigned numbers masked to the width.
// - 64-bit operands are split: a reader returns the low half (uint32) and
//   leaves the high half in cpu.thi; a writer takes (lo, hi).
// - Writing a 32-bit register zero-extends into the high half; 8/16-bit
//   writes merge (ah..bh address bits 8..15).
// - Memory operands compute their effective address with doubles: exact for
//   every user address, and anything outside user space faults in the MMU.

import type { Cpu } from "./cpu.js";
import { OpK, type Operand } from "./insn.js";
import { SEG_FS } from "./registers.js";

export type EA = () => number;
export type Read = () => number;
export type Write = (v: number) => void;
export type Write64 = (lo: number, hi: number) => void;

const TWO32 = 4294967296;

export function maskOf(size: number): number {
  return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
}

/** Effective address of a memory operand. */
export function makeEA(cpu: Cpu, o: Operand): EA {
  const L = cpu.lo, H = cpu.hi;
  const { base: b, index: x, disp } = o;
  const scale = o.scale;
  let ea: EA;
  if (o.ripRel) {
    ea = () => disp;
  } else if (o.addrSize === 4) {
    // 0x67 prefix: 32-bit address arithmetic, zero-extended
    const sh = Math.log2(scale);
    if (b >= 0 && x >= 0) ea = () => (L[b]! + (L[x]! << sh) + disp) >>> 0;
    else if (b >= 0) ea = () => (L[b]! + disp) >>> 0;
    else if (x >= 0) ea = () => ((L[x]! << sh) + disp) >>> 0;
    else ea = () => disp >>> 0;
  } else if (b >= 0 && x >= 0) {
    if (disp === 0) ea = () => H[b]! * TWO32 + (L[b]! >>> 0) + (H[x]! * TWO32 + (L[x]! >>> 0)) * scale;
    else ea = () => H[b]! * TWO32 + (L[b]! >>> 0) + (H[x]! * TWO32 + (L[x]! >>> 0)) * scale + disp;
  } else if (b >= 0) {
    if (disp === 0) ea = () => H[b]! * TWO32 + (L[b]! >>> 0);
    else ea = () => H[b]! * TWO32 + (L[b]! >>> 0) + disp;
  } else if (x >= 0) {
    ea = () => (H[x]! * TWO32 + (L[x]! >>> 0)) * scale + disp;
  } else {
    ea = () => disp;
  }
  if (o.seg === 0) return ea;
  const inner = ea;
  // 32-bit mode: the linear address wraps at 4 GiB (glibc reaches its TLS at %gs:-offset)
  if (cpu.bitness === 32) return o.seg === SEG_FS ? () => (inner() + cpu.fsBase) >>> 0 : () => (inner() + cpu.gsBase) >>> 0;
  return o.seg === SEG_FS ? () => inner() + cpu.fsBase : () => inner() + cpu.gsBase;
}

/** The value lea computes, as a 64-bit (lo, hi) pair: exact modular arithmetic, unlike makeEA. */
export function leaParts(cpu: Cpu, o: Operand): () => number {
  const L = cpu.lo, H = cpu.hi;
  const { base: b, index: x, disp } = o;
  const sh = Math.log2(o.scale);
  const dispLo = disp | 0;
  const dispHi = disp < 0 ? -1 : Math.floor(disp / TWO32) | 0;
  if (o.ripRel) {
    return () => {
      cpu.thi = dispHi;
      return dispLo >>> 0;
    };
  }
  return () => {
    let lo = dispLo >>> 0;
    let hi = dispHi;
    if (b >= 0) {
      const s = lo + (L[b]! >>> 0);
      lo = s >>> 0;
      hi = (hi + H[b]! + (s > 0xffffffff ? 1 : 0)) | 0;
    }
    if (x >= 0) {
      let xl = L[x]! >>> 0, xh = H[x]!;
      if (sh) {
        xh = (xh << sh) | (xl >>> (32 - sh));
        xl = (xl << sh) >>> 0;
      }
      const s = lo + xl;
      lo = s >>> 0;
      hi = (hi + xh + (s > 0xffffffff ? 1 : 0)) | 0;
    }
    cpu.thi = hi;
    return lo;
  };
}

// ---- loads and stores at an address --------------------------------------

export function loadAt(cpu: Cpu, size: number): (a: number) => number {
  const m = cpu.mem;
  switch (size) {
    case 1:
      return (a) => m.read8(a);
    case 2:
      return (a) => m.read16(a);
    default:
      return (a) => m.read32(a) >>> 0;
  }
}

export function storeAt(cpu: Cpu, size: number): (a: number, v: number) => void {
  const m = cpu.mem;
  switch (size) {
    case 1:
      return (a, v) => m.write8(a, v);
    case 2:
      return (a, v) => m.write16(a, v);
    default:
      return (a, v) => m.write32(a, v);
  }
}

// ---- operand readers and writers (width <= 32) ------------------------------

export function reader(cpu: Cpu, o: Operand, size = o.size): Read {
  const L = cpu.lo;
  switch (o.kind) {
    case OpK.Reg: {
      const r = o.reg;
      if (o.high8) return () => (L[r]! >>> 8) & 0xff;
      if (size === 1) return () => L[r]! & 0xff;
      if (size === 2) return () => L[r]! & 0xffff;
      return () => L[r]! >>> 0;
    }
    case OpK.Mem: {
      const ea = makeEA(cpu, o);
      const m = cpu.mem;
      if (size === 1) return () => m.read8(ea());
      if (size === 2) return () => m.read16(ea());
      return () => m.read32(ea()) >>> 0;
    }
    case OpK.Imm: {
      const v = (o.immLo >>> 0) & maskOf(size);
      const u = size === 4 ? o.immLo >>> 0 : v;
      return () => u;
    }
    default:
      throw new Error(`reader: operand kind ${o.kind}`);
  }
}

export function writer(cpu: Cpu, o: Operand, size = o.size): Write {
  const L = cpu.lo, H = cpu.hi;
  switch (o.kind) {
    case OpK.Reg: {
      const r = o.reg;
      if (o.high8) return (v) => void (L[r] = (L[r]! & ~0xff00) | ((v & 0xff) << 8));
      if (size === 1) return (v) => void (L[r] = (L[r]! & ~0xff) | (v & 0xff));
      if (size === 2) return (v) => void (L[r] = (L[r]! & ~0xffff) | (v & 0xffff));
      return (v) => {
        L[r] = v;
        H[r] = 0;
      };
    }
    case OpK.Mem: {
      const ea = makeEA(cpu, o);
      const m = cpu.mem;
      if (size === 1) return (v) => m.write8(ea(), v);
      if (size === 2) return (v) => m.write16(ea(), v);
      return (v) => m.write32(ea(), v);
    }
    default:
      throw new Error(`writer: operand kind ${o.kind}`);
  }
}

// ---- 64-bit operands ----------------------------------------------------------

/** Reader of a 64-bit operand: returns the low half, leaves the high half in cpu.thi. Immediates are sign-extended by the decoder. */
export function reader64(cpu: Cpu, o: Operand): Read {
  const L = cpu.lo, H = cpu.hi;
  switch (o.kind) {
    case OpK.Reg: {
      const r = o.reg;
      return () => {
        cpu.thi = H[r]!;
        return L[r]!;
      };
    }
    case OpK.Mem: {
      const ea = makeEA(cpu, o);
      const m = cpu.mem;
      return () => {
        const lo = m.read64(ea());
        cpu.thi = m.hi;
        return lo;
      };
    }
    case OpK.Imm: {
      const lo = o.immLo, hi = o.size === 8 ? o.immHi : o.immLo >> 31;
      return () => {
        cpu.thi = hi;
        return lo;
      };
    }
    default:
      throw new Error(`reader64: operand kind ${o.kind}`);
  }
}

export function writer64(cpu: Cpu, o: Operand): Write64 {
  const L = cpu.lo, H = cpu.hi;
  switch (o.kind) {
    case OpK.Reg: {
      const r = o.reg;
      return (lo, hi) => {
        L[r] = lo;
        H[r] = hi;
      };
    }
    case OpK.Mem: {
      const ea = makeEA(cpu, o);
      const m = cpu.mem;
      return (lo, hi) => m.write64(ea(), lo, hi);
    }
    default:
      throw new Error(`writer64: operand kind ${o.kind}`);
  }
}

/** Sign-extend a masked value of `size` bytes to a JS integer. */
export function signExtend(v: number, size: number): number {
  if (size === 4) return v | 0;
  const sh = 32 - size * 8;
  return (v << sh) >> sh;
}
