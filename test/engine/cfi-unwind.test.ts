// ustack(cfi), the .eh_frame unwinder, against gdb's `bt` at the same
// function of the same binary (test/engine/cfi/chain.c, -O2
// -fomit-frame-pointer), for a dynamically linked gcc build (the qsort
// callback's chain passes through glibc's frames) and a musl static one (musl
// builds its libc without unwind tables, so both stop at its qsort: gdb
// guesses on into garbage, we stop cleanly). The frame-pointer ustack of the
// same hits is the truncated one bpftrace shows.
//
// gdb runs live (batch mode, ASLR off, debuginfod off) and without separate
// debug files (libc6-dbg would give it inline and tail-call frames, which
// are not on the machine stack): so it unwinds by .eh_frame and names frames
// by the files' own symbols, as we do. Addresses differ between gdb's process
// and ours (each maps libraries elsewhere), so frames are compared by the
// offset in their page (mappings are page-aligned) and by name (gdb's `??`
// is our bare address). gdb's `<signal handler called>` is the signal
// trampoline's frame. gdb stops at main, so our stacks are cut there too.

import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
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

/** A frame gdb has lost (an address in no file: it guessed past code without CFI). */
const LOST = "(lost)";
const SIGNAL = "<signal handler called>";

/** gdb's frames at each stop of the breakpoint. */
function gdbStacks(bin: string, brk = "break leaf if $rdi == 2", setup: string[] = []): Frame[][] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cfi-gdb-"));
  const script = path.join(dir, "bt.gdb");
  fs.writeFileSync(
    script,
    ["set pagination off", "set confirm off", "set debuginfod enabled off", `set debug-file-directory ${dir}`, "set startup-with-shell off", ...setup, brk, "commands", "bt", "continue", "end", "run", ""].join("\n"),
  );
  const r = spawnSync("gdb", ["-batch", "-nx", "-x", script, bin], { encoding: "utf8", timeout: 120_000 });
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(r.error, undefined, `gdb did not run (apt-get install gdb): ${String(r.error)}`);
  const stacks: Frame[][] = [];
  for (const line of r.stdout.split("\n")) {
    const m = /^#(\d+)\s+(?:0x([0-9a-f]+) in (\S+)(.*)|(<signal handler called>))/.exec(line);
    if (!m) continue;
    if (m[1] === "0") stacks.push([]);
    const f: Frame = m[5] ? { addr: -1n, name: SIGNAL } : { addr: BigInt("0x" + m[2]), name: m[3] === "??" && !m[4]!.includes(" from ") ? LOST : m[3]! };
    stacks[stacks.length - 1]!.push(f);
  }
  assert.ok(stacks.length > 0, `gdb stopped nowhere:\n${r.stdout}\n${r.stderr}`);
  return stacks;
}

