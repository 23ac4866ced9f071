// Differential cases: the MMX forms SSE added (pshufw, pmovmskb, pminub,
// pmaxub, pminsw, pmaxsw, pavgb, pavgw, psadbw, pmulhuw, pinsrw, pextrw,
// maskmovq, movntq), SSE2's pmuludq on mm, and the conversions and moves
// between mm and xmm (cvtpi2ps cvt(t)ps2pi cvtpi2pd cvt(t)pd2pi movq2dq
// movdq2q) under each MXCSR rounding mode (engine/cpu/ops/mmx.ts).
//
// As in families/mmx.ts: operands come from rax (mm0) and rbx (mm1), results
// go back to GPRs and `mem`, and each case ends with emms unless it checks
// the x87 tags.

import { mkInput, pairSet, PAIR_EDGES, randoms, type Case, type Family, type Input } from "../harness.js";

const SW_MASK = 0x7d3d;
const env = (at: number): string => `fnstenv mem+${at}(%rip); movq $0, mem+${at + 12}(%rip); movl $0, mem+${at + 20}(%rip); andw $${SW_MASK}, mem+${at + 4}(%rip)`;

function cases(): Case[] {
  const out: Case[] = [];
  for (const op of ["pminub", "pmaxub", "pminsw", "pmaxsw", "pavgb", "pavgw", "psadbw", "pmulhuw", "pmuludq"]) {
    out.push({ name: `${op} mm, mm`, asm: `movq %rax, %mm0; movq %rbx, %mm1; ${op} %mm1, %mm0; movq %mm0, %rcx; movq %mm1, %rdx; emms`, set: "pairs" });
    out.push({ name: `${op} mm, m64`, asm: `mov %rbx, mem+8(%rip); movq %rax, %mm2; ${op} mem+8(%rip), %mm2; movq %mm2, mem+16(%rip); emms`, set: "pairs" });
  }
  for (const imm of [0x00, 0x1b, 0xe4, 0x4e, 0xb1, 0xff]) {
    out.push({ name: `pshufw $${imm}`, asm: `movq %rax, %mm0; pshufw $${imm}, %mm0, %mm1; movq %mm1, %rcx; mov %rbx, mem+8(%rip); pshufw $${imm}, mem+8(%rip), %mm3; movq %mm3, %rdx; emms`, set: "pairs" });
  }
  // pmovmskb and pextrw zero-extend into the whole register, with or without REX.W
  out.push({ asm: "movq %rax, %mm0; mov $-1, %rcx; mov $-1, %rdx; pmovmskb %mm0, %ecx; rex.w pmovmskb %mm0, %edx; emms", set: "pairs" });
  out.push({ asm: "movq %rax, %mm0; mov $-1, %rcx; pextrw $1, %mm0, %ecx; pextrw $3, %mm0, %edx; pextrw $6, %mm0, %esi; rex.w pextrw $0, %mm0, %edi; emms", set: "pairs" });
  // pinsrw from a register and from memory; the word index is imm & 3
  out.push({ asm: "movq %rax, %mm0; pinsrw $2, %ebx, %mm0; movq %mm0, %rcx; mov %rbx, mem+8(%rip); movq %rax, %mm1; pinsrw $7, mem+8(%rip), %mm1; movq %mm1, %rdx; emms", set: "pairs" });
  // maskmovq stores the bytes whose mask byte has its top bit set, at [rdi]; movntq is a store
  out.push({ asm: "lea mem+32(%rip), %rdi; movq %rax, %mm0; movq %rbx, %mm1; maskmovq %mm1, %mm0; emms", set: "pairs" });
  out.push({ asm: "movq %rax, %mm0; movntq %mm0, mem+8(%rip); sfence; emms", set: "pairs" });
  // the x87 view: these set TOP = 0 and every tag valid, as every MMX instruction but emms
  out.push({ name: "tags after pmovmskb", asm: `fninit; fld1; fldz; pmovmskb %mm0, %ecx; ${env(32)}; emms`, set: "one" });
  out.push({ name: "tags after pextrw", asm: `fninit; fld1; pextrw $1, %mm0, %ecx; ${env(32)}; emms`, set: "one" });
  out.push({ name: "tags after maskmovq", asm: `fninit; fld1; lea mem+64(%rip), %rdi; movq %rax, %mm0; maskmovq %mm0, %mm0; ${env(32)}; emms`, set: "one" });
  // conversions: rax holds two singles, rbx and rdx a double each; each rounding mode, register and memory forms
  for (const rc of [0, 1, 2, 3]) {
    out.push({
      name: `cvt*2pi, RC ${rc}`,
      asm: `movl $${0x1f80 | (rc << 13)}, mem+64(%rip); ldmxcsr mem+64(%rip); movq %rax, %xmm0; cvtps2pi %xmm0, %mm0; movq %mm0, %rcx; cvttps2pi %xmm0, %mm1; movq %mm1, %rsi; ` +
        `movq %rbx, %xmm1; movq %rdx, %xmm2; punpcklqdq %xmm2, %xmm1; cvtpd2pi %xmm1, %mm2; movq %mm2, %rdi; cvttpd2pi %xmm1, %mm3; movq %mm3, %r8; ` +
        `mov %rax, mem+8(%rip); cvtps2pi mem+8(%rip), %mm4; movq %mm4, %r9; mov %rbx, mem+128(%rip); mov %rdx, mem+136(%rip); cvtpd2pi mem+128(%rip), %mm5; movq %mm5, %r10; ` +
        `cvtpi2ps %mm0, %xmm3; movl $0x1f80, mem+64(%rip); ldmxcsr mem+64(%rip); emms`,
      set: "floats",
    });
  }
  out.push({ asm: "movq %rax, %mm0; cvtpi2ps %mm0, %xmm0; cvtpi2pd %mm0, %xmm1; mov %rbx, mem+8(%rip); cvtpi2ps mem+8(%rip), %xmm2; cvtpi2pd mem+8(%rip), %xmm3; emms", set: "pairs" });
  out.push({ asm: "movq %rax, %mm0; movq2dq %mm0, %xmm4; movq %rbx, %xmm5; movdq2q %xmm5, %mm1; movq %mm1, %rcx; emms", set: "pairs" });
  // from memory, cvtpi2ps leaves the x87 state alone; from mm it is an MMX instruction
  out.push({ name: "tags after cvtpi2ps m64 and mm", asm: `fninit; fld1; mov %rax, mem+8(%rip); cvtpi2ps mem+8(%rip), %xmm0; ${env(32)}; cvtpi2ps %mm0, %xmm1; ${env(64)}; emms`, set: "one" });
  return out;
}

