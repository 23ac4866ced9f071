// Differential cases: the x87 subset (engine/cpu/ops/x87.ts) on 80-bit
// operands: arithmetic under every rounding and precision control, compares,
// fprem/fprem1/frndint/fsqrt/fscale/fxam, stores to m32/m64/m80 and integers.
//
// Operands come from `mem`: a = the 80-bit value at mem+0 (significand rax,
// sign/exponent = low 16 bits of rcx), b = the one at mem+16 (rdx, rbx). As
// doubles: mem+0 is rax's bits. Results are stored back to mem (fstpt etc.)
// and the status word is read into ax masked to what the emulator models:
// IE ZE OE UE PE, C0 C2 C3 and TOP (not C1, the round-up indicator, nor DE,
// the denormal-operand flag). Each case starts with fninit and leaves the
// stack empty.

import { mkInput, Rng, type Case, type Family, type Input } from "../harness.js";

const SW_MASK = 0x7d3d;
const status = `fnstsw %ax; and $${SW_MASK}, %eax`;

/** 80-bit values as [significand, sign|exponent]. */
const EXT: [bigint, number][] = [
  [0n, 0], [0n, 0x8000], // +-0
  [0x8000000000000000n, 0x3fff], [0x8000000000000000n, 0xbfff], // +-1
  [0xc000000000000000n, 0x4000], // 3
  [0xaaaaaaaaaaaaaaabn, 0x3ffd], // 1/3 rounded
  [0xffffffffffffffffn, 0x3ffe], // 1 - 2^-65 (all ones)
  [0x8000000000000001n, 0x3fff], // 1 + ulp
  [0xc90fdaa22168c235n, 0x4000], // pi
  [0x8000000000000000n, 0x403e], // 2^63
  [0xfffffffffffff800n, 0x403d], // just below 2^63 (a double)
  [0xa000000000000000n, 0x401d], // 2^31 * 1.25
  [0x8000000000000000n, 0x0001], // smallest normal
  [0x4000000000000000n, 0x0000], // denormal
  [0x0000000000000001n, 0x0000], // smallest denormal
  [0xffffffffffffffffn, 0x7ffe], // largest finite
  [0x8000000000000000n, 0x7fff], [0x8000000000000000n, 0xffff], // +-inf
  [0xc000000000000000n, 0x7fff], // QNaN
  [0xc000000000000000n, 0xffff], // the indefinite NaN
  [0xa000000000000123n, 0x7fff], // SNaN with payload
  [0x4000000000000000n, 0x3fff], // unnormal (integer bit clear)
  [0x8000000000000800n, 0x3ff0], // double rounding tie (bit 11 set)
  [0xfffffffffffffc00n, 0x43fe], // double max neighbourhood
  [0x8000000000000000n, 0x3c00], // below the double range
  [0xb504f333f9de6484n, 0x3fff], // sqrt 2
];

function extSet(): Input[] {
  const out: Input[] = [];
  const r = new Rng(303);
  const vals: [bigint, number][] = [...EXT];
  for (let i = 0; i < 6; i++) vals.push([r.next() | 0x8000000000000000n, 0x3fc0 + r.int(128) + (i & 1 ? 0x8000 : 0)]);
  let k = 80000;
  for (let i = 0; i < vals.length; i++)
    for (let j = 0; j < vals.length; j += 1 + ((i + j) % 2)) {
      const [ma, ea] = vals[i]!, [mb, eb] = vals[j]!;
      out.push(mkInput(k++, { rax: ma, rcx: (r.next() & ~0xffffn) | BigInt(ea), rdx: mb, rbx: (r.next() & ~0xffffn) | BigInt(eb) }));
    }
  return out;
}

/** rax = bits of a double (for fld m64 / fst m32 / fist), from edge doubles and random. */
function dblSet(): Input[] {
  const out: Input[] = [];
  const r = new Rng(304);
  const d = (v: number): bigint => {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, v, true);
    return dv.getBigUint64(0, true);
  };
  const vals = [0, -0, 1, -1, 0.5, 1.5, 2.5, -2.5, 3.5, 1e300, -1e-300, 5e-324, 2.2250738585072014e-308, 3.4028235677973366e38, 1.401298464324817e-45, 7e-46,
    32767.5, 32768, -32768.5, 2147483647.5, -2147483648.5, 9223372036854775807, -9223372036854775808, 1e19, Infinity, -Infinity, NaN, 0.1, 1 / 3, 16777217, 123456789.123].map(d);
  vals.push(0x7ff0000000000001n, 0xfff8000000000abcn);
  for (let i = 0; i < 8; i++) vals.push(r.next());
  let k = 81000;
  for (const v of vals) out.push(mkInput(k++, { rax: v, rdx: r.next() }));
  return out;
}

