#!/usr/bin/env node
// Record the expected outputs of the bpftrace runtime suite (test/dsl/runtime)
// from live bpftrace on this machine, so they can be re-recorded.
//
//   node scripts/record-bpftrace-suite.mjs [CASE...]     (root; bpftrace 0.17; after npm run build)
//   node scripts/record-bpftrace-suite.mjs --lab [CASE...]
//
// --lab records our own output as EXPECT_LAB of the cases that say why they
// differ (DIFFERENT), for review in the diff; bpftrace's EXPECT is untouched.
//
// Builds test/dsl/runtime/bin/bt from bt.c (gcc -O0 -fno-omit-frame-pointer
// -no-pie) and bin/usdt, bin/usdt-O2 from usdt.c + usdt-sem.c, then for each case file (test/dsl/runtime/cases/NAME.txt) runs
// `bpftrace RUN` in the bin directory and writes its normalised stdout as the
// case's EXPECT block. The rest of the file (NAME, RUN, DIFFERENT, EXPECT_LAB)
// is kept. The comparison rules (normaliseOutput) are the test's own
// (dist/test/dsl/runtime-suite.js), so both sides are normalised alike.

import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dir = path.join(root, "test/dsl/runtime");
const { parseCase, normaliseOutput, formatCase } = await import(path.join(root, "dist/test/dsl/runtime-suite.js"));
const { splitCommand } = await import(path.join(root, "dist/cli/args.js"));

const lab = process.argv[2] === "--lab";
const names = process.argv.slice(lab ? 3 : 2);
if (!lab) execFileSync("gcc", ["-O0", "-fno-omit-frame-pointer", "-no-pie", "-o", path.join(dir, "bin/bt"), path.join(dir, "bt.c")], { stdio: "inherit" });
// the usdt cases' program (sys/sdt.h from systemtap-sdt-dev): -O0 (arguments in memory) and -O2 PIE (in registers)
const usdtSources = [path.join(dir, "usdt.c"), path.join(dir, "usdt-sem.c")];
if (!lab) execFileSync("gcc", ["-O0", "-fno-omit-frame-pointer", "-no-pie", "-o", path.join(dir, "bin/usdt"), ...usdtSources], { stdio: "inherit" });
if (!lab) execFileSync("gcc", ["-O2", "-o", path.join(dir, "bin/usdt-O2"), ...usdtSources], { stdio: "inherit" });
// a library with a semaphore-guarded probe, and its caller (test/dsl/usdt.test.ts: the kernel's delayed increment)
if (!lab) execFileSync("gcc", ["-O0", "-fno-omit-frame-pointer", "-shared", "-fPIC", "-o", path.join(dir, "bin/libusdtsem.so"), path.join(dir, "usdt-lib.c")], { stdio: "inherit" });
if (!lab) execFileSync("gcc", ["-O0", "-fno-omit-frame-pointer", "-no-pie", "-DMAIN", "-o", path.join(dir, "bin/usdt-lib"), path.join(dir, "usdt-lib.c"), `-L${path.join(dir, "bin")}`, "-lusdtsem", "-Wl,-rpath,$ORIGIN"], { stdio: "inherit" });
// a read that a signal interrupts and SA_RESTART restarts (the threads corpus' restart.c): its sys_exit says -ERESTARTSYS, then it enters again
if (!lab) execFileSync("gcc", ["-O0", "-pthread", "-o", path.join(dir, "bin/restart"), path.join(root, "test/corpus/threads/restart.c")], { stdio: "inherit" });
// threads pinned with sched_setaffinity that call sched_getcpu (the threads corpus' affinity.c): the cpu builtin is the CPU the task runs on
if (!lab) execFileSync("gcc", ["-O0", "-pthread", "-o", path.join(dir, "bin/affinity"), path.join(root, "test/corpus/threads/affinity.c")], { stdio: "inherit" });
const version = lab ? "" : execFileSync("bpftrace", ["--version"], { encoding: "utf8" }).trim();
const wanted = new Set(names);
for (const f of fs.readdirSync(path.join(dir, "cases")).filter((n) => n.endsWith(".txt")).sort()) {
  if (wanted.size && !wanted.has(f.replace(/\.txt$/, ""))) continue;
  const file = path.join(dir, "cases", f);
  const c = parseCase(fs.readFileSync(file, "utf8"));
  if (lab) {
    if (c.different === undefined) continue;
    const ours = spawnSync(process.execPath, [path.join(root, "bin/uprobe-lab"), "run", ...splitCommand(c.run)], { cwd: path.join(dir, "bin"), encoding: "utf8" });
    c.expectLab = normaliseOutput(ours.stdout);
    fs.writeFileSync(file, formatCase(c));
    process.stdout.write(`${f}: ours recorded as EXPECT_LAB\n`);
    continue;
  }
  const r = spawnSync("bpftrace", splitCommand(c.run), { cwd: path.join(dir, "bin"), encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) process.stderr.write(`${f}: bpftrace exited ${r.status}: ${r.stderr}\n`);
  c.expect = normaliseOutput(r.stdout);
  c.recorded = version;
  fs.writeFileSync(file, formatCase(c));
  process.stdout.write(`${f}: recorded (${c.expect.split("\n").length} lines)\n`);
}
