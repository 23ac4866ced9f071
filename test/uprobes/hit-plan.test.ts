// Per-site hit plans (engine/uprobes/hit-plan.ts): an emulated hit at a
// planned site runs handle_swbp's common case as straight code. Everything
// observable must be what the general path gives (UPROBE_LAB_HIT_PLAN=0),
// under both tiers: output, maps (text and JSON), the per-probe stats (hits,
// traps, virtual time, per-thread counts), instructions, virtual time, the
// event trace. Sites and programs the plan does not cover must fall back to
// the general path (no plan hit at all), with the same results.

process.env["UPROBE_LAB_JIT_HOT"] = "2";

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadBinary } from "../../engine/binary.js";
import type { Tier } from "../../engine/cpu/jit/tier.js";
import { Machine } from "../../engine/machine.js";
import { BufferIo } from "../../engine/os/host-io.js";
import { HitPlan } from "../../engine/uprobes/hit-plan.js";
import { COST_PROFILES, resolveKernel, Uprobes } from "../../engine/uprobes/index.js";
import { runSpec, type ProbeRun } from "../../lab/probe-run.js";
import type { RunSpec } from "../../lab/run-spec.js";
import { SI_USER, SIGTERM } from "../../engine/os/signals.js";
import { buildC, requireMusl, samplePath } from "../helpers.js";

/** Hits run by a plan (HitPlan.prototype.hit), counted while fn runs. */
async function countPlanHits<T>(fn: () => Promise<T>): Promise<{ r: T; planHits: number }> {
  const orig = HitPlan.prototype.hit;
  let planHits = 0;
  HitPlan.prototype.hit = function (this: HitPlan, ...a: Parameters<HitPlan["hit"]>) {
    planHits++;
    return orig.apply(this, a);
  };
  try {
    return { r: await fn(), planHits };
  } finally {
    HitPlan.prototype.hit = orig;
  }
}

async function runWith(spec: RunSpec, tier: Tier, plan: boolean): Promise<{ run: ProbeRun; planHits: number }> {
  const was = process.env["UPROBE_LAB_HIT_PLAN"];
  process.env["UPROBE_LAB_HIT_PLAN"] = plan ? "1" : "0";
  try {
    const { r, planHits } = await countPlanHits(() => runSpec({ ...spec, tier }));
    return { run: r, planHits };
  } finally {
    if (was === undefined) delete process.env["UPROBE_LAB_HIT_PLAN"];
    else process.env["UPROBE_LAB_HIT_PLAN"] = was;
  }
}

/** Run spec with and without plans under both tiers; all four runs must agree. Returns the plan hits per tier. */
async function same(spec: RunSpec): Promise<{ interp: number; jit: number; run: ProbeRun }> {
  const general = await runWith(spec, "interp", false);
  const want = JSON.stringify(general.run);
  assert.equal(general.planHits, 0, "UPROBE_LAB_HIT_PLAN=0 runs no plan");
  const out = { interp: 0, jit: 0, run: general.run };
  for (const tier of ["interp", "jit"] as const) {
    const planned = await runWith(spec, tier, true);
    assert.equal(JSON.stringify(planned.run), want, `${tier} with plans`);
    out[tier] = planned.planHits;
    if (tier === "jit") assert.equal(JSON.stringify((await runWith(spec, tier, false)).run), want, "jit without plans");
  }
  return out;
}

const PUSH = samplePath("push-O0");
// push-O0: test is push %rbp; mov %rsp,%rbp; nop; pop %rbp; ret, called 1,000,000 times from main's loop
const BOUNDED = { binary: PUSH, maxInsns: 1_500_000 };

