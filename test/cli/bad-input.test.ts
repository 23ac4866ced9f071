// Bad input never produces a stack trace: one line naming the problem, exit
// status 2 (issue: truncated and corrupted ELF files, a non-x86-64 ELF, a
// directory, an empty file; also unknown commands and options).

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { buildWith, runCli, samplePath } from "../helpers.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "uprobe-lab-bad-"));
const hello = fs.readFileSync(samplePath("hello-O0"));

function file(name: string, bytes: Uint8Array): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, bytes);
  return p;
}

function assertOneLineError(r: { stdout: string; stderr: string; status: number }, pattern: RegExp): void {
  assert.equal(r.status, 2, r.stderr);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line, got: ${r.stderr}`);
  assert.match(lines[0]!, /^uprobe-lab: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
}

describe("exec: bad binaries", () => {
  const cases: [string, () => string, RegExp][] = [
    ["empty file", () => file("empty", new Uint8Array(0)), /empty file/],
    ["a directory", () => dir, /is a directory/],
    ["missing file", () => path.join(dir, "nope"), /no such file/],
    ["not an ELF", () => file("text", new TextEncoder().encode("#!/bin/sh\necho hi\n")), /not an ELF file/],
    ["truncated header", () => file("trunc-hdr", hello.subarray(0, 40)), /truncated ELF header/],
    ["truncated segments", () => file("trunc-seg", hello.subarray(0, 2000)), /truncated/],
    ["32-bit ELF", () => {
      const b = Uint8Array.from(hello);
      b[4] = 1;
      return file("elf32", b);
    }, /32-bit ELF/],
    ["non-x86-64 machine", () => {
      const b = Uint8Array.from(hello);
      b[18] = 183; // EM_AARCH64
      b[19] = 0;
      return file("arm64", b);
    }, /machine 183 is not x86-64/],
    ["corrupted program header offset", () => {
      const b = Uint8Array.from(hello);
      new DataView(b.buffer).setBigUint64(32, 0xffffffffn, true);
      return file("phoff", b);
    }, /truncated|out of range/],
    ["an object file", () => {
      const b = Uint8Array.from(hello);
      b[16] = 1; // ET_REL
      return file("rel", b);
    }, /not an executable/],
    ["an interpreter that is not there", () => {
      const dyn = fs.readFileSync(buildWith("gcc", "int main(void){return 0;}\n", ["-O2"], "interp-dyn"));
      const b = Buffer.from(dyn).toString("latin1").replace("/lib64/ld-linux-x86-64.so.2", "/nonexist/ld-linux-x8.so.2");
      return file("badinterp", Buffer.from(b, "latin1"));
    }, /its interpreter \/nonexist\/ld-linux-x8\.so\.2 is not in the library directories/],
  ];
  for (const [what, make, pattern] of cases) test(what, () => assertOneLineError(runCli(["exec", make()]), pattern));
});

describe("command line mistakes", () => {
  test("unknown command", () => assertOneLineError(runCli(["frobnicate"]), /unknown command 'frobnicate'/));
  test("unknown option", () => assertOneLineError(runCli(["exec", "--frob", samplePath("hello-O0")]), /unknown option --frob/));
  test("missing binary", () => assertOneLineError(runCli(["exec"]), /missing BINARY/));
  test("bad --kernel", () => assertOneLineError(runCli(["run", "--kernel", "9.9", "-e", "probe main < x++ >", "--", samplePath("hello-O0")]), /--kernel 9\.9: not a modelled generation/));
  test("bad --cost", () => assertOneLineError(runCli(["run", "--cost", "nope", "-e", "probe main < x++ >", "--", samplePath("hello-O0")]), /--cost nope: unknown profile/));
  test("bad cost file", () => {
    const p = file("cost.json", new TextEncoder().encode('{"costs": {"int3_trap": -1}}'));
    assertOneLineError(runCli(["run", "--cost", p, "-e", "probe main < x++ >", "--", samplePath("hello-O0")]), /costs\.int3_trap must be a non-negative number/);
  });
});

describe("the guest's fate is reported in one line", () => {
  test("SIGSEGV: signal, address and instruction; status 139", () => {
    const src = path.join(dir, "segv.c");
    fs.writeFileSync(src, "int main(void){ volatile int *p = (int *)16; return *p; }\n");
    const bin = path.join(dir, "segv");
    require_musl(src, bin);
    const r = runCli(["exec", bin]);
    assert.equal(r.status, 139);
    assert.match(r.stderr, /^uprobe-lab: segv: killed by SIGSEGV \(SEGV_MAPERR, address 0x10\) at 0x[0-9a-f]+: mov/m);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
  test("an instruction limit stops the guest with status 124", () => {
    const r = runCli(["exec", "--max-insns", "1000", samplePath("push-O0")]);
    assert.equal(r.status, 124);
    assert.match(r.stderr, /stopped: instruction limit of 1000 reached/);
  });
  test("a memory limit stops the guest with status 124", () => {
    const src = path.join(dir, "grow.c");
    fs.writeFileSync(src, "#include <stdlib.h>\n#include <string.h>\nint main(void){ for (;;) memset(malloc(1 << 20), 1, 1 << 20); }\n");
    const bin = path.join(dir, "grow");
    require_musl(src, bin);
    const r = runCli(["exec", "--max-mem", "2M", bin]);
    assert.equal(r.status, 124);
    assert.match(r.stderr, /stopped: memory limit of 2097152 bytes reached/);
  });
});

import { execFileSync } from "node:child_process";
function require_musl(src: string, out: string): void {
  execFileSync("musl-gcc", ["-static", "-O0", "-o", out, src]);
}

describe("calibrate", () => {
  test("without tracefs it says why it cannot measure, in one line, status 2", () => {
    const r = runCli(["calibrate", "--tracefs", path.join(dir, "no-tracefs")]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^uprobe-lab: calibrate: cannot measure the real kernel: (needs root|tracefs is not mounted at .*no-tracefs)/);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1);
  });
});
