// Shifts and rotates: shl/sal shr sar rol ror rcl rcr shld shrd.
//
// Counts are masked to 5 bits (6 for 64-bit operands). A zero count leaves
// the flags alone. OF is defined only for 1-bit shifts; for larger counts we
// compute it as hardware does for count 1 on the final step, which matches
// Intel cores; tests treat it as undefined. Rotates change only CF and OF.

import { Mnemonic } from "../iced.js";
import type { Cpu, Exec } from "../cpu.js";
import { Fl } from "../flags.js";
import { OpK, type Insn, type Operand } from "../insn.js";
import { loadAt, makeEA, maskOf, reader, storeAt } from "../operands.js";
import { Gpr } from "../registers.js";
import type { Builder } from "../translate.js";

// local copies of the constants (see Gpr in registers.ts: imported bindings are slow in hot code)
const CF = Fl.CF, OF = Fl.OF;
const RCX = Gpr.RCX;

type Kind = "shl" | "shr" | "sar" | "rol" | "ror" | "rcl" | "rcr";

/** Result of a 64-bit shift as (lo, hi) via module-level scratch to avoid allocation. */
let rLo = 0;
let rHi = 0;

function shl64(lo: number, hi: number, n: number): void {
  if (n === 0) {
    rLo = lo;
    rHi = hi;
  } else if (n < 32) {
    rHi = (hi << n) | (lo >>> (32 - n));
    rLo = lo << n;
  } else {
    rHi = lo << (n - 32);
    rLo = 0;
  }
}

function shr64(lo: number, hi: number, n: number): void {
  if (n === 0) {
    rLo = lo;
    rHi = hi;
  } else if (n < 32) {
    rLo = (lo >>> n) | (hi << (32 - n));
    rHi = hi >>> n;
  } else {
    rLo = hi >>> (n - 32);
    rHi = 0;
  }
}

function sar64(lo: number, hi: number, n: number): void {
  if (n === 0) {
    rLo = lo;
    rHi = hi;
  } else if (n < 32) {
    rLo = (lo >>> n) | (hi << (32 - n));
    rHi = hi >> n;
  } else {
    rLo = hi >> (n - 32);
    rHi = hi >> 31;
  }
}

/** Bit i (0..63) of a 64-bit value. */
function bit64(lo: number, hi: number, i: number): number {
  return i < 32 ? (lo >>> i) & 1 : (hi >>> (i - 32)) & 1;
}

/** The shift itself on a 64-bit value: returns flags work done; result in rLo/rHi. */
function shift64(cpu: Cpu, kind: Kind, lo: number, hi: number, n: number): void {
  const fl = cpu.fl;
  switch (kind) {
    case "shl": {
      const cf = bit64(lo, hi, 64 - n);
      shl64(lo, hi, n);
      fl.setRes(64, rLo, rHi, cf, ((rHi >>> 31) ^ cf) & 1);
      return;
    }
    case "shr": {
      const cf = bit64(lo, hi, n - 1);
      shr64(lo, hi, n);
      fl.setRes(64, rLo, rHi, cf, n === 1 ? hi >>> 31 : (rHi >>> 30) & 1 & 0);
      return;
    }
    case "sar": {
      const cf = bit64(lo, hi, n - 1);
      sar64(lo, hi, n);
      fl.setRes(64, rLo, rHi, cf, 0);
      return;
    }
    case "rol": {
      shl64(lo, hi, n);
      const aLo = rLo, aHi = rHi;
      shr64(lo, hi, 64 - n);
      rLo = (aLo | rLo) >>> 0;
      rHi = (aHi | rHi) >>> 0;
      const cf = rLo & 1;
      rotateFlags(cpu, cf, ((rHi >>> 31) ^ cf) & 1);
      return;
    }
    case "ror": {
      shr64(lo, hi, n);
      const aLo = rLo, aHi = rHi;
      shl64(lo, hi, 64 - n);
      rLo = (aLo | rLo) >>> 0;
      rHi = (aHi | rHi) >>> 0;
      const cf = rHi >>> 31;
      rotateFlags(cpu, cf, (cf ^ (rHi >>> 30)) & 1);
      return;
    }
    default: {
      // rcl/rcr on 64 bits: one bit at a time through CF (counts are small in practice)
      let c = fl.getCF();
      let l = lo >>> 0, h = hi >>> 0;
      for (let i = 0; i < n; i++) {
        if (kind === "rcl") {
          const out = h >>> 31;
          h = ((h << 1) | (l >>> 31)) >>> 0;
          l = ((l << 1) | c) >>> 0;
          c = out;
        } else {
          const out = l & 1;
          l = ((l >>> 1) | (h << 31)) >>> 0;
          h = ((h >>> 1) | (c << 31)) >>> 0;
          c = out;
        }
      }
      rLo = l;
      rHi = h;
      const of = kind === "rcl" ? ((h >>> 31) ^ c) & 1 : ((h >>> 31) ^ (h >>> 30)) & 1;
      rotateFlags(cpu, c, of);
    }
  }
}

