// Instruction-level differential harness for 32-bit mode (a small sibling of
// test/cpu/harness.ts): each case is a few lines of AT&T assembly run in a
// static `gcc -m32` program, once per input state, under qemu-i386 and in
// the emulator; the two print the same lines or the test fails.
//
// A case's function saves the caller's registers (pushal) and esp, loads
// eflags (popfl) and eax..edi except esp from the input, runs the case, and
// stores every GPR, eflags and the 16 dwords of `mem` into the output. esp is
// printed as its change (the stacks of qemu and the emulator are at
// different addresses), so cases must not leave a stack address in another
// register (use `sub %esp, %ebp`-style fixups for enter/leave).

import * as fs from "node:fs";
import * as path from "node:path";
import { buildI386, runEmulated, runQemuI386 } from "./helpers.js";

export const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
const DF = 0x400;
const CHECKED = CF | PF | AF | ZF | SF | DF | OF;

export interface Case32 {
  asm: string;
  /** Flags the SDM leaves undefined after the case. */
  undef?: number;
}

/** eax ecx edx ebx esp(unused) ebp esi edi, and eflags. */
export interface Input32 {
  g: number[];
  fl: number;
}

function caseFunction(c: Case32, i: number): string {
  const body = c.asm.split(/\n|;/).map((l) => l.trim()).filter(Boolean).map((l) => `    "${l.replace(/"/g, '\\"')}\\n"`).join("\n");
  return `
void case${i}(void);
__asm__(".text\\n.globl case${i}\\ncase${i}:\\n"
    "pushal\\n"
    "movl %esp, saved_esp\\n"
    "pushl in+32\\n popfl\\n"
    "movl in+0, %eax\\n movl in+4, %ecx\\n movl in+8, %edx\\n movl in+12, %ebx\\n"
    "movl in+20, %ebp\\n movl in+24, %esi\\n movl in+28, %edi\\n"
${body}
    "movl %eax, out+0\\n movl %ecx, out+4\\n movl %edx, out+8\\n movl %ebx, out+12\\n movl %esp, out+16\\n"
    "movl %ebp, out+20\\n movl %esi, out+24\\n movl %edi, out+28\\n"
    "movl saved_esp, %esp\\n"
    "pushfl\\n popl out+32\\n"
    "popal\\n ret\\n");`;
}

function program(cases: Case32[], inputs: Input32[]): string {
  const ins = inputs.map((s) => `{{${s.g.map((v) => `0x${(v >>> 0).toString(16)}u`).join(",")}}, 0x${s.fl.toString(16)}u}`).join(",\n");
  return `#include <stdio.h>
#include <string.h>
struct st { unsigned g[8]; unsigned fl; } in, out;
unsigned saved_esp;
unsigned mem[16] __attribute__((aligned(64)));
static const struct st inputs[] = {
${ins}
};
${cases.map(caseFunction).join("\n")}
static void (*const fns[])(void) = { ${cases.map((_, i) => `case${i}`).join(", ")} };
int main(void) {
  for (unsigned c = 0; c < sizeof fns / sizeof fns[0]; c++)
    for (unsigned k = 0; k < sizeof inputs / sizeof inputs[0]; k++) {
      in = inputs[k];
      for (int j = 0; j < 16; j++) mem[j] = in.g[j & 7] ^ (j >= 8 ? 0xffffffffu : 0) ^ (0x01010101u * j);
      fns[c]();
      printf("%u.%u fl=%x", c, k, out.fl & 0x${CHECKED.toString(16)});
      for (int r = 0; r < 8; r++) printf(" r%d=%x", r, r == 4 ? out.g[4] - saved_esp + 36 : out.g[r]);
      for (int j = 0; j < 16; j++) printf(" %x", mem[j]);
      printf("\\n");
    }
  return 0;
}
`;
}

/** The mem buffer's address is shared by both runs (static, non-PIE): cases may name `mem`. */
export interface Mismatch {
  asm: string;
  input: number;
  emulated: string;
  reference: string;
}

function maskFlags(line: string, undef: number): string {
  return line.replace(/fl=([0-9a-f]+)/, (_, v: string) => `fl=${(parseInt(v, 16) & ~undef).toString(16)}`);
}

/** Run every case on every input in qemu-i386 and in the emulator; the lines that differ. */
export function compareFamily(name: string, cases: Case32[], inputs: Input32[]): Mismatch[] {
  const dir = fs.mkdtempSync(path.join(fs.realpathSync("/tmp"), "i386-insn-"));
  const src = path.join(dir, `${name}.c`);
  fs.writeFileSync(src, program(cases, inputs));
  const bin = buildI386(src, ["-static", "-O1"], `insn32-${name}`);
  fs.rmSync(dir, { recursive: true, force: true });
  const ref = runQemuI386(bin, []);
  const emu = runEmulated(bin, []);
  if (ref.status !== 0) throw new Error(`qemu-i386 run of ${name} failed: ${ref.stderr}`);
  if (emu.status !== 0) throw new Error(`emulated run of ${name} failed (${emu.status}): ${emu.stderr}`);
  const r = ref.stdout.trimEnd().split("\n"), e = emu.stdout.trimEnd().split("\n");
  if (r.length !== cases.length * inputs.length) throw new Error(`qemu-i386 printed ${r.length} lines, expected ${cases.length * inputs.length}`);
  const out: Mismatch[] = [];
  for (let i = 0; i < r.length; i++) {
    const c = cases[Math.floor(i / inputs.length)]!;
    const a = maskFlags(e[i] ?? "(missing)", c.undef ?? 0), b = maskFlags(r[i]!, c.undef ?? 0);
    if (a !== b) out.push({ asm: c.asm, input: i % inputs.length, emulated: a, reference: b });
  }
  return out;
}
