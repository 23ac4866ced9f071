// Differential cases: mul, imul (one, two and three operands), div, idiv at
// every width. Division inputs are chosen so that none faults; the faulting
// ones (#DE -> SIGFPE) are in faults.test.ts.

import { AF, ARITH, CF, EDGES, mkInput, pairSet, PF, randoms, SF, ZF, type Case, type Family, type Input } from "../harness.js";
import { R, SFX, maskW } from "../regs.js";

// SDM MUL/IMUL: CF and OF are defined (set when the high half is significant); SF ZF AF PF are undefined.
const UNDEF_MUL = SF | ZF | AF | PF;
// SDM DIV/IDIV: every arithmetic flag is undefined.
const UNDEF_DIV = ARITH;

const mulVals = [0n, 1n, 0x7fn, 0x80n, 0xffn, 0x8000n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn,
  0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 0xffffffff00000001n, ...randoms(3, 31)];

function cases(): Case[] {
  const out: Case[] = [];
  for (const w of [8, 16, 32, 64]) {
    const b = R.rbx[w]!, s = SFX[w]!;
    out.push({ asm: `mul ${b}`, set: "pairs", undef: UNDEF_MUL });
    out.push({ asm: `imul ${b}`, set: "pairs", undef: UNDEF_MUL });
    out.push({ asm: `mov %rbx, mem+8(%rip); mul${s} mem+8(%rip)`, set: "pairs", undef: UNDEF_MUL });
    out.push({ asm: `mov %rbx, mem+8(%rip); imul${s} mem+8(%rip)`, set: "pairs", undef: UNDEF_MUL });
    for (const d of ["div", "idiv"]) {
      const set = `${d}${w}`;
      out.push({ asm: `${d} ${b}`, set, undef: UNDEF_DIV });
      out.push({ asm: `mov %rbx, mem+8(%rip); ${d}${s} mem+8(%rip)`, set, undef: UNDEF_DIV });
    }
    if (w === 8) continue;
    const a = R.rax[w]!;
    out.push({ asm: `imul ${b}, ${a}`, set: "pairs", undef: UNDEF_MUL });
    out.push({ asm: `imul ${R.rdx[w]}, ${R.r10[w]}`, set: "pairs_r10", undef: UNDEF_MUL });
    out.push({ asm: `mov %rbx, mem+8(%rip); imul mem+8(%rip), ${a}`, set: "pairs", undef: UNDEF_MUL });
    for (const imm of ["$-1", "$3", "$0x7f", "$-128", "$0x1234", "$-0x8000", ...(w > 16 ? ["$0x12345678", "$-0x80000000", "$0x7fffffff"] : [])]) {
      out.push({ asm: `imul ${imm}, ${b}, ${a}`, set: "pairs", undef: UNDEF_MUL });
      out.push({ asm: `mov %rbx, mem+16(%rip); imul${s} ${imm}, mem+16(%rip), ${R.rcx[w]}`, set: "pairs", undef: UNDEF_MUL });
    }
  }
  out.push({ asm: `mul %ah`, set: "pairs", undef: UNDEF_MUL });
  out.push({ asm: `imul %bh`, set: "pairs", undef: UNDEF_MUL });
  return out;
}

/** rdx:rax / rbx inputs that do not fault, for one width and signedness. */
function divSet(w: number, signed: boolean): Input[] {
  const W = BigInt(w);
  const m = maskW(w);
  const sx = (v: bigint, bits: bigint): bigint => BigInt.asIntN(Number(bits), v);
  const divisors = [1n, 2n, 3n, 7n, 10n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn,
    0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 0xfffffffffffffffen, ...randoms(5, 41 + w)];
  const lows = [...EDGES, ...randoms(5, 51 + w)];
  const highs = (d: bigint): bigint[] => [0n, m, 1n, (d & m) - 1n, (d & m) >> 1n, ...randoms(2, Number(d & 0xffffn))];
  const out: Input[] = [];
  let n = 20000 + w * 100 + (signed ? 7 : 0);
  for (const d0 of divisors) {
    const d = d0 & m;
    if (d === 0n) continue;
    for (const lo0 of lows)
      for (const hi0 of highs(d)) {
        const lo = lo0 & m, hi = hi0 & m;
        // the dividend: ax for 8-bit, dx:ax, edx:eax, rdx:rax
        const dividend = w === 8 ? (((hi & 0xffn) << 8n) | (lo & 0xffn)) : (hi << W) | lo;
        let q: bigint;
        if (signed) {
          const sd = sx(d, W);
          const sn = sx(dividend, W * 2n);
          q = sn / sd;
          if (q < -(1n << (W - 1n)) || q >= 1n << (W - 1n)) continue;
        } else {
          q = dividend / d;
          if (q > m) continue;
        }
        const rax = w === 8 ? ((lo0 & ~0xffffn) | ((hi & 0xffn) << 8n) | (lo & 0xffn)) : (lo0 & ~m) | lo;
        const rdx = w === 8 ? hi0 : (hi0 & ~m) | hi;
        out.push(mkInput(n++, { rax, rdx, rbx: (d0 & ~m) | d }, n % 2 ? CF : ARITH));
      }
  }
  // keep the sets moderate: every 2nd of the large ones
  return out.length > 500 ? out.filter((_, i) => i % Math.ceil(out.length / 500) === 0) : out;
}

export const muldivFamily: Family = {
  name: "muldiv",
  sets: {
    pairs: pairSet(mulVals, mulVals).filter((_, i) => i % 2 === 0),
    pairs_r10: pairSet(mulVals, mulVals, "r10", "rdx").filter((_, i) => i % 4 === 1),
    div8: divSet(8, false),
    idiv8: divSet(8, true),
    div16: divSet(16, false),
    idiv16: divSet(16, true),
    div32: divSet(32, false),
    idiv32: divSet(32, true),
    div64: divSet(64, false),
    idiv64: divSet(64, true),
  },
  cases: cases(),
};
