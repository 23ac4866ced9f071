// Threads, fork and exec (issue 11, docs/threads.md): the corpus of test/corpus/threads
// against native runs (glibc dynamic, musl static, C++), the deterministic scheduler, the
// limits (deadlock, --max-tasks), and the per-task uprobe state (XOL slot waits, per-thread
// and per-process hits).

import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { runSpec, type ProbeRun } from "../../lab/probe-run.js";
import type { RunSpec } from "../../lab/run-spec.js";
import { buildWith, requireMusl, runCli, runEmulated, runNative } from "../helpers.js";
import { sameAsNative } from "./threads-native.js";

const DIR = path.join(PROJECT_ROOT, "test", "corpus", "threads");
const src = (name: string, ext = "c"): string => path.join(DIR, `${name}.${ext}`);

/** Programs whose output and status do not depend on the interleaving: compared with native runs. */
const CORPUS = ["mutex", "condvar", "barrier", "tls", "cancel", "signals", "sigwait", "many", "forkwait", "pipe", "forkexec", "vfork", "clonevm", "forkshare", "dup2wake", "eventfd", "pgrp", "timerfd", "signalfd"];

const glibc = (name: string): string => buildWith("gcc", src(name), ["-O0", "-pthread"], `thr-${name}-dyn`);
const musl = (name: string): string => buildWith("musl-gcc", src(name), ["-static", "-O0"], `thr-${name}-musl`);

const differential = (bin: string): void => sameAsNative(bin);

describe("threads corpus, gcc -O0 -pthread (glibc 2.36, dynamic): emulator vs native", () => {
  for (const name of CORPUS) test(name, () => differential(glibc(name)));
});

describe("threads corpus, musl-gcc -static -O0: emulator vs native", () => {
  requireMusl();
  for (const name of CORPUS) test(name, () => differential(musl(name)));
});

describe("threads corpus, C++ std::thread, std::async, std::atomic: emulator vs native", () => {
  test("g++ -O2 -pthread (libstdc++ dynamic)", () => differential(buildWith("g++", src("thread", "cpp"), ["-O2", "-pthread"], "thr-cpp-dyn")));
  test("g++ -O0 -static -pthread", () => differential(buildWith("g++", src("thread", "cpp"), ["-O0", "-static", "-pthread"], "thr-cpp-static")));
});

async function probeRun(bin: string, program: string, extra: Partial<RunSpec> = {}): Promise<ProbeRun> {
  return runSpec({ binary: bin, program, ...extra });
}

