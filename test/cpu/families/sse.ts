// Differential cases: SSE/SSE2 (the subset compilers and libc use): moves,
// logic, packed integer arithmetic, shifts, shuffles and unpacks, packs,
// scalar and packed double/single arithmetic with NaN/zero/denormal/infinity
// operands, comparisons (cmpXX predicates, comisd/ucomisd flags) and
// conversions. Architecturally, every result here is defined: NaN results
// follow the SDM's rules (first source NaN, quieted; the default NaN is the
// negative "QNaN floating-point indefinite"), out-of-range conversions give
// the integer indefinite value.
//
// xmm0 and xmm1 are the usual operands; a memory operand is made by storing
// xmm1 (or a GPR) into `mem` first (64-byte aligned, so aligned forms work).

import { CF, mkInput, PF, Rng, ZF, randoms, type Case, type Family, type Input, SF, OF, AF } from "../harness.js";

// ---- values --------------------------------------------------------------------------

const f64bits = (d: number): bigint => {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, d, true);
  return dv.getBigUint64(0, true);
};
const f32bits = (f: number): bigint => {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setFloat32(0, f, true);
  return BigInt(dv.getUint32(0, true));
};

/** Doubles, as bit patterns: signed zeros, denormals, limits, infinities, NaNs (quiet, signalling, with payloads), rounding ties, conversion limits. */
const DOUBLES: bigint[] = [
  ...[0, 1, -1, 0.5, 1.5, 2.5, -2.5, -0.75, 3, 1 / 3, 1e300, -1e300, 123456.789, 2.2250738585072014e-308, 1e-310, -5e-324,
    1.7976931348623157e308, Infinity, -Infinity, 2147483647.5, 2147483648, -2147483649, 9223372036854775808, -9223372036854775808,
    4503599627370497, 1e16 + 2].map(f64bits),
  0x8000000000000000n, // -0
  0x7ff8000000000000n, // QNaN
  0xfff8000000000000n, // the default NaN (QNaN floating-point indefinite)
  0x7ff0000000000001n, // SNaN
  0xfff4000000000abcn, // negative SNaN with payload
  0x7ffc000000012345n, // QNaN with payload
];

/** Singles, as bit patterns. */
const FLOATS: bigint[] = [
  ...[0, 1, -1, 0.5, 1.5, 2.5, -2.5, 3, 1 / 3, 1e30, -1e30, 3.4028234663852886e38, 1.1754943508222875e-38, 1e-40, -1.401298464324817e-45,
    Infinity, -Infinity, 2147483520, 2147483648, -2147483904, 16777217, 0.1].map(f32bits),
  0x80000000n, // -0
  0x7fc00000n, // QNaN
  0xffc00000n, // default NaN
  0x7f800001n, // SNaN
  0xffa00abcn, // negative SNaN with payload
  0x7fe12345n, // QNaN with payload
];

const lane32 = (a: bigint, b: bigint): bigint => (b << 32n) | a;

/** xmm0/xmm1 = pairs of doubles (every pair), other lanes from other pairs. */
export function doubleSet(): Input[] {
  const out: Input[] = [];
  const D = DOUBLES, n = D.length;
  let k = 70000;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) out.push(mkInput(k++, {}, (i + j) & 1 ? CF | ZF : 0, [D[i]!, D[(i * 7 + j) % n]!, D[j]!, D[(i + 3 * j + 1) % n]!]));
  return out;
}

/** xmm0/xmm1 lanes = pairs of floats. */
export function floatSet(): Input[] {
  const out: Input[] = [];
  const F = FLOATS, n = F.length;
  let k = 71000;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const x0 = [F[i]!, F[(i + j + 1) % n]!, F[(i * 5 + 2) % n]!, F[(j * 3 + i) % n]!];
      const x1 = [F[j]!, F[(i * 3 + j) % n]!, F[(j + 7) % n]!, F[(i + 2 * j + 5) % n]!];
      out.push(mkInput(k++, {}, (i + j) & 1 ? SF : 0, [lane32(x0[0]!, x0[1]!), lane32(x0[2]!, x0[3]!), lane32(x1[0]!, x1[1]!), lane32(x1[2]!, x1[3]!)]));
    }
  return out;
}

