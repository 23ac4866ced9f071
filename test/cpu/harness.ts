// Instruction-level differential harness.
//
// A "family" is a list of cases (a few lines of assembly each) and named sets
// of input states. It becomes ONE static musl program: every case is an asm
// function that loads rax..r15 (except rsp), RFLAGS (popfq) and xmm0..xmm7
// from a global input state, runs the case's instructions, then stores every
// GPR, RFLAGS (pushfq) and xmm0..xmm7 into a global output state. main() runs
// every case on every input of its set and prints one line per run, listing
// the flags and every register (and 8-byte word of the `mem` buffer) whose
// value changed. The very same binary runs natively and in the emulator
// (in-process), and the two outputs are compared line by line, ignoring the
// flags each case declares architecturally undefined.
//
// Conventions for case assembly (AT&T syntax):
// - the state on entry is the input: rax rcx rdx rbx rbp rsi rdi r8..r15,
//   RFLAGS (arithmetic bits and DF), xmm0..xmm7;
// - `mem` is a 256-byte, 64-byte-aligned buffer; its qword j starts as g[j]
//   for j < 16 and ~g[j - 16] for 16 <= j < 32 (g = the input GPRs, g[4]
//   being the input's nominal rsp value);
// - a case may push/pop (the printed rsp, r4, is the change of rsp) and may
//   leave rsp anywhere: CASE_OUT restores it;
// - x87 state is not loaded or saved: x87 cases start with fninit and leave
//   the stack empty, their results go to `mem` (and ax via fnstsw).

import * as fs from "node:fs";
import * as path from "node:path";
import { buildC, runEmulated, runNative } from "../helpers.js";

export const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, DF = 0x400, OF = 0x800;
/** The RFLAGS bits compared (and printed): the arithmetic flags and DF. */
const CHECKED = CF | PF | AF | ZF | SF | DF | OF;
export const ARITH = CF | PF | AF | ZF | SF | OF;

export interface Input {
  /** rax..r15 as unsigned 64-bit (index = x86 register number; [4] is unused by the harness). */
  g: bigint[];
  /** Input RFLAGS bits (a subset of CHECKED). */
  fl: number;
  /** xmm0..xmm7 as 16 qwords: x[2i] is the low half of xmm i. */
  x: bigint[];
}

export interface Case {
  /** Shown on a mismatch; defaults to the asm. */
  name?: string;
  /** Instructions, separated by newlines or ';'. */
  asm: string;
  /** Name of the input set. */
  set: string;
  /** Flags the SDM leaves undefined after this case, for this input (bits of RFLAGS). */
  undef?: number | ((inp: Input) => number);
  /** Outputs whose value is undefined for this input, as printed keys: "r0" (rax), "x1" (xmm1), "m3" (mem qword 3). */
  undefOut?: (inp: Input) => string[];
}

export interface Family {
  name: string;
  sets: Record<string, Input[]>;
  cases: Case[];
}

const M64 = (1n << 64n) - 1n;
const REGS = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"];
const FLAG_NAMES: [number, string][] = [[CF, "CF"], [PF, "PF"], [AF, "AF"], [ZF, "ZF"], [SF, "SF"], [DF, "DF"], [OF, "OF"]];

// ---- deterministic inputs -------------------------------------------------------

/** xorshift64*: a small seeded generator, so the inputs are the same on every run. */
export class Rng {
  private s: bigint;
  constructor(seed: number) {
    this.s = BigInt(seed) * 0x9e3779b97f4a7c15n & M64 || 1n;
  }
  next(): bigint {
    let x = this.s;
    x ^= x >> 12n;
    x ^= (x << 25n) & M64;
    x ^= x >> 27n;
    this.s = x;
    return (x * 0x2545f4914f6cdd1dn) & M64;
  }
  int(n: number): number {
    return Number(this.next() % BigInt(n));
  }
}

