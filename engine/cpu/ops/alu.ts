// Integer arithmetic and logic: add or adc sbb and sub xor cmp test inc dec neg not.
// Flags are recorded lazily (flags.ts); results are exact modulo the width.

import { Mnemonic } from "../iced.js";
import type { Cpu, Exec } from "../cpu.js";
import { FOp, type Flags } from "../flags.js";
import { OpK, type Insn } from "../insn.js";
import { loadAt, makeEA, maskOf, reader, reader64, storeAt, writer, writer64 } from "../operands.js";
import type { Builder } from "../translate.js";

type Op32 = (fl: Flags, a: number, b: number, bits: number, mask: number) => number;
/** 64-bit op: returns the low half; the high half is left in fl.resH (for every op, including logic). */
type Op64 = (fl: Flags, a: number, aH: number, b: number, bH: number) => number;

// ---- 8/16/32-bit ----

function add(fl: Flags, a: number, b: number, bits: number, mask: number): number {
  const r = bits === 32 ? (a + b) >>> 0 : (a + b) & mask;
  fl.set(FOp.Add, bits, a, b, r);
  return r;
}

function adc(fl: Flags, a: number, b: number, bits: number, mask: number): number {
  const c = fl.getCF();
  const r = bits === 32 ? (a + b + c) >>> 0 : (a + b + c) & mask;
  fl.set(FOp.Adc, bits, a, b, r);
  fl.cf = c;
  return r;
}

function sub(fl: Flags, a: number, b: number, bits: number, mask: number): number {
  const r = bits === 32 ? (a - b) >>> 0 : (a - b) & mask;
  fl.set(FOp.Sub, bits, a, b, r);
  return r;
}

function sbb(fl: Flags, a: number, b: number, bits: number, mask: number): number {
  const c = fl.getCF();
  const r = bits === 32 ? (a - b - c) >>> 0 : (a - b - c) & mask;
  fl.set(FOp.Sbb, bits, a, b, r);
  fl.cf = c;
  return r;
}

function and(fl: Flags, a: number, b: number, bits: number): number {
  const r = (a & b) >>> 0;
  fl.set(FOp.Logic, bits, a, b, r);
  return r;
}

function or(fl: Flags, a: number, b: number, bits: number): number {
  const r = (a | b) >>> 0;
  fl.set(FOp.Logic, bits, a, b, r);
  return r;
}

function xor(fl: Flags, a: number, b: number, bits: number): number {
  const r = (a ^ b) >>> 0;
  fl.set(FOp.Logic, bits, a, b, r);
  return r;
}

// ---- 64-bit ----

function add64(fl: Flags, a: number, aH: number, b: number, bH: number): number {
  const s = (a >>> 0) + (b >>> 0);
  const rH = (aH + bH + (s > 0xffffffff ? 1 : 0)) | 0;
  fl.set64(FOp.Add, a, aH, b, bH, s, rH);
  return s >>> 0;
}

function adc64(fl: Flags, a: number, aH: number, b: number, bH: number): number {
  const c = fl.getCF();
  const s = (a >>> 0) + (b >>> 0) + c;
  const rH = (aH + bH + (s > 0xffffffff ? 1 : 0)) | 0;
  fl.set64(FOp.Adc, a, aH, b, bH, s, rH);
  fl.cf = c;
  return s >>> 0;
}

function sub64(fl: Flags, a: number, aH: number, b: number, bH: number): number {
  const d = (a >>> 0) - (b >>> 0);
  const rH = (aH - bH - (d < 0 ? 1 : 0)) | 0;
  fl.set64(FOp.Sub, a, aH, b, bH, d, rH);
  return d >>> 0;
}

function sbb64(fl: Flags, a: number, aH: number, b: number, bH: number): number {
  const c = fl.getCF();
  const d = (a >>> 0) - (b >>> 0) - c;
  const rH = (aH - bH - (d < 0 ? 1 : 0)) | 0;
  fl.set64(FOp.Sbb, a, aH, b, bH, d, rH);
  fl.cf = c;
  return d >>> 0;
}

function and64(fl: Flags, a: number, aH: number, b: number, bH: number): number {
  fl.set64(FOp.Logic, a, aH, b, bH, a & b, aH & bH);
  return (a & b) >>> 0;
}

function or64(fl: Flags, a: number, aH: number, b: number, bH: number): number {
  fl.set64(FOp.Logic, a, aH, b, bH, a | b, aH | bH);
  return (a | b) >>> 0;
}

function xor64(fl: Flags, a: number, aH: number, b: number, bH: number): number {
  fl.set64(FOp.Logic, a, aH, b, bH, a ^ b, aH ^ bH);
  return (a ^ b) >>> 0;
}

