// A wide sweep of x86-64 encodings against the real kernel's uprobes: for
// each generated encoding, does the kernel accept a probe on it (and with
// which error it refuses), which path does a hit take (emulated, out of line,
// optimized), and does the probed run end in the same state as the unprobed
// one (registers, flags, xmm0-3 and ymm0's upper half, the words at the stack
// pointer, a scratch buffer)? The results go to test/uprobes/real-kernel-sweep.json,
// which test/uprobes/real-kernel-sweep.test.ts replays against analyzeInsn()/hitPath()
// (no root needed there).
//
// How: one static program holds a stub per encoding: save the callee-saved
// registers, point every general register at a scratch buffer (rax too: as a
// system call number it is ENOSYS), run the row's own set-up, then the
// encoding (the probed site), the row's trailer, and an epilogue that stores
// the state. main() calls the stub twice (the nop5 optimization rewrites on
// the first hit), then reads /proc/self/maps: [uprobes] means a single step
// out of line happened, [uprobes-trampoline] an optimized hit. A fault, or
// an alarm for an endless loop, ends in a handler that does the same with raw
// system calls. One copy of the program waits on stdin while each probe is
// enabled, so the kernel analyses the instruction at that moment and a refusal
// is the write's error (ENOTSUPP 524, ENOEXEC). The runs themselves happen as
// user nobody, with address randomization off (setarch -R).
//
// Needs root, tracefs, musl-gcc and an AVX CPU. Takes a few minutes.
//
//   node scripts/real-kernel-sweep.mjs [--only REGEX] [--out FILE]
//   node scripts/real-kernel-sweep.mjs --model [--only REGEX]   (the model's end states against the fixture's)

import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const { loadBinary } = await import(path.join(root, "dist/engine/index.js"));
const { Decoder, DecoderOptions, Code } = await import("iced-x86");
const argv = process.argv.slice(2);
const opt = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const only = opt("--only") ? new RegExp(opt("--only")) : undefined;
const outFile = opt("--out") ?? path.join(root, "test/uprobes/real-kernel-sweep.json");

/* ---------------------------------------------------------------- encodings */

const hx = (bytes) => bytes.map((b) => b.toString(16).padStart(2, "0")).join(" ");
const parse = (h) => h.split(/\s+/).filter(Boolean).map((b) => parseInt(b, 16));

/** The CPU's length of the instruction at the start of bytes (zero-padded), or undefined if invalid. */
function cpuLength(bytes) {
  const buf = new Uint8Array(16);
  buf.set(bytes.slice(0, 16));
  const d = new Decoder(64, buf, DecoderOptions.None);
  const i = d.decode();
  const len = i.code === Code.INVALID ? undefined : i.length;
  i.free();
  d.free();
  return len;
}

const rows = [];
const seen = new Set();
/** Add a row: insn bytes (an instruction the CPU decodes is cut to its length), what, group, and optional set-up/trailer bytes and page placement. */
function add(group, bytes, what, extra = {}) {
  const len = cpuLength(bytes);
  const insn = len ? bytes.slice(0, len) : bytes;
  const key = `${hx(insn)}|${extra.pre ?? ""}|${extra.post ?? ""}|${extra.pageEnd ?? ""}`;
  if (seen.has(key)) return;
  seen.add(key);
  rows.push({ group, insn: hx(insn), what: what ?? (len ? "" : "invalid for the CPU"), cpuValid: len !== undefined, ...extra });
}

const GROUP_OPS = new Set([0x80, 0x81, 0x83, 0x8f, 0xc0, 0xc1, 0xc6, 0xc7, 0xd0, 0xd1, 0xd2, 0xd3, 0xf6, 0xf7, 0xfe, 0xff]);
const PREFIX_BYTES = new Set([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x0f, 0xc4, 0xc5, 0x62, 0xd5, 0x8f]);
const MODRM_FORMS = [[0xc0], [0xd1], [0x00], [0x05, 0x00, 0x00, 0x00, 0x00], [0x44, 0x24, 0x08], [0x84, 0x24, 0x00, 0x01, 0x00, 0x00]];