describe("hit plans: the same results as the general path, both tiers", () => {
  const sites: [string, string][] = [
    ["push %rbp", "test:0"],
    ["nop (emulated from 6.16)", "test:4"],
    ["call test", "main:0x27"],
    ["jle (jcc)", "main:0x37"],
  ];
  for (const [what, site] of sites) {
    test(`${what} at ${site}: count++, counters, maps`, async () => {
      const r = await same({ ...BOUNDED, program: `probe ${site} < count++; @n = count(); @t = nsecs; @tid[tid] = count() >` });
      const hits = r.run.probes[0]!.hits;
      assert.ok(hits > 100_000, `${hits} hits`);
      assert.equal(r.run.probes[0]!.path, "emulated");
      // the first hit makes the plan; (nearly) every later one runs it
      assert.ok(r.interp >= hits - 3 && r.interp < hits, `${r.interp} of ${hits}`);
      assert.ok(r.jit >= hits - 3 && r.jit < hits, `${r.jit} of ${hits}`);
    });
  }

  test("a profile with stack_write: push and call sites pay it per hit, jcc does not, as on the general path", async () => {
    const kvm = COST_PROFILES["kvm-6.18"]!;
    const cost = { ...kvm, name: "kvm-6.18-sw", costs: { ...kvm.costs, stack_write: 97 } };
    const perHit: Record<string, number> = {};
    for (const site of ["test:0", "main:0x27", "main:0x37"]) {
      const r = await same({ ...BOUNDED, cost, program: `probe ${site} < count++ >` });
      assert.ok(r.interp > 100_000, `${site}: ${r.interp} plan hits`);
      const base = await runSpec({ ...BOUNDED, cost: kvm, program: `probe ${site} < count++ >` });
      const p = r.run.probes[0]!;
      perHit[site] = (p.virtual_ns - base.probes[0]!.virtual_ns) / p.hits; // profile costs are ns
    }
    assert.deepEqual(perHit, { "test:0": 97, "main:0x27": 97, "main:0x37": 0 });
  });

  test("jmp at main:0x20 (one hit: the plan is made, never run) and the whole run to exit", async () => {
    const r = await same({ binary: PUSH, program: "probe main:0x20 < printf(\"jmp %d\\n\", pid) > probe test:0 < @[comm] = count() >" });
    assert.equal(r.run.status, 0);
    assert.equal(r.run.probes.find((p) => p.probe.includes("test"))!.hits, 1_000_000);
  });

  test("a push emulated while the program single-steps itself (TF): the plan sends the SIGTRAP", async () => {
    const r = await same({ binary: samplePath("sigstep-O0"), program: "probe sigstep_probe_push:0 < count++ >" });
    assert.equal(r.run.probes[0]!.hits, 10);
    assert.ok(r.interp === 9 && r.jit === 9, `${r.interp} ${r.jit}`);
  });

  test("deep recursion: pushes onto stack pages not yet written (the inline store falls back to the slow path)", async () => {
    const r = await same({ binary: samplePath("recurse-O0"), program: "probe rec:0 < count++ >" });
    assert.equal(r.run.probes[0]!.hits, 101_000);
    assert.ok(r.interp >= 100_990 && r.jit >= 100_990, `${r.interp} ${r.jit}`);
  });

  test("two consumers on one site, a filter in the program, exit() from a handler", async () => {
    const r = await same({ ...BOUNDED, program: "probe test:0 / pid > 0 / < @a++ > probe test:0 < @b++; if (@b2 == 50000) < exit() > @b2++ >" });
    assert.ok(r.interp > 40_000 && r.jit > 40_000);
    assert.ok(r.run.probes.every((p) => p.hits >= 50_000 && p.hits <= 50_001), JSON.stringify(r.run.probes.map((p) => p.hits)));
  });
});

describe("hit plans: cases that stay on the general path", () => {
  test("--trace: no plan", async () => {
    const r = await same({ ...BOUNDED, program: "probe test:0 < count++ >", traceHits: 5 });
    assert.equal(r.interp + r.jit, 0);
    assert.ok(r.run.trace.length > 0);
  });
  test("a uretprobe on the same function: no plan", async () => {
    const r = await same({ ...BOUNDED, program: "probe test:0 < @e++ > retprobe test < @r++ >" });
    assert.equal(r.interp + r.jit, 0);
  });
  test("out of line (--no-emulation): no plan", async () => {
    const r = await same({ ...BOUNDED, maxInsns: 300_000, emulation: false, program: "probe test:0 < count++ >" });
    assert.equal(r.interp + r.jit, 0);
  });
  test("an optimizable nop5 on 6.18: no plan", async () => {
    const src = "void __attribute__((noinline)) hit(void) { __asm__ volatile (\".byte 0x0f,0x1f,0x44,0x00,0x00\"); }\nint main(void) { for (int i = 0; i < 2000; i++) hit(); return 0; }\n";
    requireMusl();
    const bin = buildC(src, ["-O2"], "nop5plan");
    const r = await same({ binary: bin, program: "probe hit:0 < count++ >" });
    assert.equal(r.run.probes[0]!.path, "optimized");
    assert.equal(r.interp + r.jit, 0);
  });
  test("threads: per-thread hit counts", async () => {
    requireMusl();
    const src = `#include <pthread.h>
void __attribute__((noinline)) work(int i) { __asm__ volatile ("" :: "r"(i)); }
static void *loop(void *a) { for (int i = 0; i < 20000; i++) work(i); return a; }
int main(void) { pthread_t t[3]; for (int i = 0; i < 3; i++) pthread_create(&t[i], 0, loop, 0); loop(0); for (int i = 0; i < 3; i++) pthread_join(t[i], 0); return 0; }
`;
    const bin = buildC(src, ["-O0", "-pthread"], "hitplan-threads");
    const r = await same({ binary: bin, program: "probe work:0 < count++; @[tid] = count() >", quantum: 997 });
    assert.equal(r.run.probes[0]!.hits, 80_000);
    assert.ok(Object.keys(r.run.probes[0]!.tasks ?? {}).length === 4, JSON.stringify(r.run.probes[0]!.tasks));
    assert.ok(r.interp > 70_000);
    // --sched probe-cost: the hits' charged time uses up the quantum, so the plan's charges decide the interleaving
    const pc = await same({ binary: bin, program: "probe work:0 < @[tid] = count() >", quantum: 997, sched: "probe-cost" });
    assert.equal(pc.run.probes[0]!.hits, 80_000);
    assert.ok(pc.interp > 70_000);
  });
});

