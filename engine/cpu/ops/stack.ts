// Stack instructions: push pop enter leave pushf popf.
// Each writes memory before it moves rsp, so a faulting push leaves rsp intact.

import { Mnemonic } from "../iced.js";
import type { Cpu } from "../cpu.js";
import { USER_FLAGS_MASK, Fl } from "../flags.js";
import { OpK, type Operand } from "../insn.js";
import { makeEA, reader, reader64, writer, writer64 } from "../operands.js";
import { Gpr } from "../registers.js";
import type { Builder } from "../translate.js";

// local copies of the constants (see Gpr in registers.ts: imported bindings are slow in hot code)
const TF = Fl.TF;
const RBP = Gpr.RBP, RSP = Gpr.RSP;

const TWO32 = 4294967296;

/** rsp as an address. */
function spAddr(cpu: Cpu): number {
  return cpu.hi[RSP]! * TWO32 + (cpu.lo[RSP]! >>> 0);
}

/** rsp += delta (|delta| < 2^31), with carry into the high half. */
export function spAdd(cpu: Cpu, delta: number): void {
  const L = cpu.lo, H = cpu.hi;
  const s = (L[RSP]! >>> 0) + delta;
  L[RSP] = s;
  if (s > 0xffffffff) H[RSP] = (H[RSP]! + 1) | 0;
  else if (s < 0) H[RSP] = (H[RSP]! - 1) | 0;
}

/** Push a 64-bit value (used by call and the kernel model too). */
export function push64(cpu: Cpu, lo: number, hi: number): void {
  cpu.mem.write64(spAddr(cpu) - 8, lo, hi);
  spAdd(cpu, -8);
}

/** Pop a 64-bit value: returns the low half, high half in cpu.thi. */
export function pop64(cpu: Cpu): number {
  const m = cpu.mem;
  const lo = m.read64(spAddr(cpu));
  cpu.thi = m.hi;
  spAdd(cpu, 8);
  return lo;
}

const push: Builder = (cpu, insn) => {
  const s = insn.ops[0]!;
  const L = cpu.lo, H = cpu.hi;
  const m = cpu.mem;
  if (s.kind === OpK.Reg && s.cls !== 1) return undefined; // push fs/gs: not modelled
  if (insn.spInc === -2) {
    // pushw (66 prefix)
    const src = reader(cpu, s, 2);
    return () => {
      const v = src();
      m.write16(spAddr(cpu) - 2, v);
      spAdd(cpu, -2);
    };
  }
  if (s.kind === OpK.Reg) {
    const r = s.reg;
    return () => {
      const a = H[RSP]! * TWO32 + (L[RSP]! >>> 0) - 8;
      m.write64(a, L[r]!, H[r]!); // push %rsp stores the old value, as hardware does
      const lo = L[RSP]! >>> 0;
      L[RSP] = lo - 8;
      if (lo < 8) H[RSP] = (H[RSP]! - 1) | 0;
    };
  }
  const src = reader64(cpu, s);
  return () => {
    const lo = src();
    push64(cpu, lo, cpu.thi);
  };
};

const pop: Builder = (cpu, insn) => {
  const d = insn.ops[0]!;
  const L = cpu.lo, H = cpu.hi;
  const m = cpu.mem;
  if (d.kind === OpK.Reg && d.cls !== 1) return undefined;
  if (insn.spInc === 2) {
    const dst = writer(cpu, d, 2);
    return () => {
      const v = m.read16(spAddr(cpu));
      spAdd(cpu, 2);
      dst(v);
    };
  }
  if (d.kind === OpK.Reg) {
    const r = d.reg;
    return () => {
      const a = H[RSP]! * TWO32 + (L[RSP]! >>> 0);
      const lo = m.read64(a);
      const hi = m.hi;
      const sp = L[RSP]! >>> 0;
      L[RSP] = sp + 8;
      if (sp > 0xfffffff7) H[RSP] = (H[RSP]! + 1) | 0;
      L[r] = lo; // pop %rsp: the loaded value wins over the increment
      H[r] = hi;
    };
  }
  // pop to memory: the address is computed after rsp is incremented
  const dst = writer64(cpu, d);
  return () => {
    const lo = pop64(cpu);
    dst(lo, cpu.thi);
  };
};

const leave: Builder = (cpu) => {
  const L = cpu.lo, H = cpu.hi;
  return () => {
    const savedLo = L[RSP]!, savedHi = H[RSP]!;
    L[RSP] = L[RBP]!;
    H[RSP] = H[RBP]!;
    try {
      L[RBP] = pop64(cpu);
      H[RBP] = cpu.thi;
    } catch (e) {
      L[RSP] = savedLo;
      H[RSP] = savedHi;
      throw e;
    }
  };
};

const enter: Builder = (cpu, insn) => {
  const size = insn.ops[0]!.immLo & 0xffff;
  const level = insn.ops[1]!.immLo & 31;
  const L = cpu.lo, H = cpu.hi;
  return () => {
    push64(cpu, L[RBP]!, H[RBP]!);
    const frameLo = L[RSP]!, frameHi = H[RSP]!;
    for (let i = 1; i < level; i++) {
      const a = H[RBP]! * TWO32 + (L[RBP]! >>> 0) - 8 * i;
      const lo = cpu.mem.read64(a);
      push64(cpu, lo, cpu.mem.hi);
    }
    if (level > 0) push64(cpu, frameLo, frameHi);
    L[RBP] = frameLo;
    H[RBP] = frameHi;
    spAdd(cpu, -size);
  };
};

const pushf: Builder = (cpu) => {
  // RF and VM read as 0 in the pushed image
  return () => push64(cpu, cpu.fl.get() & 0xfcffff, 0);
};

const popf: Builder = (cpu) => {
  return () => {
    const v = pop64(cpu);
    const fl = cpu.fl;
    fl.put((fl.get() & ~USER_FLAGS_MASK) | (v & USER_FLAGS_MASK));
  };
};

export const stackOps: [Mnemonic, Builder][] = [
  [Mnemonic.Push, push],
  [Mnemonic.Pop, pop],
  [Mnemonic.Leave, leave],
  [Mnemonic.Enter, enter],
  [Mnemonic.Pushf, pushf],
  [Mnemonic.Pushfq, pushf],
  [Mnemonic.Popf, popf],
  [Mnemonic.Popfq, popf],
];

void makeEA;
