// Stacks of a 32-bit program against gdb's `bt` on a native run (this kernel
// runs -m32 binaries; gdb starts them with ASLR off, so a -pie build sits at
// COMPAT_ELF_ET_DYN_BASE, 0x56555000, in both): the frame-pointer ustack reads
// struct stack_frame_ia32 (two 4-byte words), perf_callchain_user32(), and
// the frames in the program are named, -pie or not. At an entry probe the
// caller comes from the 4-byte word at %esp (the 6.11 entry caller, also in
// perf_callchain_user32). Compared up to main (gdb's frames below it are in
// libc, which each process maps elsewhere).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { BufferIo } from "../../engine/os/host-io.js";
import { Session } from "../../lab/session.js";
import { runCli } from "../helpers.js";
import { buildI386, requireI386Tools } from "./helpers.js";

const SRC = `#include <stdio.h>
__attribute__((noinline)) int leaf(int x) { return x * 3 + 1; }
__attribute__((noinline)) int mid(int x) { return leaf(x) + leaf(x + 1); }
__attribute__((noinline)) int top(int x) { return mid(x) * 2; }
int main(void) { int s = 0; for (int i = 0; i < 2; i++) s += top(i); printf("%d\\n", s); return 0; }
`;

type Frame = [addr: string, name: string];

/** gdb's frames at the first stop of `break *FN`, down to main. */
function gdbFrames(bin: string, fn: string): Frame[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ustack32-gdb-"));
  const script = path.join(dir, "bt.gdb");
  fs.writeFileSync(script, ["set pagination off", "set confirm off", "set debuginfod enabled off", "set startup-with-shell off", `break *${fn}`, "run", "bt", "kill", ""].join("\n"));
  const r = spawnSync("gdb", ["-batch", "-nx", "-x", script, bin], { encoding: "utf8", timeout: 120_000 });
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(r.error, undefined, `gdb did not run (apt-get install gdb): ${String(r.error)}`);
  const frames: Frame[] = [];
  for (const line of r.stdout.split("\n")) {
    // frame 0 has no address when it is at the start of a line's code: "#0  0x5655618d in mid ()" or "#0  mid ()"
    const m = /^#(\d+)\s+(?:0x([0-9a-f]+) in )?(\S+) \(/.exec(line);
    if (m === null) continue;
    frames.push([m[2] ?? "", m[3]!]);
    if (m[3] === "main") break;
  }
  assert.ok(frames.length >= 3, `gdb gave no stack:\n${r.stdout}\n${r.stderr}`);
  return frames;
}

/** Our fp ustack (perf mode) at the first hit of an entry uprobe on FN, down to main. */
function labFrames(bin: string, fn: string): Frame[] {
  const io = new BufferIo();
  const out: string[] = [];
  const s = new Session({ binary: bin, program: `uprobe:${bin}:${fn} /hits == 1/ { printf("%s", ustack(perf)); }`, io, programOutput: (t) => void out.push(t) });
  assert.equal(s.run().status, 0);
  const frames: Frame[] = [];
  for (const line of out.join("").split("\n")) {
    const m = /^\t([0-9a-f]+) (\S+?)(?:\+\d+)? \(/.exec(line);
    if (m === null) continue;
    frames.push([m[1]!, m[2]!]);
    if (m[2] === "main") break;
  }
  return frames;
}

describe("ustack of a 32-bit program, against gdb", () => {
  requireI386Tools();
  for (const pie of [false, true]) {
    test(`${pie ? "-pie" : "-no-pie"}: 4-byte frame words, every frame named, the addresses gdb shows`, () => {
      const bin = buildI386(SRC, ["-O0", "-fno-omit-frame-pointer", pie ? "-pie" : "-no-pie", ...(pie ? ["-fPIE"] : [])], pie ? "ustack32-pie" : "ustack32");
      for (const fn of ["leaf", "mid"]) {
        const gdb = gdbFrames(bin, fn);
        const lab = labFrames(bin, fn);
        // gdb's frame 0 at a breakpoint on the first instruction has no address; it is the function's own
        assert.deepEqual(lab.map((f) => f[1]), gdb.map((f) => f[1]), `${fn}: names`);
        assert.deepEqual(lab.slice(1).map((f) => BigInt("0x" + f[0])), gdb.slice(1).map((f) => BigInt("0x" + f[0])), `${fn}: return addresses`);
      }
    });
  }
  test("-pie: the probe's address is where exec put it (0x5655xxxx), and -l names its functions", () => {
    const bin = buildI386(SRC, ["-O0", "-fno-omit-frame-pointer", "-pie", "-fPIE"], "ustack32-pie");
    const v = runCli(["run", "-q", "-v", "-e", `uprobe:${bin}:mid { @ = count(); }`, "--", bin]);
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stdout, /@: 2\n/);
    assert.match(v.stderr, /\(mid\+0, address 0x5655[0-9a-f]{4}\), instruction 'push %ebp'/);
    const l = runCli(["run", "-l", `uprobe:${bin}:*`]);
    assert.match(l.stdout, /:leaf\n[^]*:mid\n[^]*:top\n/);
  });
});