/** Sign boundaries and carries at every width, and their neighbours. */
export const EDGES: bigint[] = [
  0n, 1n, 2n, 0xfn, 0x10n, 0x7en, 0x7fn, 0x80n, 0x81n, 0xfen, 0xffn, 0x100n,
  0x7fffn, 0x8000n, 0xffffn, 0x10000n,
  0x7fffffffn, 0x80000000n, 0x80000001n, 0xffffffffn, 0x100000000n,
  0x7fffffffffffffffn, 0x8000000000000000n, 0x8000000000000001n, 0xfffffffffffffffen, 0xffffffffffffffffn,
  0xffffffff80000000n, 0xffffffff7fffffffn, 0xffffffffffff8000n, 0xffffffffffffff80n,
];

/** A smaller list for all-pairs sets. */
export const PAIR_EDGES: bigint[] = [
  0n, 1n, 0xfn, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn,
  0x100000000n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 0xfffffffffffffffen,
];

/** Flag inputs: none, all, each alone, some mixes. */
const FLAG_INPUTS: number[] = [0, ARITH, CF, ZF, SF, OF, PF, AF, CF | ZF, SF | OF, CF | SF | PF, ZF | OF | AF];

/** A base input with every GPR and XMM register random (seeded by index). */
function baseInput(seed: number): Input {
  const r = new Rng(seed + 12345);
  const g: bigint[] = [];
  for (let i = 0; i < 16; i++) g.push(r.next());
  const x: bigint[] = [];
  for (let i = 0; i < 16; i++) x.push(r.next());
  return { g, fl: 0, x };
}

/** An input from a base plus register overrides ({rax: v, ...}) and flags. */
export function mkInput(seed: number, regs: Partial<Record<string, bigint>>, fl = 0, xmm?: bigint[]): Input {
  const inp = baseInput(seed);
  for (const [k, v] of Object.entries(regs)) {
    const i = REGS.indexOf(k);
    if (i < 0) throw new Error(`unknown register ${k}`);
    inp.g[i] = BigInt.asUintN(64, v!);
  }
  inp.fl = fl;
  if (xmm) for (let i = 0; i < xmm.length; i++) inp.x[i] = BigInt.asUintN(64, xmm[i]!);
  return inp;
}

/** Every value of `a` with every value of `b` (rax, rbx), with CF clear and set, and a few other flag mixes. */
export function pairSet(a: bigint[], b: bigint[], ra = "rax", rb = "rbx"): Input[] {
  const out: Input[] = [];
  let n = 0;
  for (const x of a)
    for (const y of b)
      for (const c of [0, CF]) {
        const other = FLAG_INPUTS[n % FLAG_INPUTS.length]! & ~CF;
        out.push(mkInput(n++, { [ra]: x, [rb]: y }, c | other));
      }
  return out;
}

/** Each value of `vals` in `reg`, with several flag inputs and random other registers. */
export function singleSet(vals: bigint[], reg = "rax", flags: number[] = [0, CF, ARITH]): Input[] {
  const out: Input[] = [];
  let n = 1000;
  for (const v of vals) for (const f of flags) out.push(mkInput(n++, { [reg]: v }, f));
  return out;
}

/** n random inputs (random registers, random flags), with extra fixed registers. */
export function randoms(n: number, seed: number): bigint[] {
  const r = new Rng(seed);
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) out.push(r.next());
  return out;
}

// ---- program generation -----------------------------------------------------------

const hex = (v: bigint): string => "0x" + v.toString(16) + "ull";

