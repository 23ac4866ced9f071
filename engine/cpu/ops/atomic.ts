// Read-modify-write instructions used for atomics: cmpxchg xadd cmpxchg8b
// cmpxchg16b. The lock prefix needs no work: one task runs at a time and an
// instruction never interleaves with another.

import { Mnemonic } from "../iced.js";
import type { Exec } from "../cpu.js";
import { FOp, Fl } from "../flags.js";
import { OpK, type Operand } from "../insn.js";
import { loadAt, makeEA, maskOf, reader, reader64, storeAt, writer, writer64 } from "../operands.js";
import { Gpr } from "../registers.js";
import type { Builder } from "../translate.js";
import { add64, sub64 } from "./alu.js";

// local copies of the constants (see Gpr in registers.ts: imported bindings are slow in hot code)
const ZF = Fl.ZF;
const RAX = Gpr.RAX, RBX = Gpr.RBX, RCX = Gpr.RCX, RDX = Gpr.RDX;

const cmpxchg: Builder = (cpu, insn): Exec => {
  const [d, s] = insn.ops as [Operand, Operand];
  const size = d.size;
  const fl = cpu.fl;
  const L = cpu.lo, H = cpu.hi;
  const m = cpu.mem;
  if (size === 8) {
    const ea = d.kind === OpK.Mem ? makeEA(cpu, d) : undefined;
    const rd = reader64(cpu, d), wr = writer64(cpu, d);
    return () => {
      const a = ea ? ea() : 0;
      let lo: number, hi: number;
      if (ea) {
        lo = m.read64(a);
        hi = m.hi;
      } else {
        lo = rd();
        hi = cpu.thi;
      }
      sub64(fl, L[RAX]!, H[RAX]!, lo, hi);
      if ((lo | 0) === L[RAX] && (hi | 0) === H[RAX]) {
        if (ea) m.write64(a, L[s.reg]!, H[s.reg]!);
        else wr(L[s.reg]!, H[s.reg]!);
      } else {
        if (ea) m.write64(a, lo, hi); // the destination is always written back
        L[RAX] = lo;
        H[RAX] = hi;
      }
    };
  }
  const bits = size * 8;
  const mask = maskOf(size);
  const src = reader(cpu, s);
  const acc = (): number => (size === 4 ? L[RAX]! >>> 0 : L[RAX]! & mask);
  const putAcc = writer(cpu, { ...s, kind: OpK.Reg, reg: RAX, high8: false, size } as Operand);
  const ea = d.kind === OpK.Mem ? makeEA(cpu, d) : undefined;
  const ld = loadAt(cpu, size), st = storeAt(cpu, size);
  const rd = reader(cpu, d), wr = d.kind === OpK.Mem ? undefined : writer(cpu, d);
  return () => {
    const a = ea ? ea() : 0;
    const cur = ea ? ld(a) : rd();
    const x = acc();
    const r = bits === 32 ? (x - cur) >>> 0 : (x - cur) & mask;
    fl.set(FOp.Sub, bits, x, cur, r);
    if (x === cur) {
      if (ea) st(a, src());
      else wr!(src());
    } else {
      if (ea) st(a, cur);
      putAcc(cur);
    }
  };
};

const xadd: Builder = (cpu, insn): Exec => {
  const [d, s] = insn.ops as [Operand, Operand];
  const size = d.size;
  const fl = cpu.fl;
  const m = cpu.mem;
  if (size === 8) {
    const ea = d.kind === OpK.Mem ? makeEA(cpu, d) : undefined;
    const rd = reader64(cpu, d), wr = writer64(cpu, d);
    const rs = reader64(cpu, s), ws = writer64(cpu, s);
    return () => {
      const a = ea ? ea() : 0;
      let lo: number, hi: number;
      if (ea) {
        lo = m.read64(a);
        hi = m.hi;
      } else {
        lo = rd();
        hi = cpu.thi;
      }
      const sl = rs(), sh = cpu.thi;
      const r = add64(fl, lo, hi, sl, sh);
      const rH = fl.resH;
      if (ea) m.write64(a, r, rH);
      ws(lo, hi);
      if (!ea) wr(r, rH);
    };
  }
  const bits = size * 8;
  const mask = maskOf(size);
  const ea = d.kind === OpK.Mem ? makeEA(cpu, d) : undefined;
  const ld = loadAt(cpu, size), st = storeAt(cpu, size);
  const rd = reader(cpu, d), wr = d.kind === OpK.Mem ? undefined : writer(cpu, d);
  const rs = reader(cpu, s), ws = writer(cpu, s);
  return () => {
    const a = ea ? ea() : 0;
    const cur = ea ? ld(a) : rd();
    const v = rs();
    const r = bits === 32 ? (cur + v) >>> 0 : (cur + v) & mask;
    fl.set(FOp.Add, bits, cur, v, r);
    if (ea) st(a, r);
    ws(cur);
    if (wr) wr(r);
  };
};

/** cmpxchg8b/cmpxchg16b: compare edx:eax (rdx:rax) with memory; swap in ecx:ebx (rcx:rbx). */
function cmpxchgWide(size: 8 | 16): Builder {
  return (cpu, insn): Exec => {
    const ea = makeEA(cpu, insn.ops[0]!);
    const L = cpu.lo, H = cpu.hi;
    const m = cpu.mem;
    const fl = cpu.fl;
    return () => {
      const a = ea();
      const f = fl.get();
      if (size === 8) {
        const lo = m.read32(a), hi = m.read32(a + 4);
        if (lo === L[RAX] && hi === L[RDX]) {
          m.write32(a, L[RBX]!);
          m.write32(a + 4, L[RCX]!);
          fl.put(f | ZF);
        } else {
          m.write32(a, lo);
          L[RAX] = lo; H[RAX] = 0;
          L[RDX] = hi; H[RDX] = 0;
          fl.put(f & ~ZF);
        }
        return;
      }
      const l0 = m.read64(a), h0 = m.hi;
      const l1 = m.read64(a + 8), h1 = m.hi;
      if (l0 === L[RAX] && h0 === H[RAX] && l1 === L[RDX] && h1 === H[RDX]) {
        m.write64(a, L[RBX]!, H[RBX]!);
        m.write64(a + 8, L[RCX]!, H[RCX]!);
        fl.put(f | ZF);
      } else {
        m.write64(a, l0, h0);
        L[RAX] = l0; H[RAX] = h0;
        L[RDX] = l1; H[RDX] = h1;
        fl.put(f & ~ZF);
      }
    };
  };
}

export const atomicOps: [Mnemonic, Builder][] = [
  [Mnemonic.Cmpxchg, cmpxchg],
  [Mnemonic.Xadd, xadd],
  [Mnemonic.Cmpxchg8b, cmpxchgWide(8)],
  [Mnemonic.Cmpxchg16b, cmpxchgWide(16)],
];