// one-byte map: every opcode with typical ModRM forms (all eight ModRM.reg for the group opcodes)
for (let op = 0; op < 256; op++) {
  if (PREFIX_BYTES.has(op) && op !== 0x8f) continue;
  if (op >= 0x40 && op <= 0x4f) continue;
  const forms = GROUP_OPS.has(op)
    ? [0, 1, 2, 3, 4, 5, 6, 7].flatMap((r) => [[0xc0 | (r << 3)], [r << 3], [0x05 | (r << 3), 0, 0, 0, 0]])
    : MODRM_FORMS;
  for (const f of forms) add("map1", [op, ...f, 0, 0, 0, 0, 0, 0], `op ${hx([op])}`);
}
// 0f map, 0f 38 and 0f 3a: register and memory forms
for (let op = 0; op < 256; op++) {
  const forms = op === 0x01 || op === 0x00 || op === 0xae || op === 0xc7 || op === 0xba || op === 0x71 || op === 0x72 || op === 0x73 || op === 0x18 || op === 0x0d
    ? [0, 1, 2, 3, 4, 5, 6, 7].flatMap((r) => [[0xc0 | (r << 3)], [r << 3]])
    : [[0xc0], [0x00], [0x05, 0, 0, 0, 0]];
  for (const f of forms) add("map0f", [0x0f, op, ...f, 0, 0, 0, 0, 0, 0], `0f ${hx([op])}`);
}
for (const esc of [0x38, 0x3a]) for (let op = 0; op < 256; op += 1) add("map0f38", [0x66, 0x0f, esc, op, 0xc1, 0x00, 0, 0, 0, 0], `66 0f ${hx([esc, op])}`);
// 0f 01 register forms (xgetbv, rdtscp, rdpkru, ...) are all different instructions
for (let m = 0xc0; m < 0x100; m++) add("map0f01", [0x0f, 0x01, m], `0f 01 ${hx([m])}`);

// prefixes on a set of base instructions
const BASES = [
  ["90", "nop"], ["8b 00", "mov (%rax),%eax"], ["01 c0", "add %eax,%eax"], ["eb 00", "jmp +0"], ["74 00", "je +0"],
  ["e8 00 00 00 00", "call +0"], ["e9 00 00 00 00", "jmp rel32 +0"], ["0f 84 00 00 00 00", "je rel32 +0"], ["50", "push %rax"],
  ["53", "push %rbx"], ["c3", "ret"], ["8d 05 00 00 00 00", "lea 0(%rip)"], ["0f 10 c0", "movups"], ["0f 1f 44 00 00", "nop5"],
  ["0f 1f 00", "nopl"], ["0f 05", "syscall"], ["a4", "movsb"], ["ff d0", "call *%rax"], ["ff e0", "jmp *%rax"], ["e2 00", "loop +0"],
  ["c5 f8 77", "vzeroupper"], ["0f b6 c0", "movzbl"], ["f7 d0", "not %eax"], ["87 c0", "xchg %eax,%eax"], ["9c", "pushf"],
];
const PREFIXES = [
  "66", "67", "f2", "f3", "f0", "2e", "36", "3e", "26", "64", "65", "40", "41", "44", "48", "49", "4f",
  "66 66", "66 f3", "f3 66", "f2 f3", "67 66", "64 66", "66 48", "48 66", "41 41", "66 67 f3", "64 65", "66 66 66 66", "f3 f3",
  "66 2e", "3e 66", "f2 66", "65 48",
];
for (const [b, what] of BASES) {
  add("prefix", parse(b), what);
  for (const p of PREFIXES) add("prefix", [...parse(p), ...parse(b), 0, 0, 0, 0], `${p} + ${what}`);
}