function generate(f: Family): { source: string; setStart: Map<string, number> } {
  const setStart = new Map<string, number>();
  const all: Input[] = [];
  for (const [name, inputs] of Object.entries(f.sets)) {
    setStart.set(name, all.length);
    all.push(...inputs);
  }
  const asm: string[] = [];
  asm.push(`
.macro CASE_IN
  push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15
  mov %rsp, saved_rsp(%rip)
  mov inp(%rip), %rax
  movdqu 144(%rax), %xmm0; movdqu 160(%rax), %xmm1; movdqu 176(%rax), %xmm2; movdqu 192(%rax), %xmm3
  movdqu 208(%rax), %xmm4; movdqu 224(%rax), %xmm5; movdqu 240(%rax), %xmm6; movdqu 256(%rax), %xmm7
  pushq 128(%rax); popfq
  mov 8(%rax), %rcx; mov 16(%rax), %rdx; mov 24(%rax), %rbx
  mov 40(%rax), %rbp; mov 48(%rax), %rsi; mov 56(%rax), %rdi
  mov 64(%rax), %r8; mov 72(%rax), %r9; mov 80(%rax), %r10; mov 88(%rax), %r11
  mov 96(%rax), %r12; mov 104(%rax), %r13; mov 112(%rax), %r14; mov 120(%rax), %r15
  mov 0(%rax), %rax
.endm
.macro CASE_OUT
  mov %rsp, out+32(%rip)
  mov saved_rsp(%rip), %rsp
  pushfq; popq out+128(%rip); cld
  mov %rax, out+0(%rip); mov %rcx, out+8(%rip); mov %rdx, out+16(%rip); mov %rbx, out+24(%rip)
  mov %rbp, out+40(%rip); mov %rsi, out+48(%rip); mov %rdi, out+56(%rip)
  mov %r8, out+64(%rip); mov %r9, out+72(%rip); mov %r10, out+80(%rip); mov %r11, out+88(%rip)
  mov %r12, out+96(%rip); mov %r13, out+104(%rip); mov %r14, out+112(%rip); mov %r15, out+120(%rip)
  movdqu %xmm0, out+144(%rip); movdqu %xmm1, out+160(%rip); movdqu %xmm2, out+176(%rip); movdqu %xmm3, out+192(%rip)
  movdqu %xmm4, out+208(%rip); movdqu %xmm5, out+224(%rip); movdqu %xmm6, out+240(%rip); movdqu %xmm7, out+256(%rip)
  pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx
  ret
.endm
.text`);
  f.cases.forEach((c, i) => {
    asm.push(`.globl c${i}\n.type c${i},@function\nc${i}:\n  CASE_IN\n  ${c.asm.split(/[;\n]/).map((s) => s.trim()).filter(Boolean).join("\n  ")}\n  CASE_OUT`);
  });
  const esc = asm.join("\n").replace(/\\/g, "\\\\").replace(/"/g, '\\"').split("\n").map((l) => `"${l}\\n"`).join("\n");
  const rows = all.map((inp) => `{{${inp.g.map(hex).join(",")}},${inp.fl | 2},0,{${inp.x.map(hex).join(",")}}}`);
  const sets = f.cases.map((c) => {
    const s = setStart.get(c.set);
    if (s === undefined) throw new Error(`case ${c.asm}: unknown input set ${c.set}`);
    return `{${s},${f.sets[c.set]!.length}}`;
  });
  const source = `// generated by test/cpu/harness.ts: family ${f.name}
#include <stdint.h>
#include <string.h>
#include <unistd.h>
struct st { uint64_t g[16]; uint64_t fl; uint64_t pad; uint64_t x[16]; };
struct st out __attribute__((aligned(64)));
const struct st *inp;
uint64_t mem[32] __attribute__((aligned(64)));
uint64_t saved_rsp;
__asm__(
${esc}
);
${f.cases.map((_, i) => `extern void c${i}(void);`).join("\n")}
static void (*const CASES[])(void) = {${f.cases.map((_, i) => `c${i}`).join(",")}};
static const struct st INP[] = {
${rows.join(",\n")}
};
static const unsigned SETS[][2] = {${sets.join(",")}};
static char obuf[1 << 16];
static unsigned opos;
static void flush(void) {
  unsigned o = 0;
  while (o < opos) { long n = write(1, obuf + o, opos - o); if (n <= 0) _exit(3); o += n; }
  opos = 0;
}
static void puts_(const char *s) { while (*s) obuf[opos++] = *s++; }
static void putu(unsigned v) { char t[12]; int n = 0; do { t[n++] = '0' + v % 10; v /= 10; } while (v); while (n) obuf[opos++] = t[--n]; }
static char HX[512];
static void puthex(uint64_t v, int nd) { for (int i = nd - 1; i >= 0; i--) obuf[opos++] = "0123456789abcdef"[(v >> (i * 4)) & 15]; }
static void puthex16(uint64_t v) {
  char *p = obuf + opos;
  for (int i = 7; i >= 0; i--) { memcpy(p + 2 * i, HX + 2 * (v & 255), 2); v >>= 8; }
  opos += 16;
}
int main(void) {
  for (int i = 0; i < 256; i++) { HX[2 * i] = "0123456789abcdef"[i >> 4]; HX[2 * i + 1] = "0123456789abcdef"[i & 15]; }
  for (unsigned c = 0; c < sizeof CASES / sizeof CASES[0]; c++) {
    for (unsigned k = 0; k < SETS[c][1]; k++) {
      const struct st *p = inp = &INP[SETS[c][0] + k];
      memcpy(mem, p->g, 128);
      for (int j = 0; j < 16; j++) mem[16 + j] = ~p->g[j];
      CASES[c]();
      if (opos > sizeof obuf - 4096) flush();
      puthex(c, 3); obuf[opos++] = ':'; puthex(k, 3);
      puts_(" f="); puthex(out.fl & ${CHECKED}, 3);
      for (int r = 0; r < 16; r++) {
        uint64_t v = r == 4 ? out.g[4] - saved_rsp : out.g[r];
        if (r == 4 ? v != 0 : v != p->g[r]) { puts_(" r"); putu(r); obuf[opos++] = '='; puthex16(v); }
      }
      for (int r = 0; r < 8; r++)
        if (out.x[2 * r] != p->x[2 * r] || out.x[2 * r + 1] != p->x[2 * r + 1]) { puts_(" x"); putu(r); obuf[opos++] = '='; puthex16(out.x[2 * r + 1]); puthex16(out.x[2 * r]); }
      for (int j = 0; j < 32; j++)
        if (mem[j] != (j < 16 ? p->g[j] : ~p->g[j - 16])) { puts_(" m"); putu(j); obuf[opos++] = '='; puthex16(mem[j]); }
      obuf[opos++] = '\\n';
    }
  }
  flush();
  return 0;
}
`;
  return { source, setStart };
}

// ---- running and comparing ------------------------------------------------------------

export interface FamilyResult {
  lines: number;
  cases: number;
  inputs: number;
  mismatches: string[];
  /** Mismatch count per case label (for a summary). */
  byCase: Map<string, number>;
}

function parseLine(line: string): Map<string, string> {
  const m = new Map<string, string>();
  const parts = line.split(" ");
  m.set("id", parts[0]!);
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i]!;
    const eq = p.indexOf("=");
    m.set(p.slice(0, eq), p.slice(eq + 1));
  }
  return m;
}

