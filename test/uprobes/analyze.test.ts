// Instruction analysis verdicts, as tables: the bytes, the modelled kernel,
// and what the real kernel answers (observed on 6.18.44 with
// scripts/real-kernel-verdicts.mjs; older rows from the kernel sources, see
// engine/uprobes/KERNEL-HISTORY.md and docs/uprobes-model.md).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { analyzeInsn, hitPath, resolveKernel, type AnalysisResult } from "../../engine/uprobes/index.js";

function verdict(hex: string, kernel: string, emulation = true): string {
  const bytes = Uint8Array.from(hex.split(/\s+/).filter(Boolean).map((b) => parseInt(b, 16)));
  const padded = new Uint8Array(16);
  padded.set(bytes);
  const r: AnalysisResult = analyzeInsn(padded.subarray(0, Math.max(bytes.length, 16)), { gen: resolveKernel(kernel), emulation, bits: 64, vaddr: 0x401000 });
  if (!r.ok) return r.errno === 524 ? "ENOTSUPP" : r.errno === 8 ? "ENOEXEC" : `errno ${r.errno}`;
  return hitPath(r.arch, resolveKernel(kernel).nop5Optimize && emulation);
}

// [bytes, 6.18 verdict, what it is]
const OBSERVED_618: [string, string, string][] = [
  ["64 48 8b 04 25 28 00 00 00", "xol", "fs-prefixed load"],
  ["65 48 8b 04 25 00 00 00 00", "xol", "gs-prefixed load"],
  ["67 8b 00", "xol", "addr32"],
  ["f3 a4", "xol", "rep movsb"],
  ["f2 e9 00 01 00 00", "emulated", "bnd jmp: emulated as jmp"],
  ["48 90", "emulated", "rex.w nop"],
  ["c7 f8 10 00 00 00", "xol", "xbegin"],
  ["e2 fe", "xol", "loop"],
  ["e3 fe", "xol", "jrcxz"],
  ["9d", "xol", "popf"],
  ["0f 0f c1 b4", "xol", "3DNow! escape (0x0F quirk)"],
  ["78 56", "emulated", "js (mid-instruction bytes)"],
  ["56", "emulated", "push %rsi"],
  ["0f 05", "xol", "syscall (0x0F quirk)"],
  ["0f 0b", "xol", "ud2 (0x0F quirk)"],
  ["0f 01 d0", "xol", "xgetbv"],
  ["0f ae 00", "xol", "fxsave"],
  ["0f 30", "xol", "wrmsr"],
  ["0f 34", "xol", "sysenter"],
  ["f3 0f 1e fa", "xol", "endbr64"],
  ["0f a2", "xol", "cpuid"],
  ["0f 31", "xol", "rdtsc"],
  ["c5 f8 77", "emulated", "vzeroupper: VEX 77 taken for ja +0 (on 6.18.44 the upper halves survived a probed vzeroupper)"],
  ["d5 00 8b 00", "xol", "APX REX2 mov"],
  ["cc", "ENOTSUPP", "int3"],
  ["66 e8 00 00", "ENOTSUPP", "callw"],
  ["66 e9 00 00", "ENOTSUPP", "jmpw"],
  ["f0 ff 00", "ENOTSUPP", "lock incl"],
  ["2e 8b 00", "ENOTSUPP", "cs prefix"],
  ["36 8b 00", "ENOTSUPP", "ss prefix"],
  ["3e ff e0", "ENOTSUPP", "notrack jmp *%rax"],
  ["f4", "ENOTSUPP", "hlt"],
  ["cd 80", "ENOTSUPP", "int $0x80"],
  ["8e d0", "ENOTSUPP", "mov %eax,%ss"],
  ["17", "ENOTSUPP", "pop %ss"],
  ["f1", "ENOTSUPP", "int1"],
  ["ce", "ENOTSUPP", "into"],
  ["9a 00 00 00 00 00 00", "ENOTSUPP", "far call"],
  ["ea 00 00 00 00 00 00", "ENOTSUPP", "far jmp"],
  ["82 c0 01", "ENOTSUPP", "82 alias"],
  ["e4 60", "ENOTSUPP", "in"],
  ["fa", "ENOTSUPP", "cli"],
  ["48 cf", "ENOTSUPP", "iretq"],
  ["06", "ENOTSUPP", "push %es"],
  ["c5 fe 6f 00", "ENOTSUPP", "vmovdqu (VEX opcode 6f)"],
  ["c5 f9 ef c0", "ENOTSUPP", "vpxor (VEX opcode ef)"],
  ["62 f1 fe 48 6f 00", "ENOTSUPP", "vmovdqu64 zmm (EVEX opcode 6f)"],
  // checked on this project's 6.18.44 host with tracefs (scripts/real-kernel-verdicts.sh):
  ["62 f1 7c 48 10 00", "xol", "vmovups zmm: EVEX whose opcode byte (10) is good is accepted"],
  ["62 f1 75 48 ef c2", "ENOTSUPP", "vpxord zmm (EVEX opcode ef)"],
  ["c5 f9 c4 c0 01", "xol", "vpinsrw: VEX opcode c4 is good in the 64-bit table"],
  ["d5 0a c3", "xol", "d5 as an APX REX2 prefix before ret"],
  ["d6", "ENOTSUPP", "salc"],
  ["1f", "ENOTSUPP", "pop %ds"],
  ["ff 28", "xol", "ljmp *(%rax)"],
  ["f3 c3", "xol", "rep ret"],
  ["2e 0f 1f 84 00 00 00 00 00", "ENOTSUPP", "cs-prefixed NOP padding"],
  ["55", "emulated", "push %rbp"],
  ["41 55", "emulated", "push %r13"],
  ["66 55", "xol", "pushw %bp"],
  ["48 55", "xol", "rex.w push"],
  ["ff 35 00 00 00 00", "xol", "push disp(%rip)"],
  ["6a 01", "xol", "push imm8"],
  ["90", "emulated", "nop"],
  ["66 90", "emulated", "66 nop"],
  ["41 90", "emulated", "xchg %eax,%r8d treated as a NOP"],
  ["f3 90", "emulated", "pause"],
  ["0f 1f 00", "emulated", "nopl (kernel table)"],
  ["0f 1f 04 00", "xol", "nopl not in the kernel table"],
  ["0f 1f 44 00 00", "optimized", "nop5"],
  ["66 66 66 66 90", "optimized", "66*4 nop"],
  ["66 0f 1f 40 00", "optimized", "osp nopl: first hit stepped, then optimized"],
  ["48 89 e5", "xol", "mov %rsp,%rbp"],
  ["5d", "xol", "pop %rbp"],
  ["c3", "xol", "ret"],
  ["8b 05 00 01 00 00", "xol", "rip-relative load"],
  ["e8 00 00 00 00", "emulated", "call rel32"],
  ["eb 00", "emulated", "jmp rel8"],
  ["0f 84 00 01 00 00", "emulated", "je rel32"],
  ["66 0f 84 00 01", "ENOTSUPP", "66-prefixed jcc"],
  // VEX: the kernel's OPCODE1 is the byte after the prefix, and nothing in branch_setup_xol_ops,
  // insn_masking_exception() or the fixup switch looks at the prefix. On 6.18.44 a uprobe on
  // vpor left its destination unwritten (skipped as "jmp +0"), and VEX 8e /2 is refused as MOV SS.
  ["c5 f1 eb c2", "emulated", "vpor: VEX eb taken for jmp +0"],
  ["c5 f9 70 c1 05", "emulated", "vpshufd: VEX 70 taken for jo, its imm8 the displacement"],
  ["c5 f8 90 ca", "emulated", "kmovw: VEX 90 taken for a NOP"],
  ["c4 e2 71 8e 17", "ENOTSUPP", "vpmaskmovd store, ModRM.reg 2: refused as MOV SS"],
  ["c4 e2 71 8e 07", "xol", "vpmaskmovd store, ModRM.reg 0"],
];

