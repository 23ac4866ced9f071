// Compiled code is dropped when the code it came from changes
// (engine/cpu/jit/README.md, "Invalidation"): a guest that rewrites its own
// hot code, toggles code pages with mprotect, or maps other code at the same
// address; and a probe registered (int3 written) and removed while its
// region is hot. Each runs the same under both tiers (and, for the guest
// program, natively).

process.env["UPROBE_LAB_JIT_HOT"] = "2";

import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { loadBinary } from "../../engine/binary.js";
import type { Tier } from "../../engine/cpu/jit/tier.js";
import { Machine } from "../../engine/machine.js";
import { BufferIo } from "../../engine/os/host-io.js";
import { COST_PROFILES, resolveKernel, Uprobes } from "../../engine/uprobes/index.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { buildC, requireMusl, runEmulated, runNative, samplePath } from "../helpers.js";

describe("jit: code that changes while it is hot", () => {
  requireMusl();
  const bin = buildC(path.join(PROJECT_ROOT, "test", "jit", "programs", "smc.c"), ["-O2"], "jit-smc");
  const native = runNative(bin, []);
  test("native run", () => assert.equal(native.status, 0));
  for (const tier of ["interp", "jit"] as Tier[]) {
    test(`rewritten immediates, a loop that rewrites itself, mprotect toggling, munmap + mmap: ${tier} = native`, () => {
      const r = runEmulated(bin, [], "", {}, { tier });
      assert.equal(r.stdout, native.stdout);
      assert.equal(r.status, 0);
      if (tier === "jit") assert.ok(r.machine.proc.cpu.jit!.stats().blocks > 10, "code was compiled");
    });
  }
});

/** push-O0 with a probe on test:0 registered after `before` instructions and removed after `during` more. */
function probeWhileHot(tier: Tier, before: number, during: number) {
  const bin = loadBinary(samplePath("push-O0"));
  const up = new Uprobes({ gen: resolveKernel("6.18"), emulation: true, cost: COST_PROFILES["kvm-6.18"]! });
  const io = new BufferIo();
  const m = new Machine(bin, { io, hooks: up, tier });
  const test0 = bin.lookup("test")!;
  m.kernel.runSlice(m.proc, before);
  const hot = m.proc.cpu.jit?.stats().blocks ?? 0;
  let hits = 0;
  const c = up.register(m.kernel.mappedFile(bin.path, bin.bytes), test0.fileOffset, { name: "late", handler: () => void hits++ });
  const droppedAtRegister = m.proc.cpu.jit?.stats().dropped ?? 0;
  m.kernel.runSlice(m.proc, during);
  const droppedEnd = m.proc.cpu.jit?.stats().dropped ?? 0;
  const hitsWhile = hits;
  up.unregister(c);
  const r = m.run();
  return { hot, hitsWhile, hits, droppedAtRegister, droppedEnd, instructions: r.instructions, virtualNs: r.virtualNs, status: r.status, out: io.text(1), traps: c.stats.traps.int3 };
}

describe("jit: a probe registered and removed while its region is hot", () => {
  const interp = probeWhileHot("interp", 2_000_000, 2_000_000);
  const jit = probeWhileHot("jit", 2_000_000, 2_000_000);
  test("the loop and test() were compiled before the probe came", () => assert.ok(jit.hot >= 2, `${jit.hot} blocks`));
  test("same hits, traps, instructions and virtual time as the interpreter", () => {
    assert.ok(jit.hitsWhile > 100_000, `${jit.hitsWhile} hits`);
    assert.equal(jit.hitsWhile, interp.hitsWhile);
    assert.equal(jit.hits, interp.hits, "no hit once removed");
    assert.equal(jit.traps, interp.traps);
    assert.equal(jit.instructions, interp.instructions);
    assert.equal(jit.virtualNs, interp.virtualNs);
    assert.equal(jit.out, interp.out);
    assert.equal(jit.status, 0);
  });
  test("registration drops the compiled code of the probed page; hits drop nothing", () => {
    assert.ok(jit.droppedAtRegister >= 1, "the int3 write invalidated test()'s compiled block");
    assert.equal(jit.droppedEnd, jit.droppedAtRegister, "no compiled block dropped while the probe fires");
  });
});
