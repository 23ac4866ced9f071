// Threads, fork and exec in 32-bit (compat) guests (issue 13): the programs of
// test/corpus/threads built `gcc -m32 -O0 -pthread` (dynamic, /lib32's glibc) and
// `gcc -m32 -static -O2 -pthread`, against qemu-i386 (no native reference: this kernel has no
// IA32 emulation); and a per-thread uprobe count in a 32-bit program equal to the 64-bit run's.

import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { runSpec } from "../../lab/probe-run.js";
import { buildWith, runNative } from "../helpers.js";
import { buildI386, hostExecsI386, requireI386Tools, runEmulated, runQemuI386 } from "./helpers.js";

const DIR = path.join(PROJECT_ROOT, "test", "corpus", "threads");
const src = (name: string): string => path.join(DIR, `${name}.c`);

/**
 * Programs whose output does not depend on the interleaving and that qemu-i386 runs deterministically.
 * Not here: interleave (its output is the schedule), deadlock, fault, forkbomb (limits, tested
 * for 64-bit guests), and signals: qemu-user picks the thread for a process-directed signal
 * itself, so it is compared with the x86-64 build on this kernel below.
 */
const CORPUS = ["mutex", "condvar", "barrier", "tls", "cancel", "sigwait", "many", "forkwait", "pipe", "forkexec", "eventfd"];
const BUILDS: [string, string[]][] = [["dyn", ["-O0", "-pthread"]], ["static", ["-static", "-O2", "-pthread"]]];
/** Programs that exec a 32-bit program: qemu-i386 hands execve to the host kernel, which may not run it. */
const EXECS = new Set(["forkexec"]);

describe("threads corpus -m32: emulator vs qemu-i386", () => {
  requireI386Tools();
  for (const [tag, flags] of BUILDS) {
    for (const name of CORPUS) {
      test(`${name} -m32 ${flags.join(" ")}`, () => {
        const bin = buildI386(src(name), flags, `thr-${name}-m32-${tag}`);
        // without IA32 emulation the child's exec fails under qemu (status 127): the x86-64 build, natively, is the reference
        const ref = EXECS.has(name) && !hostExecsI386() ? runNative(buildWith("gcc", src(name), flags, `thr-${name}-${tag}`), []) : runQemuI386(bin, []);
        const emu = runEmulated(bin, []);
        assert.equal(emu.stdout, ref.stdout, "stdout");
        assert.equal(emu.stderr, ref.stderr, "stderr");
        assert.equal(emu.status, ref.status, "exit status");
      });
    }
  }
});

describe("where qemu-i386 is not the reference", () => {
  // pgrp: qemu-i386 hangs re-executing /proc/self/exe; timerfd: qemu-i386 drops unknown timerfd_create flags; signalfd with them
  for (const [name, shape] of [["pgrp", /setsid again: -1 Operation not permitted/], ["timerfd", /timerfd_create\(bad flags\): -1 Invalid argument/], ["signalfd", /epoll_wait: 1 events 0x1 data 5/]] as const) {
    test(`${name}: equal to the x86-64 build's native run`, () => {
      const native = runNative(buildWith("gcc", src(name), ["-O0"], `thr-${name}-dyn`), []);
      assert.match(native.stdout, shape, "the native run is the reference");
      for (const [tag, flags] of BUILDS) {
        const emu = runEmulated(buildI386(src(name), flags, `thr-${name}-m32-${tag}`), []);
        assert.equal(emu.stdout, native.stdout, tag);
        assert.equal(emu.status, native.status, tag);
      }
    });
  }
  test("signals: the thread a process-directed signal goes to is the one the x86-64 build gets natively", () => {
    const native = runNative(buildWith("gcc", src("signals"), ["-O0", "-pthread"], "thr-signals-dyn"), []);
    for (const [tag, flags] of BUILDS) {
      const emu = runEmulated(buildI386(src("signals"), flags, `thr-signals-m32-${tag}`), []);
      assert.equal(emu.stdout, native.stdout, tag);
      assert.equal(emu.status, native.status, tag);
    }
  });
});

const PROG = path.join(PROJECT_ROOT, "test", "i386", "programs", "threadcalls.c");

describe("threadcalls.c -m32: the compat layouts of waitid, wait4, futex, sigtimedwait and the robust list", () => {
  for (const [tag, flags] of BUILDS) {
    test(`vs qemu-i386, ${flags.join(" ")}`, () => {
      const bin = buildI386(PROG, flags, `threadcalls-m32-${tag}`);
      const ref = runQemuI386(bin, []);
      assert.equal(ref.status, 0, ref.stderr);
      const emu = runEmulated(bin, []);
      assert.equal(emu.stdout, ref.stdout);
      assert.equal(emu.status, ref.status);
    });
    test(`robust mutex of a dead thread, ${flags.join(" ")}: EOWNERDEAD as natively, a 12-byte compat head`, () => {
      // qemu-user ignores set_robust_list (its lock would hang): the x86-64 build on this kernel is the reference
      const native = runNative(buildWith("gcc", PROG, ["-O0", "-pthread"], "threadcalls-64"), ["robust"]).stdout.split("\n");
      const emu = runEmulated(buildI386(PROG, flags, `threadcalls-m32-${tag}`), ["robust"]);
      assert.equal(emu.status, 0, emu.stderr);
      const lines = emu.stdout.split("\n");
      assert.equal(lines[0], native[0]);
      assert.equal(native[1], "get_robust_list: 0, head set 1, len 24");
      assert.equal(lines[1], "get_robust_list: 0, head set 1, len 12", "sizeof(struct compat_robust_list_head)");
    });
  }
});

describe("per-thread uprobe counts in a 32-bit program", () => {
  test("@[tid] = count() on a thread function: the same counts per thread as the 64-bit build", async () => {
    const perThread = async (bin: string): Promise<number[]> => {
      const r = await runSpec({ binary: bin, program: `uprobe:${bin}:work { @[tid] = count(); }` });
      assert.equal(r.status, 0, r.stderr);
      const m = r.mapsJson.find((x) => "@" in x.data)!.data["@"] as Record<string, number>;
      return Object.values(m).sort((a, b) => a - b);
    };
    const m32 = await perThread(buildI386(src("mutex"), ["-O0", "-pthread"], "thr-mutex-m32-dyn"));
    const m64 = await perThread(buildWith("gcc", src("mutex"), ["-O0", "-pthread"], "thr-mutex-dyn"));
    assert.equal(m32.length, 4, "four threads");
    assert.deepEqual(m32, m64);
  });
});