// rip-relative forms, every ModRM.reg, with REX.R/W/B/X: the kernel picks its scratch register from ModRM.reg and VEX.vvvv
const RIPREL = [
  ["8b", "mov disp(%rip),r"], ["89", "mov r,disp(%rip)"], ["8d", "lea"], ["3b", "cmp disp(%rip),r"], ["39", "cmp r,disp(%rip)"],
  ["03", "add disp(%rip),r"], ["85", "test"], ["0f b6", "movzbl"], ["0f 10", "movups"], ["0f 28", "movaps"], ["0f af", "imul"],
];
for (const [op, what] of RIPREL)
  for (const rex of [undefined, 0x41, 0x44, 0x48, 0x4c, 0x43, 0x4f])
    for (let r = 0; r < 8; r++) add("riprel", [...(rex ? [rex] : []), ...parse(op), 0x05 | (r << 3), 0x00, 0x00, 0x00, 0x00], `${rex ? hx([rex]) + " " : ""}${what} reg ${r}`);
for (const [m, what] of [[0x35, "push disp(%rip)"], [0x15, "call *disp(%rip)"], [0x25, "jmp *disp(%rip)"], [0x05, "incl disp(%rip)"]])
  for (const rex of [undefined, 0x41, 0x48]) add("riprel", [...(rex ? [rex] : []), 0xff, m, 0, 0, 0, 0], `${rex ? hx([rex]) + " " : ""}${what}`);
for (const [op, imm, what] of [["80 3d", [1], "cmpb $1,disp(%rip)"], ["81 3d", [1, 0, 0, 0], "cmpl $1,disp(%rip)"], ["c7 05", [1, 0, 0, 0], "movl $1,disp(%rip)"], ["83 3d", [1], "cmpl $1 imm8,disp(%rip)"], ["69 05", [2, 0, 0, 0], "imul $2,disp(%rip),%eax"]])
  add("riprel", [...parse(op), 0, 0, 0, 0, ...imm], what);
// VEX2/VEX3/EVEX rip-relative: vaddps disp(%rip),%xmmV,%xmmR for R and V in {0,6,7}
for (const r of [0, 6, 7, 14]) for (const v of [0, 6, 7, 15]) {
  const rr = r & 7, vv = (~v & 15) << 3;
  if (r < 8) add("riprel-vex", [0xc5, 0x80 | vv, 0x58, 0x05 | (rr << 3), 0, 0, 0, 0], `VEX2 vaddps disp(%rip),%xmm${v},%xmm${r}`);
  add("riprel-vex", [0xc4, (r < 8 ? 0x80 : 0) | 0x61, vv, 0x58, 0x05 | (rr << 3), 0, 0, 0, 0], `VEX3 vaddps disp(%rip),%xmm${v},%xmm${r}`);
  add("riprel-vex", [0x62, (r < 8 ? 0x80 : 0) | 0x71, 0x04 | vv, 0x08, 0x58, 0x05 | (rr << 3), 0, 0, 0, 0], `EVEX vaddps disp(%rip),%xmm${v},%xmm${r}`);
}

// jcc short/near under each flag state, taken or not: the skipped bytes (inc %rax) show which way it went
const FLAGS = [0x202, 0x203, 0x246, 0x282, 0xa02, 0x2c3, 0xa82, 0x206];
const setFlags = (f) => `68 ${hx([f & 0xff, (f >> 8) & 0xff, 0, 0])} 9d`; // push imm32; popf
for (let cc = 0; cc < 16; cc++)
  for (const f of FLAGS) {
    add("jcc", [0x70 + cc, 0x03], `j${cc.toString(16)} +3 flags ${f.toString(16)}`, { pre: setFlags(f), post: "48 ff c0" });
    add("jcc", [0x0f, 0x80 + cc, 0x03, 0, 0, 0], `j${cc.toString(16)} rel32 +3 flags ${f.toString(16)}`, { pre: setFlags(f), post: "48 ff c0" });
  }
// loop / loope / loopne / jrcxz with rcx 0, 1, 2
for (const op of [0xe0, 0xe1, 0xe2, 0xe3])
  for (const rcx of [0, 1, 2])
    for (const f of [0x202, 0x246]) add("loop", [op, 0x03], `${hx([op])} +3 rcx ${rcx} flags ${f.toString(16)}`, { pre: `48 c7 c1 ${hx([rcx, 0, 0, 0])} ${setFlags(f)}`, post: "48 ff c0" });
