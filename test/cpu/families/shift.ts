// Differential cases: shl/sal shr sar rol ror rcl rcr (by %cl, by imm8, by 1
// in both encodings) and shld shrd, at every width, register and memory.

import { AF, ARITH, CF, EDGES, OF, mkInput, randoms, Rng, singleSet, type Case, type Family, type Input } from "../harness.js";
import { R, SFX } from "../regs.js";

const KINDS = ["shl", "shr", "sar", "rol", "ror", "rcl", "rcr"] as const;
type Kind = (typeof KINDS)[number];

/** Counts that matter: 0, 1, around each width, and past the 5/6-bit mask. */
const COUNTS = [0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 255];
const IMM_COUNTS = [0, 1, 7, 8, 31, 32, 63, 64, 65];

/**
 * Undefined flags after a shift or rotate (SDM vol. 2, SAL/SAR/SHL/SHR and RCL/RCR/ROL/ROR):
 * - the count is masked to 5 bits (6 for 64-bit operands); a masked count of 0 changes no flag;
 * - shifts: AF is undefined; OF is defined only for 1-bit shifts; CF is undefined for shl/shr
 *   when the count is >= the operand width (only possible at 8 and 16 bits);
 * - rotates change only CF and OF (SF ZF AF PF keep their value, which is defined);
 *   OF is defined only for 1-bit rotates.
 */
function shiftUndef(kind: Kind, width: number, count: number): number {
  const n = count & (width === 64 ? 63 : 31);
  if (n === 0) return 0;
  let u = 0;
  if (n !== 1) u |= OF;
  if (kind === "shl" || kind === "shr" || kind === "sar") {
    u |= AF;
    if ((kind === "shl" || kind === "shr") && n >= width) u |= CF;
  }
  return u;
}

/**
 * shld/shrd: a masked count of 0 changes nothing; otherwise AF is undefined and OF is
 * defined only for a count of 1. A count greater than the operand size (16-bit forms
 * only) leaves the result and every flag undefined.
 */
function dshiftUndef(width: number, count: number): number {
  const n = count & (width === 64 ? 63 : 31);
  if (n === 0) return 0;
  if (n > width) return ARITH;
  return AF | (n !== 1 ? OF : 0);
}

const clOf = (inp: Input): number => Number(inp.g[1]! & 0xffn);

function cases(): Case[] {
  const out: Case[] = [];
  for (const kind of KINDS) {
    for (const w of [8, 16, 32, 64]) {
      const a = R.rax[w]!, s = SFX[w]!;
      out.push({ asm: `${kind} %cl, ${a}`, set: "counts", undef: (i) => shiftUndef(kind, w, clOf(i)) });
      out.push({ asm: `${kind} %cl, ${R.r11[w]}`, set: "counts_r11", undef: (i) => shiftUndef(kind, w, clOf(i)) });
      out.push({ asm: `mov %rax, mem+8(%rip); ${kind}${s} %cl, mem+8(%rip)`, set: "counts_small", undef: (i) => shiftUndef(kind, w, clOf(i)) });
      for (const n of IMM_COUNTS) out.push({ asm: `${kind} $${n}, ${a}`, set: "single", undef: shiftUndef(kind, w, n) });
      out.push({ asm: `mov %rax, mem+16(%rip); ${kind}${s} $7, mem+16(%rip)`, set: "single", undef: shiftUndef(kind, w, 7) });
      out.push({ asm: `mov %rax, mem+16(%rip); ${kind}${s} mem+16(%rip)`, set: "single", undef: shiftUndef(kind, w, 1) });
      // by 1: the D0/D1 encoding (implicit count) and the C0/C1 encoding with an imm8 of 1
      out.push({ asm: `${kind} ${a}`, set: "single", undef: shiftUndef(kind, w, 1) });
      out.push({ name: `${kind} $1, ${a} (C0/C1 encoding)`, asm: c1Bytes(kind, w), set: "single", undef: shiftUndef(kind, w, 1) });
    }
    out.push({ asm: `${kind} %cl, %ah`, set: "counts_small", undef: (i) => shiftUndef(kind, 8, clOf(i)) });
  }
  out.push({ asm: `sal %cl, %rax`, set: "counts", undef: (i) => shiftUndef("shl", 64, clOf(i)) });
  for (const op of ["shld", "shrd"]) {
    for (const w of [16, 32, 64]) {
      const a = R.rax[w]!, b = R.rbx[w]!, s = SFX[w]!;
      out.push({ asm: `${op} %cl, ${b}, ${a}`, set: "dcounts", undef: (i) => dshiftUndef(w, clOf(i)), undefOut: (i) => (w === 16 && (clOf(i) & 31) > 16 ? ["r0"] : []) });
      for (const n of [0, 1, 4, 15, 16, 31, 32, 63])
        out.push({ asm: `${op} $${n}, ${b}, ${a}`, set: "dpairs", undef: dshiftUndef(w, n), undefOut: () => (w === 16 && (n & 31) > 16 ? ["r0"] : []) });
      out.push({ asm: `mov %rax, mem+24(%rip); ${op}${s} %cl, ${b}, mem+24(%rip)`, set: "dcounts", undef: (i) => dshiftUndef(w, clOf(i)), undefOut: (i) => (w === 16 && (clOf(i) & 31) > 16 ? ["m3"] : []) });
    }
  }
  return out;
}