describe("analysis verdicts on 6.18", () => {
  for (const [hex, want, what] of OBSERVED_618) test(`${what}: ${hex} -> ${want}`, () => assert.equal(verdict(hex, "6.18"), want));
});

describe("verdicts that changed over the generations", () => {
  const rows: [string, string, string, string][] = [
    // bytes, kernel, verdict, why
    ["0f 05", "3.19", "ENOTSUPP", "old tables: 0F 05 refused by good_2byte_insns"],
    ["0f 05", "4.0", "xol", "new tables: 0x0F itself is good, the 2-byte table is dead"],
    ["66 0f 38 00 c1", "3.19", "ENOTSUPP", "old tables: every 0F 38 xx refused"],
    ["66 0f 38 00 c1", "6.18", "xol", "pshufb: accepted today"],
    ["c5 f8 77", "3.19", "emulated", "VEX: the opcode byte after the prefix (77) is what the old table sees too (and, as ja, is emulated)"],
    ["c5 f8 77", "3.14", "xol", "vzeroupper stepped out of line before branch emulation"],
    ["eb 00", "3.14", "xol", "no branch emulation before 3.15"],
    ["eb 00", "3.15", "emulated", "branch emulation"],
    ["66 e9 00 00", "3.15", "emulated", "3.15 still emulated 0x66 branches"],
    ["66 e9 00 00", "3.16", "ENOTSUPP", "word-sized branches refused from 3.16"],
    ["66 90", "3.16", "ENOTSUPP", "66 90 refused as a side effect, 3.16..6.1"],
    ["66 90", "6.2", "emulated", "cefa72129e45"],
    ["66 90", "3.14", "emulated", "__skip_sstep: 0x66* 0x90"],
    ["0f 1f 00", "3.14", "xol", "nopl was not skipped"],
    ["0f 1f 00", "6.11", "xol", "nopl stepped until 6.16"],
    ["0f 1f 00", "6.16", "emulated", "kernel-table NOPs emulated (610f6e14c29d)"],
    ["0f 1f 44 00 00", "6.16", "emulated", "nop5 emulated, not optimized, on 6.16"],
    ["55", "4.3", "xol", "no push emulation before 4.16"],
    ["55", "4.16", "emulated", "e7ed9d9bd037"],
    ["8e d0", "4.16", "xol", "MOV SS accepted before 4.17"],
    ["8e d0", "4.17", "ENOTSUPP", "13ebe18c94f5"],
    ["0f 1f 44 00 00", "3.5", "emulated", "3.5 skipped 0F 1F (and resumed at vaddr+1)"],
    ["c5 f1 eb c2", "3.14", "xol", "vpor steps out of line before branch emulation"],
    ["c5 f1 eb c2", "3.15", "emulated", "vpor taken for jmp +0 once branches are emulated"],
    ["c4 e2 71 8e 17", "4.16", "xol", "VEX 8e /2 accepted before the MOV SS check"],
    ["48 c5 f8 77", "6.16", "emulated", "REX then VEX: the decoder reads the VEX prefix (vzeroupper as ja)"],
    ["48 c5 f8 77", "6.18", "xol", "26178b713f2b: after a REX, C5 is LDS's opcode byte (observed on 6.18.44)"],
    ["8f c8 00", "6.16", "xol", "8F /1 is POP Ev's group before the XOP decoder"],
    ["8f c8 00", "6.18", "ENOEXEC", "XOP prefix from 6.18; an opcode its map lacks fails to decode (observed)"],
    ["f0 90", "6.18", "ENOTSUPP", "lock nop decodes (no prefix check in the decoder) and is refused as a bad prefix (observed)"],
    ["c6 c8 00", "6.18", "xol", "C6 /1 selects nothing but decodes with the group's attributes (observed)"],
    ["41 41 8d 05 00 00 00 00", "6.18", "xol", "REX REX: a 2-byte instruction to the kernel, no rip-relative rewrite"],
    ["62 f1 7c 48 10 c1", "4.3", "ENOTSUPP", "before the AVX-512 decoder 62 is BOUND, refused by the 64-bit table"],
    ["62 f1 7c 48 10 c1", "4.16", "xol", "EVEX vmovups: the opcode byte after the prefix (10) is good"],
    ["8f e8 78 00 c1 01", "6.16", "xol", "8F /5 is POP Ev's group before the XOP decoder"],
    ["8f e8 78 00 c1 01", "6.18", "ENOEXEC", "XOP map 8h has no opcode 00 (recorded on 6.18.44)"],
    ["8f e9 78 80 c1", "6.18", "xol", "XOP vfrczps: in map 9h (recorded on 6.18.44)"],
  ];
  for (const [hex, kernel, want, why] of rows) test(`${kernel}: ${hex} -> ${want} (${why})`, () => assert.equal(verdict(hex, kernel), want));
  test("--no-emulation: every accepted instruction single-steps", () => {
    for (const hex of ["55", "eb 00", "90", "0f 1f 44 00 00", "e8 00 00 00 00"]) assert.equal(verdict(hex, "6.18", false), "xol", hex);
    assert.equal(verdict("cc", "6.18", false), "ENOTSUPP");
  });
  test("a bad VEX/EVEX encoding is -ENOEXEC (checked on 6.18.44: 62 00 and c4 00)", () => {
    assert.equal(verdict("62 00 c3", "6.18"), "ENOEXEC");
    assert.equal(verdict("c4 00 c3", "6.18"), "ENOEXEC");
  });
  test("an undefined 0F xx opcode decodes (no ModRM) and is accepted (checked on 6.18.44: 0f 04)", () => {
    assert.equal(verdict("0f 04 c3", "6.18"), "xol");
  });
});