/** Packed-integer inputs: lanes from sign/saturation boundaries at every lane width, and random. */
export function vintSet(): Input[] {
  const out: Input[] = [];
  const r = new Rng(202);
  const bytes = [0x00n, 0x01n, 0x7fn, 0x80n, 0x81n, 0xffn, 0xfen, 0x40n];
  const words = [0x0000n, 0x0001n, 0x7fffn, 0x8000n, 0xffffn, 0x00ffn, 0xff00n, 0x0080n, 0xff7fn, 0x8001n];
  const dwords = [0n, 1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x0000ffffn, 0xffff0000n, 0x00007fffn, 0xffff8000n];
  const qwords = [0n, 1n, 0xffffffffffffffffn, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffn, 0x100000000n];
  const q = (pool: bigint[], w: number): bigint => {
    let v = 0n;
    for (let i = 0; i < 64 / w; i++) v |= pool[r.int(pool.length)]! << BigInt(i * w);
    return v;
  };
  let k = 72000;
  for (let i = 0; i < 96; i++) {
    const kind = i % 6;
    const gen = (): bigint =>
      kind === 0 ? q(bytes, 8) : kind === 1 ? q(words, 16) : kind === 2 ? q(dwords, 32) : kind === 3 ? q(qwords, 64) : kind === 4 ? r.next() : q(words, 16) ^ (r.next() & 0x00ff00ff00ff00ffn);
    const x = [gen(), gen(), gen(), gen(), gen(), gen()];
    // sometimes equal lanes, so that pcmpeq finds matches
    if (i % 5 === 0) {
      x[2] = x[0]!;
      x[3] = (x[1]! & 0xffffffff00000000n) | (r.next() & 0xffffffffn);
    }
    out.push(mkInput(k++, { rax: r.next(), rbx: r.next() }, i & 1 ? CF : 0, x));
  }
  return out;
}

/** Shift counts in xmm2's low qword (and a register count), values in xmm0. */
function vshiftSet(): Input[] {
  const out: Input[] = [];
  const r = new Rng(203);
  let k = 73000;
  const counts = [0n, 1n, 2n, 7n, 8n, 15n, 16n, 17n, 31n, 32n, 33n, 63n, 64n, 65n, 255n, 0x100000001n, 0x8000000000000000n];
  for (const c of counts)
    for (let i = 0; i < 4; i++) {
      const v0 = i === 0 ? 0x8000800080008000n : i === 1 ? 0xffffffffffffffffn : r.next();
      out.push(mkInput(k++, {}, 0, [v0, r.next(), r.next(), r.next(), c, r.next()]));
    }
  return out;
}

/** Conversions: a double in xmm0's low lane, a float in xmm1's low lane, an integer in rax. */
function cvtSet(): Input[] {
  const out: Input[] = [];
  const r = new Rng(204);
  const ints = [0n, 1n, 0xffffffffffffffffn, 0x7fffffffn, 0x80000000n, 0xffffffff80000000n, 0x7fffffffffffffffn, 0x8000000000000000n,
    0x20000000000001n, 0x1000001n, 0x1000001000000001n, 0xefffffefffffffffn, 0x20000020000001n, 0xffffffffff000001n, 0x7fffff7fn, 0x4000000000000080n, 0x3ff0000000000001n, ...randoms(4, 205)];
  const n = Math.max(DOUBLES.length, FLOATS.length, ints.length);
  let k = 74000;
  for (let i = 0; i < n; i++) {
    const d = DOUBLES[i % DOUBLES.length]!, f = FLOATS[i % FLOATS.length]!;
    out.push(mkInput(k++, { rax: ints[i % ints.length]!, rbx: ints[(i + 5) % ints.length]! }, 0, [d, DOUBLES[(i + 11) % DOUBLES.length]!, lane32(f, FLOATS[(i + 3) % FLOATS.length]!), lane32(FLOATS[(i + 9) % FLOATS.length]!, f), r.next(), r.next()]));
  }
  // extra: values near rounding ties for cvtsd2si/cvtps2dq
  for (const v of [0.5, 1.5, 2.5, -0.5, -1.5, 2.4999999999999996, 1e10, -1e10, 4294967295.5, -2147483648.5, -2147483648.4])
    out.push(mkInput(k++, { rax: r.next() }, 0, [f64bits(v), f64bits(-v), lane32(f32bits(v), f32bits(-v)), lane32(f32bits(v * 3), f32bits(v / 3))]));
  return out;
}

