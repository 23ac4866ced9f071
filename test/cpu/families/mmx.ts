// Differential cases: MMX (engine/cpu/ops/mmx.ts) with the x87 tag
// interaction, xlat, and the x87 save/BCD instructions fnsave/frstor and
// fbld/fbstp (engine/cpu/ops/x87.ts).
//
// MMX operands come from rax (mm0) and rbx (mm1); results are copied back to
// rcx/rdx (movq) and memory, and each case ends with emms unless it checks
// the tags. The x87 environment (fnstenv: FCW, FSW with TOP, the full tag
// word) is stored with its instruction and operand pointers zeroed.

import { mkInput, pairSet, PAIR_EDGES, randoms, Rng, type Case, type Family, type Input } from "../harness.js";

const SW_MASK = 0x7d3d;
const env = (at: number): string => `fnstenv mem+${at}(%rip); movq $0, mem+${at + 12}(%rip); movl $0, mem+${at + 20}(%rip); andw $${SW_MASK}, mem+${at + 4}(%rip)`;

function cases(): Case[] {
  const out: Case[] = [];
  const mm = (op: string, set = "pairs"): void => {
    out.push({ name: `${op} mm, mm`, asm: `movq %rax, %mm0; movq %rbx, %mm1; ${op} %mm1, %mm0; movq %mm0, %rcx; movq %mm1, %rdx; emms`, set });
    out.push({ name: `${op} mm, m64`, asm: `mov %rbx, mem+8(%rip); movq %rax, %mm2; ${op} mem+8(%rip), %mm2; movq %mm2, mem+16(%rip); emms`, set });
  };
  for (const op of ["paddb", "paddw", "paddd", "paddq", "paddsb", "paddsw", "paddusb", "paddusw", "psubb", "psubw", "psubd", "psubq", "psubsb", "psubsw", "psubusb", "psubusw"]) mm(op);
  for (const op of ["pand", "pandn", "por", "pxor", "pcmpeqb", "pcmpeqw", "pcmpeqd", "pcmpgtb", "pcmpgtw", "pcmpgtd"]) mm(op);
  for (const op of ["punpcklbw", "punpcklwd", "punpckldq", "punpckhbw", "punpckhwd", "punpckhdq", "packsswb", "packssdw", "packuswb"]) mm(op);
  for (const op of ["pmullw", "pmulhw", "pmaddwd"]) mm(op);
  for (const op of ["psllw", "pslld", "psllq", "psrlw", "psrld", "psrlq", "psraw", "psrad"]) {
    mm(op, "shifts");
    out.push({ asm: `movq %rax, %mm3; ${op} $3, %mm3; movq %mm3, %rcx; movq %rax, %mm4; ${op} $17, %mm4; movq %mm4, %rdx; movq %rax, %mm5; ${op} $40, %mm5; movq %mm5, %rsi; emms`, set: "pairs" });
  }
  // movd/movq: zero extension, the low half to r32 and m32, memory forms
  out.push({ asm: "movd %ebx, %mm0; movq %mm0, %rcx; movd %mm0, %edx; movq %rax, %mm1; movd %mm1, mem+8(%rip); movd mem+8(%rip), %mm2; movq %mm2, %rsi; emms", set: "pairs" });
  out.push({ asm: "mov %rax, mem+8(%rip); movq mem+8(%rip), %mm7; movq %mm7, %mm6; movq %mm6, mem+24(%rip); movq %mm7, %rdi; emms", set: "pairs" });
  // the x87 view of MMX: TOP = 0 and every tag valid after an MMX instruction, mmN's exponent all ones; emms empties the tags
  out.push({ name: "tags after MMX", asm: `fninit; fld1; fldz; movq %rax, %mm0; ${env(32)}; fstpt mem+64(%rip); fnstsw %ax; and $${SW_MASK}, %eax; mov %eax, %ecx; emms; ${env(96)}`, set: "one" });
  out.push({ name: "fld after emms", asm: `fninit; movq %rax, %mm0; emms; fldt mem(%rip); fstpt mem+32(%rip); ${env(48)}`, set: "one" });
  out.push({ name: "x87 register read as mm", asm: `fninit; mov %rax, mem+8(%rip); movw $0x3fff, mem+16(%rip); fldt mem+8(%rip); movq %mm7, %rcx; ${env(32)}; emms`, set: "one" });
  // xlat: al = [rbx + al], with 32-bit address size too
  out.push({ asm: "lea mem(%rip), %rbx; movb $0x3c, mem+0x23(%rip); movb $0x5a, mem+0xff(%rip); mov $0x23, %al; xlat; mov %eax, %ecx; mov $-1, %al; xlat", set: "one" });
  out.push({ asm: "lea mem(%rip), %rbx; mov %eax, %edx; and $0x7f, %eax; addr32 xlat", set: "pairs" });
  // fbld/fbstp: packed BCD round trips, rounding per RC, out of range (the BCD indefinite), -0
  out.push({ asm: `fninit; movabs $0x0123456789012345, %rcx; mov %rcx, mem(%rip); movw $0x8098, mem+8(%rip); fbld mem(%rip); fstpt mem+16(%rip); fbld mem(%rip); fbstp mem+32(%rip); fnstsw %ax; and $${SW_MASK}, %eax`, set: "one" });
  for (const rc of [0, 1, 2, 3]) out.push({ asm: `fninit; movw $${0x37f | (rc << 10)}, mem+64(%rip); fldcw mem+64(%rip); mov %rax, mem+8(%rip); fldl mem+8(%rip); fbstp mem+32(%rip); fnstsw %ax; and $${SW_MASK}, %eax`, set: "bcd" });
  // fnsave/frstor: the image (pointers zeroed), the FPU reinitialized, and the state back
  out.push({ asm: `fninit; movw $0x0b7f, mem+64(%rip); fldcw mem+64(%rip); fld1; fldt mem(%rip); fldz; fnsave mem+128(%rip); movq $0, mem+140(%rip); movl $0, mem+148(%rip); andw $${SW_MASK}, mem+132(%rip); fnstcw mem+32(%rip); ${env(96)}; frstor mem+128(%rip); fstpt mem+16(%rip); fstpt mem+48(%rip); fstpt mem+64(%rip); fnstcw mem+80(%rip); fnstsw %ax; and $${SW_MASK}, %eax`, set: "one" });
  return out;
}

