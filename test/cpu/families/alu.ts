// Differential tests: add adc sub sbb and or xor cmp test inc dec neg not,
// at 8/16/32/64 bits, register, immediate and memory forms.

import { AF, CF, EDGES, PAIR_EDGES, pairSet, randoms, singleSet, type Case, type Family } from "../harness.js";
import { R, SFX } from "../regs.js";

// SDM: and/or/xor/test clear OF and CF, set SF ZF PF from the result; AF is undefined.
const UNDEF_LOGIC = AF;

const BINARY = ["add", "adc", "sub", "sbb", "and", "or", "xor", "cmp", "test"];
const LOGIC = new Set(["and", "or", "xor", "test"]);

/** Immediates per width (AT&T). 8-bit ones with the sign-extended imm8 forms for the wider widths. */
const IMMS: Record<number, string[]> = {
  8: ["$0", "$1", "$0x7f", "$0x80", "$0xff"],
  16: ["$1", "$-1", "$0x7fff", "$0x8000", "$-128", "$0x80"],
  32: ["$1", "$-1", "$0x7fffffff", "$-0x80000000", "$-128", "$0x80"],
  64: ["$1", "$-1", "$0x7fffffff", "$-0x80000000", "$-128", "$0x80"],
};

function cases(): Case[] {
  const out: Case[] = [];
  for (const op of BINARY) {
    const undef = LOGIC.has(op) ? UNDEF_LOGIC : 0;
    for (const w of [8, 16, 32, 64]) {
      const a = R.rax[w]!, b = R.rbx[w]!, s = SFX[w]!;
      out.push({ asm: `${op} ${b}, ${a}`, set: "pairs", undef });
      // other registers, so no form is only ever seen with rax
      out.push({ asm: `${op} ${R.rdx[w]}, ${R.r9[w]}`, set: "pairs_small_r9", undef });
      for (const imm of IMMS[w]!) {
        out.push({ asm: `${op}${s} ${imm}, ${a}`, set: "single", undef }); // the short accumulator forms
        out.push({ asm: `${op}${s} ${imm}, ${R.rsi[w]}`, set: "small_rsi", undef });
        out.push({ asm: `mov %rax, mem+8(%rip); ${op}${s} ${imm}, mem+8(%rip)`, set: "small", undef });
      }
      // memory source and destination, rip-relative and base+index*scale+disp
      if (op !== "test") out.push({ asm: `mov %rbx, mem+16(%rip); ${op} mem+16(%rip), ${a}`, set: "pairs_small", undef });
      out.push({ asm: `mov %rax, mem+24(%rip); ${op} ${b}, mem+24(%rip)`, set: "pairs_small", undef });
      out.push({ asm: `lea mem(%rip), %rsi; mov $3, %edi; mov %rax, 40(%rsi,%rdi,8); ${op}${s} ${b}, 40(%rsi,%rdi,8)`, set: "pairs_small", undef });
    }
    // the same register as both operands (sbb %eax,%eax; xor %eax,%eax; ...)
    for (const w of [8, 16, 32, 64]) out.push({ asm: `${op} ${R.rax[w]}, ${R.rax[w]}`, set: "single", undef });
    // high-byte registers
    out.push({ asm: `${op} %bh, %ah`, set: "pairs_h", undef });
    out.push({ asm: `${op} %ch, %dl`, set: "pairs_h", undef });
    // adc/sbb chains: the carry out of one is the carry into the next
    if (op === "adc" || op === "sbb") {
      out.push({ asm: `${op} %rbx, %rax; ${op} %rdx, %rcx; ${op} %rbx, %rdx`, set: "pairs" });
      out.push({ asm: `${op} %ebx, %eax; ${op}l $0, %ecx; ${op}b $0x7f, %dl`, set: "pairs" });
    }
  }
  for (const op of ["inc", "dec", "neg", "not"]) {
    for (const w of [8, 16, 32, 64]) {
      const s = SFX[w]!;
      out.push({ asm: `${op} ${R.rax[w]}`, set: "single" });
      out.push({ asm: `${op} ${R.r12[w]}`, set: "single_r12" });
      out.push({ asm: `mov %rax, mem(%rip); ${op}${s} mem(%rip)`, set: "single" });
    }
    out.push({ asm: `${op} %ah`, set: "single_h" });
  }
  return out;
}

const pairVals = [...PAIR_EDGES, ...randoms(3, 1)];
const small = [0n, 1n, 0x7fn, 0x80n, 0xffn, 0x8000n, 0x80000000n, 0xffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, ...randoms(2, 2)];
const singles = [...EDGES, ...randoms(6, 3)];
const hvals = [0n, 0x100n, 0x7f00n, 0x8000n, 0xff00n, 0x7f80n, 0x80ffn, 0xffffn, 0x0f0fn];

export const aluFamily: Family = {
  name: "alu",
  sets: {
    pairs: pairSet(pairVals, pairVals),
    pairs_small_r9: pairSet(small, small, "r9", "rdx"),
    pairs_small: pairSet(small, small).filter((_, i) => i % 2 === Math.floor(i / 2 / small.length) % 2), // each pair once, CF alternating
    pairs_h: [...pairSet(hvals, hvals), ...pairSet(hvals, hvals, "rdx", "rcx")],
    single: singleSet(singles, "rax", [0, CF]),
    small: singleSet(small, "rax", [0, CF]),
    small_rsi: singleSet(small, "rsi", [0, CF]),
    single_r12: singleSet(singles, "r12", [0, CF]),
    single_h: singleSet([...hvals, 0xffffffffffffffffn], "rax"),
  },
  cases: cases(),
};