function flagNames(bits: number): string {
  return FLAG_NAMES.filter(([b]) => bits & b).map(([, n]) => n).join(",") || "-";
}

function describeInput(inp: Input, asm: string): string {
  const parts: string[] = [];
  REGS.forEach((r, i) => {
    if (i === 4) return;
    // show the registers the case mentions (by any name), or the usual operands
    const names = [r, r.replace(/^r/, "e"), r.slice(1), r + "d", r + "w", r + "b", r.slice(1, 2) + "l", r.slice(1, 2) + "h"];
    if (i < 4 || names.some((n) => new RegExp(`%${n}\\b`).test(asm))) parts.push(`${r}=${inp.g[i]!.toString(16)}`);
  });
  parts.push(`fl=${flagNames(inp.fl)}`);
  if (/%xmm/.test(asm)) for (let i = 0; i < 3; i++) parts.push(`xmm${i}=${inp.x[2 * i + 1]!.toString(16).padStart(16, "0")}:${inp.x[2 * i]!.toString(16).padStart(16, "0")}`);
  return parts.join(" ");
}

function compare(f: Family, setStart: Map<string, number>, nativeOut: string, emuOut: string): FamilyResult {
  const nl = nativeOut.split("\n");
  const el = emuOut.split("\n");
  if (nl[nl.length - 1] === "") nl.pop();
  if (el[el.length - 1] === "") el.pop();
  const mismatches: string[] = [];
  const byCase = new Map<string, number>();
  const emuById = new Map<string, string>();
  for (const l of el) emuById.set(l.slice(0, l.indexOf(" ")), l);
  for (const line of nl) {
    const id = line.slice(0, line.indexOf(" "));
    const eline = emuById.get(id);
    if (eline === line) continue;
    const [ci, ki] = id.split(":").map((v) => parseInt(v, 16)) as [number, number];
    const c = f.cases[ci]!;
    const inp = f.sets[c.set]![ki]!;
    const label = c.name ?? c.asm;
    const what: string[] = [];
    if (eline === undefined) what.push("no output from the emulator");
    else {
      const a = parseLine(line), b = parseLine(eline);
      const undef = typeof c.undef === "function" ? c.undef(inp) : c.undef ?? 0;
      const diff = (parseInt(a.get("f")!, 16) ^ parseInt(b.get("f")!, 16)) & ~undef;
      if (diff) what.push(`flags ${flagNames(diff)} differ: native ${flagNames(parseInt(a.get("f")!, 16))} emu ${flagNames(parseInt(b.get("f")!, 16))}`);
      const undefOut = c.undefOut ? c.undefOut(inp) : [];
      const keys = new Set([...a.keys(), ...b.keys()]);
      for (const k of keys) {
        if (k === "id" || k === "f") continue;
        if (undefOut.includes(k)) continue;
        const va = a.get(k), vb = b.get(k);
        if (va === vb) continue;
        const name = k[0] === "r" ? REGS[Number(k.slice(1))]! : k[0] === "x" ? `xmm${k.slice(1)}` : `mem[${Number(k.slice(1)) * 8}]`;
        what.push(`${name}: native ${va ?? "(unchanged)"} emu ${vb ?? "(unchanged)"}`);
      }
    }
    if (what.length === 0) continue;
    byCase.set(label, (byCase.get(label) ?? 0) + 1);
    if (mismatches.length < 2000) mismatches.push(`[${f.name}] ${label} | ${what.join("; ")} | in: ${describeInput(inp, c.asm)}`);
  }
  if (el.length !== nl.length) mismatches.push(`[${f.name}] line count: native ${nl.length} emu ${el.length}`);
  let inputs = 0;
  for (const s of Object.values(f.sets)) inputs += s.length;
  void setStart;
  return { lines: nl.length, cases: f.cases.length, inputs, mismatches, byCase };
}

