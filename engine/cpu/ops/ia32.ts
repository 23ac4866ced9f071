// The instructions whose 32-bit-mode behaviour differs from 64-bit mode's
// (a compat task: CS.L = 0, CS.D = 1): the stack is esp and its slots are 4
// bytes (push pop call ret enter leave pushf popf pusha popa), near branches
// through a register or memory take a 4-byte target, and the segment
// registers %fs/%gs are loaded from a selector, their base coming from the
// task's TLS descriptors (set_thread_area). translate() looks here first for
// a 32-bit CPU only, so 64-bit translation and execution are unchanged.
//
// esp wraps at 32 bits and the high halves of the registers stay 0.

import { Mnemonic } from "../iced.js";
import type { Cpu, Exec } from "../cpu.js";
import { CpuException, X86_TRAP_GP } from "../exceptions.js";
import { USER_FLAGS_MASK } from "../flags.js";
import { OpK } from "../insn.js";
import { reader, writer } from "../operands.js";
import { Gpr, RegClass, SEG_FS, SEG_GS } from "../registers.js";
import type { Builder } from "../translate.js";

// local copies of the constants (see Gpr in registers.ts: imported bindings are slow in hot code)
const RSP = Gpr.RSP, RBP = Gpr.RBP;

/** Push a 32-bit value on esp. */
function push32(cpu: Cpu, v: number): void {
  const L = cpu.lo;
  const a = (L[RSP]! - 4) >>> 0;
  cpu.mem.write32(a, v);
  L[RSP] = a;
}

/** Pop a 32-bit value from esp (unsigned). */
function pop32(cpu: Cpu): number {
  const L = cpu.lo;
  const a = L[RSP]! >>> 0;
  const v = cpu.mem.read32(a) >>> 0;
  L[RSP] = a + 4;
  return v;
}

const push: Builder = (cpu, insn) => {
  const s = insn.ops[0]!;
  const L = cpu.lo, m = cpu.mem;
  if (s.kind === OpK.Reg && s.cls === RegClass.Seg) {
    const seg = s.reg;
    return () => push32(cpu, cpu.selectors[seg]!);
  }
  if (insn.spInc === -2) {
    const src = reader(cpu, s, 2);
    return () => {
      const v = src();
      const a = (L[RSP]! - 2) >>> 0;
      m.write16(a, v);
      L[RSP] = a;
    };
  }
  const src = reader(cpu, s, 4);
  return () => push32(cpu, src()); // push %esp stores the old value: read before the store
};

const pop: Builder = (cpu, insn) => {
  const d = insn.ops[0]!;
  const L = cpu.lo, m = cpu.mem;
  if (d.kind === OpK.Reg && d.cls === RegClass.Seg) {
    const seg = d.reg;
    return () => {
      const sp = L[RSP]!;
      const v = pop32(cpu);
      try {
        loadSegment(cpu, seg, v & 0xffff);
      } catch (e) {
        L[RSP] = sp;
        throw e;
      }
    };
  }
  if (insn.spInc === 2) {
    const dst = writer(cpu, d, 2);
    return () => {
      const a = L[RSP]! >>> 0;
      const v = m.read16(a);
      L[RSP] = a + 2;
      dst(v);
    };
  }
  // pop to memory computes the address after esp moved; pop %esp: the loaded value wins
  const dst = writer(cpu, d, 4);
  return () => dst(pop32(cpu));
};

const pusha: Builder = (cpu) => {
  const L = cpu.lo;
  return () => {
    const sp = L[RSP]!;
    for (let r = 0; r < 8; r++) push32(cpu, r === RSP ? sp : L[r]!);
  };
};

const popa: Builder = (cpu) => {
  const L = cpu.lo;
  return () => {
    for (let r = 7; r >= 0; r--) {
      const v = pop32(cpu);
      if (r !== RSP) L[r] = v;
    }
  };
};

const leave: Builder = (cpu) => {
  const L = cpu.lo;
  return () => {
    const sp = L[RSP]!;
    L[RSP] = L[RBP]!;
    try {
      L[RBP] = pop32(cpu);
    } catch (e) {
      L[RSP] = sp;
      throw e;
    }
  };
};

const enter: Builder = (cpu, insn) => {
  const size = insn.ops[0]!.immLo & 0xffff;
  const level = insn.ops[1]!.immLo & 31;
  const L = cpu.lo;
  return () => {
    push32(cpu, L[RBP]!);
    const frame = L[RSP]!;
    for (let i = 1; i < level; i++) push32(cpu, cpu.mem.read32((L[RBP]! - 4 * i) >>> 0));
    if (level > 0) push32(cpu, frame);
    L[RBP] = frame;
    L[RSP] = (L[RSP]! >>> 0) - size;
  };
};

