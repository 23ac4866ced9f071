// The seed experiment (Linux e7ed9d9bd037, "uprobes/x86: Emulate push insns
// for uprobe on x86"): its own test program, the x86_64 table reproduced in
// trap counts (exact) and virtual latency (within 5%) under the fitted
// seed-2017-x86_64 profile, on the release that first had push emulation.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { firstNumber, runProbes, trapsPerHit } from "./run.js";

const SEED = { uprobe: { on: 1.55, off: 3.1 }, uretprobe: { on: 2.0, off: 3.6 } };

function usPerCall(stdout: string): number {
  return firstNumber(stdout) / 1e6; // push.c: elapsed microseconds for 1,000,000 calls
}

describe("seed table (4.16, seed-2017-x86_64)", () => {
  for (const emulation of [true, false]) {
    const col = emulation ? "on" : "off";
    test(`uprobe on push %rbp, emulation ${col}`, () => {
      const o = runProbes("push-O0", "probe test:0 < count++ >", { kernel: "4.16", emulation, cost: "seed-2017-x86_64" });
      const p = o.probes["probe test:0"]!;
      assert.equal(p.hits, 1_000_000);
      assert.equal(p.path, emulation ? "emulated" : "xol");
      assert.equal(p.traps.int3, 1_000_000);
      assert.equal(p.traps.single_step, emulation ? 0 : 1_000_000);
      assert.equal(trapsPerHit(p), emulation ? 1 : 2);
      const us = usPerCall(o.stdout);
      const want = SEED.uprobe[col];
      assert.ok(Math.abs(us - want) / want < 0.05, `${us} us vs the seed's ${want} us`);
      assert.match(o.maps, /count: 1000000/);
    });
    test(`uretprobe on test, emulation ${col}`, () => {
      const o = runProbes("push-O0", "retprobe test < count++ >", { kernel: "4.16", emulation, cost: "seed-2017-x86_64" });
      const p = o.probes["retprobe test"]!;
      assert.equal(p.hits, 1_000_000);
      assert.equal(p.traps.uret_trap, 1_000_000, "the return goes through the trampoline's int3 before 6.11");
      assert.equal(p.traps.uretprobe_syscall, 0);
      assert.equal(trapsPerHit(p), emulation ? 2 : 3);
      const us = usPerCall(o.stdout);
      const want = SEED.uretprobe[col];
      assert.ok(Math.abs(us - want) / want < 0.05, `${us} us vs the seed's ${want} us`);
    });
  }
  test("6.18: the return takes the uretprobe syscall instead of a trap", () => {
    const o = runProbes("push-O0", "retprobe test < count++ >", { kernel: "6.18" });
    const p = o.probes["retprobe test"]!;
    assert.equal(p.hits, 1_000_000);
    assert.deepEqual(p.traps, { int3: 1_000_000, single_step: 0, uret_trap: 0, uprobe_syscall: 0, uretprobe_syscall: 1_000_000 });
  });
  test("without probes the loop costs only its instructions", () => {
    const o = runProbes("push-O0", "BEGIN < x = 1 >", { kernel: "4.16", cost: "seed-2017-x86_64" });
    assert.ok(usPerCall(o.stdout) < 0.01);
  });
  test("kvm-6.18 profile: about 0.8 us per emulated hit, 4.3 us out of line", () => {
    const on = usPerCall(runProbes("push-O0", "probe test:0 < count++ >", { cost: "kvm-6.18" }).stdout);
    const off = usPerCall(runProbes("push-O0", "probe test:0 < count++ >", { cost: "kvm-6.18", emulation: false }).stdout);
    assert.ok(Math.abs(on - 0.8) / 0.8 < 0.05, `${on}`);
    assert.ok(Math.abs(off - 4.3) / 4.3 < 0.05, `${off}`);
  });
});