// riprel_analyze() on a VEX prefix: before the EVEX fix (68187872c76a, 5.0;
// first modelled in 5.3) only a VEX3 prefix was touched, |= 0x20 (VEX3.B);
// since, VEX3 and EVEX get |= 0x60 (B and X, inverted). Byte 1 of these
// encodings has B and X clear, so the copy shows which rule ran.
describe("riprel_analyze() and the VEX3/EVEX prefix of the XOL copy", () => {
  function copy(hex: string, kernel: string): string {
    const bytes = new Uint8Array(16);
    hex.split(" ").forEach((b, i) => (bytes[i] = parseInt(b, 16)));
    const r = analyzeInsn(bytes, { gen: resolveKernel(kernel), emulation: true, bits: 64, vaddr: 0x401000 });
    assert.ok(r.ok);
    return Array.from(r.arch.insn.subarray(0, r.arch.ilen), (b) => b.toString(16).padStart(2, "0")).join(" ");
  }
  const vex3 = "c4 82 79 18 05 00 10 00 00"; // vbroadcastss 0x1000(%rip),%xmm0
  const evex = "62 91 7c 48 10 05 00 10 00 00"; // vmovups 0x1000(%rip),%zmm0
  test("4.17: VEX3 |= 0x20, EVEX untouched; rip -> rsi (modrm 86)", () => {
    assert.equal(copy(vex3, "4.17"), "c4 a2 79 18 86 00 10 00 00");
    assert.equal(copy(evex, "4.17"), "62 91 7c 48 10 86 00 10 00 00");
  });
  test("5.3 and 6.18: VEX3 and EVEX |= 0x60", () => {
    for (const k of ["5.3", "6.18"]) {
      assert.equal(copy(vex3, k), "c4 e2 79 18 86 00 10 00 00", k);
      assert.equal(copy(evex, k), "62 f1 7c 48 10 86 00 10 00 00", k);
    }
  });
  test("VEX2: vvvv comes from the decoder's faked VEX3-like byte (insn_get_prefixes), so xmm6 as vvvv moves the scratch register to rdi", () => {
    // vaddps 0x1000(%rip),%xmm6,%xmm0: ModRM.reg 0, vvvv 6 -> rsi is taken, rdi it is (modrm 87)
    assert.equal(copy("c5 c8 58 05 00 10 00 00", "6.18"), "c5 c8 58 87 00 10 00 00");
    // vvvv 1 (xmm1): rsi
    assert.equal(copy("c5 f0 58 05 00 10 00 00", "6.18"), "c5 f0 58 86 00 10 00 00");
  });
  test("3.15 (rax/rcx scheme): the VEX prefix is not touched", () => {
    assert.equal(copy(vex3, "3.15").slice(0, 8), "c4 82 79");
  });
});