const GRP2: Record<Kind, number> = { rol: 0, ror: 1, rcl: 2, rcr: 3, shl: 4, shr: 5, sar: 7 };

/** `kind $1, %al/%ax/%eax/%rax` encoded as C0/C1 /r ib with ib = 1 (gas would pick D0/D1). */
function c1Bytes(kind: Kind, w: number): string {
  const modrm = 0xc0 | (GRP2[kind] << 3); // register operand rax
  const pre = w === 16 ? "0x66, " : w === 64 ? "0x48, " : "";
  return `.byte ${pre}${w === 8 ? "0xc0" : "0xc1"}, 0x${modrm.toString(16)}, 0x01`;
}

const vals = [...EDGES.filter((_, i) => i % 2 === 0), 0x8000000000000000n, 0xffffffffffffffffn, 0x80n, 0x8000n, 0x80000000n, ...randoms(4, 11)];
const smallVals = [0n, 1n, 0x81n, 0x8001n, 0x80000001n, 0x8000000000000001n, 0xffffffffffffffffn, ...randoms(2, 12)];

/** value x count x CF, with random bits above cl in rcx (only cl counts). */
function countSet(values: bigint[], counts: number[], reg = "rax", seed = 0): Input[] {
  const out: Input[] = [];
  const r = new Rng(77 + seed);
  let n = 5000 + seed * 1000;
  for (const v of values)
    for (const c of counts)
      for (const f of [0, CF]) {
        const other = Number(r.next() & BigInt(ARITH)) & ~CF;
        out.push(mkInput(n++, { [reg]: v, rcx: (r.next() & ~0xffn) | BigInt(c) }, f | other));
      }
  return out;
}

/** dst, src and count for shld/shrd. */
function dset(counts: number[] | undefined): Input[] {
  const out: Input[] = [];
  const pairs: [bigint, bigint][] = [
    [0x0123456789abcdefn, 0xfedcba9876543210n], [0xffffffffffffffffn, 0n], [0n, 0xffffffffffffffffn],
    [0x8000000000000000n, 0x8000000000000001n], [0x7fffffffffffffffn, 0x8000000000000000n], [1n, 0x80000000n],
    [0x80008000n, 0x7fff7fffn], ...randoms(6, 21).map((v, i, a): [bigint, bigint] => [v, a[(i + 1) % a.length]!]),
  ];
  let n = 9000;
  const r = new Rng(5);
  for (const [a, b] of pairs)
    for (const c of counts ?? [0])
      for (const f of [0, CF]) out.push(mkInput(n++, { rax: a, rbx: b, rcx: (r.next() & ~0xffn) | BigInt(c) }, f | (Number(r.next() & BigInt(ARITH)) & ~CF)));
  return out;
}

export const shiftFamily: Family = {
  name: "shift",
  sets: {
    counts: countSet(vals, COUNTS),
    counts_r11: countSet(smallVals, COUNTS, "r11", 1),
    counts_small: countSet(smallVals, COUNTS, "rax", 2),
    single: singleSet([...vals, ...smallVals], "rax", [0, CF, ARITH]).filter((_, i) => i % 3 === Math.floor(i / 3) % 3), // one flag input per value, rotating
    dcounts: dset([0, 1, 2, 8, 15, 16, 17, 31, 32, 33, 63, 64]),
    dpairs: dset(undefined),
  },
  cases: cases(),
};