// call/jmp rel32 and rel8 forward, and at the end of a page
add("branch", parse("e8 02 00 00 00"), "call +2 (to a ret)", { post: "eb 01 c3" });
add("branch", parse("e9 03 00 00 00"), "jmp rel32 +3", { post: "48 ff c0" });
add("branch", parse("eb 03"), "jmp +3", { post: "48 ff c0" });
add("branch", parse("eb fe"), "jmp to itself (ends by the alarm)");
for (const tail of [5, 3])
  for (const [b, what, post] of [["e8 02 00 00 00", "call +2", "eb 01 c3"], ["e9 03 00 00 00", "jmp +3", "48 ff c0"], ["0f 1f 44 00 00", "nop5", ""], ["66 0f 1f 44 00 00", "nop6", ""], ["48 8b 05 00 00 00 00", "mov 0(%rip)", ""]])
    add("page-end", parse(b), `${what}, ${tail} bytes before a page end`, { pageEnd: tail, post });
// push/pop of every register, with REX.B/REX.W/0x66
for (let r = 0; r < 8; r++)
  for (const p of [[], [0x41], [0x48], [0x49], [0x40], [0x66], [0x66, 0x41], [0x41, 0x41], [0x4f]]) {
    add("push", [...p, 0x50 + r], `${hx(p)} push reg ${r}`, { post: `${hx([...p, 0x58 + (r === 4 ? 1 : r)])}` });
    add("push", [...p, 0x58 + r], `${hx(p)} pop reg ${r}`);
  }
for (const [b, what] of [["6a 05", "push $5"], ["68 05 00 00 00", "push $5 imm32"], ["ff 30", "push (%rax)"], ["ff f0", "push %rax (ff /6)"], ["41 ff f0", "push %r8 (ff /6)"], ["8f c0", "pop %rax (8f /0)"]])
  add("push", parse(b), what);
// NOPs of every length and prefix form
const NOPS = ["90", "66 90", "0f 1f 00", "0f 1f 40 00", "0f 1f 44 00 00", "66 0f 1f 44 00 00", "0f 1f 80 00 00 00 00", "0f 1f 84 00 00 00 00 00",
  "66 0f 1f 84 00 00 00 00 00", "66 66 0f 1f 84 00 00 00 00 00", "66 66 66 0f 1f 84 00 00 00 00 00", "2e 0f 1f 84 00 00 00 00 00",
  "66 2e 0f 1f 84 00 00 00 00 00", "f3 90", "48 90", "41 90", "49 90", "40 90", "66 66 90", "66 66 66 90", "66 66 66 66 90", "66 66 66 66 66 90",
  "0f 1f 04 00", "0f 1f 40 7f", "0f 1f 44 00 01", "0f 1f c0", "0f 1f 05 00 00 00 00", "0f 19 00", "0f 1e c0", "0f 1f 48 00", "66 0f 1f 40 00",
  "0f 1f 44 40 00", "48 0f 1f 44 00 00", "f2 0f 1f 44 00 00", "f3 0f 1f 44 00 00", "67 0f 1f 44 00 00", "0f 18 20", "0f 0d 08", "87 c0", "87 db", "48 87 c0", "86 c0", "8d 76 00", "8d 74 26 00", "48 8d 76 00"];
for (const n of NOPS) add("nop", [...parse(n), 0x90, 0x90], `nop form ${n}`);
// traps, interrupts, system calls, misc
for (const b of ["cc", "cd 03", "cd 80", "ce", "f1", "0f 0b", "0f b9 c0", "0f ff c0", "0f 05", "0f 34", "0f 07", "0f 35", "f4", "fa", "fb", "9d", "cf", "48 cf", "cb", "ca 00 00", "c2 00 00", "c9", "c8 08 00 00", "0f a2", "0f 31", "0f 01 f9", "0f 01 d0", "0f ae e8", "0f ae f0", "0f ae f8", "f3 0f ae e0", "f3 0f c7 f8", "0f c7 f0", "0f c7 f8", "f3 0f 1e fa", "f3 0f 1e fb", "f3 0f 01 ea", "f3 0f 01 ee"])
  add("trap", [...parse(b), 0, 0, 0, 0, 0, 0], "");
