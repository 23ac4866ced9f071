// Control transfers: jmp jcc call ret loop/loopcc jrcxz.
//
// The block executor presets rip to the fall-through address, so a branch
// only writes rip when it is taken. A transfer to a non-canonical address
// raises #GP on the branch itself (rip stays at the branch, as on hardware).

import { Mnemonic } from "../iced.js";
import type { Cpu, Exec } from "../cpu.js";
import { CpuException, X86_TRAP_GP } from "../exceptions.js";
import { FOp, ltU, type Flags } from "../flags.js";
import { OpK, type Insn, type Operand } from "../insn.js";
import { reader64 } from "../operands.js";
import { Gpr } from "../registers.js";
import type { Builder } from "../translate.js";
import { pop64, push64, spAdd } from "./stack.js";

// local copies of the constants (see Gpr in registers.ts: imported bindings are slow in hot code)
const RCX = Gpr.RCX, RSP = Gpr.RSP;

const TWO32 = 4294967296;
const CANON = 0x800000000000;

function toAddr(lo: number, hi: number): number {
  return (hi | 0) * TWO32 + (lo >>> 0);
}

function nonCanonical(): CpuException {
  return new CpuException(X86_TRAP_GP, 0, "non-canonical branch target");
}

function relTarget(o: Operand): number {
  return toAddr(o.immLo, o.immHi);
}

/**
 * The test of a condition code, one function literal per code: each gets its
 * own optimized code and branch history in V8 (one shared closure switching
 * on cc mispredicts across jcc sites). After cmp/sub (FOp.Sub) the operands
 * are compared directly, after test/and/or/xor (FOp.Logic, CF = OF = 0) the
 * result is enough; anything else goes through Flags.cond.
 */
function condition(fl: Flags, cc: number): () => boolean {
  switch (cc) {
    case 2: // b: CF
      return () => (fl.op === FOp.Sub ? ltU(fl.aH, fl.a, fl.bH, fl.b) : fl.cond(2));
    case 3: // ae: !CF
      return () => (fl.op === FOp.Sub ? !ltU(fl.aH, fl.a, fl.bH, fl.b) : fl.cond(3));
    case 4: // e: ZF
      return () => fl.getZF() !== 0;
    case 5: // ne: !ZF
      return () => fl.getZF() === 0;
    case 6: // be: CF | ZF, i.e. !(b < a)
      return () => (fl.op === FOp.Sub ? !ltU(fl.bH, fl.b, fl.aH, fl.a) : fl.cond(6));
    case 7: // a: !(CF | ZF), i.e. b < a
      return () => (fl.op === FOp.Sub ? ltU(fl.bH, fl.b, fl.aH, fl.a) : fl.cond(7));
    case 8: // s: SF
      return () => fl.getSF() !== 0;
    case 9: // ns: !SF
      return () => fl.getSF() === 0;
    case 12: // l: SF != OF
      return () => (fl.op === FOp.Sub ? subLess(fl) : fl.op === FOp.Logic ? fl.getSF() !== 0 : fl.cond(12));
    case 13: // ge: SF == OF
      return () => (fl.op === FOp.Sub ? !subLess(fl) : fl.op === FOp.Logic ? fl.getSF() === 0 : fl.cond(13));
    case 14: // le: ZF | SF != OF
      return () => (fl.op === FOp.Sub ? !subLess(fl, true) : fl.op === FOp.Logic ? fl.getZF() !== 0 || fl.getSF() !== 0 : fl.cond(14));
    case 15: // g: !(ZF | SF != OF)
      return () => (fl.op === FOp.Sub ? subLess(fl, true) : fl.op === FOp.Logic ? fl.getZF() === 0 && fl.getSF() === 0 : fl.cond(15));
    default: // o, no, p, np
      return () => fl.cond(cc);
  }
}

/** After cmp a, b: signed a < b (orGreater: a > b, i.e. !(a <= b)). Operands are int32 bit patterns, masked to the width. */
function subLess(fl: Flags, orGreater = false): boolean {
  let sa: number, sb: number;
  if (fl.sz === 64) {
    sa = fl.aH;
    sb = fl.bH;
    if (sa !== sb) return orGreater ? sa > sb : sa < sb;
    const la = fl.a >>> 0, lb = fl.b >>> 0;
    return orGreater ? la > lb : la < lb;
  }
  const shift = 32 - fl.sz;
  sa = (fl.a << shift) >> shift;
  sb = (fl.b << shift) >> shift;
  return orGreater ? sa > sb : sa < sb;
}

