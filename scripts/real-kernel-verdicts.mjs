// Ask the real kernel (root + tracefs) whether it accepts a uprobe on each of
// a list of instructions, and compare with the model's analysis.
//
//   node scripts/real-kernel-verdicts.mjs [--kernel 6.18] ["0f 05" "62 f1 7c 48 10 00" ...]
//
// It builds a static program with one symbol per instruction (followed by
// ret), starts it (it waits on stdin, so its text is mapped), then for each
// site writes a `p:` event to uprobe_events and enables it: the kernel
// analyses the instruction at that moment and the write fails with its error
// (524 = ENOTSUPP, "Exec format error" = ENOEXEC). Not part of the test
// suite: it needs root and a kernel with uprobe events.

import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const args = process.argv.slice(2);
let kernel = "6.18";
if (args[0] === "--kernel") {
  kernel = args[1];
  args.splice(0, 2);
}
const insns = args.length ? args : ["0f 05", "0f 0b", "62 f1 7c 48 10 00", "c5 fe 6f 00", "66 90", "41 90", "8e d0", "f0 ff 00", "c4 e2 71 8e 17", "c4 e2 71 8e 07", "c5 f1 eb c2"];
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const { analyzeInsn, hitPath, loadBinary, resolveKernel } = await import(path.join(root, "dist/engine/index.js"));

const tracefs = "/sys/kernel/tracing";
if (!fs.existsSync(path.join(tracefs, "uprobe_events"))) execFileSync("mount", ["-t", "tracefs", "nodev", tracefs]);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "uprobe-verdicts-"));
const src = insns
  .map((h, i) => `__asm__(".text\\n.globl s${i}\\ns${i}:\\n .byte ${h.split(/\s+/).map((b) => "0x" + b).join(",")}\\n ret\\n");`)
  .join("\n");
fs.writeFileSync(path.join(dir, "s.c"), `#include <stdio.h>\n${src}\nint main(void){puts("ready");fflush(stdout);getchar();return 0;}\n`);
const bin = path.join(dir, "s");
execFileSync("musl-gcc", ["-static", "-O0", "-o", bin, path.join(dir, "s.c")]);
const b = loadBinary(bin);
const child = spawn(bin, [], { stdio: ["pipe", "pipe", "inherit"] });
await new Promise((r) => child.stdout.once("data", r));

const gen = resolveKernel(kernel);
let mismatches = 0;
insns.forEach((hex, i) => {
  const sym = b.lookup(`s${i}`);
  const ev = `uvck/s${i}`;
  fs.appendFileSync(path.join(tracefs, "uprobe_events"), `p:${ev} ${bin}:0x${sym.fileOffset.toString(16)}\n`);
  let real;
  try {
    fs.writeFileSync(path.join(tracefs, "events", ev, "enable"), "1");
    fs.writeFileSync(path.join(tracefs, "events", ev, "enable"), "0");
    real = "accepted";
  } catch (e) {
    real = e.errno === -524 || /524/.test(String(e.message)) ? "ENOTSUPP" : e.errno === -8 || e.code === "ENOEXEC" ? "ENOEXEC" : String(e.code ?? e.message);
  }
  fs.appendFileSync(path.join(tracefs, "uprobe_events"), `-:${ev}\n`);
  const bytes = new Uint8Array(16);
  bytes.set(b.bytesAt(sym.addr, 16));
  const m = analyzeInsn(bytes, { gen, emulation: true, bits: 64, vaddr: sym.addr });
  const model = m.ok ? "accepted" : m.errno === 524 ? "ENOTSUPP" : m.errno === 8 ? "ENOEXEC" : `errno ${m.errno}`;
  const ok = model === real;
  if (!ok) mismatches++;
  console.log(`${ok ? "ok  " : "DIFF"} ${hex.padEnd(30)} kernel: ${real.padEnd(9)} model: ${model}${m.ok ? ` (${hitPath(m.arch, gen.nop5Optimize)})` : ""}`);
});
child.stdin.end("\n");
console.log(`${insns.length} instructions, ${mismatches} mismatches (model generation ${kernel}, host kernel ${os.release()})`);
process.exitCode = mismatches ? 1 : 0;
