// Differential cases: bt bts btr btc (register, immediate, and memory bit
// strings with large signed offsets), bsf bsr tzcnt lzcnt popcnt.

import { AF, CF, EDGES, mkInput, OF, PF, randoms, Rng, SF, singleSet, type Case, type Family, type Input } from "../harness.js";
import { R, SFX, maskW } from "../regs.js";

// SDM BT/BTS/BTR/BTC: CF is the selected bit, ZF is unaffected, OF SF AF PF are undefined.
const UNDEF_BT = OF | SF | AF | PF;
// SDM BSF/BSR: ZF is set if the source is zero, CF OF SF AF PF are undefined;
// the destination is undefined for a zero source (hardware leaves it unchanged).
const UNDEF_BSF = CF | OF | SF | AF | PF;
// SDM TZCNT/LZCNT: CF set for a zero source, ZF for a zero result; OF SF AF PF undefined.
const UNDEF_CNT = OF | SF | AF | PF;
// POPCNT clears OF SF AF CF PF and sets ZF for a zero source: nothing undefined.

function cases(): Case[] {
  const out: Case[] = [];
  for (const op of ["bt", "bts", "btr", "btc"]) {
    for (const w of [16, 32, 64]) {
      const a = R.rax[w]!, b = R.rbx[w]!, s = SFX[w]!;
      out.push({ asm: `${op} ${b}, ${a}`, set: "offsets", undef: UNDEF_BT });
      for (const imm of [0, 5, 15, 16, 31, 32, 63, 64 + 3, 255]) out.push({ asm: `${op}${s} $${imm}, ${a}`, set: "values", undef: UNDEF_BT });
      // memory with an immediate: the offset is taken modulo the width
      for (const imm of [3, 31, 63, 64 + 9]) out.push({ asm: `${op}${s} $${imm}, mem+32(%rip)`, set: "values", undef: UNDEF_BT });
      // memory with a register offset: a signed bit offset from the operand's address, anywhere in the buffer
      out.push({ asm: `lea mem+128(%rip), %rsi; ${op} ${b}, (%rsi)`, set: `memoff${w}`, undef: UNDEF_BT });
      out.push({ asm: `lea mem+120(%rip), %rsi; ${op} ${b}, 8(%rsi)`, set: `memoff${w}`, undef: UNDEF_BT });
    }
  }
  for (const op of ["bsf", "bsr", "tzcnt", "lzcnt", "popcnt"]) {
    for (const w of [16, 32, 64]) {
      const a = R.rax[w]!, b = R.rbx[w]!;
      const undef = op === "bsf" || op === "bsr" ? UNDEF_BSF : op === "popcnt" ? 0 : UNDEF_CNT;
      const undefOut = op === "bsf" || op === "bsr" ? (k: string) => (i: Input) => ((i.g[3]! & maskW(w)) === 0n ? [k] : []) : undefined;
      out.push({ asm: `${op} ${b}, ${a}`, set: "scan", undef, undefOut: undefOut?.("r0") });
      out.push({ asm: `${op} ${R.rbx[w]}, ${R.r13[w]}`, set: "scan", undef, undefOut: undefOut?.("r13") });
      out.push({ asm: `mov %rbx, mem+8(%rip); ${op} mem+8(%rip), ${a}`, set: "scan", undef, undefOut: undefOut?.("r0") });
    }
  }
  return out;
}

/** Values in rax with bit offsets in rbx (random high bits above the width the instruction reads). */
function offsetSet(): Input[] {
  const out: Input[] = [];
  const r = new Rng(3);
  let n = 30000;
  const vals = [0n, 0xffffffffffffffffn, 0x8000000000000001n, 0x5555555555555555n, ...randoms(3, 61)];
  for (const v of vals)
    for (const off of [0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 255, 256 + 5])
      out.push(mkInput(n++, { rax: v, rbx: (r.next() & ~0xffffn) | BigInt(off) }, Number(r.next() & 0x8d5n)));
  return out;
}

/** Signed bit offsets for bt* with a memory operand, within +-900 bits of mem+128. */
function memOffsetSet(w: number): Input[] {
  const out: Input[] = [];
  const r = new Rng(w);
  let n = 31000 + w * 100;
  const offs = [0, 1, 7, 8, 9, 15, 16, 31, 32, 63, 64, 65, 100, 511, 900, -1, -7, -8, -9, -16, -17, -32, -33, -64, -65, -100, -512, -900];
  for (const off of offs) {
    const o = BigInt.asUintN(w, BigInt(off));
    const hi = w === 64 ? 0n : r.next() & ~maskW(w);
    out.push(mkInput(n++, { rbx: hi | o }, Number(r.next() & 0x8d5n)));
  }
  return out;
}

const singleBits: bigint[] = [];
for (const k of [0, 1, 7, 8, 15, 16, 31, 32, 47, 63]) singleBits.push(1n << BigInt(k));

export const bitsFamily: Family = {
  name: "bits",
  sets: {
    offsets: offsetSet(),
    values: singleSet([0n, 0xffffffffffffffffn, 0x8000000000000001n, 0x5555555555555555n, 0xaaaaaaaaaaaaaaaan, ...randoms(3, 62)], "rax", [0, CF, 0x8d5]),
    memoff16: memOffsetSet(16),
    memoff32: memOffsetSet(32),
    memoff64: memOffsetSet(64),
    scan: singleSet([...EDGES, ...singleBits, 0x8000000000000000n | 0x100n, 0x0001000000000000n, 0x00000000f0000000n, ...randoms(6, 63)], "rbx", [0, 0x8d5]),
  },
  cases: cases(),
};