const RC = ["", "0x400", "0x800", "0xc00"];

function cases(): Case[] {
  const out: Case[] = [];
  const c = (asm: string, set = "ext"): void => void out.push({ asm: `fninit; ${asm}`, set });
  const cw = (v: number): string => `movw $${v}, mem+64(%rip); fldcw mem+64(%rip)`;
  // arithmetic, register forms (Intel operand order: the destination first)
  for (const op of ["fadd", "fsub", "fsubr", "fmul", "fdiv", "fdivr"]) {
    c(`fldt mem+16(%rip); fldt mem(%rip); ${op} %st(1), %st; fstpt mem+32(%rip); fstp %st(0); ${status}`);
    c(`fldt mem+16(%rip); fldt mem(%rip); ${op} %st, %st(1); fstp %st(0); fstpt mem+32(%rip); ${status}`);
    c(`fldt mem+16(%rip); fldt mem(%rip); ${op}p %st, %st(1); fstpt mem+32(%rip); ${status}`);
    // memory operands: a op (double at mem+16), a op (float at mem+16)
    c(`fldt mem(%rip); ${op}l mem+16(%rip); fstpt mem+32(%rip); ${status}`);
    c(`fldt mem(%rip); ${op}s mem+20(%rip); fstpt mem+32(%rip); ${status}`);
    // rounding and precision control
    for (let rc = 1; rc < 4; rc++) c(`${cw(0x37f | (rc << 10))}; fldt mem+16(%rip); fldt mem(%rip); ${op}p %st, %st(1); fstpt mem+32(%rip); ${status}`);
    for (const pc of [0, 2]) c(`${cw(0x07f | (pc << 8))}; fldt mem+16(%rip); fldt mem(%rip); ${op}p %st, %st(1); fstpt mem+32(%rip); ${status}`);
  }
  for (const op of ["fiaddl", "fisubl", "fimull", "fidivl", "fidivrl", "fisubrl", "fiadds", "fimuls"]) c(`fldt mem(%rip); ${op} mem+16(%rip); fstpt mem+32(%rip); ${status}`);
  // unary
  for (const op of ["fsqrt", "frndint", "fchs", "fabs"]) {
    c(`fldt mem(%rip); ${op}; fstpt mem+32(%rip); ${status}`);
    if (op === "frndint" || op === "fsqrt") for (let rc = 1; rc < 4; rc++) c(`${cw(0x37f | (rc << 10))}; fldt mem(%rip); ${op}; fstpt mem+32(%rip); ${status}`);
  }
  c(`fldt mem(%rip); fxam; ${status}; fstp %st(0)`);
  c(`fld1; fldz; fldt mem(%rip); fstpt mem+32(%rip); fstpt mem+48(%rip); fstpt mem+64(%rip); ${status}`);
  // fprem/fprem1 until complete (like fmodl/remainderl), and the quotient bits
  for (const op of ["fprem", "fprem1"]) c(`fldt mem+16(%rip); fldt mem(%rip); mov $0, %ecx; 1: ${op}; inc %ecx; fnstsw %ax; testb $4, %ah; jnz 1b; fstpt mem+32(%rip); fstp %st(0); ${status}`);
  // fscale by small integers (b is rounded to an integer first)
  c(`movl $7, mem+48(%rip); fildl mem+48(%rip); fldt mem(%rip); fscale; fstpt mem+32(%rip); fstp %st(0); ${status}`);
  c(`movl $-70, mem+48(%rip); fildl mem+48(%rip); fldt mem(%rip); fscale; fstpt mem+32(%rip); fstp %st(0); ${status}`);
  // compares: eflags (printed) and C0/C2/C3
  for (const op of ["fucomi", "fcomi"]) {
    c(`fldt mem+16(%rip); fldt mem(%rip); ${op} %st(1), %st; fstp %st(0); fstp %st(0); ${status}`);
    c(`fldt mem(%rip); ${op}p %st(0), %st; ${status}`);
    c(`fldt mem+16(%rip); fldt mem(%rip); ${op}p %st(1), %st; fstp %st(0); ${status}`);
  }
  c(`fldt mem+16(%rip); fldt mem(%rip); fucom %st(1); fstp %st(0); fstp %st(0); ${status}`);
  c(`fldt mem+16(%rip); fldt mem(%rip); fcompp; ${status}`);
  c(`fldt mem+16(%rip); fldt mem(%rip); fucompp; ${status}`);
  c(`fldt mem(%rip); fcoml mem+16(%rip); fstp %st(0); ${status}`);
  c(`fldt mem(%rip); ftst; fstp %st(0); ${status}`);
  // conditional moves
  for (const cc of ["b", "e", "be", "u", "nb", "ne", "nbe", "nu"])
    c(`fldt mem+16(%rip); fldt mem(%rip); cmp %rdx, %rax; fcmov${cc} %st(1), %st; fstpt mem+32(%rip); fstp %st(0); ${status}`);
  c(`fldt mem+16(%rip); fldt mem(%rip); fxch %st(1); fstpt mem+32(%rip); fstpt mem+48(%rip); ${status}`);
  // stores of extended values to double, float and integers, under every RC
  for (let rc = 0; rc < 4; rc++) {
    const set = rc ? `${cw(0x37f | (rc << 10))}; ` : "";
    c(`${set}fldt mem(%rip); fstl mem+32(%rip); fstps mem+40(%rip); ${status}`);
    c(`${set}fldt mem(%rip); fists mem+32(%rip); fistl mem+36(%rip); fistpll mem+40(%rip); ${status}`);
    c(`${set}fldl mem(%rip); fistpll mem+32(%rip); fldl mem(%rip); fstps mem+40(%rip); ${status}`, "dbl");
  }
  c(`fldt mem(%rip); fisttpll mem+32(%rip); fldt mem(%rip); fisttpl mem+40(%rip); ${status}`);
  // loads: double, float and integers to extended
  c(`fldl mem(%rip); fstpt mem+32(%rip); flds mem(%rip); fstpt mem+48(%rip); ${status}`, "dbl");
  c(`fildll mem(%rip); fstpt mem+32(%rip); fildl mem+4(%rip); fstpt mem+48(%rip); filds mem+6(%rip); fstpt mem+64(%rip); ${status}`, "dbl");
  // control word round trip
  c(`fnstcw mem+32(%rip); ${cw(0xf7f)}; fnstcw mem+34(%rip); fninit; fnstcw mem+36(%rip)`);
  // constants, rounded per RC (not PC), no flags
  for (let rc = 0; rc < 4; rc++)
    c(`${cw(0x07f | (rc << 10))}; fldpi; fstpt mem+32(%rip); fldl2e; fstpt mem+48(%rip); fldl2t; fstpt mem+64(%rip); fldlg2; fstpt mem+80(%rip); fldln2; fstpt mem+96(%rip); ${status}`, "one");
  // fxtract: exponent in st1, significand in st0 (zero: -inf and ZE; denormals normalized; NaN, infinity, unsupported)
  c(`fldt mem(%rip); fxtract; fstpt mem+32(%rip); fstpt mem+48(%rip); ${status}`);
  // ffreep: free st(i), then pop
  c(`fld1; fldt mem(%rip); fldz; ffreep %st(1); fstpt mem+32(%rip); fstpt mem+48(%rip); ${status}`);
  c(`fldt mem+16(%rip); fldt mem(%rip); ffreep %st(0); fstpt mem+32(%rip); ${status}`);
  // fnstenv/fldenv: FCW FSW and the full tag word (valid, zero, special, empty), exceptions masked afterwards;
  // the instruction and operand pointers (bytes 12..23) are zeroed before they are compared (processors differ)
  const env = `movq $0, mem+44(%rip); movl $0, mem+52(%rip); andw $${SW_MASK}, mem+36(%rip)`;
  c(`${cw(0x0360)}; fld1; fldz; fldt mem+16(%rip); fldt mem(%rip); fnstenv mem+32(%rip); fnstcw mem+64(%rip); ${env}; fldenv mem+32(%rip); fnstcw mem+66(%rip); fstpt mem+80(%rip); fstpt mem+96(%rip); fstp %st(0); fstp %st(0); ${status}`);
  c(`fnstenv mem+32(%rip); ${env}; fldt mem(%rip); fld1; fdiv %st, %st(1); fstenv mem+64(%rip); movq $0, mem+76(%rip); movl $0, mem+84(%rip); andw $${SW_MASK}, mem+68(%rip); fstp %st(0); fstp %st(0)`);
  // fldenv of an edited image: two registers tagged empty, a new TOP, exception flags, RC and PC
  c(`fld1; fldt mem(%rip); fnstenv mem+32(%rip); ${env}; orw $0xf000, mem+40(%rip); movw $0x0a7f, mem+32(%rip); orw $0x0021, mem+36(%rip); fldenv mem+32(%rip); fxam; ${status}; mov %eax, %esi; fnstcw mem+64(%rip); fincstp; fincstp; fxam; ${status}; fninit`);
  void RC;
  return out;
}

export const x87Family: Family = {
  name: "x87",
  sets: { ext: extSet(), dbl: dblSet(), one: dblSet().slice(0, 2) },
  cases: cases(),
};
