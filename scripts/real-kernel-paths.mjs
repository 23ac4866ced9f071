// Which path does the real kernel take for a uprobe on each instruction:
// emulated (no XOL page), out of line (the [uprobes] page appears: only a
// single step maps it when no uretprobe is armed) or optimized (the 6.18 nop5
// rewrite maps [uprobes-trampoline])? It builds one program with a function per
// instruction (the instruction, the code that undoes it, ret), probes each
// function's first byte with a tracefs uprobe, runs it twice natively, and
// reads the process's own /proc/self/maps. The model's hitPath() for the same
// bytes is printed beside it. An instruction the kernel refuses is refused
// silently when the program is mapped (uprobe_mmap ignores the error), so a
// probe that was never hit counts as "refused". Needs root, tracefs and gcc
// (and AVX-512 for kmovw).
//
//   node scripts/real-kernel-paths.mjs [--kernel 6.18]

import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const { analyzeInsn, hitPath, loadBinary, resolveKernel } = await import(path.join(root, "dist/engine/index.js"));
const kernel = process.argv[2] === "--kernel" ? process.argv[3] : "6.18";

// [instruction, code after it that restores the state, what it is]: each is safe to run natively.
const SITES = [
  ["90", "", "nop"], ["66 90", "", "xchg %ax,%ax"], ["f3 90", "", "pause"], ["48 90", "", "rex.w nop"],
  ["0f 1f 00", "", "nopl (%rax)"], ["0f 1f 40 00", "", "nopl 0(%rax)"], ["0f 1f 44 00 00", "", "nopl 0(%rax,%rax)"],
  ["66 0f 1f 44 00 00", "", "nopw 0(%rax,%rax)"], ["0f 1f 80 00 00 00 00", "", "nopl 0(%rax) disp32"],
  ["0f 1f 84 00 00 00 00 00", "", "nopl 0(%rax,%rax) disp32"], ["66 66 66 66 90", "", "data16 x4 nop"],
  ["66 0f 1f 40 00", "", "nopw 0(%rax), 5 bytes"], ["0f 18 00", "", "prefetchnta (%rax)"],
  ["eb 00", "", "jmp +0"], ["e9 00 00 00 00", "", "jmp rel32 +0"], ["74 00", "", "je +0"], ["75 00", "", "jne +0"],
  ["0f 84 00 00 00 00", "", "je rel32 +0"], ["e8 00 00 00 00", "", "call +0 (then ret twice)"],
  ["53", "5b", "push %rbx"], ["55", "5d", "push %rbp"], ["41 54", "41 5c", "push %r12"], ["6a 00", "58", "push $0"],
  ["66 53", "66 5b", "pushw %bx"],
  // pushf stepped out of line pushes TF (a modelled quirk): drop the word instead of popf-ing it
  ["9c", "48 83 c4 08", "pushf"],
  ["48 89 c0", "", "mov %rax,%rax"], ["31 c0", "", "xor %eax,%eax"], ["b8 00 00 00 00", "", "mov $0,%eax"],
  ["48 8d 05 00 00 00 00", "", "lea 0(%rip),%rax"], ["8b 05 00 00 00 00", "", "mov 0(%rip),%eax"],
  ["48 83 ec 08", "48 83 c4 08", "sub $8,%rsp"], ["f3 0f 1e fa", "", "endbr64"], ["0f 31", "", "rdtsc"],
  ["c5 f8 77", "", "vzeroupper"], ["c5 fc 77", "", "vzeroall"], ["c5 f1 eb c2", "", "vpor %xmm2,%xmm1,%xmm0"],
  ["c5 f9 70 c1 00", "", "vpshufd $0,%xmm1,%xmm0"], ["c5 f8 90 ca", "", "kmovw %k2,%k1"],
  ["c5 f9 ef c0", "", "vpxor (refused)"], ["c3", "", "ret"],
];

const hexBytes = (h) => h.split(" ").filter(Boolean).map((b) => `0x${b}`).join(",");
let asm = "";
SITES.forEach(([insn, undo], i) => {
  const body = [insn, undo, "c3"].filter(Boolean).join(" ");
  asm += `__asm__(".text\\n.globl s${i}\\n.type s${i},@function\\ns${i}:\\n.byte ${hexBytes(body)}\\n");\n`;
});
const c = `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
${asm}
${SITES.map((_, i) => `void s${i}(void);`).join(" ")}
static void (*const fns[])(void) = { ${SITES.map((_, i) => `s${i}`).join(", ")} };
int main(int argc, char **argv) {
  int i = atoi(argv[1]);
  fns[i](); fns[i]();
  FILE *m = fopen("/proc/self/maps", "r"); char l[512]; int xol = 0, tramp = 0;
  while (fgets(l, sizeof l, m)) { if (strstr(l, "[uprobes]")) xol = 1; if (strstr(l, "[uprobes-trampoline]")) tramp = 1; }
  puts(tramp ? "optimized" : xol ? "xol" : "emulated");
  return 0;
}
`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "uprobe-paths-"));
const exe = path.join(dir, "paths");
fs.writeFileSync(`${exe}.c`, c);
execFileSync("gcc", ["-O1", "-no-pie", "-o", exe, `${exe}.c`]);
const bin = loadBinary(exe);
const tracefs = "/sys/kernel/tracing";
if (!fs.existsSync(path.join(tracefs, "uprobe_events"))) spawnSync("mount", ["-t", "tracefs", "nodev", tracefs]);
const events = path.join(tracefs, "uprobe_events");
const gen = resolveKernel(kernel);
let mismatches = 0;
SITES.forEach(([insn, , what], i) => {
  const sym = bin.lookup(`s${i}`);
  const r = analyzeInsn(bin.bytesAt(sym.addr, 16), { gen, emulation: true, bits: 64, vaddr: sym.addr });
  const model = r.ok ? hitPath(r.arch, gen.nop5Optimize) : "refused";
  let real;
  try {
    // append and remove our own event only: truncating uprobe_events would delete every other user's
    fs.appendFileSync(events, `p:upaths/s ${exe}:0x${sym.fileOffset.toString(16)}\n`);
    fs.writeFileSync(path.join(tracefs, "events/upaths/s/enable"), "1");
    const run = spawnSync(exe, [String(i)], { encoding: "utf8" });
    const hits = Number(/upaths\/s\s+(\d+)|\ss\s+(\d+)\s*$/m.exec(fs.readFileSync(path.join(tracefs, "uprobe_profile"), "utf8"))?.slice(1).find(Boolean) ?? 0);
    real = hits === 0 ? "refused" : run.status === 0 ? run.stdout.trim() : `died (${run.signal ?? run.status})`;
    fs.writeFileSync(path.join(tracefs, "events/upaths/s/enable"), "0");
  } catch {
    real = "refused";
  }
  try {
    fs.appendFileSync(events, "-:upaths/s\n");
  } catch {
    // never created
  }
  const ok = real === model;
  if (!ok) mismatches++;
  console.log(`${ok ? "ok  " : "DIFF"} ${insn.padEnd(26)} ${what.padEnd(28)} kernel: ${real.padEnd(10)} model: ${model}`);
});
console.log(`${SITES.length} instructions, ${mismatches} mismatches (model generation ${kernel}, host kernel ${os.release()})`);
fs.rmSync(dir, { recursive: true, force: true });