/** Build the family's program, run it natively and in the emulator, compare. */
export function runFamily(f: Family): FamilyResult {
  const { source, setStart } = generate(f);
  if (process.env.UPROBE_LAB_KEEP_DIFF) fs.writeFileSync(path.join(process.env.UPROBE_LAB_KEEP_DIFF, `${f.name}.c`), source);
  let bin: string;
  try {
    bin = buildC(source, ["-O2", "-fno-tree-vectorize", "-funroll-loops", "-no-pie"], `diff-${f.name}`);
  } catch (e) {
    throw new Error(`building the ${f.name} program failed: ${String((e as { stderr?: unknown }).stderr ?? e)}`);
  }
  const native = runNative(bin, []);
  if (native.status !== 0) throw new Error(`native run of ${f.name} failed: status ${native.status} ${native.stderr}`);
  const emu = runEmulated(bin, []);
  const r = compare(f, setStart, native.stdout, emu.stdout);
  if (emu.status !== 0) {
    // The output stops at the last buffer flush before the emulator died: name the first case without output.
    const seen = new Set(emu.stdout.split("\n").map((l) => parseInt(l.slice(0, l.indexOf(":")), 16)));
    const first = f.cases.findIndex((_, i) => !seen.has(i));
    const c = f.cases[first];
    r.mismatches.unshift(`[${f.name}] the emulated run died (status ${emu.status}: ${emu.machine.result().report ?? ""}) at or after case ${c ? c.name ?? c.asm : "?"}`);
    r.byCase.set("(emulator died)", 1);
  }
  return r;
}

/** A summary suitable for an assertion message. */
export function report(r: FamilyResult, max = 40): string {
  const per = [...r.byCase.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${n} x ${k}`);
  return `${r.mismatches.length} mismatching runs (of ${r.lines}) in ${r.byCase.size} cases:\n${per.slice(0, 60).join("\n")}\nfirst mismatches:\n${r.mismatches.slice(0, max).join("\n")}`;
}
