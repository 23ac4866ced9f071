// ustack(cfi), the .eh_frame unwinder, against gdb's `bt` at the same
// function of the same binary (test/engine/cfi/chain.c, -O2
// -fomit-frame-pointer), for a dynamically linked gcc build (the qsort
// callback's chain passes through glibc's frames) and a musl static one (musl
// builds its libc without unwind tables, so both stop at its qsort: gdb
// guesses on into garbage, we stop cleanly). The frame-pointer ustack of the
// same hits is the truncated one bpftrace shows.
//
// gdb runs live (batch mode, ASLR off, debuginfod off). Addresses differ
// between gdb's process and ours (each maps libraries elsewhere), so frames
// are compared by the offset in their page (mappings are page-aligned) and,
// for the program's own frames, by function name; gdb's inline frames (the
// ones it prints without an address, from libc6-dbg) are not machine frames
// and are left out. gdb stops at main, so our stacks are cut there too.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { BufferIo } from "../../engine/os/host-io.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { Session } from "../../lab/session.js";
import { buildWith } from "../helpers.js";

const SRC = path.join(PROJECT_ROOT, "test", "engine", "cfi", "chain.c");

interface Frame {
  addr: bigint;
  name: string;
}

/** gdb's machine frames at each stop of `break leaf if $rdi == 2`. */
function gdbStacks(bin: string): Frame[][] {
  const script = path.join(os.tmpdir(), `cfi-gdb-${process.pid}.gdb`);
  fs.writeFileSync(
    script,
    ["set pagination off", "set confirm off", "set debuginfod enabled off", "set startup-with-shell off", "break leaf if $rdi == 2", "commands", "bt", "continue", "end", "run", ""].join("\n"),
  );
  const r = spawnSync("gdb", ["-batch", "-nx", "-x", script, bin], { encoding: "utf8", timeout: 120_000 });
  fs.rmSync(script, { force: true });
  assert.equal(r.error, undefined, `gdb did not run (apt-get install gdb): ${String(r.error)}`);
  const stacks: Frame[][] = [];
  for (const line of r.stdout.split("\n")) {
    const m = /^#(\d+)\s+0x([0-9a-f]+) in (\S+)/.exec(line);
    if (!m) continue;
    if (m[1] === "0") stacks.push([]);
    stacks[stacks.length - 1]!.push({ addr: BigInt("0x" + m[2]), name: m[3]! });
  }
  assert.ok(stacks.length > 0, `gdb stopped nowhere:\n${r.stdout}\n${r.stderr}`);
  return stacks;
}

/** Our stacks at the same hits, in perf mode (`ADDR sym+off (FILE)` per frame), by both unwinders. */
function labStacks(bin: string): { cfi: Frame[][]; fp: Frame[][]; stdout: string } {
  const io = new BufferIo();
  const out: string[] = [];
  const program = `uprobe:${bin}:leaf /arg0 == 2/ { printf("cfi%s\\nfp%s\\n", ustack(cfi, perf), ustack(perf)); }`;
  const s = new Session({ binary: bin, program, io, programOutput: (t) => void out.push(t) });
  const r = s.run();
  assert.equal(r.status, 0);
  const cfi: Frame[][] = [];
  const fp: Frame[][] = [];
  let cur: Frame[] = [];
  for (const line of out.join("").split("\n")) {
    if (line === "cfi" || line === "fp") {
      cur = [];
      (line === "cfi" ? cfi : fp).push(cur);
      continue;
    }
    const m = /^\t([0-9a-f]+) (\S+?)(?:\+\d+)? \(/.exec(line);
    if (m) cur.push({ addr: BigInt("0x" + m[1]), name: m[2]! });
  }
  return { cfi, fp, stdout: io.text(1) };
}

const names = (s: Frame[]): string => s.map((f) => f.name).join(" <- ");
const pageOff = (f: Frame): bigint => f.addr & 0xfffn;

/** gdb's stack up to main (or to its first `??`, where it has lost the frame), and ours cut to the same point. */
function compare(gdb: Frame[][], lab: Frame[][], programNames: Set<string>): void {
  assert.equal(lab.length, gdb.length, "as many hits as gdb has stops");
  gdb.forEach((g, i) => {
    const lost = g.findIndex((f) => f.name === "??");
    const want = lost >= 0 ? g.slice(0, lost) : g;
    const mainAt = lab[i]!.findIndex((f) => f.name === "main");
    const got = mainAt >= 0 ? lab[i]!.slice(0, mainAt + 1) : lab[i]!;
    assert.equal(got.length, want.length, `stop ${i}: gdb ${names(want)}\n  ours ${names(lab[i]!)}`);
    want.forEach((w, j) => {
      const o = got[j]!;
      assert.equal(pageOff(o), pageOff(w), `stop ${i} frame ${j}: gdb ${w.name} 0x${w.addr.toString(16)}, ours ${o.name} 0x${o.addr.toString(16)}`);
      if (programNames.has(w.name)) assert.equal(o.name, w.name, `stop ${i} frame ${j}`);
    });
  });
}

const PROGRAM = new Set(["leaf", "mid", "top", "cmp", "main"]);

describe("ustack(cfi) against gdb's bt, -O2 -fomit-frame-pointer", () => {
  test("gcc, dynamically linked: main -> top -> mid -> leaf, and qsort -> glibc's msort frames -> cmp -> leaf", () => {
    const bin = buildWith("gcc", SRC, ["-O2", "-fomit-frame-pointer"], "cfi-chain");
    const gdb = gdbStacks(bin);
    const lab = labStacks(bin);
    assert.equal(lab.stdout, "1152 1\n");
    compare(gdb, lab.cfi, PROGRAM);
    // the chains the source makes, by name: three through top and mid, three through qsort's frames in libc
    const viaTop = lab.cfi.filter((s) => names(s).startsWith("leaf <- mid <- top <- main"));
    const viaQsort = lab.cfi.filter((s) => s[1]?.name === "cmp" && s.some((f) => f.name === "qsort_r") && s.some((f) => f.name === "main"));
    assert.equal(viaTop.length, 3);
    assert.equal(viaQsort.length, 3);
    // past main: into libc's start code, ending at _start (whose CFI marks the return address undefined)
    for (const s of lab.cfi) assert.equal(s[s.length - 1]!.name, "_start", names(s));
    // frame pointers see none of it: the walk from rbp (a general register at -O2) stops at once
    for (const s of lab.fp) assert.ok(!s.some((f) => f.name === "main"), `fp: ${names(s)}`);
  });

  test("musl static: the chain to main; at musl's qsort (no CFI in musl's libc) the walk stops where gdb loses the frame", () => {
    const bin = buildWith("musl-gcc", SRC, ["-static", "-O2", "-fomit-frame-pointer"], "cfi-chain-musl");
    const gdb = gdbStacks(bin);
    const lab = labStacks(bin);
    compare(gdb, lab.cfi, PROGRAM);
    assert.equal(lab.cfi.filter((s) => names(s).startsWith("leaf <- mid <- top <- main")).length, 3);
    const sorted = lab.cfi.filter((s) => s[1]?.name === "cmp");
    assert.ok(sorted.length > 0 && sorted.every((s) => s[2]?.name === "sift" && s.length === 3), sorted.map(names).join("\n"));
    assert.ok(gdb.some((g) => g.some((f) => f.name === "??")), "gdb guesses past sift into garbage, where we stop");
  });
});