/** Our stacks at the same hits, in perf mode (`ADDR sym+off (FILE)` per frame), by both unwinders. */
function labStacks(bin: string, filter = "/arg0 == 2/"): { cfi: Frame[][]; fp: Frame[][]; stdout: string } {
  const io = new BufferIo();
  const out: string[] = [];
  const program = `uprobe:${bin}:leaf ${filter} { printf("cfi%s\\nfp%s\\n", ustack(cfi, perf), ustack(perf)); }`;
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

/** gdb's stack up to main (or to where it lost the frame), and ours cut to the same point: the same frames, by page offset and name. */
function compare(gdb: Frame[][], lab: Frame[][]): void {
  assert.equal(lab.length, gdb.length, "as many hits as gdb has stops");
  gdb.forEach((g, i) => {
    const lost = g.findIndex((f) => f.name === LOST);
    const want = lost >= 0 ? g.slice(0, lost) : g;
    const mainAt = lab[i]!.findIndex((f) => f.name === "main");
    const got = mainAt >= 0 ? lab[i]!.slice(0, mainAt + 1) : lab[i]!;
    assert.equal(got.length, want.length, `stop ${i}: gdb ${names(want)}\n  ours ${names(lab[i]!)}`);
    want.forEach((w, j) => {
      const o = got[j]!;
      const where = `stop ${i} frame ${j}: gdb ${w.name} 0x${w.addr.toString(16)}, ours ${o.name} 0x${o.addr.toString(16)}`;
      if (w.name === SIGNAL) return; // the trampoline's frame: gdb prints no address for it
      assert.equal(pageOff(o), pageOff(w), where);
      // gdb's ?? is our bare address, or, with libc6-dbg installed, the local function its detached
      // debug file names (we read it as bcc does for bpftrace; gdb here does not)
      if (w.name === "??") assert.match(o.name, /^(?:0x[0-9a-f]+|[A-Za-z_][\w.]*)$/, where);
      else assert.equal(o.name, w.name, where);
    });
  });
}

describe("ustack(cfi) against gdb's bt, -O2 -fomit-frame-pointer", () => {
  test("gcc, dynamically linked: main -> top -> mid -> leaf, and qsort -> glibc's msort frames -> cmp -> leaf", () => {
    const bin = buildWith("gcc", SRC, ["-O2", "-fomit-frame-pointer"], "cfi-chain");
    const gdb = gdbStacks(bin);
    const lab = labStacks(bin);
    assert.equal(lab.stdout, "1152 1\n");
    compare(gdb, lab.cfi);
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

  test("at a uretprobe: the stack from the return address on, the entry's stack without its first frame", () => {
    const bin = buildWith("gcc", SRC, ["-O2", "-fomit-frame-pointer"], "cfi-chain");
    const out: string[] = [];
    const program = `uprobe:${bin}:leaf { @e[tid] = ustack(cfi); } uretprobe:${bin}:leaf { printf("E%sR%s---\\n", @e[tid], ustack(cfi)); }`;
    const s = new Session({ binary: bin, program, io: new BufferIo(), programOutput: (t) => void out.push(t) });
    assert.equal(s.run().status, 0);
    const frames = (t: string): string[] => t.split("\n").map((l) => l.trim()).filter(Boolean);
    const pairs = out.join("").split("---\n").filter(Boolean).map((r) => /^E([^]*)R([^]*)$/.exec(r)!);
    assert.equal(pairs.length, 55, "every call of leaf returned (48 through top, 7 through qsort)");
    for (const [, e, r] of pairs) {
      assert.equal(frames(e!)[0], "leaf+0");
      assert.deepEqual(frames(r!), frames(e!).slice(1));
    }
  });

  test("pending uretprobes: the trampoline's address on the stack is put back, by the CFI walk always, by the frame-pointer walk since 6.11", () => {
    const out = (bin: string, program: string, kernel?: string): string => {
      const o: string[] = [];
      const s = new Session({ binary: bin, program, kernel, io: new BufferIo(), programOutput: (t) => void o.push(t) });
      assert.equal(s.run().status, 0);
      return s.mapsText();
    };
    const o2 = buildWith("gcc", SRC, ["-O2", "-fomit-frame-pointer"], "cfi-chain");
    const rets = `uretprobe:${o2}:mid { @r = count(); } uretprobe:${o2}:top { @t = count(); }`;
    const cfi = out(o2, `uprobe:${o2}:leaf /arg0 == 2/ { @[ustack(cfi)] = count(); } ${rets}`);
    assert.match(cfi, /@\[\n {4}leaf\+0\n {4}mid\+\d+\n {4}top\+\d+\n {4}main\+\d+\n(?: {4}\S+\n){2} {4}_start\+\d+\n\]: 2/, cfi);
    assert.ok(!/0x7fffffffe000/.test(cfi), "no trampoline address in the CFI stacks");
    // frame pointers (-O0): the 6.11 fixup per generation
    const o0 = buildWith("gcc", SRC, ["-O0", "-fno-omit-frame-pointer"], "cfi-chain-O0");
    const fp = (k: string): string => out(o0, `uprobe:${o0}:leaf /arg0 == 2/ { @[ustack(3)] = count(); } uretprobe:${o0}:mid { @r = count(); }`, k);
    assert.match(fp("6.18"), /@\[\n {4}leaf\+0\n {4}mid\+\d+\n {4}top\+\d+\n\]: 2/);
    assert.match(fp("6.2"), /@\[\n {4}leaf\+0\n {4}0x[0-9a-f]+\n {4}main\+\d+\n\]: 3/, "before 6.11: the caller missing at entry, and the trampoline's address where mid's return was");
  });

  test("an i386 program (gcc -m32, PIE, dynamically linked): 32-bit CFI, esp/ebp/eip and 4-byte words", () => {
    const bin = buildWith("gcc", SRC, ["-m32", "-O2", "-fomit-frame-pointer"], "cfi-chain-m32");
    // the program's functions by link-time address (nm), to name our frames by the load bias leaf's entry gives
    const syms = execFileSync("nm", [bin], { encoding: "utf8" }).split("\n").map((l) => l.split(" ")).filter((w) => w.length === 3 && /^[tT]$/.test(w[1]!)).map((w) => ({ addr: BigInt("0x" + w[0]), name: w[2]! })).sort((a, b) => (a.addr < b.addr ? -1 : 1));
    const out: string[] = [];
    const s = new Session({ binary: bin, program: `uprobe:${bin}:leaf { printf("%s---\\n", ustack(cfi, perf)); }`, io: new BufferIo(), programOutput: (t) => void out.push(t) });
    assert.equal(s.run().status, 0);
    const stacks = out.join("").split("---\n").filter(Boolean).map((t) => [...t.matchAll(/^\t([0-9a-f]+) /gm)].map((m) => BigInt("0x" + m[1])));
    const bias = stacks[0]![0]! - syms.find((x) => x.name === "leaf")!.addr;
    const nameOf = (a: bigint): string => {
      const link = a - bias;
      const f = syms.filter((x) => x.addr <= link).at(-1);
      return f && link - f.addr < 0x200n ? f.name : "?";
    };
    const chains = stacks.map((st) => st.map(nameOf).filter((n) => n !== "?").join(" <- "));
    assert.equal(chains.filter((c) => c.startsWith("leaf <- mid <- top <- main")).length, 48, chains.join("\n"));
    assert.equal(chains.filter((c) => c.startsWith("leaf <- cmp <- ")).length, 7, "through glibc's qsort (its frames are not the program's)");
    assert.ok(stacks.every((st) => st.some((a) => nameOf(a) === "main")), "every stack reaches main");
  });

  test("musl static: the chain to main; at musl's qsort (no CFI in musl's libc) the walk stops where gdb loses the frame", () => {
    const bin = buildWith("musl-gcc", SRC, ["-static", "-O2", "-fomit-frame-pointer"], "cfi-chain-musl");
    const gdb = gdbStacks(bin);
    const lab = labStacks(bin);
    compare(gdb, lab.cfi);
    assert.equal(lab.cfi.filter((s) => names(s).startsWith("leaf <- mid <- top <- main")).length, 3);
    const sorted = lab.cfi.filter((s) => s[1]?.name === "cmp");
    assert.ok(sorted.length > 0 && sorted.every((s) => s[2]?.name === "sift" && s.length === 3), sorted.map(names).join("\n"));
    assert.ok(gdb.some((g) => g.some((f) => f.name === LOST)), "gdb guesses past sift into garbage, where we stop");
  });

  test("through a signal frame: leaf in a SIGUSR1 handler, back through __restore_rt into raise, work and main", () => {
    const bin = buildWith("gcc", path.join(PROJECT_ROOT, "test", "engine", "cfi", "signal.c"), ["-O2", "-fomit-frame-pointer"], "cfi-signal");
    const gdb = gdbStacks(bin, "break leaf", ["handle SIGUSR1 nostop noprint pass"]);
    const lab = labStacks(bin, "");
    assert.equal(lab.stdout, "4960\n");
    assert.ok(gdb[0]!.some((f) => f.name === SIGNAL), names(gdb[0]!));
    compare(gdb, lab.cfi);
    // past main: glibc's start code (its __libc_start_call_main is a local, unnamed symbol) to _start
    assert.match(names(lab.cfi[0]!.slice(-6)), /^raise <- work <- main <- (?:0x[0-9a-f]+|__libc_start_call_main) <- __libc_start_main <- _start$/);
  });
});