// xchg forms
for (let r = 0; r < 8; r++) for (const p of [[], [0x48], [0x41], [0x49], [0x66]]) add("xchg", [...p, 0x90 + r], `${hx(p)} xchg %eax,reg ${r}`);
for (const b of ["87 c8", "48 87 c8", "86 c8", "87 00", "f0 87 00", "48 87 05 00 00 00 00"]) add("xchg", parse(b), "");
// VEX / EVEX / XOP forms: every VEX2 opcode byte, register form (the kernel reads the byte after the prefix as OPCODE1)
for (let op = 0; op < 256; op++) {
  add("vex2", [0xc5, 0xf8, op, 0xc0, 0, 0, 0, 0, 0, 0], `VEX2.128 NP 0f ${hx([op])}`);
  add("vex2", [0xc5, 0xf9, op, 0xc1, 0, 0, 0, 0, 0, 0], `VEX2.128 66 0f ${hx([op])}`);
}
for (let op = 0; op < 256; op++) {
  add("vex3", [0xc4, 0xe2, 0x79, op, 0xc1, 0, 0, 0, 0, 0], `VEX3 66 0f38 ${hx([op])}`);
  add("vex3", [0xc4, 0xe3, 0x79, op, 0xc1, 0x01, 0, 0, 0, 0], `VEX3 66 0f3a ${hx([op])}`);
}
for (let op = 0; op < 256; op++) add("evex", [0x62, 0xf1, 0x7c, 0x48, op, 0xc1, 0, 0, 0, 0], `EVEX.512 NP 0f ${hx([op])}`);
for (const op of [0x8e, 0x2c, 0x2d, 0x2e, 0x2f, 0x8c]) for (let r = 0; r < 8; r++) add("vex3", [0xc4, 0xe2, 0x71, op, 0x00 | (r << 3)], `VEX3 66 0f38 ${hx([op])} reg ${r} (%rax)`);
// The kernel's opcode map beyond the rows above (engine/uprobes/x86/map-decode.ts): the 0F 38/0F 3A
// escapes under no prefix, F3 and F2 (the "must VEX" marks differ by last prefix), VEX with pp F3/F2,
// EVEX maps 2, 3, 5, 6 and APX's map 4, VEX map 7, and the XOP maps 8h-Ah (6.18). Recorded apart:
//   node scripts/real-kernel-sweep.mjs --only '^vexmap' --out test/uprobes/real-kernel-sweep-vexmap.json
for (const pfx of [[], [0xf3], [0xf2]])
  for (const esc of [0x38, 0x3a]) for (let op = 0; op < 256; op++) add("vexmap-esc", [...pfx, 0x0f, esc, op, 0xc1, 0x00, 0, 0, 0, 0], `${hx(pfx)} 0f ${hx([esc, op])}`);
