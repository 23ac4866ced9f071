// Differential cases: movs stos lods cmps scas, with and without rep/repe/repne,
// byte to quadword, DF clear and set, counts from 0.
//
// Layout set up by every case: region X at mem+64 holds r8, r9, r10 and region
// Y at mem+160 holds r8, r11, r10, where r11 is r9 with at most one byte
// changed (the inputs choose which), so repe cmps stops inside the middle
// qword or runs to the count. With DF=0 the pointers start at the low end of
// the regions, with DF=1 at the high end (the last element).

import { ARITH, DF, mkInput, Rng, type Case, type Family, type Input } from "../harness.js";

const SETUP = "mov %r8, mem+64(%rip); mov %r9, mem+72(%rip); mov %r10, mem+80(%rip); mov %r8, mem+160(%rip); mov %r11, mem+168(%rip); mov %r10, mem+176(%rip)";

/** Load rsi/rdi for an element size: the regions' starts, or with DF=1 their last element. */
function pointers(size: number): string {
  return `lea mem+64(%rip), %rsi; lea mem+160(%rip), %rdi; pushfq; testl $${DF}, (%rsp); popfq; jz 1f; lea mem+${88 - size}(%rip), %rsi; lea mem+${184 - size}(%rip), %rdi; 1:`;
}

const SUFFIX: Record<number, string> = { 1: "b", 2: "w", 4: "l", 8: "q" };

function cases(): Case[] {
  const out: Case[] = [];
  for (const size of [1, 2, 4, 8]) {
    const s = SUFFIX[size]!;
    const p = `${SETUP}; ${pointers(size)}`;
    const cnt = size === 1 ? "" : `; shr $${Math.log2(size)}, %rcx`; // counts in elements, within the regions
    // the count shift sets flags: re-load them so the string op sees the input flags
    const reflag = "; pushq %r12; popfq";
    out.push({ asm: `${p}${cnt}${reflag}; rep movs${s}`, set: "str" });
    out.push({ asm: `${p}${cnt}${reflag}; rep stos${s}`, set: "str" });
    out.push({ asm: `${p}; movs${s}; lods${s}; stos${s}`, set: "str" });
    out.push({ asm: `${p}; lods${s}; lods${s}`, set: "str" });
    out.push({ asm: `${p}${cnt}${reflag}; repe cmps${s}`, set: "str" });
    out.push({ asm: `${p}${cnt}${reflag}; repne cmps${s}`, set: "str" });
    out.push({ asm: `${p}; cmps${s}; cmps${s}`, set: "str" });
    out.push({ asm: `${p}${cnt}${reflag}; repne scas${s}`, set: "str" });
    out.push({ asm: `${p}${cnt}${reflag}; repe scas${s}`, set: "str" });
    out.push({ asm: `${p}; scas${s}`, set: "str" });
  }
  // 32-bit address size (0x67): esi/edi/ecx, upper halves cleared
  out.push({ asm: `${SETUP}; ${pointers(1)}; addr32 rep movsb`, set: "str" });
  out.push({ asm: `${SETUP}; ${pointers(1)}; addr32 repe cmpsb`, set: "str" });
  return out;
}

/** Counts 0..26 bytes, DF clear/set, r11 = r9 with byte k changed (k = 8: equal), al a byte of r9 or not. */
function strSet(): Input[] {
  const out: Input[] = [];
  const r = new Rng(101);
  let n = 60000;
  for (const df of [0, DF])
    for (const count of [0, 1, 2, 3, 7, 8, 9, 12, 15, 16, 17, 24])
      for (const k of [0, 3, 7, 8]) {
        const r9 = r.next();
        const r11 = k === 8 ? r9 : r9 ^ (BigInt(1 + r.int(255)) << BigInt(8 * k));
        const kb = (count + k) % 8;
        const al = (count & 1) === 0 ? (r9 >> BigInt(8 * kb)) & 0xffn : r.next() & 0xffn;
        // rax: for scasw/l/q, a value equal to r9's element at the same place half of the time
        const rax = (count & 2) === 0 ? r9 : (r.next() & ~0xffn) | al;
        const flags = Number(r.next() & BigInt(ARITH)) | df;
        const inp = mkInput(n++, { rcx: BigInt(count), r9, r11, rax, r8: r.next(), r10: r.next() }, flags);
        inp.g[12] = BigInt(flags | 2); // r12: the input flags, to re-load after computing the count
        out.push(inp);
      }
  return out;
}

export const stringFamily: Family = {
  name: "string",
  sets: { str: strSet() },
  cases: cases(),
};
