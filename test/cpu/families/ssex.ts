// Differential cases: the instructions beyond SSE2 that the emulator runs
// although cpuid does not offer them (SSE3 movddup movsldup movshdup haddp*
// hsubp* addsubp*; SSSE3 pshufb palignr pabs* psign* phadd* phsub* pmaddubsw
// pmulhrsw; SSE4.1 pmin*/pmax* and round*), the SSE state instructions glibc's
// ld.so runs in its lazy-binding trampoline (fxsave/fxrstor, both pointer
// sizes), and rdssp (a NOP with shadow stacks off, as in libgcc's unwinder).
// Every result here is architecturally defined, NaNs included.
//
// The fxsave cases use their own 64-byte-aligned 512-byte buffers (in .bss,
// defined by the case itself) and copy parts of the image to registers and
// `mem`. Bytes that differ by design between processors are zeroed before
// they are read: FOP, FIP and FDP (bytes 6..23: Intel stores the last x87
// instruction's pointers, AMD zeros, the emulator zeros) and MXCSR_MASK
// (bytes 28..31: 0xffff on Intel and in the emulator, 0x2ffff on AMD).

import { mkInput, Rng, type Case, type Family, type Input } from "../harness.js";
import { doubleSet, floatSet, vintSet } from "./sse.js";

/** Random 80-bit-free x87 inputs: rax/rbx hold doubles for fldl, xmm registers random. */
function stateSet(): Input[] {
  const out: Input[] = [];
  const r = new Rng(401);
  const d = (v: number): bigint => {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, v, true);
    return dv.getBigUint64(0, true);
  };
  const vals = [0, -0, 1, -2.5, 1e300, 5e-324, Infinity, NaN, 1 / 3, 0.1];
  let k = 90000;
  for (let i = 0; i < vals.length; i++) out.push(mkInput(k++, { rax: d(vals[i]!), rbx: d(vals[(i + 3) % vals.length]!), rcx: r.next(), rdx: r.next() }));
  return out;
}

/** The x87 status bits the emulator models (as in families/x87.ts). */
const SW_MASK = 0x7d3d;