const f32 = (v: number): bigint => {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setFloat32(0, v, true);
  return BigInt(dv.getUint32(0, true));
};
const f64 = (v: number): bigint => {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v, true);
  return dv.getBigUint64(0, true);
};
const FLOATS = [0, -0, 0.5, 1.5, 2.5, -2.5, -0.5, 3.49, -1e-9, 2147483520, 2147483647.5, -2147483648.5, -2147483649, 1e10, Infinity, -Infinity, NaN];

function floatSet(): Input[] {
  return FLOATS.map((v, i) => {
    const w = FLOATS[(i + 5) % FLOATS.length]!;
    return mkInput(94000 + i, { rax: f32(v) | (f32(w) << 32n), rbx: f64(v), rdx: f64(w) });
  });
}

const vals = [...PAIR_EDGES, 0x7f80ff017fff8000n, 0x00ff00ff80017ffen, 0x8080808080808080n, 0x0180ff7f00fe8001n, ...randoms(6, 616)];

export const mmxSseFamily: Family = {
  name: "mmx-sse",
  sets: {
    pairs: pairSet(vals, vals).filter((_, i) => i % 6 === 0),
    floats: floatSet(),
    one: [mkInput(93000, { rax: 0x0123456789abcdefn }), mkInput(93001, { rax: 0xfedcba9876543210n })],
  },
  cases: cases(),
};
