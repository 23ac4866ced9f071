// The seed's x86_32 table (Linux e7ed9d9bd037): push.c built `gcc -m32 -O0` (samples/bin/
// push-m32-O0, test() starts with push %ebp) on an i386 4.16 kernel with the fitted
// seed-2017-x86_32 profile: trap counts exact, latency within 5% of the commit's figures. And
// why an i386 kernel: on a 64-bit kernel before 5.3 the same probes kill the compat task
// (sizeof_long() was 8 at trap time: FACT_SOURCES.compatWordSize), from 5.3 they work.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { firstNumber, runProbes, trapsPerHit } from "../uprobes/run.js";

const SEED_X86_32 = { uprobe: { on: 1.41, off: 3.5 }, uretprobe: { on: 1.75, off: 4.0 } };
const BIN = "push-m32-O0";
const KERNEL = "4.16-x86_32";

function usPerCall(stdout: string): number {
  return firstNumber(stdout) / 1e6;
}

describe("seed x86_32 table (4.16-x86_32, seed-2017-x86_32, push-m32-O0)", () => {
  for (const emulation of [true, false]) {
    const col = emulation ? "on" : "off";
    test(`uprobe on push %ebp, emulation ${col}: ${emulation ? 1 : 2} trap(s) per hit`, () => {
      const o = runProbes(BIN, "probe test:0 < count++ >", { kernel: KERNEL, emulation, cost: "seed-2017-x86_32" });
      assert.equal(o.status, 0, o.report);
      const p = o.probes["probe test:0"]!;
      assert.equal(p.hits, 1_000_000);
      assert.equal(p.path, emulation ? "emulated" : "xol");
      assert.equal(p.traps.int3, 1_000_000);
      assert.equal(p.traps.single_step, emulation ? 0 : 1_000_000);
      assert.equal(trapsPerHit(p), emulation ? 1 : 2);
      const us = usPerCall(o.stdout);
      const want = SEED_X86_32.uprobe[col];
      assert.ok(Math.abs(us - want) / want < 0.05, `${us} us vs the seed's ${want} us`);
    });
    test(`uretprobe on test, emulation ${col}: ${emulation ? 2 : 3} traps per call`, () => {
      const o = runProbes(BIN, "retprobe test < count++ >", { kernel: KERNEL, emulation, cost: "seed-2017-x86_32" });
      assert.equal(o.status, 0, o.report);
      const p = o.probes["retprobe test"]!;
      assert.equal(p.hits, 1_000_000);
      assert.equal(p.traps.uret_trap, 1_000_000);
      assert.equal(p.traps.uretprobe_syscall, 0);
      assert.equal(trapsPerHit(p), emulation ? 2 : 3);
      const us = usPerCall(o.stdout);
      const want = SEED_X86_32.uretprobe[col];
      assert.ok(Math.abs(us - want) / want < 0.05, `${us} us vs the seed's ${want} us`);
    });
  }

  test("a compat task on a 64-bit 4.16: the emulated push %ebp writes 8 bytes and test() returns to 0", () => {
    const o = runProbes(BIN, "probe test:0 < count++ >", { kernel: "4.16", cost: "seed-2017-x86_32" });
    assert.equal(o.status, 139, o.report);
    assert.match(o.report ?? "", /SIGSEGV.*address 0x0\b/);
    assert.equal(o.probes["probe test:0"]!.hits, 1);
  });

  test("a compat task on a 64-bit 4.16, out of line: the uretprobe hijack swaps 8 bytes and the return lands above 4 GiB", () => {
    const o = runProbes(BIN, "retprobe test < count++ >", { kernel: "4.16", emulation: false });
    assert.equal(o.status, 139, o.report);
    assert.match(o.report ?? "", /SIGSEGV/);
  });

  for (const kernel of ["5.3", "6.18"]) {
    test(`a compat task on ${kernel}: 4-byte words, the seed's trap counts, the int3 trampoline (no uretprobe syscall)`, () => {
      const u = runProbes(BIN, "probe test:0 < count++ >", { kernel });
      assert.equal(u.status, 0, u.report);
      assert.equal(trapsPerHit(u.probes["probe test:0"]!), 1);
      const r = runProbes(BIN, "retprobe test < count++ >", { kernel });
      assert.equal(r.status, 0, r.report);
      const p = r.probes["retprobe test"]!;
      assert.deepEqual(p.traps, { int3: 1_000_000, single_step: 0, uret_trap: 1_000_000, uprobe_syscall: 0, uretprobe_syscall: 0 });
    });
  }
});