function cases(): Case[] {
  const out: Case[] = [];
  const vi = (asm: string): void => void out.push({ asm, set: "vint" });
  // ---- SSSE3 integer
  for (const m of ["pshufb", "pabsb", "pabsw", "pabsd", "psignb", "psignw", "psignd", "phaddw", "phaddd", "phaddsw", "phsubw", "phsubd", "phsubsw", "pmaddubsw", "pmulhrsw"]) {
    vi(`${m} %xmm1, %xmm0`);
    vi(`${m} %xmm0, %xmm0`);
    vi(`movdqa %xmm3, mem+16(%rip); ${m} mem+16(%rip), %xmm2`);
  }
  // pshufb with control bytes that mostly select (bit 7 clear): xmm1 & 0x8f...
  vi("pcmpeqd %xmm5, %xmm5; psrlw $9, %xmm5; packuswb %xmm5, %xmm5; pand %xmm1, %xmm5; pshufb %xmm5, %xmm0; pshufb %xmm3, %xmm2");
  for (const n of [0, 1, 4, 8, 15, 16, 17, 24, 31, 32, 255]) {
    vi(`palignr $${n}, %xmm1, %xmm0; palignr $${n}, %xmm2, %xmm2`);
    vi(`movdqa %xmm3, mem+32(%rip); palignr $${n}, mem+32(%rip), %xmm4`);
  }
  // ---- SSE4.1 integer min/max
  for (const m of ["pminsb", "pmaxsb", "pminuw", "pmaxuw", "pminsd", "pmaxsd", "pminud", "pmaxud"]) {
    vi(`${m} %xmm1, %xmm0`);
    vi(`movdqa %xmm3, mem+16(%rip); ${m} mem+16(%rip), %xmm2`);
  }
  // ---- SSE3 moves
  vi("movddup %xmm1, %xmm0; movddup mem+8(%rip), %xmm2; movsldup %xmm3, %xmm4; movshdup %xmm3, %xmm5");
  vi("movdqa %xmm1, mem+16(%rip); movsldup mem+16(%rip), %xmm0; movshdup mem+16(%rip), %xmm2; movddup %xmm3, %xmm3");
  // ---- SSE3 horizontal and alternating arithmetic, SSE4.1 rounding
  for (const [t, set] of [["d", "f64"], ["s", "f32"]] as const) {
    for (const op of ["hadd", "hsub", "addsub"]) {
      out.push({ asm: `${op}p${t} %xmm1, %xmm0`, set });
      out.push({ asm: `${op}p${t} %xmm2, %xmm2`, set });
      out.push({ asm: `movdqa %xmm1, mem(%rip); ${op}p${t} mem(%rip), %xmm3`, set: `${set}small` });
    }
    for (const imm of [0, 1, 2, 3, 4, 8, 9, 10, 11, 12])
      out.push({ asm: `rounds${t} $${imm}, %xmm1, %xmm0; roundp${t} $${imm}, %xmm1, %xmm2`, set });
    out.push({ asm: `movdqa %xmm1, mem(%rip); rounds${t} $1, mem(%rip), %xmm0; roundp${t} $2, mem(%rip), %xmm2`, set: `${set}small` });
    // imm bit 2: MXCSR.RC decides
    for (const rc of [1, 2, 3]) {
      const csr = (0x1f80 | (rc << 13)).toString(16);
      out.push({ asm: `movl $0x${csr}, mem+64(%rip); ldmxcsr mem+64(%rip); rounds${t} $4, %xmm1, %xmm0; roundp${t} $12, %xmm1, %xmm2; movl $0x1f80, mem+64(%rip); ldmxcsr mem+64(%rip)`, set: `${set}small` });
    }
  }
  // ---- fxsave / fxrstor
  const st = "stateset";
  const buf = (name: string): string => `.pushsection .bss; .balign 64; ${name}: .skip 512; .popsection`;
  // FOP FIP FDP and MXCSR_MASK zeroed (see above); FSW masked like the x87 family's (no C1, DE, SF, ES, B)
  const scrub = (b: string): string => `andw $${SW_MASK}, ${b}+2(%rip); movw $0, ${b}+6(%rip); movq $0, ${b}+8(%rip); movq $0, ${b}+16(%rip); movl $0, ${b}+28(%rip)`;
  for (const [op, b] of [["fxsave", "fxa"], ["fxsave64", "fxb"]] as const) {
    // x87 stack of three (two constants and a double), every XMM register, then the image read back
    out.push({
      asm: `${buf(b)}; movdqa %xmm2, %xmm10; movdqa %xmm3, %xmm15; fninit; fld1; fldpi; fldl mem(%rip); ${op} ${b}(%rip); ${scrub(b)}; ` +
        `movdqa ${b}(%rip), %xmm4; movdqa ${b}+16(%rip), %xmm5; movdqa ${b}+160+16*10(%rip), %xmm6; movdqa ${b}+160+16*15(%rip), %xmm7; ` +
        `movdqa ${b}+32(%rip), %xmm8; movdqu %xmm8, mem(%rip); movdqa ${b}+48(%rip), %xmm8; movdqu %xmm8, mem+16(%rip); movdqa ${b}+64(%rip), %xmm8; movdqu %xmm8, mem+32(%rip); ` +
        `movdqa ${b}+160(%rip), %xmm8; movdqu %xmm8, mem+48(%rip); movdqa ${b}+160+16*7(%rip), %xmm8; movdqu %xmm8, mem+64(%rip); ` +
        `movdqa ${b}+400(%rip), %xmm8; movdqu %xmm8, mem+80(%rip); mov ${b}+416(%rip), %r8; mov ${b}+504(%rip), %r9; ` +
        `fstp %st(0); fstp %st(0); fstp %st(0)`,
      set: st,
    });
  }
  // the reserved area 416..511 is not written: fill it, save, read it back
  out.push({ asm: `${buf("fxc")}; mov %rcx, fxc+416(%rip); mov %rdx, fxc+504(%rip); fninit; fxsave fxc(%rip); mov fxc+416(%rip), %r8; mov fxc+504(%rip), %r9; mov fxc(%rip), %r10`, set: st });
  // a non-default control word, status (an inexact result) and a non-default MXCSR
  out.push({
    asm: `${buf("fxd")}; fninit; movw $0x0b7f, mem+128(%rip); fldcw mem+128(%rip); fldl mem(%rip); fldl mem+24(%rip); fdivrp; movl $0x7f80, mem+132(%rip); ldmxcsr mem+132(%rip); ` +
      `fxsave fxd(%rip); ${scrub("fxd")}; movdqa fxd(%rip), %xmm4; movdqa fxd+16(%rip), %xmm5; movdqa fxd+32(%rip), %xmm6; fstp %st(0); movl $0x1f80, mem+132(%rip); ldmxcsr mem+132(%rip); fninit`,
    set: st,
  });
  // fxrstor: save, patch the image (xmm0, xmm9, MXCSR, FCW, st0), restore, read the state back through instructions
  for (const [sv, rs, b] of [["fxsave", "fxrstor", "fxe"], ["fxsave64", "fxrstor64", "fxf"]] as const) {
    out.push({
      asm: `${buf(b)}; fninit; fld1; fldl mem(%rip); ${sv} ${b}(%rip); mov %rax, ${b}+160(%rip); mov %rbx, ${b}+168(%rip); mov %rcx, ${b}+160+16*9(%rip); mov %rdx, ${b}+168+16*9(%rip); ` +
        `movl $0x5f80, ${b}+24(%rip); movw $0x027f, ${b}(%rip); mov %rbx, ${b}+32(%rip); movw $0xc001, ${b}+40(%rip); fninit; pxor %xmm9, %xmm9; pxor %xmm0, %xmm0; ` +
        `${rs} ${b}(%rip); movdqa %xmm9, %xmm1; stmxcsr mem+128(%rip); fnstcw mem+136(%rip); fnstsw mem+138(%rip); fstpt mem+144(%rip); fstpt mem+160(%rip); fnstsw mem+140(%rip); ` +
        `andw $${SW_MASK}, mem+138(%rip); andw $${SW_MASK}, mem+140(%rip); ` +
        `movl $0x1f80, mem+132(%rip); ldmxcsr mem+132(%rip); fninit`,
      set: st,
    });
  }
  // a tag byte marking one register empty: the stack as fxrstor leaves it
  out.push({
    asm: `${buf("fxg")}; fninit; fld1; fldl mem(%rip); fxsave fxg(%rip); movb $0x40, fxg+4(%rip); fninit; fxrstor fxg(%rip); fxam; fnstsw %ax; mov %eax, %esi; fincstp; fxam; fnstsw %ax; mov %eax, %edi; fstpt mem+32(%rip); fnstsw %ax; and $${SW_MASK}, %eax; and $${SW_MASK}, %esi; and $${SW_MASK}, %edi; fninit`,
    set: st,
  });
  // ---- rdssp: a NOP without shadow stacks (libgcc's unwinder reads 0 back and skips its shadow-stack work)
  out.push({ asm: "xor %eax, %eax; rdsspq %rax; rdsspd %ebx; rdsspq %r12", set: st });
  return out;
}

export const ssexFamily: Family = {
  name: "ssex",
  sets: {
    vint: vintSet(),
    f64: doubleSet(),
    f64small: doubleSet().filter((_, i) => i % 5 === 0),
    f32: floatSet(),
    f32small: floatSet().filter((_, i) => i % 5 === 0),
    stateset: stateSet(),
  },
  cases: cases(),
};
