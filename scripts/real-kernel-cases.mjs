// Record what scripts/real-kernel/step-cases.c prints and how often each of
// its sites is hit, natively under real tracefs uprobes (one probe on the
// first byte of each site function), into test/uprobes/real-kernel-cases.json;
// test/uprobes/real-kernel-cases.test.ts builds the same source the same way
// and replays it in the model. Needs root, tracefs and musl-gcc.
//
//   node scripts/real-kernel-cases.mjs

import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const { loadBinary } = await import(path.join(root, "dist/engine/index.js"));
const SITES = ["rep_movsb", "repe_cmpsb", "rep_stosb", "sys_site", "lea_rexrex"];
// the flags test/uprobes/real-kernel-cases.test.ts builds with (buildC adds -static)
const FLAGS = ["-static", "-O1"];

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "uprobe-cases-"));
const exe = path.join(dir, "step-cases");
execFileSync("musl-gcc", [...FLAGS, "-o", exe, path.join(root, "scripts/real-kernel/step-cases.c")]);
const bin = loadBinary(exe);
const tracefs = "/sys/kernel/tracing";
if (!fs.existsSync(path.join(tracefs, "uprobe_events"))) spawnSync("mount", ["-t", "tracefs", "nodev", tracefs]);
const group = `ucases${process.pid}`;
const events = path.join(tracefs, "uprobe_events");
const plain = execFileSync(exe, { encoding: "utf8" });
for (const s of SITES) fs.appendFileSync(events, `p:${group}/${s} ${exe}:0x${bin.lookup(s).fileOffset.toString(16)}\n`);
let probed, profile;
try {
  for (const s of SITES) fs.writeFileSync(path.join(tracefs, "events", group, s, "enable"), "1");
  probed = spawnSync(exe, { encoding: "utf8" }).stdout;
  profile = fs.readFileSync(path.join(tracefs, "uprobe_profile"), "utf8");
} finally {
  for (const s of SITES) fs.writeFileSync(path.join(tracefs, "events", group, s, "enable"), "0");
  for (const s of SITES) fs.appendFileSync(events, `-:${group}/${s}\n`);
}
const hits = Object.fromEntries(SITES.map((s) => [s, Number(new RegExp(`\\s${s}\\s+(\\d+)\\s*$`, "m").exec(profile)?.[1] ?? -1)]));
const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "?";
const out = { recorded: new Date().toISOString().slice(0, 10), kernel: os.release(), cpu, by: "scripts/real-kernel-cases.mjs", source: "scripts/real-kernel/step-cases.c", plain, probed, hits };
fs.writeFileSync(path.join(root, "test/uprobes/real-kernel-cases.json"), JSON.stringify(out, null, 2) + "\n");
console.log(`unprobed:\n${plain}probed:\n${probed}hits: ${JSON.stringify(hits)}`);
fs.rmSync(dir, { recursive: true, force: true });
