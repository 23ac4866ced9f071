// The seed commit's table check, shared by its x86_64 and x86_32 halves: the four cells
// (uprobe / uretprobe, push emulation on / off) of push.c's probes, with exact trap counts and
// the latency within 5% of the commit's figure.

import assert from "node:assert/strict";
import { test } from "node:test";
import { firstNumber, runProbes, trapsPerHit } from "./run.js";

type Cells = { on: number; off: number };

export interface SeedTable {
  /** The sample binary (push.c built as the commit built it). */
  bin: string;
  kernel: string;
  cost: string;
  /** The commit's figures, us per call. */
  seed: { uprobe: Cells; uretprobe: Cells };
  /** The probed push's register, for the test names: %rbp or %ebp. */
  frameReg: string;
}

/** push.c prints the elapsed microseconds of 1,000,000 probed calls. */
export function usPerCall(stdout: string): number {
  return firstNumber(stdout) / 1e6;
}

function assertNearSeed(us: number, want: number): void {
  assert.ok(Math.abs(us - want) / want < 0.05, `${us} us vs the seed's ${want} us`);
}

/** The four cells as tests (call inside a describe). */
export function seedTableTests(t: SeedTable): void {
  for (const emulation of [true, false]) {
    const col = emulation ? "on" : "off";
    test(`uprobe on push ${t.frameReg}, emulation ${col}: ${emulation ? 1 : 2} trap(s) per hit`, () => {
      const o = runProbes(t.bin, "probe test:0 < count++ >", { kernel: t.kernel, emulation, cost: t.cost });
      assert.equal(o.status, 0, o.report);
      const p = o.probes["probe test:0"]!;
      assert.equal(p.hits, 1_000_000);
      assert.equal(p.path, emulation ? "emulated" : "xol");
      assert.equal(p.traps.int3, 1_000_000);
      assert.equal(p.traps.single_step, emulation ? 0 : 1_000_000);
      assert.equal(trapsPerHit(p), emulation ? 1 : 2);
      assertNearSeed(usPerCall(o.stdout), t.seed.uprobe[col]);
      assert.match(o.maps, /count: 1000000/);
    });
    test(`uretprobe on test, emulation ${col}: ${emulation ? 2 : 3} traps per call`, () => {
      const o = runProbes(t.bin, "retprobe test < count++ >", { kernel: t.kernel, emulation, cost: t.cost });
      assert.equal(o.status, 0, o.report);
      const p = o.probes["retprobe test"]!;
      assert.equal(p.hits, 1_000_000);
      assert.equal(p.traps.uret_trap, 1_000_000, "the return goes through the trampoline's int3");
      assert.equal(p.traps.uretprobe_syscall, 0);
      assert.equal(trapsPerHit(p), emulation ? 2 : 3);
      assertNearSeed(usPerCall(o.stdout), t.seed.uretprobe[col]);
    });
  }
}