for (let op = 0; op < 256; op++) {
  add("vexmap-vex2", [0xc5, 0xfa, op, 0xc1, 0x01, 0, 0, 0, 0, 0], `VEX2.128 F3 0f ${hx([op])}`);
  add("vexmap-vex2", [0xc5, 0xfb, op, 0xc1, 0x01, 0, 0, 0, 0, 0], `VEX2.128 F2 0f ${hx([op])}`);
  add("vexmap-evex", [0x62, 0xf2, 0x7d, 0x48, op, 0xc1, 0, 0, 0, 0], `EVEX.512 66 map2 ${hx([op])}`);
  add("vexmap-evex", [0x62, 0xf3, 0x7d, 0x48, op, 0xc1, 0x01, 0, 0, 0], `EVEX.512 66 map3 ${hx([op])}`);
  add("vexmap-evex", [0x62, 0xf4, 0x7c, 0x08, op, 0xc1, 0x01, 0, 0, 0], `EVEX NP map4 ${hx([op])}`);
  add("vexmap-evex", [0x62, 0xf5, 0x7c, 0x48, op, 0xc1, 0, 0, 0, 0], `EVEX.512 NP map5 ${hx([op])}`);
  add("vexmap-evex", [0x62, 0xf6, 0x7d, 0x48, op, 0xc1, 0, 0, 0, 0], `EVEX.512 66 map6 ${hx([op])}`);
  add("vexmap-xop", [0x8f, 0xe8, 0x78, op, 0xc1, 0x01, 0, 0, 0, 0], `XOP map8 ${hx([op])}`);
  add("vexmap-xop", [0x8f, 0xe9, 0x78, op, 0xc1, 0, 0, 0, 0, 0], `XOP map9 ${hx([op])}`);
  add("vexmap-xop", [0x8f, 0xea, 0x78, op, 0xc1, 0x01, 0, 0, 0, 0], `XOP mapA ${hx([op])}`);
}
// the remaining last-prefix tables: VEX3 maps 2/3 under F3/F2, EVEX map 1 under 66/F3/F2, maps 2/3/5/6 under the other pp
for (let op = 0; op < 256; op++) {
  for (const [m, p, imm] of [[0xe2, 0x7a, []], [0xe2, 0x7b, []], [0xe3, 0x7a, [1]], [0xe3, 0x7b, [1]]]) add("vexmap-pp", [0xc4, m, p, op, 0xc1, ...imm, 0, 0, 0, 0], `VEX3 ${hx([m, p])} ${hx([op])}`);
  for (const [m, p, imm] of [[0xf1, 0xfd, []], [0xf1, 0x7e, []], [0xf1, 0xff, []], [0xf2, 0x7e, []], [0xf2, 0x7f, []], [0xf3, 0x7c, [1]], [0xf5, 0x7d, []], [0xf5, 0x7e, []], [0xf5, 0x7f, []], [0xf6, 0x7c, []], [0xf6, 0x7e, []], [0xf6, 0x7f, []]])
    add("vexmap-pp", [0x62, m, p, 0x48, op, 0xc1, ...imm, 0, 0, 0], `EVEX ${hx([m, p])} ${hx([op])}`);
}
// the 0F map under 66, F3 and F2: its (ev) rows (0F 78-7B, F2 0F 6F/7F) are "must VEX" for some prefixes only
for (const pfx of [[0x66], [0xf3], [0xf2]]) for (let op = 0; op < 256; op++) if (op !== 0x38 && op !== 0x3a) add("vexmap-0f", [...pfx, 0x0f, op, 0xc1, 0x00, 0, 0, 0, 0, 0], `${hx(pfx)} 0f ${hx([op])}`);
// the escape table is chosen by the last legacy prefix byte only (insn_last_prefix_id): 66 then 64 is "no prefix"
for (const pfx of ["66 64", "64 66", "66 67", "67 66", "f2 65", "65 f2", "f3 64", "66 f3", "f3 66"])
  for (const op of [0x0c, 0x1a, 0x50, 0x00, 0xf0, 0xf6, 0x2a, 0x13]) add("vexmap-lastpfx", [...parse(pfx), 0x0f, 0x38, op, 0xc1, 0x00, 0, 0, 0, 0], `${pfx} 0f 38 ${hx([op])}`);
// a REX before 8F: on 6.18 the VEX/XOP test sees the REX's attribute, so 8F /1-/7 is POP's group again
for (let r = 1; r < 8; r++) for (const rex of [0x41, 0x48]) add("vexmap-rex", [rex, 0x8f, 0xc0 | (r << 3), 0x78, 0xc0, 0xc1, 0x01, 0, 0, 0], `${hx([rex])} 8f /${r}`);
for (const b of ["c4 e7 7b f8 c0 00 00 00 00", "c4 e7 7a f8 c0 00 00 00 00", "c4 e7 7b f6 c0 00 00 00 00", "c4 e7 79 f8 c0 00 00 00 00", "c4 e7 78 f8 c0 00 00 00 00"])
  add("vexmap-vex7", [...parse(b), 0], `VEX map7 ${b.slice(0, 14)}`);