describe("hit plans: the model's consumers (engine API)", () => {
  /** push-O0, a consumer on test:0 whose handler does what `act` says; results of the run. */
  function engineRun(tier: Tier, plan: boolean, act: (hits: number, up: Uprobes, m: Machine, vaddr: number) => void) {
    const bin = loadBinary(PUSH);
    const up = new Uprobes({ gen: resolveKernel("6.18"), emulation: true, cost: COST_PROFILES["kvm-6.18"]!, hitPlans: plan });
    const io = new BufferIo();
    const m = new Machine(bin, { io, hooks: up, tier });
    let hits = 0;
    const c = up.register(m.kernel.mappedFile(bin.path, bin.bytes), bin.lookup("test")!.fileOffset, {
      name: "entry",
      handler: (ctx) => act(++hits, up, m, ctx.vaddr),
    });
    const r = m.run();
    return JSON.stringify({ hits, stats: { ...c.stats, byTid: [...c.stats.byTid] }, instructions: r.instructions, virtualNs: r.virtualNs, status: r.status, out: io.text(1) });
  }

  function sameEngine(act: (hits: number, up: Uprobes, m: Machine, vaddr: number) => void): void {
    const want = engineRun("interp", false, act);
    for (const tier of ["interp", "jit"] as const) assert.equal(engineRun(tier, true, act), want, tier);
    assert.equal(engineRun("jit", false, act), want, "jit without plans");
  }

  test("a handler that moves ip (6.18 skips the instruction)", () => {
    // every third hit: ip to test's ret (test+6), so neither push nor pop runs: the stack stays balanced
    sameEngine((n, _up, m, vaddr) => {
      if (n % 3 === 0) m.proc.cpu.rip = vaddr + 6;
    });
  });

  test("a signal queued by a handler: the int3 fast path hands the run back at that hit (SIGTERM kills there)", () => {
    // were the fast path to go on after the hit, the task would die later: other instruction counts and virtual time
    sameEngine((n, _up, m) => {
      if (n === 5000) m.kernel.queueSignal(m.proc.onCpu, { signo: SIGTERM, code: SI_USER, addr: 0, forced: false, ip: 0 });
    });
  });

  test("a stop requested by a handler (exit()), at a hit that is not the last of a slice", () => {
    sameEngine((n, _up, m) => {
      if (n === 7777) m.kernel.requestStop("stopped by the test");
    });
  });

  test("a handler that reads the clock: the fast path synced it first", () => {
    const seen: number[] = [];
    const run = (tier: Tier, plan: boolean): string => {
      seen.length = 0;
      return engineRun(tier, plan, (n, _up, m) => {
        if (n % 1000 === 0) seen.push(m.kernel.nowNs());
      }) + seen.join(",");
    };
    const want = run("interp", false);
    assert.ok(seen.length === 1000 && seen[1]! > seen[0]!);
    for (const tier of ["interp", "jit"] as const) assert.equal(run(tier, true), want, tier);
  });

  test("a probe registered and removed from a handler (the consumer list changes)", () => {
    const bin = loadBinary(PUSH);
    let extra: ReturnType<Uprobes["register"]> | undefined;
    sameEngine((n, up, m) => {
      const file = m.kernel.mappedFile(bin.path, bin.bytes);
      if (n === 1000) extra = up.register(file, bin.lookup("test")!.fileOffset, { name: "second", handler: () => {} });
      if (n === 300_000 && extra) up.unregister(extra);
      if (n === 600_000) extra = up.register(file, bin.lookup("test")!.fileOffset + 1, { name: "third", handler: () => {} });
    });
  });
});