// ---- cases ---------------------------------------------------------------------------

// comisd/ucomisd/comiss/ucomiss write ZF PF CF and clear OF SF AF: nothing undefined.

function cases(): Case[] {
  const out: Case[] = [];
  const vi = (asm: string, set = "vint"): void => void out.push({ asm, set });
  // moves
  for (const m of ["movaps", "movups", "movapd", "movupd", "movdqa", "movdqu"]) {
    vi(`${m} %xmm1, %xmm0`);
    vi(`movdqa %xmm1, mem(%rip); ${m} mem(%rip), %xmm0`);
    vi(`${m} %xmm1, mem+16(%rip)`);
  }
  vi("movdqu mem+8(%rip), %xmm0; movups %xmm1, mem+40(%rip); movupd mem+72(%rip), %xmm2");
  vi("lddqu mem+3(%rip), %xmm0");
  vi("movd %eax, %xmm0; movd %xmm1, %ecx; movd %xmm1, mem+8(%rip); movd mem+16(%rip), %xmm2");
  vi("movq %rax, %xmm0; movq %xmm1, %rcx; movq %xmm1, mem+8(%rip); movq mem+16(%rip), %xmm2; movq %xmm3, %xmm4");
  vi("movss %xmm1, %xmm0; movss mem+4(%rip), %xmm2; movss %xmm3, mem+8(%rip)");
  vi("movsd %xmm1, %xmm0; movsd mem+8(%rip), %xmm2; movsd %xmm3, mem+16(%rip)");
  vi("movlps mem+8(%rip), %xmm0; movhps mem+24(%rip), %xmm1; movlps %xmm2, mem+40(%rip); movhps %xmm3, mem+48(%rip)");
  vi("movlpd mem+8(%rip), %xmm0; movhpd mem+24(%rip), %xmm1; movlpd %xmm2, mem+40(%rip); movhpd %xmm3, mem+48(%rip)");
  vi("movhlps %xmm1, %xmm0; movlhps %xmm3, %xmm2; movhlps %xmm4, %xmm4");
  vi("movmskps %xmm0, %eax; movmskpd %xmm1, %ecx; pmovmskb %xmm2, %edx; movmskps %xmm3, %r9; pmovmskb %xmm4, %r10d");
  vi("movnti %rax, mem+8(%rip); movnti %ebx, mem+16(%rip); movntdq %xmm0, mem+32(%rip); movntps %xmm1, mem+48(%rip); movntpd %xmm2, mem+64(%rip)");
  vi("lea mem+32(%rip), %rdi; maskmovdqu %xmm1, %xmm0; lea mem+64(%rip), %rdi; maskmovdqu %xmm3, %xmm2");
  vi("pextrw $0, %xmm0, %eax; pextrw $3, %xmm0, %ecx; pextrw $7, %xmm1, %edx; pextrw $5, %xmm1, %r9");
  vi("pinsrw $0, %eax, %xmm0; pinsrw $5, %ebx, %xmm1; pinsrw $7, mem+2(%rip), %xmm2; pinsrw $10, %eax, %xmm3");
  // logic
  for (const m of ["pand", "pandn", "por", "pxor", "andps", "andnps", "orps", "xorps", "andpd", "andnpd", "orpd", "xorpd"]) {
    vi(`${m} %xmm1, %xmm0`);
    vi(`movdqa %xmm1, mem(%rip); ${m} mem(%rip), %xmm2`);
  }
  vi("pxor %xmm0, %xmm0; xorps %xmm1, %xmm1; pcmpeqd %xmm2, %xmm2");
  // the REX-extended registers xmm8..xmm15 (not loaded by the harness: set from xmm0..xmm3 first)
  vi("movdqa %xmm1, %xmm9; movdqa %xmm2, %xmm15; paddd %xmm9, %xmm0; psubw %xmm0, %xmm15; pshufd $0x1b, %xmm15, %xmm12; movdqa %xmm12, %xmm3; movq %xmm9, %r14; pmovmskb %xmm15, %r13d");
  // packed integer
  const INT = ["paddb", "paddw", "paddd", "paddq", "psubb", "psubw", "psubd", "psubq", "paddsb", "paddsw", "paddusb", "paddusw",
    "psubsb", "psubsw", "psubusb", "psubusw", "pmullw", "pmulhw", "pmulhuw", "pmuludq", "pmaddwd", "psadbw", "pavgb", "pavgw",
    "pminub", "pmaxub", "pminsw", "pmaxsw", "pcmpeqb", "pcmpeqw", "pcmpeqd", "pcmpgtb", "pcmpgtw", "pcmpgtd",
    "punpcklbw", "punpcklwd", "punpckldq", "punpcklqdq", "punpckhbw", "punpckhwd", "punpckhdq", "punpckhqdq",
    "unpcklps", "unpckhps", "unpcklpd", "unpckhpd", "packsswb", "packssdw", "packuswb"];
  for (const m of INT) {
    vi(`${m} %xmm1, %xmm0`);
    vi(`${m} %xmm0, %xmm0`);
    vi(`movdqa %xmm3, mem+16(%rip); ${m} mem+16(%rip), %xmm2`);
  }
  // shifts
  for (const m of ["psllw", "pslld", "psllq", "psrlw", "psrld", "psrlq", "psraw", "psrad"]) {
    vi(`${m} %xmm2, %xmm0`, "vshift");
    vi(`movdqa %xmm2, mem(%rip); ${m} mem(%rip), %xmm1`, "vshift");
    for (const n of [0, 1, 7, 15, 16, 31, 32, 63, 64, 255]) vi(`${m} $${n}, %xmm0`);
  }
  for (const m of ["pslldq", "psrldq"]) for (const n of [0, 1, 3, 8, 15, 16, 255]) vi(`${m} $${n}, %xmm0`);
  // shuffles
  for (const imm of [0x00, 0x1b, 0xe4, 0x4e, 0xb1, 0xff, 0x39]) {
    vi(`pshufd $${imm}, %xmm1, %xmm0; pshuflw $${imm}, %xmm1, %xmm2; pshufhw $${imm}, %xmm1, %xmm3`);
    vi(`shufps $${imm}, %xmm1, %xmm0; shufps $${imm}, %xmm2, %xmm2; shufpd $${imm & 3}, %xmm1, %xmm3`);
    vi(`movdqa %xmm1, mem(%rip); pshufd $${imm}, mem(%rip), %xmm0; shufps $${imm}, mem(%rip), %xmm2`);
  }
  // floating point, scalar and packed
  for (const [t, set] of [["d", "f64"], ["s", "f32"]] as const) {
    for (const op of ["add", "sub", "mul", "div", "min", "max", "sqrt"]) {
      out.push({ asm: `${op}s${t} %xmm1, %xmm0`, set });
      out.push({ asm: `${op}p${t} %xmm1, %xmm0`, set });
      out.push({ asm: `movdqa %xmm1, mem(%rip); ${op}s${t} mem(%rip), %xmm2; ${op}p${t} mem(%rip), %xmm3`, set: `${set}small` });
    }
    out.push({ asm: `addp${t} %xmm0, %xmm0; mulp${t} %xmm1, %xmm1`, set });
    for (let p = 0; p < 8; p++) {
      out.push({ asm: `cmps${t} $${p}, %xmm1, %xmm0; cmpp${t} $${p}, %xmm1, %xmm2`, set });
    }
    out.push({ asm: `movdqa %xmm1, mem(%rip); cmps${t} $1, mem(%rip), %xmm0; cmpp${t} $6, mem(%rip), %xmm2`, set: `${set}small` });
    for (const c of ["comis", "ucomis"]) {
      out.push({ asm: `${c}${t} %xmm1, %xmm0`, set });
      out.push({ asm: `movdqa %xmm1, mem(%rip); ${c}${t} mem(%rip), %xmm0`, set: `${set}small` });
      // the flags, read through every condition a compiler uses after them
      out.push({ asm: `${c}${t} %xmm1, %xmm0; seta %r8b; setae %r9b; setb %r10b; setbe %r11b; sete %r12b; setne %r13b; setp %r14b; setnp %r15b`, set });
    }
  }
  // conversions
  const cv = (asm: string): void => void out.push({ asm, set: "cvt" });
  cv("cvtsi2sd %eax, %xmm0; cvtsi2sd %rbx, %xmm1; cvtsi2ss %eax, %xmm2; cvtsi2ss %rbx, %xmm3");
  cv("cvtsi2sd %rax, %xmm0; cvtsi2ss %rax, %xmm2; cvtsi2sd %ebx, %xmm3");
  cv("mov %rax, mem(%rip); cvtsi2sdl mem(%rip), %xmm0; cvtsi2sdq mem(%rip), %xmm1; cvtsi2ssl mem(%rip), %xmm2; cvtsi2ssq mem(%rip), %xmm3");
  cv("cvttsd2si %xmm0, %eax; cvttsd2si %xmm0, %rbx; cvtsd2si %xmm0, %ecx; cvtsd2si %xmm0, %rdx");
  cv("cvttsd2si %xmm1, %eax; cvttsd2si %xmm1, %rbx; cvtsd2si %xmm1, %ecx; cvtsd2si %xmm1, %rdx");
  cv("cvttss2si %xmm2, %eax; cvttss2si %xmm2, %rbx; cvtss2si %xmm2, %ecx; cvtss2si %xmm2, %rdx");
  cv("cvttss2si %xmm3, %eax; cvttss2si %xmm3, %rbx; cvtss2si %xmm3, %ecx; cvtss2si %xmm3, %rdx");
  cv("movsd %xmm0, mem(%rip); cvttsd2si mem(%rip), %eax; cvtsd2si mem(%rip), %rcx; movss %xmm2, mem+8(%rip); cvttss2si mem+8(%rip), %rdx");
  cv("cvtsd2ss %xmm0, %xmm4; cvtsd2ss %xmm1, %xmm5; cvtss2sd %xmm2, %xmm6; cvtss2sd %xmm3, %xmm7");
  cv("cvtdq2pd %xmm2, %xmm0; cvtdq2ps %xmm3, %xmm1; cvttpd2dq %xmm0, %xmm4; cvttps2dq %xmm3, %xmm5");
  cv("cvtpd2dq %xmm0, %xmm4; cvtpd2dq %xmm1, %xmm5; cvtps2dq %xmm2, %xmm6; cvtps2dq %xmm3, %xmm7");
  cv("cvttpd2dq %xmm1, %xmm4; cvttps2dq %xmm2, %xmm5; cvtpd2ps %xmm0, %xmm6; cvtps2pd %xmm3, %xmm7");
  cv("cvtpd2ps %xmm1, %xmm4; cvtps2pd %xmm2, %xmm5; cvtdq2pd %xmm4, %xmm6; cvtdq2ps %xmm5, %xmm7");
  cv("movq %rax, %xmm4; movq %rbx, %xmm5; punpcklqdq %xmm5, %xmm4; cvtdq2ps %xmm4, %xmm6; cvtdq2pd %xmm4, %xmm7");
  cv("movdqa %xmm0, mem(%rip); cvtdq2pd mem(%rip), %xmm4; cvtps2pd mem(%rip), %xmm5; cvttpd2dq mem(%rip), %xmm6");
  // MXCSR: round trip, and the rounding control used by cvtsd2si/cvtss2si/cvtpd2dq/cvtps2dq
  cv("movl $0x1f80, mem(%rip); ldmxcsr mem(%rip); stmxcsr mem+8(%rip)");
  for (const rc of [1, 2, 3]) {
    const csr = (0x1f80 | (rc << 13)).toString(16);
    cv(`movl $0x${csr}, mem(%rip); ldmxcsr mem(%rip); cvtsd2si %xmm0, %rax; cvtsd2si %xmm1, %ecx; cvtss2si %xmm2, %edx; cvttsd2si %xmm0, %rbx; movl $0x1f80, mem(%rip); ldmxcsr mem(%rip)`);
    cv(`movl $0x${csr}, mem(%rip); ldmxcsr mem(%rip); cvtpd2dq %xmm0, %xmm4; cvtps2dq %xmm2, %xmm5; movl $0x1f80, mem(%rip); ldmxcsr mem(%rip)`);
  }
  return out;
}

export const sseFamily: Family = {
  name: "sse",
  sets: {
    vint: vintSet(),
    vshift: vshiftSet(),
    f64: doubleSet(),
    f64small: doubleSet().filter((_, i) => i % 5 === 0),
    f32: floatSet(),
    f32small: floatSet().filter((_, i) => i % 5 === 0),
    cvt: cvtSet(),
  },
  cases: cases(),
};

void PF; void OF; void AF;