/** Rotates write only CF and OF. */
function rotateFlags(cpu: Cpu, cf: number, of: number): void {
  const fl = cpu.fl;
  const f = fl.get() & ~(CF | OF);
  fl.put(f | cf | (of << 11));
}

/** The shift on an 8/16/32-bit value (masked, unsigned); returns the result. */
function shiftN(cpu: Cpu, kind: Kind, v: number, n: number, bits: number): number {
  const fl = cpu.fl;
  const mask = maskOf(bits / 8);
  const top = bits - 1;
  switch (kind) {
    case "shl": {
      const cf = n <= bits ? (v >>> (bits - n)) & 1 : 0;
      const r = n >= 32 ? 0 : ((v << n) & mask) >>> 0;
      fl.setRes(bits, r, 0, cf, ((r >>> top) ^ cf) & 1);
      return r;
    }
    case "shr": {
      const cf = n <= 32 ? (v >>> (n - 1)) & 1 : 0;
      const r = n >= 32 ? 0 : v >>> n;
      fl.setRes(bits, r, 0, cf, n === 1 ? (v >>> top) & 1 : 0);
      return r;
    }
    case "sar": {
      const sv = (v << (32 - bits)) >> (32 - bits);
      const cf = (sv >> Math.min(n - 1, 31)) & 1;
      const r = ((sv >> Math.min(n, 31)) & mask) >>> 0;
      fl.setRes(bits, r, 0, cf, 0);
      return r;
    }
    case "rol": {
      const k = n % bits;
      const r = k === 0 ? v : (((v << k) | (v >>> (bits - k))) & mask) >>> 0;
      const cf = r & 1;
      rotateFlags(cpu, cf, ((r >>> top) ^ cf) & 1);
      return r;
    }
    case "ror": {
      const k = n % bits;
      const r = k === 0 ? v : (((v >>> k) | (v << (bits - k))) & mask) >>> 0;
      const cf = (r >>> top) & 1;
      rotateFlags(cpu, cf, (cf ^ (r >>> (top - 1))) & 1);
      return r;
    }
    default: {
      // rcl/rcr: rotate through CF; 8/16-bit counts are taken modulo 9/17
      const k = bits < 32 ? n % (bits + 1) : n;
      let c = fl.getCF();
      let r = v;
      for (let i = 0; i < k; i++) {
        if (kind === "rcl") {
          const out = (r >>> top) & 1;
          r = (((r << 1) | c) & mask) >>> 0;
          c = out;
        } else {
          const out = r & 1;
          r = ((r >>> 1) | (c << top)) >>> 0;
          c = out;
        }
      }
      if (k === 0) return v;
      const of = kind === "rcl" ? ((r >>> top) ^ c) & 1 : ((r >>> top) ^ (r >>> (top - 1))) & 1;
      rotateFlags(cpu, c, of);
      return r;
    }
  }
}

function countReader(cpu: Cpu, insn: Insn, size: number): () => number {
  const cntMask = size === 8 ? 63 : 31;
  const c = insn.ops[1];
  if (!c) return () => 1; // d1 /r forms decoded with an implicit 1
  if (c.kind === OpK.Imm) {
    const n = c.immLo & cntMask;
    return () => n;
  }
  const L = cpu.lo;
  return () => L[RCX]! & cntMask;
}

function shift(kind: Kind): Builder {
  return (cpu, insn): Exec => {
    const d = insn.ops[0]!;
    const size = d.size;
    const count = countReader(cpu, insn, size);
    const L = cpu.lo, H = cpu.hi;
    const m = cpu.mem;
    if (size === 8) {
      if (d.kind === OpK.Reg) {
        const r = d.reg;
        return () => {
          const n = count();
          if (n === 0) return;
          shift64(cpu, kind, L[r]!, H[r]!, n);
          L[r] = rLo;
          H[r] = rHi;
        };
      }
      const ea = makeEA(cpu, d);
      return () => {
        const a = ea();
        const lo = m.read64(a);
        const hi = m.hi;
        const n = count();
        if (n === 0) return;
        shift64(cpu, kind, lo, hi, n);
        m.write64(a, rLo, rHi);
      };
    }
    const bits = size * 8;
    if (d.kind === OpK.Reg) {
      const get = reader(cpu, d);
      const r = d.reg;
      if (size === 4)
        return () => {
          const n = count();
          if (n !== 0) L[r] = shiftN(cpu, kind, get(), n, 32);
          H[r] = 0; // a 32-bit destination is written (zero-extended) even for a zero count
        };
      const put = writerOf(cpu, d);
      return () => {
        const n = count();
        if (n !== 0) put(shiftN(cpu, kind, get(), n, bits));
      };
    }
    const ea = makeEA(cpu, d);
    const ld = loadAt(cpu, size), st = storeAt(cpu, size);
    return () => {
      const a = ea();
      const v = ld(a);
      const n = count();
      if (n !== 0) st(a, shiftN(cpu, kind, v, n, bits));
    };
  };
}