/* ---------------------------------------------------------------- program */

// The vexmap rows go to their own fixture: only an --only that names them selects them.
const selected = rows.filter((r) => (only ? only.test(`${r.group} ${r.insn} ${r.what}`) : !r.group.startsWith("vexmap")));
const asmBytes = (h) => (h ? `.byte ${parse(h).map((b) => "0x" + b.toString(16)).join(",")}\\n` : "");
let asm = "";
selected.forEach((r, i) => {
  const page = r.pageEnd ? `jmp s${i}\\n.balign 4096,0xcc\\n.skip ${4096 - r.pageEnd},0xcc\\n` : "";
  asm += `__asm__(".text\\n.globl e${i}\\ne${i}:\\n call stub_enter\\n${asmBytes(r.pre)}${page}.globl s${i}\\ns${i}:\\n${asmBytes(r.insn)}${asmBytes(r.post)} jmp stub_leave\\n");\n`;
});
const c = fs.readFileSync(path.join(root, "scripts/real-kernel/sweep-main.c"), "utf8")
  .replace("/*STUBS*/", asm)
  .replace("/*DECLS*/", selected.map((_, i) => `void e${i}(void);`).join(" "))
  .replace("/*TABLE*/", selected.map((_, i) => `e${i}`).join(", "));
// --model: the emulator has SSE but not AVX, so there the stubs keep their state in xmm registers only
const cText = argv.includes("--model") ? c.replace(/vmovdqu pattern\(%rip\), %ymm/g, "movdqu pattern(%rip), %xmm").replace(/vmovdqu %[xy]mm/g, "movdqu %xmm").replace(" vzeroupper\\n", "") : c;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "uprobe-sweep-"));
fs.chmodSync(dir, 0o755);
const exe = path.join(dir, "sweep");
fs.writeFileSync(`${exe}.c`, cText);
execFileSync("musl-gcc", ["-static", "-O1", "-o", exe, `${exe}.c`]);
const bin = loadBinary(exe);

/* ---------------------------------------------------------------- the model's end states */

