// Differential cases: data movement (mov movzx movsx movsxd lea, 32-bit
// destinations zero-extend), xchg cmpxchg xadd, cbw cwde cdqe cwd cdq cqo,
// bswap movbe, push pop pushf popf lahf sahf, clc stc cmc cld std.

import { AF, ARITH, CF, DF, EDGES, mkInput, OF, pairSet, PF, randoms, Rng, SF, singleSet, ZF, type Case, type Family, type Input } from "../harness.js";
import { R, SFX } from "../regs.js";

function cases(): Case[] {
  const out: Case[] = [];
  const W = [8, 16, 32, 64];
  // ---- mov: every width, reg/imm/mem, both directions; high-byte registers
  for (const w of W) {
    const a = R.rax[w]!, b = R.rbx[w]!, s = SFX[w]!;
    out.push({ asm: `mov ${b}, ${a}`, set: "pairs" });
    out.push({ asm: `mov ${R.r14[w]}, ${R.r9[w]}`, set: "pairs" });
    out.push({ asm: `mov${s} $-1, ${a}; mov${s} $0x7f, ${R.rcx[w]}`, set: "pairs" });
    out.push({ asm: `mov mem+8(%rip), ${a}; mov ${b}, mem+16(%rip); mov${s} $0x5a, mem+24(%rip)`, set: "pairs" });
    out.push({ asm: `lea mem(%rip), %rsi; mov $5, %edi; mov 8(%rsi,%rdi,4), ${a}; mov ${b}, -4(%rsi,%rdi,8)`, set: "pairs" });
  }
  out.push({ asm: "mov %ah, %bl; mov %bh, %ch; mov %dl, %ah", set: "pairs" });
  out.push({ asm: "movabs $0x123456789abcdef0, %rax; movabs $-2, %r10; mov $0x80000000, %ecx; mov $-0x80000000, %rdx", set: "pairs" });
  out.push({ asm: "movabs mem+8, %rax; movabs %eax, mem+32", set: "pairs" });
  // ---- movzx/movsx/movsxd
  for (const [d, srcs] of [[16, [8]], [32, [8, 16]], [64, [8, 16]]] as [number, number[]][]) {
    for (const sw of srcs) {
      out.push({ asm: `movz${SFX[sw]}${SFX[d]} ${R.rbx[sw]}, ${R.rax[d]}`, set: "pairs" });
      out.push({ asm: `movs${SFX[sw]}${SFX[d]} ${R.rbx[sw]}, ${R.rax[d]}`, set: "pairs" });
      out.push({ asm: `mov %rbx, mem+8(%rip); movz${SFX[sw]}${SFX[d]} mem+8(%rip), ${R.r8[d]}; movs${SFX[sw]}${SFX[d]} mem+8(%rip), ${R.r9[d]}`, set: "pairs" });
    }
  }
  out.push({ asm: "movzbl %bh, %eax; movsbl %ah, %ecx", set: "pairs" });
  out.push({ asm: "movslq %ebx, %rax; movslq %eax, %rax", set: "pairs" });
  out.push({ asm: "mov %rbx, mem+8(%rip); movslq mem+8(%rip), %r11", set: "pairs" });
  // ---- lea: 64/32/16-bit destinations, every addressing form, 32-bit address size
  for (const [d, sz] of [["%rax", 64], ["%eax", 32], ["%ax", 16]] as [string, number][]) {
    for (const m of ["(%rbx)", "8(%rbx)", "-1(%rbx)", "0x7fffffff(%rbx)", "-0x80000000(%rbx)", "(%rbx,%rdx)", "(%rbx,%rdx,2)", "3(%rbx,%rdx,4)", "-8(%rbx,%rdx,8)", "(,%rdx,8)", "0x10(,%rdx,4)", "0x12345678", "(%rbx,%rbx,8)", "(%r12,%r13,2)", "(%rbp)", "(%r13)"])
      out.push({ name: `lea ${m}, ${d}`, asm: `lea ${m}, ${d}`, set: "lea" });
    void sz;
  }
  out.push({ asm: "lea (%ebx,%edx,4), %eax; lea 8(%ebx), %rcx; lea -1(%edx), %esi", set: "lea" });
  out.push({ asm: "lea mem(%rip), %rax; lea mem+8(%rip), %ecx", set: "lea" });
  // ---- xchg / cmpxchg / xadd
  for (const w of W) {
    const a = R.rax[w]!, b = R.rbx[w]!, s = SFX[w]!;
    out.push({ asm: `xchg ${b}, ${a}`, set: "pairs" });
    out.push({ asm: `xchg ${R.rdx[w]}, ${R.r10[w]}`, set: "pairs" });
    out.push({ asm: `mov %rax, mem+8(%rip); xchg ${b}, mem+8(%rip)`, set: "pairs" });
    out.push({ asm: `cmpxchg ${b}, ${R.rdx[w]}`, set: "cmpx" });
    out.push({ asm: `mov %rdx, mem+8(%rip); lock cmpxchg${s} ${b}, mem+8(%rip)`, set: "cmpx" });
    out.push({ asm: `xadd ${b}, ${a}`, set: "pairs" });
    out.push({ asm: `mov %rax, mem+8(%rip); lock xadd${s} ${b}, mem+8(%rip)`, set: "pairs" });
  }
  out.push({ asm: "xchg %ah, %bl", set: "pairs" });
  out.push({ asm: "xadd %rax, %rax; xadd %ecx, %ecx; xchg %edx, %edx; cmpxchg %ebx, %ebx", set: "pairs" });
  out.push({ name: "xchg %eax, %eax (87 c0: zero-extends)", asm: ".byte 0x87, 0xc0", set: "pairs" });
  out.push({ name: "nop (90: xchg %eax, %eax that does not zero-extend)", asm: ".byte 0x90", set: "pairs" });
  out.push({ asm: "xchg %eax, %ebx; xchg %rax, %rcx", set: "pairs" });
  out.push({ asm: "lea mem(%rip), %rsi; mov %rax, (%rsi); mov %rdx, 8(%rsi); mov %rbx, %rcx; mov %rdi, %rbx; cmpxchg16b (%rsi)", set: "cmpx" });
  out.push({ asm: "lea mem(%rip), %rsi; mov %rax, (%rsi); mov %rbx, 16(%rsi); cmpxchg16b (%rsi)", set: "cmpx" });
  out.push({ asm: "lea mem(%rip), %rsi; mov %eax, (%rsi); mov %edx, 4(%rsi); cmpxchg8b (%rsi)", set: "cmpx" });
  out.push({ asm: "lea mem(%rip), %rsi; mov %eax, (%rsi); mov %ebx, 4(%rsi); cmpxchg8b (%rsi)", set: "cmpx" });
  // ---- sign extension of the accumulator
  for (const op of ["cbw", "cwde", "cdqe", "cwd", "cdq", "cqo"]) out.push({ asm: op, set: "single" });
  // ---- byte swaps
  out.push({ asm: "bswap %eax; bswap %rbx; bswap %r9d; bswap %r10", set: "pairs" });
  out.push({ asm: "mov %rbx, mem+8(%rip); movbe mem+8(%rip), %eax; movbe mem+8(%rip), %rcx; movbe mem+8(%rip), %dx; movbe %r9, mem+16(%rip); movbe %r10d, mem+24(%rip)", set: "pairs" });
  // ---- stack
  out.push({ asm: "push %rbx; pop %rax", set: "pairs" });
  out.push({ asm: "push %rax; push %rbx; pop %rcx; pop %rdx", set: "pairs" });
  out.push({ asm: "push $-1; pop %rax; push $0x7f; pop %rcx; push $0x12345678; pop %rdx", set: "pairs" });
  out.push({ asm: "mov %rbx, mem+8(%rip); push mem+8(%rip); pop mem+16(%rip)", set: "pairs" });
  out.push({ asm: "push %rsp; pop %rax; sub %rsp, %rax", set: "pairs" });
  out.push({ asm: "mov %rsp, %r11; push %rbx; pop %rsp; mov %rsp, %rax; mov %r11, %rsp; mov $0, %r11d", set: "pairs" });
  out.push({ asm: "pushw %bx; popw %ax", set: "pairs" });
  out.push({ asm: "push %r15; push %r8; pop %r9; pop %r10", set: "pairs" });
  out.push({ asm: "enter $16, $0; mov %rsp, %rax; sub %rbp, %rax; leave", set: "pairs" });
  // pushf/popf: the input flags, read back; popf of arbitrary arithmetic/DF bits
  out.push({ asm: "pushfq; pop %rax; and $0xcd5, %eax", set: "flags" });
  out.push({ asm: "push %rbx; popfq; pushfq; pop %rax; and $0xcd5, %eax", set: "popf" });
  out.push({ asm: "push %rbx; popfq; setc %al; setz %cl; sets %dl; seto %r8b; setp %r9b", set: "popf" });
  // ---- lahf/sahf, flag instructions
  out.push({ asm: "lahf", set: "flags" });
  out.push({ asm: "mov %bl, %ah; sahf", set: "popf" });
  out.push({ asm: "mov %bl, %ah; sahf; lahf; mov %ah, %cl", set: "popf" });
  for (const op of ["clc", "stc", "cmc", "cld", "std"]) out.push({ asm: op, set: "flags" });
  out.push({ asm: "add %rbx, %rax; cmc", set: "pairs" });
  out.push({ asm: "sub %ebx, %eax; stc; adc $0, %ecx", set: "pairs" });
  out.push({ asm: "cmp %rbx, %rax; clc; setb %cl; seta %dl; setl %r8b; setle %r9b", set: "pairs" });
  out.push({ asm: "add %bl, %al; lahf; mov %ah, %cl", set: "pairs" });
  return out;
}

