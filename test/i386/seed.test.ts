// The seed's x86_32 table (Linux e7ed9d9bd037): push.c built `gcc -m32 -O0` (samples/bin/
// push-m32-O0, test() starts with push %ebp) on an i386 4.16 kernel with the fitted
// seed-2017-x86_32 profile: trap counts exact, latency within 5% of the commit's figures. And
// why an i386 kernel: on a 64-bit kernel before 5.3 the same probes kill the compat task
// (sizeof_long() was 8 at trap time: FACT_SOURCES.compatWordSize), from 5.3 they work.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runProbes, trapsPerHit } from "../uprobes/run.js";
import { seedTableTests } from "../uprobes/seed-table.js";

const BIN = "push-m32-O0";

describe("seed x86_32 table (4.16-x86_32, seed-2017-x86_32, push-m32-O0)", () => {
  seedTableTests({
    bin: BIN, kernel: "4.16-x86_32", cost: "seed-2017-x86_32", frameReg: "%ebp",
    seed: { uprobe: { on: 1.41, off: 3.5 }, uretprobe: { on: 1.75, off: 4.0 } },
  });

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