// --model: no root needed. Run each selected row's stub in the emulator without and with a
// probe on the site, and compare whether the probed run ends differently, row by row, with what
// the recorded fixture says the real kernel did (the emulated-op semantics check).
if (argv.includes("--model")) {
  const { Session } = await import(path.join(root, "dist/lab/session.js"));
  const { BufferIo } = await import(path.join(root, "dist/engine/index.js"));
  const recorded = new Map(JSON.parse(fs.readFileSync(outFile, "utf8")).rows.map((r) => [`${r.insn}|${r.what}`, r]));
  const runModel = (i, program) => {
    const io = new BufferIo();
    new Session({ binary: exe, program, io, args: [String(i)] }).run();
    if (process.env.SWEEP_DEBUG) console.log(JSON.stringify(program), JSON.stringify(io.text(1)));
    return io.text(1).trim().split(" ").slice(1).join(" ");
  };
  let same = 0, compared = 0;
  selected.forEach((r, i) => {
    const rec = recorded.get(`${r.insn}|${r.what}`);
    if (!rec?.state || rec.state === "nondet") return;
    const addr = bin.lookup(`s${i}`).addr;
    const model = runModel(i, `uprobe:${exe}:0x${addr.toString(16)} { }`) === runModel(i, "") ? "same" : "differs";
    compared++;
    if (model === rec.state) same++;
    else console.log(`DIFF ${r.insn.padEnd(30)} ${r.what.padEnd(40)} kernel: probed run ${rec.state}; model: ${model}`);
  });
  console.log(`${compared} rows compared, ${same} agree on whether probing changes the end state`);
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

/* ---------------------------------------------------------------- real kernel */

const tracefs = "/sys/kernel/tracing";
if (!fs.existsSync(path.join(tracefs, "uprobe_events"))) spawnSync("mount", ["-t", "tracefs", "nodev", tracefs]);
const events = path.join(tracefs, "uprobe_events");
const holder = spawn(exe, ["hold"], { stdio: ["pipe", "pipe", "inherit"] });
await new Promise((r) => holder.stdout.once("data", r));

function runOnce(i) {
  const r = spawnSync("setarch", ["-R", exe, String(i)], { encoding: "utf8", uid: 65534, gid: 65534, timeout: 10000 });
  return (r.stdout || `no output (status ${r.status} signal ${r.signal})`).trim();
}
const ev = `us${process.pid}`; // its own event name: other users of tracefs keep theirs
function hitsOf() {
  const m = new RegExp(`\\s${ev}\\s+(\\d+)\\s*$`, "m").exec(fs.readFileSync(path.join(tracefs, "uprobe_profile"), "utf8"));
  return m ? Number(m[1]) : 0;
}

/** Remove only our own event (never truncate uprobe_events); retry while the kernel still holds it busy. */
function removeEvent() {
  for (let t = 0; ; t++) {
    try {
      fs.appendFileSync(events, `-:usweep/${ev}\n`);
      return;
    } catch (e) {
      if (t === 50) throw e;
      spawnSync("sleep", ["0.1"]);
    }
  }
}

const out = [];
const started = Date.now();
selected.forEach((r, i) => {
  const sym = bin.lookup(`s${i}`);
  const site = hx(Array.from(bin.bytesAt(sym.addr, 16)));
  fs.appendFileSync(events, `p:usweep/${ev} ${exe}:0x${sym.fileOffset.toString(16)}\n`);
  let kernel;
  let outcome = "";
  try {
    fs.writeFileSync(path.join(tracefs, `events/usweep/${ev}/enable`), "1");
    kernel = "accepted";
  } catch (e) {
    // node names neither error: "Unknown system error -524" / "-8"
    const m = String(e.message);
    kernel = /-524\b/.test(m) || e.errno === -524 ? "ENOTSUPP" : /-8\b/.test(m) || e.code === "ENOEXEC" ? "ENOEXEC" : String(e.code ?? m);
  }
  let same;
  if (kernel === "accepted") {
    const probed = runOnce(i);
    const hits = hitsOf();
    fs.writeFileSync(path.join(tracefs, `events/usweep/${ev}/enable`), "0");
    const [pathSeen, ...rest] = probed.split(" ");
    kernel = hits === 0 ? "not hit" : ["xol", "emulated", "optimized"].includes(pathSeen) ? pathSeen : `odd: ${probed}`;
    outcome = rest.join(" ");
    const plain = runOnce(i).split(" ").slice(1).join(" ");
    same = plain === outcome ? "same" : runOnce(i).split(" ").slice(1).join(" ") !== plain ? "nondet" : "differs";
  }
  removeEvent();
  out.push({ group: r.group, insn: r.insn, what: r.what, site, vaddr: sym.addr, kernel, ...(same ? { state: same, outcome } : {}) });
  if (process.stdout.isTTY || i % 200 === 0) process.stderr.write(`\r${i + 1}/${selected.length}`);
});
holder.stdin.end("\n");
process.stderr.write("\n");
const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "?";
const fixture = {
  recorded: new Date().toISOString().slice(0, 10),
  kernel: os.release(),
  cpu,
  by: "scripts/real-kernel-sweep.mjs",
  seconds: Math.round((Date.now() - started) / 1000),
  rows: out,
};
fs.writeFileSync(outFile, JSON.stringify(fixture, null, 0).replace(/\},\{/g, "},\n{") + "\n");
const count = (k) => out.filter((r) => r.kernel === k).length;
console.log(`${out.length} encodings on ${os.release()} (${cpu}): emulated ${count("emulated")}, xol ${count("xol")}, optimized ${count("optimized")}, ENOTSUPP ${count("ENOTSUPP")}, ENOEXEC ${count("ENOEXEC")}, other ${out.length - ["emulated", "xol", "optimized", "ENOTSUPP", "ENOEXEC"].reduce((s, k) => s + count(k), 0)}; probed state differs from unprobed: ${out.filter((r) => r.state === "differs").length} -> ${outFile}`);
fs.rmSync(dir, { recursive: true, force: true });