/** Every combination of CF PF AF ZF SF OF and DF. */
function flagSet(): Input[] {
  const out: Input[] = [];
  const bits = [CF, PF, AF, ZF, SF, OF, DF];
  for (let m = 0; m < 128; m += 3) {
    let f = 0;
    bits.forEach((b, i) => {
      if (m & (1 << i)) f |= b;
    });
    out.push(mkInput(50000 + m, {}, f));
  }
  return out;
}

/** rbx holds a value for popf/sahf: random bits, restricted to the arithmetic flags and DF for popf. */
function popfSet(): Input[] {
  const out: Input[] = [];
  const r = new Rng(9);
  for (let i = 0; i < 64; i++) {
    const v = r.next();
    out.push(mkInput(51000 + i, { rbx: (v & BigInt(ARITH | DF)) | BigInt(i & 1 ? 0 : 0x2) }, Number(r.next() & BigInt(ARITH))));
  }
  return out;
}

/** cmpxchg: rax equal to the destination (rdx) half of the time. */
function cmpxSet(): Input[] {
  const out: Input[] = [];
  const vals = [0n, 1n, 0x80n, 0xffn, 0x8000n, 0xffffffffn, 0xffffffff00000000n, 0xffffffffffffffffn, ...randoms(3, 81)];
  let n = 52000;
  const r = new Rng(10);
  for (const a of vals)
    for (const d of vals) {
      out.push(mkInput(n++, { rax: a, rdx: d, rbx: r.next() }, Number(r.next() & BigInt(ARITH))));
      if (a === d) out.push(mkInput(n++, { rax: a, rdx: d, rbx: r.next() }, Number(r.next() & BigInt(ARITH))));
    }
  return out;
}

/** Base and index values for lea: small, negative, and carrying across 32 and 64 bits. */
function leaSet(): Input[] {
  const vals = [0n, 1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0xfffffffffffffff8n, 0x7fffffffffffffffn, 0x8000000000000000n, ...randoms(3, 91)];
  const out: Input[] = [];
  let n = 53000;
  for (const b of vals) for (const d of vals) out.push(mkInput(n++, { rbx: b, rdx: d }));
  return out;
}

const vals = [0n, 1n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, ...randoms(3, 92)];

export const miscFamily: Family = {
  name: "misc",
  sets: {
    pairs: pairSet(vals, vals).filter((_, i) => i % 4 === 0 || i % 4 === 3),
    single: singleSet([...EDGES, ...randoms(4, 93)], "rax", [0]).map((inp, i) => ({ ...inp, g: inp.g.map((v, r) => (r === 2 && i % 2 ? 0n : v)) })),
    flags: flagSet(),
    popf: popfSet(),
    cmpx: cmpxSet(),
    lea: leaSet(),
  },
  cases: cases(),
};

void SF; void PF; void ZF; void OF;