function bcdSet(): Input[] {
  const d = (v: number): bigint => {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, v, true);
    return dv.getBigUint64(0, true);
  };
  const vals = [0, -0, 1, -1, 0.5, 1.5, 2.5, -2.5, -0.3, 123456789.75, 999999999999999999, 1e18, -1e18, 1e17 + 0.5, Infinity, NaN, 98765.4321].map(d);
  return vals.map((v, i) => mkInput(90000 + i, { rax: v }));
}

function shiftSet(): Input[] {
  const r = new Rng(707);
  const out: Input[] = [];
  const counts = [0n, 1n, 7n, 8n, 15n, 16n, 31n, 32n, 63n, 64n, 0x100000000n, 0xffffffffffffffffn];
  let k = 91000;
  for (const v of [0x8000800080008000n, 0x0123456789abcdefn, 0xffffffffffffffffn, r.next()]) for (const c of counts) out.push(mkInput(k++, { rax: v, rbx: c }));
  return out;
}

const vals = [...PAIR_EDGES, 0x7f80ff017fff8000n, 0x00ff00ff80017ffen, ...randoms(6, 606)];

export const mmxFamily: Family = {
  name: "mmx",
  sets: {
    pairs: pairSet(vals, vals).filter((_, i) => i % 8 === 0),
    shifts: shiftSet(),
    bcd: bcdSet(),
    one: [mkInput(92000, { rax: 0x0123456789abcdefn }), mkInput(92001, { rax: 0xfedcba9876543210n })],
  },
  cases: cases(),
};
