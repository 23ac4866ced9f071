// movs and stos (b/w/d/q, with or without rep) in generated code, as
// ops/string.ts runs them: one element at a time, rsi/rdi stepped by the
// element size (down when RFLAGS.DF is set), rcx decremented after each
// element, and a rep instruction retired once when rcx reaches 0.
//
// Each element's source and destination must hit the TLB fast path; on a
// miss the function leaves before that element with rcx/rsi/rdi stored as
// the elements done so far left them, and returns the instruction's index:
// the interpreter runs the same rep instruction on from there (a rep is
// restartable, which is how the hardware resumes one after a fault or an
// interrupt), so memory, registers and the instruction count end as the
// interpreter's. The flags are not touched.

import { Mnemonic } from "../iced.js";
import { OpK, type Insn } from "../insn.js";
import type { Gen } from "./codegen.js";

const RAX = 0, RCX = 1, RSI = 6, RDI = 7;
const TWO32 = 4294967296;
/** RFLAGS.DF (Fl.DF). cld/std/popf are not compiled, so cpu.fl.bits holds it while compiled code runs. */
const DF = 0x400;

const KIND: Partial<Record<Mnemonic, "movs" | "stos">> = {
  [Mnemonic.Movsb]: "movs",
  [Mnemonic.Movsw]: "movs",
  [Mnemonic.Movsd]: "movs",
  [Mnemonic.Movsq]: "movs",
  [Mnemonic.Stosb]: "stos",
  [Mnemonic.Stosw]: "stos",
  [Mnemonic.Stosd]: "stos",
  [Mnemonic.Stosq]: "stos",
};

/** Whether insn is a movs/stos string instruction (not SSE movsd) with 64-bit addressing: the forms stringInsn compiles. */
export function isStringMove(insn: Insn): boolean {
  if (KIND[insn.mnemonic] === undefined || insn.lock) return false;
  const strs = insn.ops.filter((o) => o.kind === OpK.Str);
  return strs.length > 0 && strs.every((o) => o.addrSize === 8);
}

/** rsi/rdi += step (string.ts regAdvance, 64-bit addressing). */
function advance(g: Gen, r: number, step: string): string {
  const l = g.lo(r), h = g.hi(r);
  g.written.add(r);
  return `{const t=(${l}>>>0)+${step};${l}=t|0;${h}=t>4294967295?(${h}+1)|0:t<0?(${h}-1)|0:${h};}`;
}

/** Address in a 64-bit register. */
function addr(g: Gen, r: number): string {
  return `(${g.hi(r)}*${TWO32}+(${g.lo(r)}>>>0))`;
}

/** One element (string.ts `one`): both TLB fast paths checked before anything is written. */
function element(g: Gen, kind: "movs" | "stos", size: number, step: string): void {
  const dst = g.access(addr(g, RDI), size, "w");
  if (kind === "movs") {
    const src = g.access(addr(g, RSI), size, "r");
    if (size === 8) {
      // both halves read before either is written: the areas may overlap (string.ts: read64, then write64)
      const lo = g.tmp("v", `${src.dv}.getInt32(${src.off},true)`), hi = g.tmp("vh", `${src.dv}.getInt32(${src.off}+4,true)`);
      g.out.push(`${dst.dv}.setInt32(${dst.off},${lo},true);${dst.dv}.setInt32(${dst.off}+4,${hi},true);`);
    }
    else g.out.push(g.store(dst.dv, dst.off, size, g.load(src.dv, src.off, size)));
    g.out.push(advance(g, RSI, step));
  } else if (size === 8) g.out.push(`${dst.dv}.setInt32(${dst.off},${g.lo(RAX)},true);${dst.dv}.setInt32(${dst.off}+4,${g.hi(RAX)},true);`);
  else g.out.push(g.store(dst.dv, dst.off, size, size === 4 ? g.lo(RAX) : `${g.lo(RAX)}&${size === 2 ? 65535 : 255}`));
  g.out.push(advance(g, RDI, step));
}

/** movs/stos, rep or not; false for the forms left to the interpreter. */
export function stringInsn(g: Gen, insn: Insn): boolean {
  const kind = KIND[insn.mnemonic];
  if (kind === undefined || !isStringMove(insn)) return false;
  const size = insn.memSize || insn.opSize;
  if (size !== 1 && size !== 2 && size !== 4 && size !== 8) return false;
  const step = g.tmp("st", `(fl.bits&${DF})!==0?${-size}:${size}`);
  if (!(insn.rep || insn.repne)) {
    element(g, kind, size, step);
    return true;
  }
  // rcx is written whatever the count (stored back at every exit; unchanged when it was 0)
  g.written.add(RCX);
  const c = g.lo(RCX), ch = g.hi(RCX);
  g.out.push(`while((${c}|${ch})!==0){`);
  element(g, kind, size, step);
  g.out.push(`{const t=${c}>>>0;${c}=(t-1)|0;if(t===0)${ch}=(${ch}-1)|0;}}`);
  return true;
}
