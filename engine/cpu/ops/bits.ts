// Bit instructions: bt bts btr btc bsf bsr tzcnt lzcnt popcnt.

import { Mnemonic } from "../iced.js";
import type { Cpu, Exec } from "../cpu.js";
import { Fl } from "../flags.js";
import { OpK, type Operand } from "../insn.js";
import { makeEA, reader, reader64, writer, writer64 } from "../operands.js";
import type { Builder } from "../translate.js";

// local copies of the constants (see Gpr in registers.ts: imported bindings are slow in hot code)
const CF = Fl.CF, OF = Fl.OF, PF = Fl.PF, SF = Fl.SF, ZF = Fl.ZF, AF = Fl.AF;

type BtKind = "bt" | "bts" | "btr" | "btc";

function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

function modify(kind: BtKind, v: number, bit: number): number {
  switch (kind) {
    case "bts":
      return v | (1 << bit);
    case "btr":
      return v & ~(1 << bit);
    case "btc":
      return v ^ (1 << bit);
    default:
      return v;
  }
}

function bitTest(kind: BtKind): Builder {
  return (cpu, insn): Exec => {
    const [d, s] = insn.ops as [Operand, Operand];
    const size = d.size;
    const bits = size * 8;
    const fl = cpu.fl;
    const L = cpu.lo, H = cpu.hi;
    const m = cpu.mem;
    if (d.kind === OpK.Reg || s.kind === OpK.Imm) {
      // offset taken modulo the operand width
      const off = s.kind === OpK.Imm ? ((n: number) => () => n)(s.immLo & (bits - 1)) : ((r: number) => () => L[r]! & (bits - 1))(s.reg);
      if (size === 8) {
        const rd = reader64(cpu, d), wr = writer64(cpu, d);
        const ea = d.kind === OpK.Mem ? makeEA(cpu, d) : undefined;
        return () => {
          let lo: number, hi: number, a = 0;
          if (ea) {
            a = ea();
            lo = m.read64(a);
            hi = m.hi;
          } else {
            lo = rd();
            hi = cpu.thi;
          }
          const n = off();
          const inHi = n >= 32;
          const b = n & 31;
          const cf = ((inHi ? hi : lo) >>> b) & 1;
          if (kind !== "bt") {
            if (inHi) hi = modify(kind, hi, b);
            else lo = modify(kind, lo, b);
            if (ea) m.write64(a, lo, hi);
            else wr(lo, hi);
          }
          fl.putCF(cf);
        };
      }
      const rd = reader(cpu, d), wr = kind === "bt" ? undefined : writer(cpu, d);
      return () => {
        const v = rd();
        const n = off();
        const cf = (v >>> n) & 1;
        if (wr) wr(modify(kind, v, n) >>> 0);
        fl.putCF(cf);
      };
    }
    // memory bit string with a register offset: the offset is signed and may reach outside the operand
    const ea = makeEA(cpu, d);
    const r = s.reg;
    return () => {
      const offset = size === 8 ? H[r]! * 4294967296 + (L[r]! >>> 0) : size === 4 ? L[r]! : (L[r]! << 16) >> 16;
      const byte = Math.floor(offset / 8);
      const a = ea() + byte;
      const bit = offset - byte * 8;
      const v = m.read8(a);
      const cf = (v >>> bit) & 1;
      if (kind !== "bt") m.write8(a, modify(kind, v, bit) & 0xff);
      fl.putCF(cf);
    };
  };
}

/** bsf/bsr/tzcnt/lzcnt/popcnt: scan a source, write a count. */
function scan(kind: "bsf" | "bsr" | "tzcnt" | "lzcnt" | "popcnt"): Builder {
  return (cpu, insn): Exec => {
    const [d, s] = insn.ops as [Operand, Operand];
    const size = d.size;
    const bits = size * 8;
    const fl = cpu.fl;
    const src: () => number = size === 8 ? reader64(cpu, s) : reader(cpu, s);
    const w32 = size === 8 ? undefined : writer(cpu, d);
    const w64 = size === 8 ? writer64(cpu, d) : undefined;
    const put = (v: number): void => (w64 ? w64(v, 0) : w32!(v));
    return () => {
      const lo = src() >>> 0;
      const hi = size === 8 ? cpu.thi >>> 0 : 0;
      const zero = (lo | hi) === 0;
      const f = fl.get() & ~(CF | PF | AF | ZF | SF | OF);
      switch (kind) {
        case "bsf":
        case "bsr":
          if (zero) {
            fl.put(f | ZF);
            return;
          }
          if (kind === "bsf") put(lo !== 0 ? 31 - Math.clz32(lo & -lo) : 63 - Math.clz32(hi & -hi));
          else put(hi !== 0 ? 63 - Math.clz32(hi) : 31 - Math.clz32(lo));
          fl.put(f);
          return;
        case "tzcnt": {
          const n = zero ? bits : lo !== 0 ? 31 - Math.clz32(lo & -lo) : 63 - Math.clz32(hi & -hi);
          put(n);
          fl.put(f | (zero ? CF : 0) | (n === 0 ? ZF : 0));
          return;
        }
        case "lzcnt": {
          let n: number;
          if (size === 8) n = hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
          else n = Math.clz32(lo) - (32 - bits);
          put(n);
          fl.put(f | (zero ? CF : 0) | (n === 0 ? ZF : 0));
          return;
        }
        default: {
          const n = popcount32(lo) + popcount32(hi);
          put(n);
          fl.put(f | (zero ? ZF : 0));
        }
      }
    };
  };
}

export const bitOps: [Mnemonic, Builder][] = [
  [Mnemonic.Bt, bitTest("bt")],
  [Mnemonic.Bts, bitTest("bts")],
  [Mnemonic.Btr, bitTest("btr")],
  [Mnemonic.Btc, bitTest("btc")],
  [Mnemonic.Bsf, scan("bsf")],
  [Mnemonic.Bsr, scan("bsr")],
  [Mnemonic.Tzcnt, scan("tzcnt")],
  [Mnemonic.Lzcnt, scan("lzcnt")],
  [Mnemonic.Popcnt, scan("popcnt")],
];

