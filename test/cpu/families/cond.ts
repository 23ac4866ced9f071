// Differential cases: setcc, cmovcc and jcc for all 16 conditions, after a
// variety of flag-setting instructions (the lazy-flags paths: cmp/sub fast
// path, add/adc/sbb/logic/inc/dec/neg, shifts, multiplies, bit ops) and
// after popf (eager flags, every combination).

import { AF, ARITH, CF, mkInput, OF, PAIR_EDGES, pairSet, PF, randoms, SF, ZF, type Case, type Family, type Input } from "../harness.js";
import { R } from "../regs.js";

const CC = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"];
/** The flags each condition reads. */
const DEPS = [OF, OF, CF, CF, ZF, ZF, CF | ZF, CF | ZF, SF, SF, PF, PF, SF | OF, SF | OF, ZF | SF | OF, ZF | SF | OF];

/** A flag-setting instruction, its input set, and the flags it leaves undefined (SDM). */
interface Setter {
  asm: string;
  set: string;
  undef: number | ((i: Input) => number);
}

const SETTERS: Setter[] = [
  { asm: "nop", set: "flags", undef: 0 }, // the flags popf loaded
  ...[8, 16, 32, 64].map((w) => ({ asm: `cmp ${R.rbx[w]}, ${R.rax[w]}`, set: "pairs", undef: 0 })),
  { asm: "cmp $0x7f, %al", set: "pairs", undef: 0 },
  { asm: "cmpq $-1, %rax", set: "pairs", undef: 0 },
  ...[8, 32, 64].map((w) => ({ asm: `sub ${R.rbx[w]}, ${R.rax[w]}`, set: "pairs", undef: 0 })),
  ...[16, 64].map((w) => ({ asm: `add ${R.rbx[w]}, ${R.rax[w]}`, set: "pairs", undef: 0 })),
  { asm: "adc %ebx, %eax", set: "pairs", undef: 0 },
  { asm: "sbb %rbx, %rax", set: "pairs", undef: 0 },
  { asm: "sbb %bl, %al", set: "pairs", undef: 0 },
  { asm: "and %ebx, %eax", set: "pairs", undef: AF },
  { asm: "test %rbx, %rax", set: "pairs", undef: AF },
  { asm: "xor %bx, %ax", set: "pairs", undef: AF },
  { asm: "inc %eax", set: "pairs", undef: 0 },
  { asm: "dec %rax", set: "pairs", undef: 0 },
  { asm: "neg %al", set: "pairs", undef: 0 },
  { asm: "shl %eax", set: "pairs", undef: AF },
  { asm: "sar %cl, %rax", set: "pairs", undef: (i) => ((Number(i.g[1]! & 63n) === 0) ? 0 : AF | (Number(i.g[1]! & 63n) !== 1 ? OF : 0)) },
  { asm: "rol $3, %eax", set: "pairs", undef: OF },
  { asm: "imul %rbx, %rax", set: "pairs", undef: SF | ZF | AF | PF },
  { asm: "bt %rbx, %rax", set: "pairs", undef: OF | SF | AF | PF },
  { asm: "popcnt %rbx, %rax", set: "pairs", undef: 0 },
  { asm: "bsf %rbx, %rax", set: "pairs", undef: CF | OF | SF | AF | PF },
  { asm: "cmpxchg %rbx, %rdx", set: "pairs", undef: 0 },
  { asm: "xadd %ebx, %eax", set: "pairs", undef: 0 },
];