const pushf: Builder = (cpu) => () => push32(cpu, cpu.fl.get() & 0xfcffff); // RF and VM read as 0

const popf: Builder = (cpu) => {
  const fl = cpu.fl;
  return () => {
    const v = pop32(cpu);
    fl.put((fl.get() & ~USER_FLAGS_MASK) | (v & USER_FLAGS_MASK));
  };
};

const call: Builder = (cpu, insn) => {
  const t = insn.ops[0]!;
  const ret = insn.next >>> 0;
  if (t.kind === OpK.Rel) {
    const target = t.immLo >>> 0;
    return () => {
      push32(cpu, ret);
      cpu.rip = target;
    };
  }
  if (t.size !== 4) return undefined; // far and 16-bit calls
  const src = reader(cpu, t, 4);
  return () => {
    const target = src();
    push32(cpu, ret);
    cpu.rip = target;
  };
};

const jmp: Builder = (cpu, insn) => {
  const t = insn.ops[0]!;
  if (t.kind === OpK.Rel) {
    const target = t.immLo >>> 0;
    return () => void (cpu.rip = target);
  }
  if (t.size !== 4) return undefined;
  const src = reader(cpu, t, 4);
  return () => void (cpu.rip = src());
};

const ret: Builder = (cpu, insn) => {
  const extra = insn.ops.length ? insn.ops[0]!.immLo & 0xffff : 0;
  const L = cpu.lo;
  return () => {
    const target = pop32(cpu);
    if (extra) L[RSP] = (L[RSP]! >>> 0) + extra;
    cpu.rip = target;
  };
};

/**
 * Loading %fs or %gs: a null selector gives base 0; a TLS selector (GDT, RPL 3) the base that
 * set_thread_area put in that descriptor; anything else #GP (the GDT's other user entries, the
 * flat code and data segments, have base 0 too).
 */
export function loadSegment(cpu: Cpu, seg: number, sel: number): void {
  let base = 0;
  if (sel > 3) {
    const desc = cpu.tls.get(sel >> 3);
    if ((sel & 7) !== 3 || (desc === undefined && !FLAT_SELECTORS.has(sel))) throw new CpuException(X86_TRAP_GP, sel & ~3, `segment selector 0x${sel.toString(16)}`);
    base = desc ?? 0;
  }
  cpu.selectors[seg] = sel;
  if (seg === SEG_FS) cpu.fsBase = base;
  else if (seg === SEG_GS) cpu.gsBase = base;
}

/** __USER32_CS, __USER_DS, __USER_CS on a 64-bit kernel (the flat segments a compat task may load). */
const FLAT_SELECTORS = new Set([0x23, 0x2b, 0x33]);

/** mov to or from a segment register (the other operand a 16-bit register or memory word; a 32-bit register reads the selector zero-extended). */
const movSeg: Builder = (cpu, insn) => {
  const [d, s] = insn.ops as [typeof insn.ops[0], typeof insn.ops[0]];
  if (d!.cls === RegClass.Seg) {
    const seg = d!.reg;
    if (seg === 1) return undefined; // mov to %cs is #UD (iced does not decode it)
    const src = reader(cpu, s!, 2);
    return () => loadSegment(cpu, seg, src());
  }
  if (s!.cls !== RegClass.Seg) return undefined;
  const seg = s!.reg;
  const dst = writer(cpu, d!, d!.kind === OpK.Reg ? d!.size : 2);
  return () => dst(cpu.selectors[seg]!);
};

/** int $0x80 is what it is in 64-bit mode (system.ts); these are the 32-bit-only forms. */
export const ia32Ops: [Mnemonic, Builder][] = [
  [Mnemonic.Push, push],
  [Mnemonic.Pop, pop],
  [Mnemonic.Pushad, pusha],
  [Mnemonic.Popad, popa],
  [Mnemonic.Leave, leave],
  [Mnemonic.Enter, enter],
  [Mnemonic.Pushfd, pushf],
  [Mnemonic.Popfd, popf],
  [Mnemonic.Call, call],
  [Mnemonic.Jmp, jmp],
  [Mnemonic.Ret, ret],
];

/** mov with a segment register operand (a Mov is otherwise the 64-bit builder's). */
export function ia32Mov(cpu: Cpu, insn: Parameters<Builder>[1], k: number): Exec | undefined {
  if (!insn.ops.some((o) => o.kind === OpK.Reg && o.cls === RegClass.Seg)) return undefined;
  return movSeg(cpu, insn, k);
}