function writerOf(cpu: Cpu, d: Operand): (v: number) => void {
  const L = cpu.lo;
  const r = d.reg;
  if (d.high8) return (v) => void (L[r] = (L[r]! & ~0xff00) | ((v & 0xff) << 8));
  if (d.size === 1) return (v) => void (L[r] = (L[r]! & ~0xff) | (v & 0xff));
  return (v) => void (L[r] = (L[r]! & ~0xffff) | (v & 0xffff));
}

/** shld/shrd dst, src, count. */
function doubleShift(left: boolean): Builder {
  return (cpu, insn): Exec | undefined => {
    const [d, s, c] = insn.ops as [Operand, Operand, Operand | undefined];
    const size = d.size;
    const bits = size * 8;
    const cntMask = size === 8 ? 63 : 31;
    const L = cpu.lo;
    const count = c && c.kind === OpK.Imm ? ((n: number) => () => n)(c.immLo & cntMask) : () => L[RCX]! & cntMask;
    const fl = cpu.fl;
    // Work in BigInt: shld/shrd are rare, and this keeps every width exact.
    const B = BigInt(bits);
    const M = (1n << B) - 1n;
    const rd = size === 8 ? bigReader(cpu, d) : (() => { const r = reader(cpu, d); return () => BigInt(r()); })();
    const rs = size === 8 ? bigReader(cpu, s) : (() => { const r = reader(cpu, s); return () => BigInt(r()); })();
    const wr = bigWriter(cpu, d, size);
    return () => {
      const n = count();
      const dv = rd();
      const sv = rs();
      if (n === 0) {
        if (size === 4 && d.kind === OpK.Reg) cpu.hi[d.reg] = 0;
        return;
      }
      const N = BigInt(n);
      let r: bigint, cf: number;
      if (left) {
        const wide = ((dv << B) | sv) << N;
        r = (wide >> B) & M;
        cf = Number((dv >> (B - N)) & 1n);
      } else {
        const wide = ((sv << B) | dv) >> N;
        r = wide & M;
        cf = Number((dv >> (N - 1n)) & 1n);
      }
      const sign = Number((r >> (B - 1n)) & 1n);
      const of = sign ^ Number((dv >> (B - 1n)) & 1n);
      fl.setRes(bits, Number(r & 0xffffffffn), size === 8 ? Number(r >> 32n) : 0, cf, of);
      wr(r);
    };
  };
}

function bigReader(cpu: Cpu, o: Operand): () => bigint {
  if (o.kind === OpK.Reg) {
    const r = o.reg;
    return () => (BigInt(cpu.hi[r]! >>> 0) << 32n) | BigInt(cpu.lo[r]! >>> 0);
  }
  const ea = makeEA(cpu, o);
  return () => {
    const lo = cpu.mem.read64(ea());
    return (BigInt(cpu.mem.hi >>> 0) << 32n) | BigInt(lo >>> 0);
  };
}

function bigWriter(cpu: Cpu, o: Operand, size: number): (v: bigint) => void {
  if (o.kind === OpK.Reg) {
    const r = o.reg;
    if (size === 8)
      return (v) => {
        cpu.lo[r] = Number(v & 0xffffffffn);
        cpu.hi[r] = Number(v >> 32n);
      };
    if (size === 4)
      return (v) => {
        cpu.lo[r] = Number(v);
        cpu.hi[r] = 0;
      };
    return (v) => void (cpu.lo[r] = (cpu.lo[r]! & ~0xffff) | Number(v));
  }
  const ea = makeEA(cpu, o);
  const m = cpu.mem;
  if (size === 8) return (v) => m.write64(ea(), Number(v & 0xffffffffn), Number(v >> 32n));
  if (size === 4) return (v) => m.write32(ea(), Number(v));
  return (v) => m.write16(ea(), Number(v));
}

export const shiftOps: [Mnemonic, Builder][] = [
  [Mnemonic.Shl, shift("shl")],
  [Mnemonic.Sal, shift("shl")],
  [Mnemonic.Shr, shift("shr")],
  [Mnemonic.Sar, shift("sar")],
  [Mnemonic.Rol, shift("rol")],
  [Mnemonic.Ror, shift("ror")],
  [Mnemonic.Rcl, shift("rcl")],
  [Mnemonic.Rcr, shift("rcr")],
  [Mnemonic.Shld, doubleShift(true)],
  [Mnemonic.Shrd, doubleShift(false)],
];
