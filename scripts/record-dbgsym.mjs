#!/usr/bin/env node
// Record what live bpftrace lists for glibc's libraries when their detached
// debug files (libc6-dbg) are installed, so test/dsl/dbgsym.test.ts can
// compare our `run -l` with it. Re-recordable:
//
//   node scripts/record-dbgsym.mjs      (root; bpftrace 0.17; libc6-dbg; after npm run build)
//
// Writes test/dsl/fixtures/dbgsym/lists.json: per library its build-id (the
// recording holds only for that exact build) and debug file, and per pattern
// the normalised `bpftrace -l` output: whole when short, else its line count
// and SHA-256 (the full libc list is 7,000+ lines).

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { normaliseOutput } = await import(path.join(root, "dist/test/dsl/runtime-suite.js"));
const { parseElf } = await import(path.join(root, "dist/engine/os/elf.js"));
const { findDebugFile } = await import(path.join(root, "dist/engine/debug-file.js"));

const LIBC = "/lib/x86_64-linux-gnu/libc.so.6";
const LDSO = "/lib64/ld-linux-x86-64.so.2";
const PATTERNS = [
  `uprobe:${LIBC}:str*`,
  `uretprobe:${LIBC}:__libc_start*`,
  `uprobe:${LIBC}:*`,
  `uprobe:${LDSO}:_dl_m*`,
];
/** Lists longer than this are kept as a count and a hash. */
const WHOLE = 400;

const version = execFileSync("bpftrace", ["--version"], { encoding: "utf8" }).trim();
const files = {};
for (const f of [LIBC, LDSO]) {
  const elf = parseElf(f, fs.readFileSync(f));
  const note = execFileSync("readelf", ["-n", f], { encoding: "utf8" });
  files[f] = { buildId: /Build ID: ([0-9a-f]+)/.exec(note)?.[1] ?? null, debugFile: findDebugFile(elf, f) ?? null };
}
const lists = PATTERNS.map((pattern) => {
  const out = normaliseOutput(execFileSync("bpftrace", ["-l", pattern], { encoding: "utf8", maxBuffer: 64 << 20 }));
  const lines = out.split("\n").filter((l) => l !== "");
  const entry = { pattern, count: lines.length, sha256: createHash("sha256").update(lines.join("\n")).digest("hex") };
  if (lines.length <= WHOLE) entry.lines = lines;
  process.stdout.write(`${pattern}: ${lines.length} probes\n`);
  return entry;
});
const file = path.join(root, "test/dsl/fixtures/dbgsym/lists.json");
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, JSON.stringify({ recorded: version, files, lists }, null, 2) + "\n");
process.stdout.write(`wrote ${path.relative(root, file)}\n`);
