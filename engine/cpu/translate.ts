// Translation of one decoded instruction into its closure.
//
// One table maps iced's Mnemonic to a Builder; each instruction family lives
// in its own file under ops/ (Blink's file-per-family layout). A builder may
// return undefined for an operand form it does not implement; like an
// unknown mnemonic, that becomes a closure raising #UD, so the guest gets
// SIGILL naming the instruction, never a host exception.

import { Mnemonic } from "./iced.js";
import type { Cpu, Exec } from "./cpu.js";
import { undefinedOpcode } from "./exceptions.js";
import type { Insn } from "./insn.js";
import { aluOps } from "./ops/alu.js";
import { atomicOps } from "./ops/atomic.js";
import { bitOps } from "./ops/bits.js";
import { ia32Mov, ia32Ops } from "./ops/ia32.js";
import { branchOps } from "./ops/branch.js";
import { mmxOps, usesMmx } from "./ops/mmx.js";
import { movOps } from "./ops/mov.js";
import { muldivOps } from "./ops/muldiv.js";
import { shiftOps } from "./ops/shift.js";
import { sseOps } from "./ops/sse.js";
import { stackOps } from "./ops/stack.js";
import { stringOps } from "./ops/string.js";
import { systemOps } from "./ops/system.js";
import { x87Ops } from "./ops/x87.js";

/** Builds the closure for an instruction; k is its index in the block. */
export type Builder = (cpu: Cpu, insn: Insn, k: number) => Exec | undefined;

const table: (Builder | undefined)[] = [];
for (const family of [aluOps, atomicOps, movOps, stackOps, branchOps, shiftOps, muldivOps, bitOps, stringOps, systemOps, sseOps, x87Ops]) {
  for (const [m, b] of family) {
    if (table[m]) throw new Error(`duplicate builder for ${Mnemonic[m]}`);
    table[m] = b;
  }
}

/** A 32-bit CPU's own forms (stack width, 4-byte branch targets, segment loads): tried first, at translation time only. */
const ia32Table: (Builder | undefined)[] = [];
for (const [m, b] of ia32Ops) ia32Table[m] = b;
ia32Table[Mnemonic.Mov] = ia32Mov;

/** MMX forms share their mnemonics with SSE2's (paddb mm vs xmm): their own table, picked by operand. */
const mmxTable: (Builder | undefined)[] = [];
for (const [m, b] of mmxOps) mmxTable[m] = b;

export function translate(cpu: Cpu, insn: Insn, k: number): Exec {
  const b = insn.mnemonic === Mnemonic.Emms || usesMmx(insn) ? mmxTable[insn.mnemonic] : table[insn.mnemonic];
  let fn: Exec | undefined;
  if (cpu.bitness === 32) fn = ia32Table[insn.mnemonic]?.(cpu, insn, k);
  if (!fn && b) fn = b(cpu, insn, k);
  if (fn) return fn;
  const what = cpu.decoder.format(insn.addr, insn.bytes);
  return () => {
    throw undefinedOpcode(`not implemented: ${what}`);
  };
}