describe("the scheduler", () => {
  const interleave = (): string => glibc("interleave");

  test("two runs are byte-identical; --cpus changes the interleaving", () => {
    const a = runEmulated(interleave(), []);
    const b = runEmulated(interleave(), []);
    assert.equal(a.status, 0);
    assert.equal(a.stdout, b.stdout);
    const one = runEmulated(interleave(), [], "", {}, { cpus: 1 });
    const two = runEmulated(interleave(), [], "", {}, { cpus: 2 });
    assert.notEqual(one.stdout, two.stdout, "one CPU and two CPUs interleave differently");
    // one CPU: each thread runs whole quanta, so the order has few runs; two CPUs alternate finely
    const runs = (s: string): number => Number(/runs=(\d+)/.exec(s)![1]);
    assert.ok(runs(one.stdout) < runs(two.stdout), `${runs(one.stdout)} runs on one CPU, ${runs(two.stdout)} on two`);
  });

  test("probes, emulation on or off, the generation and the cost profile do not change the interleaving", async () => {
    const bare = runEmulated(interleave(), []).stdout;
    const program = "uprobe:BIN:record { @e = count(); } uretprobe:BIN:record { @r = count(); } uprobe:BIN:run { @t[tid] = count(); }".replaceAll("BIN", interleave());
    for (const [kernel, emulation, cost] of [["6.18", true, undefined], ["6.18", false, undefined], ["6.11", true, undefined], ["4.16", false, undefined], ["3.10", true, undefined], ["6.18", true, "seed-2017-x86_64"]] as const) {
      const r = await probeRun(interleave(), program, { kernel, emulation, cost });
      assert.equal(r.stdout, bare, `kernel ${kernel}, emulation ${emulation}, cost ${cost ?? "default"}`);
      assert.equal(r.probes.find((p) => p.kind === "uprobe" && p.symbol === "record")!.hits, 3 * 4000);
    }
  });

  test("a deadlock ends the run with one line naming each task and where it waits", () => {
    const r = runCli(["exec", glibc("deadlock")]);
    assert.equal(r.status, 124);
    assert.equal(r.stdout, "");
    // comm is the file name cut to 15 bytes (TASK_COMM_LEN)
    assert.match(r.stderr.trim(), /^uprobe-lab: thr-deadlock-dy: stopped: deadlock: every task is blocked and no timer is pending: thr-deadlock-dy\[\d+\] in futex 0x[0-9a-f]+ at 0x[0-9a-f]+; thr-deadlock-dy\[\d+\] in futex 0x[0-9a-f]+ at 0x[0-9a-f]+$/);
  });

  test("a fork bomb stops at --max-tasks with a clear error", () => {
    const r = runCli(["exec", "--max-tasks", "16", glibc("forkbomb")]);
    assert.equal(r.status, 124);
    assert.match(r.stderr, /task limit of 16 reached \(--max-tasks\): thr-forkbomb-dy\[\d+\] called clone/);
    assert.doesNotMatch(r.stderr, /at .*\.js/, "no stack trace");
  });

  test("--cpus and --max-tasks reject bad values in one line", () => {
    const r = runCli(["exec", "--cpus", "0", glibc("mutex")]);
    assert.notEqual(r.status, 0);
    assert.notEqual(r.status, 70);
    assert.equal(r.stderr.trim().split("\n").length, 1);
    assert.match(r.stderr, /--cpus: 0 is not a whole number from 1 to 64/);
  });
});