/** Two-operand ALU instruction; `store` false for cmp/test. */
function binary(op: Op32, op64: Op64, store: boolean): Builder {
  return (cpu: Cpu, insn: Insn): Exec => {
    const [d, s] = insn.ops as [NonNullable<Insn["ops"][0]>, NonNullable<Insn["ops"][0]>];
    const fl = cpu.fl;
    const size = d.size;
    const L = cpu.lo, H = cpu.hi;
    if (size === 8) {
      const src = reader64(cpu, s);
      if (d.kind === OpK.Reg) {
        const r = d.reg;
        // xor r,r / sub r,r zero idiom and the common reg forms: no operand closures for the destination
        if (s.kind === OpK.Reg) {
          const q = s.reg;
          if (!store) return () => void op64(fl, L[r]!, H[r]!, L[q]!, H[q]!);
          return () => {
            L[r] = op64(fl, L[r]!, H[r]!, L[q]!, H[q]!);
            H[r] = fl.resH;
          };
        }
        if (!store)
          return () => {
            const b = src();
            op64(fl, L[r]!, H[r]!, b, cpu.thi);
          };
        return () => {
          const b = src();
          L[r] = op64(fl, L[r]!, H[r]!, b, cpu.thi);
          H[r] = fl.resH;
        };
      }
      const ea = makeEA(cpu, d);
      const m = cpu.mem;
      return () => {
        const a = ea();
        const b = src();
        const bH = cpu.thi;
        const v = m.read64(a);
        const r = op64(fl, v, m.hi, b, bH);
        if (store) m.write64(a, r, fl.resH);
      };
    }
    const bits = size * 8;
    const mask = maskOf(size);
    const src = reader(cpu, s, size);
    if (d.kind === OpK.Reg && !d.high8 && size === 4) {
      const r = d.reg;
      if (!store) return () => void op(fl, L[r]! >>> 0, src(), 32, mask);
      return () => {
        L[r] = op(fl, L[r]! >>> 0, src(), 32, mask);
        H[r] = 0;
      };
    }
    if (d.kind === OpK.Reg) {
      const get = reader(cpu, d);
      const put = writer(cpu, d);
      if (!store) return () => void op(fl, get(), src(), bits, mask);
      return () => put(op(fl, get(), src(), bits, mask));
    }
    const ea = makeEA(cpu, d);
    const ld = loadAt(cpu, size);
    const st = storeAt(cpu, size);
    if (!store) return () => void op(fl, ld(ea()), src(), bits, mask);
    return () => {
      const a = ea();
      st(a, op(fl, ld(a), src(), bits, mask));
    };
  };
}

/** inc/dec/neg/not: one read-modify-write operand. */
function unary(kind: "inc" | "dec" | "neg" | "not"): Builder {
  return (cpu: Cpu, insn: Insn): Exec => {
    const d = insn.ops[0]!;
    const fl = cpu.fl;
    const size = d.size;
    if (size === 8) {
      const get = reader64(cpu, d);
      const put = writer64(cpu, d);
      const ea = d.kind === OpK.Mem ? makeEA(cpu, d) : undefined;
      const m = cpu.mem;
      const compute = (lo: number, hi: number): void => {
        let r: number, rH: number;
        switch (kind) {
          case "inc": {
            const c = fl.getCF();
            r = add64(fl, lo, hi, 1, 0);
            rH = fl.resH;
            fl.op = FOp.Inc;
            fl.cf = c;
            break;
          }
          case "dec": {
            const c = fl.getCF();
            r = sub64(fl, lo, hi, 1, 0);
            rH = fl.resH;
            fl.op = FOp.Dec;
            fl.cf = c;
            break;
          }
          case "neg":
            r = sub64(fl, 0, 0, lo, hi);
            rH = fl.resH;
            break;
          default:
            r = ~lo;
            rH = ~hi;
        }
        cpu.thi = rH;
        tmp = r;
      };
      let tmp = 0;
      if (ea) {
        return () => {
          const a = ea();
          const lo = m.read64(a);
          compute(lo, m.hi);
          m.write64(a, tmp, cpu.thi);
        };
      }
      return () => {
        const lo = get();
        compute(lo, cpu.thi);
        put(tmp, cpu.thi);
      };
    }
    const bits = size * 8;
    const mask = maskOf(size);
    const f = (v: number): number => {
      switch (kind) {
        case "inc": {
          const c = fl.getCF();
          const r = add(fl, v, 1, bits, mask);
          fl.op = FOp.Inc;
          fl.cf = c;
          return r;
        }
        case "dec": {
          const c = fl.getCF();
          const r = sub(fl, v, 1, bits, mask);
          fl.op = FOp.Dec;
          fl.cf = c;
          return r;
        }
        case "neg":
          return sub(fl, 0, v, bits, mask);
        default:
          return (~v & mask) >>> 0;
      }
    };
    if (d.kind === OpK.Reg) {
      const get = reader(cpu, d);
      const put = writer(cpu, d);
      return () => put(f(get()));
    }
    const ea = makeEA(cpu, d);
    const ld = loadAt(cpu, size);
    const st = storeAt(cpu, size);
    return () => {
      const a = ea();
      st(a, f(ld(a)));
    };
  };
}

export const aluOps: [Mnemonic, Builder][] = [
  [Mnemonic.Add, binary(add, add64, true)],
  [Mnemonic.Adc, binary(adc, adc64, true)],
  [Mnemonic.Sub, binary(sub, sub64, true)],
  [Mnemonic.Sbb, binary(sbb, sbb64, true)],
  [Mnemonic.And, binary(and, and64, true)],
  [Mnemonic.Or, binary(or, or64, true)],
  [Mnemonic.Xor, binary(xor, xor64, true)],
  [Mnemonic.Cmp, binary(sub, sub64, false)],
  [Mnemonic.Test, binary(and, and64, false)],
  [Mnemonic.Inc, unary("inc")],
  [Mnemonic.Dec, unary("dec")],
  [Mnemonic.Neg, unary("neg")],
  [Mnemonic.Not, unary("not")],
];

export { add64, sub64 };
