// String instructions: movs stos lods cmps scas, with rep/repe/repne.
//
// A rep instruction runs its whole loop in one closure and counts as one
// retired instruction. rcx/rsi/rdi are written back after every element, so
// a fault part-way leaves them as the hardware would (restartable).

import { Mnemonic } from "../iced.js";
import type { Cpu, Exec } from "../cpu.js";
import { FOp, Fl } from "../flags.js";
import { OpK, type Insn } from "../insn.js";
import { maskOf } from "../operands.js";
import { Gpr } from "../registers.js";
import type { Builder } from "../translate.js";
import { sseCmpsd, sseMovsd } from "./sse.js";

// local copies of the constants (see Gpr in registers.ts: imported bindings are slow in hot code)
const DF = Fl.DF;
const TF = Fl.TF;
const RAX = Gpr.RAX, RCX = Gpr.RCX, RDI = Gpr.RDI, RSI = Gpr.RSI;

const TWO32 = 4294967296;

type Kind = "movs" | "stos" | "lods" | "cmps" | "scas";

function regAddr(cpu: Cpu, r: number, addr32: boolean): number {
  return addr32 ? cpu.lo[r]! >>> 0 : cpu.hi[r]! * TWO32 + (cpu.lo[r]! >>> 0);
}

function regAdvance(cpu: Cpu, r: number, delta: number, addr32: boolean): void {
  const L = cpu.lo, H = cpu.hi;
  const s = (L[r]! >>> 0) + delta;
  L[r] = s;
  if (addr32) H[r] = 0;
  else if (s > 0xffffffff) H[r] = (H[r]! + 1) | 0;
  else if (s < 0) H[r] = (H[r]! - 1) | 0;
}

/** fallback: movsd/cmpsd also name SSE instructions (same iced mnemonic); non-string forms go there. */
function stringOp(kind: Kind, fallback?: Builder): Builder {
  return (cpu, insn: Insn, k): Exec | undefined => {
    const str = insn.ops.find((o) => o.kind === OpK.Str);
    if (!str) return fallback?.(cpu, insn, k);
    const size = insn.memSize || insn.opSize;
    const addr32 = str.addrSize === 4;
    const rep = insn.rep || insn.repne;
    const repne = insn.repne;
    const m = cpu.mem;
    const L = cpu.lo, H = cpu.hi;
    const fl = cpu.fl;
    const bits = size * 8;
    const mask = maskOf(Math.min(size, 4));
    const load = (a: number): number => (size === 1 ? m.read8(a) : size === 2 ? m.read16(a) : m.read32(a) >>> 0);
    const store = (a: number, v: number): void => (size === 1 ? m.write8(a, v) : size === 2 ? m.write16(a, v) : m.write32(a, v));

    const one = (): void => {
      const step = fl.bits & DF ? -size : size;
      switch (kind) {
        case "movs": {
          const src = regAddr(cpu, RSI, addr32), dst = regAddr(cpu, RDI, addr32);
          if (size === 8) {
            const lo = m.read64(src);
            m.write64(dst, lo, m.hi);
          } else store(dst, load(src));
          regAdvance(cpu, RSI, step, addr32);
          regAdvance(cpu, RDI, step, addr32);
          return;
        }
        case "stos": {
          const dst = regAddr(cpu, RDI, addr32);
          if (size === 8) m.write64(dst, L[RAX]!, H[RAX]!);
          else store(dst, L[RAX]! & mask);
          regAdvance(cpu, RDI, step, addr32);
          return;
        }
        case "lods": {
          const src = regAddr(cpu, RSI, addr32);
          if (size === 8) {
            L[RAX] = m.read64(src);
            H[RAX] = m.hi;
          } else if (size === 4) {
            L[RAX] = m.read32(src);
            H[RAX] = 0;
          } else if (size === 2) L[RAX] = (L[RAX]! & ~0xffff) | m.read16(src);
          else L[RAX] = (L[RAX]! & ~0xff) | m.read8(src);
          regAdvance(cpu, RSI, step, addr32);
          return;
        }
        case "cmps":
        case "scas": {
          let aL: number, aH = 0, bL: number, bH = 0;
          const dst = regAddr(cpu, RDI, addr32);
          if (kind === "cmps") {
            const src = regAddr(cpu, RSI, addr32);
            if (size === 8) {
              aL = m.read64(src);
              aH = m.hi;
            } else aL = load(src);
          } else if (size === 8) {
            aL = L[RAX]!;
            aH = H[RAX]!;
          } else aL = L[RAX]! & mask;
          if (size === 8) {
            bL = m.read64(dst);
            bH = m.hi;
            const d = (aL >>> 0) - (bL >>> 0);
            fl.set64(FOp.Sub, aL, aH, bL, bH, d, aH - bH - (d < 0 ? 1 : 0));
          } else {
            bL = load(dst);
            aL >>>= 0;
            const r = bits === 32 ? (aL - bL) >>> 0 : (aL - bL) & mask;
            fl.set(FOp.Sub, bits, aL, bL, r);
          }
          if (kind === "cmps") regAdvance(cpu, RSI, step, addr32);
          regAdvance(cpu, RDI, step, addr32);
          return;
        }
      }
    };
    if (!rep) return one;
    const conditional = kind === "cmps" || kind === "scas";
    const at = insn.addr;
    return () => {
      // With TF set the CPU takes the debug trap after each iteration, rip still on the instruction
      // (so a uprobe's out-of-line step of "rep movs" comes back to the probe once per element).
      const oneThenTrap = (fl.bits & TF) !== 0;
      for (;;) {
        const cnt = addr32 ? L[RCX]! : L[RCX]! | H[RCX]!;
        if (cnt === 0) return;
        one();
        // rcx is decremented after the element completes
        const lo = L[RCX]! >>> 0;
        L[RCX] = lo - 1;
        if (addr32) H[RCX] = 0;
        else if (lo === 0) H[RCX] = (H[RCX]! - 1) | 0;
        if (conditional) {
          const zf = fl.getZF();
          if (repne ? zf !== 0 : zf === 0) return;
        }
        if (oneThenTrap) {
          if ((addr32 ? L[RCX]! : L[RCX]! | H[RCX]!) !== 0) cpu.rip = at;
          return;
        }
      }
    };
  };
}

export const stringOps: [Mnemonic, Builder][] = [
  [Mnemonic.Movsb, stringOp("movs")],
  [Mnemonic.Movsw, stringOp("movs")],
  [Mnemonic.Movsd, stringOp("movs", sseMovsd)],
  [Mnemonic.Movsq, stringOp("movs")],
  [Mnemonic.Stosb, stringOp("stos")],
  [Mnemonic.Stosw, stringOp("stos")],
  [Mnemonic.Stosd, stringOp("stos")],
  [Mnemonic.Stosq, stringOp("stos")],
  [Mnemonic.Lodsb, stringOp("lods")],
  [Mnemonic.Lodsw, stringOp("lods")],
  [Mnemonic.Lodsd, stringOp("lods")],
  [Mnemonic.Lodsq, stringOp("lods")],
  [Mnemonic.Cmpsb, stringOp("cmps")],
  [Mnemonic.Cmpsw, stringOp("cmps")],
  [Mnemonic.Cmpsd, stringOp("cmps", sseCmpsd)],
  [Mnemonic.Cmpsq, stringOp("cmps")],
  [Mnemonic.Scasb, stringOp("scas")],
  [Mnemonic.Scasw, stringOp("scas")],
  [Mnemonic.Scasd, stringOp("scas")],
  [Mnemonic.Scasq, stringOp("scas")],
];