const jmp: Builder = (cpu, insn) => {
  const t = insn.ops[0]!;
  if (t.kind === OpK.Rel) {
    const target = relTarget(t);
    if (!(target >= -CANON && target < CANON))
      return () => {
        throw nonCanonical();
      };
    return () => void (cpu.rip = target);
  }
  if (t.size !== 8) return undefined; // far jumps
  const src = reader64(cpu, t);
  return () => {
    const target = toAddr(src(), cpu.thi);
    if (!(target >= -CANON && target < CANON)) throw nonCanonical();
    cpu.rip = target;
  };
};

const jcc: Builder = (cpu, insn) => {
  const target = relTarget(insn.ops[0]!);
  const test = condition(cpu.fl, insn.cc);
  if (!(target >= -CANON && target < CANON))
    return () => {
      if (test()) throw nonCanonical();
    };
  return () => {
    if (test()) cpu.rip = target;
  };
};

const call: Builder = (cpu, insn) => {
  const t = insn.ops[0]!;
  const ret = insn.next;
  const retLo = ret | 0, retHi = Math.floor(ret / TWO32) | 0;
  if (t.kind === OpK.Rel) {
    const target = relTarget(t);
    if (!(target >= -CANON && target < CANON))
      return () => {
        throw nonCanonical();
      };
    return () => {
      push64(cpu, retLo, retHi);
      cpu.rip = target;
    };
  }
  if (t.size !== 8) return undefined;
  const src = reader64(cpu, t);
  return () => {
    const target = toAddr(src(), cpu.thi);
    if (!(target >= -CANON && target < CANON)) throw nonCanonical();
    push64(cpu, retLo, retHi);
    cpu.rip = target;
  };
};

const ret: Builder = (cpu, insn) => {
  const extra = insn.ops.length ? insn.ops[0]!.immLo & 0xffff : 0;
  const L = cpu.lo, H = cpu.hi;
  return () => {
    const sp = L[RSP]!, spH = H[RSP]!;
    const lo = pop64(cpu);
    const target = toAddr(lo, cpu.thi);
    if (!(target >= -CANON && target < CANON)) {
      L[RSP] = sp;
      H[RSP] = spH;
      throw nonCanonical();
    }
    if (extra) spAdd(cpu, extra);
    cpu.rip = target;
  };
};

/** loop/loope/loopne: decrement rcx (ecx with 0x67), branch while non-zero (and ZF condition). */
function loop(kind: "loop" | "loope" | "loopne"): Builder {
  return (cpu, insn): Exec => {
    const target = relTarget(insn.ops[0]!);
    const L = cpu.lo, H = cpu.hi;
    const fl = cpu.fl;
    const addr32 = cpu.bitness === 32 || insn.bytes[0] === 0x67; // ecx: 32-bit mode, or a 0x67 prefix in 64-bit mode
    return () => {
      let nonzero: boolean;
      if (addr32) {
        L[RCX] = (L[RCX]! - 1) | 0;
        H[RCX] = 0;
        nonzero = L[RCX] !== 0;
      } else {
        const lo = L[RCX]! >>> 0;
        L[RCX] = lo - 1;
        if (lo === 0) H[RCX] = (H[RCX]! - 1) | 0;
        nonzero = (L[RCX]! | H[RCX]!) !== 0;
      }
      if (kind === "loope") nonzero = nonzero && fl.getZF() !== 0;
      else if (kind === "loopne") nonzero = nonzero && fl.getZF() === 0;
      if (nonzero) cpu.rip = target;
    };
  };
}

const jrcxz: Builder = (cpu, insn: Insn) => {
  const target = relTarget(insn.ops[0]!);
  const L = cpu.lo, H = cpu.hi;
  if (insn.mnemonic === Mnemonic.Jecxz) return () => void (L[RCX] === 0 && (cpu.rip = target));
  return () => void ((L[RCX]! | H[RCX]!) === 0 && (cpu.rip = target));
};

export const branchOps: [Mnemonic, Builder][] = [
  [Mnemonic.Jmp, jmp],
  [Mnemonic.Call, call],
  [Mnemonic.Ret, ret],
  [Mnemonic.Loop, loop("loop")],
  [Mnemonic.Loope, loop("loope")],
  [Mnemonic.Loopne, loop("loopne")],
  [Mnemonic.Jrcxz, jrcxz],
  [Mnemonic.Jecxz, jrcxz],
  ...[
    Mnemonic.Jo, Mnemonic.Jno, Mnemonic.Jb, Mnemonic.Jae, Mnemonic.Je, Mnemonic.Jne, Mnemonic.Jbe, Mnemonic.Ja,
    Mnemonic.Js, Mnemonic.Jns, Mnemonic.Jp, Mnemonic.Jnp, Mnemonic.Jl, Mnemonic.Jge, Mnemonic.Jle, Mnemonic.Jg,
  ].map((m): [Mnemonic, Builder] => [m, jcc]),
];
