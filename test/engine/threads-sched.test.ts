// The scheduler's knobs (issue 11, docs/threads.md §3): --quantum on the command line,
// validated; only --cpus and --quantum change the interleaving; affinity pins tasks to CPUs.

import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { buildWith, requireMusl, runCli, runEmulated, runNative } from "../helpers.js";

const DIR = path.join(PROJECT_ROOT, "test", "corpus", "threads");
const glibc = (name: string): string => buildWith("gcc", path.join(DIR, `${name}.c`), ["-O0", "-pthread"], `thr-${name}-dyn`);

describe("--quantum", () => {
  test("changes the interleaving; the same quantum gives byte-identical runs; run takes it too", () => {
    // three threads on two CPUs: the quantum decides when the third one gets a CPU
    const bin = glibc("interleave");
    const dflt = runCli(["exec", "--cpus", "2", bin]);
    const explicit = runCli(["exec", "--cpus", "2", "--quantum", "100000", bin]);
    const small = runCli(["exec", "--cpus", "2", "--quantum", "5000", bin]);
    const small2 = runCli(["exec", "--cpus", "2", "--quantum", "5000", bin]);
    for (const r of [dflt, explicit, small]) assert.equal(r.status, 0, r.stderr);
    assert.ok(explicit.stdout === dflt.stdout, "the default is 100000");
    assert.ok(small.stdout === small2.stdout, "deterministic");
    assert.ok(small.stdout !== dflt.stdout, "a smaller quantum interleaves differently");
    // one CPU: whole quanta one after the other, so a smaller quantum means more, shorter runs
    const runs = (s: string): number => Number(/runs=(\d+)/.exec(s)![1]);
    const one = runCli(["exec", "--cpus", "1", bin]);
    const oneSmall = runCli(["exec", "--cpus", "1", "--quantum", "5000", bin]);
    assert.ok(runs(oneSmall.stdout) > runs(one.stdout), `${runs(oneSmall.stdout)} runs with 5000, ${runs(one.stdout)} with 100000`);
    const probed = runCli(["run", "--cpus", "2", "--quantum", "5000", "-e", `uprobe:${bin}:record { @ = count(); }`, "--", bin]);
    assert.equal(probed.status, 0, probed.stderr);
    assert.ok(probed.stdout.includes(small.stdout), "probes do not change the interleaving under --quantum either");
  });

  test("rejects bad values in one line", () => {
    for (const v of ["0", "999", "abc", "2000000000"]) {
      const r = runCli(["exec", "--quantum", v, glibc("mutex")]);
      assert.notEqual(r.status, 0);
      assert.notEqual(r.status, 70);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, /--quantum/);
    }
  });
});

describe("CPU affinity", () => {
  const src = path.join(DIR, "affinity.c");
  const check = (bin: string): void => {
    const native = runNative(bin, []);
    for (const cpus of [2, 4]) {
      const emu = runEmulated(bin, [], "", {}, { cpus });
      assert.equal(emu.stdout, native.stdout, `--cpus ${cpus}`);
      assert.equal(emu.status, native.status);
    }
    assert.match(native.stdout, /thread 3 pinned to CPU 1: always there yes/);
  };
  test("pinned threads stay on their CPU and sched_getcpu says so (glibc)", () => check(glibc("affinity")));
  test("musl-gcc -static", () => {
    requireMusl();
    check(buildWith("musl-gcc", src, ["-static", "-O0"], "thr-affinity-musl"));
  });
});

describe("--sched probe-cost", () => {
  test("off by default; on, probe costs delay threads and change the interleaving, deterministically", () => {
    const bin = glibc("interleave");
    const program = `uprobe:${bin}:record { @ = count(); }`;
    const bare = runCli(["exec", "--cpus", "2", bin]).stdout;
    const bareCost = runCli(["exec", "--cpus", "2", "--sched", "probe-cost", bin]).stdout;
    assert.ok(bareCost === bare, "without probes nothing is charged: the same schedule");
    const dflt = runCli(["run", "--cpus", "2", "-e", program, "--", bin]);
    assert.equal(dflt.status, 0, dflt.stderr);
    assert.ok(dflt.stdout.includes(bare), "by default probes do not change the schedule");
    const cost = runCli(["run", "--cpus", "2", "--sched", "probe-cost", "-e", program, "--", bin]);
    const cost2 = runCli(["run", "--cpus", "2", "--sched", "probe-cost", "-e", program, "--", bin]);
    assert.equal(cost.status, 0, cost.stderr);
    assert.ok(!cost.stdout.includes(bare), "with probe-cost the probes' cost changes the interleaving");
    assert.ok(cost.stdout === cost2.stdout, "still deterministic");
    assert.match(cost.stdout, /@: 12000/, "every hit still counts");
  });

  test("rejects an unknown mode in one line", () => {
    const r = runCli(["exec", "--sched", "fast", glibc("mutex")]);
    assert.notEqual(r.status, 0);
    assert.notEqual(r.status, 70);
    assert.equal(r.stderr.trim(), "uprobe-lab: option --sched: fast: expected instructions or probe-cost");
  });
});

describe("orphans", () => {
  test("exec runs them to their end after the program exits (reparented, output shown, the program's status)", () => {
    const bin = glibc("orphan");
    const native = runNative(bin, []);
    const r = runCli(["exec", bin]);
    assert.equal(r.stdout, native.stdout);
    assert.equal(r.status, 3);
    assert.match(r.stdout, /orphan: reparented yes\norphan: done/);
  });
  test("run stops with the traced command, as bpftrace -c does: no orphan hits or output after it", () => {
    const bin = glibc("orphan");
    const r = runCli(["run", "-e", `uprobe:${bin}:main { @ = count(); }`, "--", bin]);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stdout, /parent exits with 3/);
    assert.doesNotMatch(r.stdout, /orphan/);
  });
  test("orphans blocked for good end the run quietly with the program's status", () => {
    // (not run natively: the child would pause forever)
    const prog = `#include <unistd.h>
int main(void) { if (fork() == 0) { pause(); return 1; } return 5; }`;
    const r = runCli(["exec", buildWith("gcc", prog, ["-O0"], "thr-orphanblocked")]);
    assert.equal(r.status, 5);
    assert.equal(r.stderr, "");
  });
});