describe("per-task uprobe state", () => {
  test("tid, pid and comm are per task; the --json stats break hits down by thread", async () => {
    const bin = glibc("mutex");
    const r = await probeRun(bin, `uprobe:${bin}:work { @[tid] = count(); @p[pid, comm] = count(); }`);
    assert.equal(r.status, 0);
    const tids = Object.keys(r.mapsJson.find((m) => "@" in m.data)!.data["@"] as Record<string, number>);
    assert.equal(tids.length, 4, "four threads");
    const byPid = r.mapsJson.find((m) => "@p" in m.data)!.data["@p"] as Record<string, number>;
    assert.deepEqual(Object.values(byPid), [4], "one process (tgid) for all four threads");
    assert.deepEqual(Object.keys(r.probes[0]!.tasks ?? {}).sort(), [...tids].sort());
  });

  test("children's hits are counted under their own pid, as bpftrace -c counts them", async () => {
    const bin = glibc("forkwait");
    const r = await probeRun(bin, `uprobe:${bin}:child_work { @[pid] = count(); }`);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, runNative(bin, []).stdout);
    const pids = r.mapsJson.find((m) => "@" in m.data)!.data["@"] as Record<string, number>;
    // four children call child_work (the fifth raises SIGTERM first), and the parent once
    assert.equal(Object.keys(pids).length, 5);
    assert.equal(r.probes[0]!.hits, 5);
  });

  test("fork + exec of itself: the new image gets its probes at mmap", async () => {
    const bin = musl("forkexec");
    const r = await probeRun(bin, `uprobe:${bin}:work { @[pid] = count(); }`);
    assert.equal(r.stdout, runNative(bin, []).stdout);
    assert.equal(Object.keys(r.mapsJson.find((m) => "@" in m.data)!.data["@"] as Record<string, number>).length, 2, "parent and exec'd child");
  });

  test("vfork and clone(CLONE_VM) children: hits under their own pid on the parent's mm, one XOL area", async () => {
    for (const bin of [glibc("vfork"), musl("vfork")]) {
      const program = `uprobe:${bin}:clone_child { @c[pid] = count(); } uretprobe:${bin}:clone_child { @r[pid] = count(); } uprobe:${bin}:work { @w[pid] = count(); } uprobe:${bin}:main { @m[pid] = count(); } uretprobe:${bin}:spawn { @s[pid] = count(); }`;
      // emulation off: the CLONE_VM child steps out of line in the area its parent's mm holds
      const r = await probeRun(bin, program, { emulation: false });
      assert.equal(r.status, 0, bin);
      assert.equal(r.stdout, runNative(bin, []).stdout, bin);
      const map = (name: string): Record<string, number> => r.mapsJson.find((m) => name in m.data)!.data[name] as Record<string, number>;
      const [parent, spawned] = Object.keys(map("@m"));
      assert.ok(parent !== undefined && spawned !== undefined, "main runs in the parent and in the exec'd posix_spawn child");
      const [child] = Object.keys(map("@c"));
      assert.ok(child !== parent && child !== spawned, "the CLONE_VM child is a process of its own");
      assert.deepEqual(map("@c"), { [child!]: 1 });
      assert.deepEqual(map("@r"), { [child!]: 1 }, "its return goes through the trampoline of the shared XOL area");
      assert.deepEqual(map("@w"), { [spawned!]: 2 }, "the exec'd image gets its probes at mmap");
      // the posix_spawn child copies the parent's return instance of spawn (dup_utask) and drops it at exec
      assert.deepEqual(map("@s"), { [parent]: 2 }, "spawn returns twice, in the parent only");
    }
  });

  test("--max-mem counts an mm shared by a vfork child once", () => {
    const bin = musl("vforkmem");
    const native = runNative(bin, []);
    // the parent has 8 MiB resident when it vforks: 16 MiB if the child's mm were a copy
    const shared = runCli(["exec", "--max-mem", "12M", bin]);
    assert.equal(shared.stdout, native.stdout);
    assert.equal(shared.status, 0, shared.stderr);
    const tight = runCli(["exec", "--max-mem", "6M", bin]);
    assert.equal(tight.status, 124);
    assert.match(tight.stderr, /memory limit of 6291456 bytes/);
  });

  test("6.18: a forked child reaching an optimized nop5 site calls the trampoline page it did not inherit", async () => {
    const bin = musl("forknop5");
    assert.equal(runNative(bin, []).stdout, "child exited 0\n");
    const program = `uprobe:${bin}:site { @[pid] = count(); }`;
    const r618 = await probeRun(bin, program, { kernel: "6.18" });
    assert.equal(r618.stdout, "child killed by signal 11\n", "observed on 6.18.44: SIGSEGV at the trampoline address");
    assert.equal(r618.probes[0]!.path, "optimized");
    const r611 = await probeRun(bin, program, { kernel: "6.11" });
    assert.equal(r611.stdout, "child exited 0\n", "before the nop5 optimization the child's int3 is handled");
    assert.equal(r611.probes[0]!.hits, 3);
  });

  test("64 threads stepping out of line at once: tasks wait for an XOL slot, every hit still counts", async () => {
    const bin = musl("many");
    // a one-instruction quantum preempts a task between its int3 and its step: slots fill up
    const r = await probeRun(bin, `uprobe:${bin}:hot { @[tid] = count(); }`, { emulation: false, quantum: 1 });
    assert.equal(r.stdout, runNative(bin, []).stdout);
    const p = r.probes[0]!;
    assert.equal(p.hits, 64 * 50);
    assert.equal(p.traps.single_step, 64 * 50);
    assert.ok((p.xol_waits ?? 0) > 0, "some steps waited for a slot");
    assert.equal(Object.keys(p.tasks ?? {}).length, 64);
  });

  test("a thread faults while the others step out of line: the process dies of SIGSEGV, as natively", async () => {
    const bin = musl("fault");
    const native = runNative(bin, []);
    assert.equal(native.status, 139);
    const r = await probeRun(bin, `uprobe:${bin}:hot { @ = count(); }`, { emulation: false });
    assert.equal(r.status, 139);
    assert.equal(r.signal, "SIGSEGV");
    assert.match(r.report ?? "", /killed by SIGSEGV \(SEGV_MAPERR, address 0x0\)/);
  });
});
