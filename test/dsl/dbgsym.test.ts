// Symbols from detached debug files, as bpftrace (through bcc) reads them:
// `run -l` for glibc's libraries must list what live bpftrace 0.17 listed on
// this machine with libc6-dbg installed (recorded by scripts/record-dbgsym.mjs),
// a local function only the debug file names can be probed, and stacks name
// it. The .gnu_debuglink path (with its CRC check) is tested on a binary built
// here, so it needs no package.

import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { findDebugFile } from "../../engine/debug-file.js";
import { parseElf } from "../../engine/os/elf.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { normaliseOutput } from "./runtime-suite.js";

const bin = path.join(PROJECT_ROOT, "bin/uprobe-lab");

interface Recording {
  recorded: string;
  files: Record<string, { buildId: string | null; debugFile: string | null }>;
  lists: { pattern: string; count: number; sha256: string; lines?: string[] }[];
}
const rec = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "test/dsl/fixtures/dbgsym/lists.json"), "utf8")) as Recording;

const run = (...args: string[]): { status: number | null; stdout: string; stderr: string } =>
  spawnSync(process.execPath, [bin, "run", ...args], { encoding: "utf8", maxBuffer: 64 << 20 });

const dbgInstalled = spawnSync("dpkg-query", ["-W", "-f", "${Status}", "libc6-dbg"], { encoding: "utf8" }).stdout.includes("install ok installed");

describe("detached debug files (libc6-dbg), against live bpftrace 0.17", { skip: dbgInstalled ? false : "libc6-dbg is not installed (apt-get install libc6-dbg; .ci/run installs it)" }, () => {
  it("each library's debug file is found where bcc finds it (by build-id), and is the recorded build", () => {
    for (const [file, r] of Object.entries(rec.files)) {
      const elf = parseElf(file, fs.readFileSync(file));
      const note = execFileSync("readelf", ["-n", file], { encoding: "utf8" });
      assert.equal(/Build ID: ([0-9a-f]+)/.exec(note)?.[1], r.buildId, `${file} is not the build recorded: re-record with node scripts/record-dbgsym.mjs`);
      assert.equal(findDebugFile(elf, file), r.debugFile, file);
    }
  });
  for (const l of rec.lists) {
    it(`-l '${l.pattern}': ${l.count} probes, as ${rec.recorded} listed them`, () => {
      const r = run("-l", l.pattern);
      assert.equal(r.status, 0, r.stderr);
      const lines = normaliseOutput(r.stdout).split("\n").filter((x) => x !== "");
      if (l.lines !== undefined) assert.deepEqual(lines, l.lines);
      assert.equal(lines.length, l.count);
      assert.equal(createHash("sha256").update(lines.join("\n")).digest("hex"), l.sha256);
    });
  }
  it("a local function only the debug file names is probed by name, and ustack names it", () => {
    const r = run("-e", "uprobe:libc:__libc_start_call_main { @c = count(); } uprobe:./hello-gcc-O0:main { @[ustack] = count(); }", "--", path.join(PROJECT_ROOT, "samples/bin/hello-gcc-O0"));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^@c: 1$/m);
    assert.match(r.stdout, /^ {4}main\+0\n {4}__libc_start_call_main\+\d+\n\]: 1$/m);
  });
});

describe("detached debug files found through .gnu_debuglink", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dbgsym-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const exe = path.join(dir, "prog");
  const src = path.join(dir, "prog.c");
  fs.writeFileSync(src, "static int __attribute__((noinline)) hidden_helper(int x) { return x * 3; }\nint main(int c, char **v) { (void)v; return hidden_helper(c) == 3 ? 0 : 1; }\n");
  // no build-id, so only the debug link can find the debug file
  execFileSync("gcc", ["-O0", "-fno-omit-frame-pointer", "-Wl,--build-id=none", "-o", exe, src]);
  fs.mkdirSync(path.join(dir, ".debug"));
  const debug = path.join(dir, ".debug", "prog.debug");
  execFileSync("objcopy", ["--only-keep-debug", exe, debug]);
  execFileSync("strip", ["--strip-all", exe]);
  execFileSync("objcopy", [`--add-gnu-debuglink=${debug}`, exe]);
  const list = (): string => run("-l", `uprobe:${exe}:hidden*`).stdout;

  it("the stripped binary's local function is listed from DIR/.debug/NAME, and a probe on it fires", () => {
    assert.equal(list(), `uprobe:${exe}:hidden_helper\n`);
    const r = run("-e", `uprobe:${exe}:hidden_helper { @n = count(); }`, "--", exe);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^@n: 1$/m);
  });
  it("a debug file whose CRC32 does not match the link is ignored, as bcc's check_debug_file_crc does", () => {
    const bytes = fs.readFileSync(debug);
    fs.writeFileSync(debug, Buffer.concat([bytes, Buffer.from([0])])); // a different file under the same name
    assert.equal(list(), "");
    fs.writeFileSync(debug, bytes);
    assert.equal(list(), `uprobe:${exe}:hidden_helper\n`);
  });
});
