// The seed experiment (Linux e7ed9d9bd037, "uprobes/x86: Emulate push insns
// for uprobe on x86"): its own test program, the x86_64 table reproduced in
// trap counts (exact) and virtual latency (within 5%) under the fitted
// seed-2017-x86_64 profile, on the release that first had push emulation.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runProbes } from "./run.js";
import { seedTableTests, usPerCall } from "./seed-table.js";

describe("seed table (4.16, seed-2017-x86_64)", () => {
  seedTableTests({
    bin: "push-O0", kernel: "4.16", cost: "seed-2017-x86_64", frameReg: "%rbp",
    seed: { uprobe: { on: 1.55, off: 3.1 }, uretprobe: { on: 2.0, off: 3.6 } },
  });
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
