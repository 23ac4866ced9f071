// Stacks of a 32-bit program against gdb's `bt`: the frame-pointer ustack
// reads struct stack_frame_ia32 (two 4-byte words), perf_callchain_user32(),
// and the frames in the program are named, -pie or not. At an entry probe the
// caller comes from the 4-byte word at %esp (the 6.11 entry caller, also in
// perf_callchain_user32). Compared up to main (gdb's frames below it are in
// libc, which each process maps elsewhere). gdb runs the program natively
// where this kernel runs -m32 binaries, else under qemu-i386's gdbstub (some
// VMs have no 32-bit syscall entry: execve gives ENOEXEC); qemu puts a -pie
// build at another base than exec's COMPAT_ELF_ET_DYN_BASE, so return
// addresses are compared as distances from the probed function's address
// (frame 0), and the base itself is checked by the last test.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
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

/** Whether this kernel runs a 32-bit program (execve of an ELF32 gives ENOEXEC without IA32 emulation). */
function runsI386(bin: string): boolean {
  const r = spawnSync(bin, [], { stdio: "ignore" });
  return r.error === undefined && r.status === 0;
}

/** gdb's frames at the first stop of `break *FN`, down to main; frame 0's address is $pc. */
function gdbFrames(bin: string, fn: string): Frame[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ustack32-gdb-"));
  const script = path.join(dir, "bt.gdb");
  const sock = path.join(dir, "gdbstub");
  const native = runsI386(bin);
  const start = native ? ["set startup-with-shell off", `break *${fn}`, "run"] : [`target remote ${sock}`, `break *${fn}`, "continue"];
  fs.writeFileSync(script, ["set pagination off", "set confirm off", "set debuginfod enabled off", ...start, "p/x $pc", "bt", "kill", ""].join("\n"));
  const qemu = native ? undefined : spawn("qemu-i386", ["-g", sock, bin], { stdio: "ignore" });
  if (qemu) waitFor(() => fs.existsSync(sock), 10_000, `qemu-i386 -g ${sock} made no socket`);
  const r = spawnSync("gdb", ["-batch", "-nx", "-x", script, bin], { encoding: "utf8", timeout: 120_000 });
  qemu?.kill("SIGKILL");
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(r.error, undefined, `gdb did not run (apt-get install gdb): ${String(r.error)}`);
  const pc = /^\$1 = 0x([0-9a-f]+)$/m.exec(r.stdout);
  assert.ok(pc, `gdb printed no $pc:\n${r.stdout}\n${r.stderr}`);
  const frames: Frame[] = [];
  for (const line of r.stdout.split("\n")) {
    // frame 0 has no address when it is at the start of a line's code: "#0  0x5655618d in mid ()" or "#0  mid ()"
    const m = /^#(\d+)\s+(?:0x([0-9a-f]+) in )?(\S+) \(/.exec(line);
    if (m === null) continue;
    frames.push([m[1] === "0" ? pc[1]! : (m[2] ?? ""), m[3]!]);
    if (m[3] === "main") break;
  }
  assert.ok(frames.length >= 3, `gdb gave no stack:\n${r.stdout}\n${r.stderr}`);
  return frames;
}

/** Poll until ok() (a synchronous test: Atomics.wait sleeps without spinning). */
function waitFor(ok: () => boolean, ms: number, what: string): void {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; !ok(); waited += 20) {
    if (waited >= ms) throw new Error(what);
    Atomics.wait(nap, 0, 0, 20);
  }
}

/** Return addresses as distances from frame 0 (the probed function's first instruction), which no load base changes. */
function fromFrame0(frames: Frame[]): bigint[] {
  const pc = BigInt("0x" + frames[0]![0]);
  return frames.slice(1).map((f) => BigInt("0x" + f[0]) - pc);
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
    test(`${pie ? "-pie" : "-no-pie"}: 4-byte frame words, every frame named, return addresses as gdb shows them (from the function's address)`, () => {
      const bin = buildI386(SRC, ["-O0", "-fno-omit-frame-pointer", pie ? "-pie" : "-no-pie", ...(pie ? ["-fPIE"] : [])], pie ? "ustack32-pie" : "ustack32");
      for (const fn of ["leaf", "mid"]) {
        const gdb = gdbFrames(bin, fn);
        const lab = labFrames(bin, fn);
        assert.deepEqual(lab.map((f) => f[1]), gdb.map((f) => f[1]), `${fn}: names`);
        assert.deepEqual(fromFrame0(lab), fromFrame0(gdb), `${fn}: return addresses`);
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
