// Does the real kernel take a VEX instruction for a branch? Its uprobe code
// reads OPCODE1, which for a VEX instruction is the byte after the prefix, and
// never looks at the prefix: vpor (VEX eb) looks like "jmp", vzeroupper (VEX
// 77) like "ja". Each program here runs natively twice, without and with a
// uprobe on the VEX instruction at `site`; if the probed run prints something
// else, the kernel skipped the instruction (emulated it as a jump by 0) where
// stepping it out of line would have executed it. The model's path for the
// same bytes is printed beside it. Needs root, tracefs, gcc and an AVX CPU.
//
//   node scripts/real-kernel-vex.mjs [--kernel 6.18]

import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const { analyzeInsn, hitPath, loadBinary, resolveKernel } = await import(path.join(root, "dist/engine/index.js"));
const kernel = process.argv[2] === "--kernel" ? process.argv[3] : "6.18";
const tracefs = "/sys/kernel/tracing";
if (!fs.existsSync(path.join(tracefs, "uprobe_events"))) spawnSync("mount", ["-t", "tracefs", "nodev", tracefs]);
const events = path.join(tracefs, "uprobe_events");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "uprobe-vex-"));

for (const name of ["vex-vpor", "vex-vzeroupper"]) {
  const exe = path.join(dir, name);
  execFileSync("gcc", ["-O1", "-no-pie", "-o", exe, path.join(root, "scripts", "real-kernel", `${name}.c`)]);
  const bin = loadBinary(exe);
  const site = bin.lookup("site");
  const bytes = bin.bytesAt(site.addr, 16);
  const r = analyzeInsn(bytes, { gen: resolveKernel(kernel), emulation: true, bits: 64, vaddr: site.addr });
  const model = r.ok ? hitPath(r.arch, resolveKernel(kernel).nop5Optimize) : `refused (errno ${r.errno})`;
  const plain = execFileSync(exe, { encoding: "utf8" });
  fs.appendFileSync(events, `p:uvex/site ${exe}:0x${site.fileOffset.toString(16)}\n`); // not a truncating write: others' events stay
  fs.writeFileSync(path.join(tracefs, "events/uvex/site/enable"), "1");
  const probed = execFileSync(exe, { encoding: "utf8" });
  fs.writeFileSync(path.join(tracefs, "events/uvex/site/enable"), "0");
  fs.writeFileSync(events, "-:uvex/site\n", { flag: "a" });
  const hex = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
  const skipped = plain !== probed;
  console.log(`${name} [${hex}]: real kernel ${skipped ? "skipped it (emulated)" : "executed it (out of line)"}; model ${kernel}: ${model}`);
  console.log(`  unprobed: ${plain.trim()}\n  probed:   ${probed.trim()}`);
}
fs.rmSync(dir, { recursive: true, force: true });