/** A condition reading a flag the setter left undefined gives an undefined result: ignore the outputs it decides. */
function undefOut(s: Setter, ccs: number[], keys: string[][]): ((i: Input) => string[]) | undefined {
  if (s.undef === 0) return undefined;
  return (i) => {
    const u = typeof s.undef === "number" ? s.undef : s.undef(i);
    const out: string[] = [];
    ccs.forEach((cc, k) => {
      if (DEPS[cc]! & u) out.push(...keys[k]!);
    });
    return out;
  };
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const s of SETTERS) {
    // setcc: all 16 conditions into r8b..r15b, two cases of 8
    for (const half of [0, 8]) {
      const sets = CC.slice(half, half + 8).map((c, k) => `set${c} ${R[`r${8 + k}`]![8]}`);
      const ccs = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => half + k);
      out.push({ asm: `${s.asm}; ${sets.join("; ")}`, set: s.set, undef: s.undef, undefOut: undefOut(s, ccs, ccs.map((_, k) => [`r${8 + k}`])) });
    }
  }
  // jcc after a few setters (each condition is its own block exit)
  for (const s of SETTERS.filter((x) => ["nop", "cmp %rbx, %rax", "cmp %bl, %al", "cmp %ebx, %eax", "add %rbx, %rax", "test %rbx, %rax", "sbb %rbx, %rax", "inc %eax", "imul %rbx, %rax"].includes(x.asm))) {
    CC.forEach((c, cc) => out.push({ asm: `${s.asm}; j${c} 1f; mov $1, %r8d; jmp 2f; 1: mov $2, %r8d; 2:`, set: s.set === "pairs" ? "pairs3" : s.set, undef: s.undef, undefOut: undefOut(s, [cc], [["r8"]]) }));
  }
  // cmovcc at 16/32/64 bits (a 32-bit cmov zero-extends even when it does not move), register and memory source
  for (const s of SETTERS.filter((x) => ["nop", "cmp %rbx, %rax", "cmp %bx, %ax", "sub %al, %al", "add %ax, %bx"].includes(x.asm))) {
    CC.forEach((c, cc) => {
      out.push({ asm: `${s.asm}; cmov${c} %rbx, %r8; cmov${c} %ebx, %r9d; cmov${c} %bx, %r10w`, set: s.set === "pairs" ? "pairs3" : s.set, undef: s.undef, undefOut: undefOut(s, [cc], [["r8", "r9", "r10"]]) });
      out.push({ asm: `${s.asm}; mov %rdx, mem+8(%rip); cmov${c} mem+8(%rip), %r11; cmov${c} mem+8(%rip), %r12d`, set: s.set === "pairs" ? "pairs3" : s.set, undef: s.undef, undefOut: undefOut(s, [cc], [["r11", "r12"]]) });
    });
  }
  // setcc to memory, cmov 16-bit from memory
  for (const s of SETTERS.filter((x) => ["nop", "cmp %rbx, %rax"].includes(x.asm)))
    CC.forEach((c, cc) => {
      out.push({ asm: `${s.asm}; set${c} mem+8(%rip); mov %rdx, mem+16(%rip); cmov${c} mem+16(%rip), %r13w`, set: s.set === "pairs" ? "pairs3" : s.set, undef: s.undef });
      void cc;
    });
  // loop/loope/loopne/jrcxz/jecxz: rcx counts down from small values
  for (const j of ["loop", "loope", "loopne"])
    out.push({ asm: `and $7, %ecx; inc %ecx; xor %r8d, %r8d; 1: inc %r8d; cmp %r8d, %ebx; ${j} 1b`, set: "pairs3" });
  out.push({ asm: "and $1, %ecx; jrcxz 1f; mov $1, %r8d; 1: and $1, %edx; mov %rdx, %rcx; jecxz 2f; mov $1, %r9d; 2:", set: "pairs3" });
  out.push({ asm: "mov $0x100000000, %rcx; jecxz 1f; mov $1, %r8d; 1: jrcxz 2f; mov $1, %r9d; 2:", set: "flags" });
  return out;
}

/** Every combination of CF PF AF ZF SF OF, loaded by popf. */
function flagSet(): Input[] {
  const out: Input[] = [];
  const bits = [CF, PF, AF, ZF, SF, OF];
  for (let m = 0; m < 64; m++) {
    let f = 0;
    bits.forEach((b, i) => {
      if (m & (1 << i)) f |= b;
    });
    out.push(mkInput(40000 + m, {}, f));
  }
  return out;
}

const vals = [...PAIR_EDGES.filter((_, i) => i % 2 === 0), 0x7fffffffffffffffn, 0x8000000000000000n, 0x80n, ...randoms(2, 71)];

const pairs = pairSet(vals, vals).map((inp, i) => ({ ...inp, fl: inp.fl | (i % 3 === 0 ? ARITH & ~CF : 0) }));

export const condFamily: Family = {
  name: "cond",
  sets: {
    flags: flagSet(),
    pairs: pairs,
    pairs3: pairs.filter((_, i) => i % 5 === 0),
  },
  cases: cases(),
};
