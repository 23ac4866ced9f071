// execve from a hot loop under the jit (engine/cpu/cpu.ts attach): the exec'ing
// syscall runs inside compiled code (Cpu.jitTrap), the address space is
// replaced under it, and the new image's code sits at the old one's addresses.
// attach marks every old block invalid, so neither the compiled region that
// trapped nor run()'s successor cache goes on in the old translations. The
// output and status must be the native run's, under both tiers.

process.env["UPROBE_LAB_JIT_HOT"] = "2";

import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { loadBinary } from "../../engine/binary.js";
import { Machine } from "../../engine/machine.js";
import { BufferIo } from "../../engine/os/host-io.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { buildC, runEmulated, runNative } from "../helpers.js";

const SRC = path.join(PROJECT_ROOT, "test", "jit", "programs", "exec-hot.c");

describe("execve from a hot loop", () => {
  const bin = buildC(SRC, ["-O1"], "exec-hot-O1");
  test("the second image's output and status are the native run's, under interp and jit", () => {
    const native = runNative(bin, []);
    assert.match(native.stdout, /^first image: s=\d+ at the exec\nsecond image: s=\d+\n$/);
    for (const tier of ["interp", "jit"] as const) {
      const r = runEmulated(bin, [], "", {}, { tier });
      assert.equal(r.stdout, native.stdout, tier);
      assert.equal(r.status, native.status, tier);
    }
  });
  test("after exec no block of the old image is valid (Cpu.attach)", () => {
    const m = new Machine(loadBinary(bin), { io: new BufferIo(), tier: "jit" });
    const cpu = m.proc.cpu;
    const seen = new Set<{ valid: boolean }>();
    // every block the CPU runs compiled code for, before the exec
    const orig = cpu.jitTrap.bind(cpu);
    cpu.jitTrap = (b, event) => {
      seen.add(b);
      return orig(b, event);
    };
    const origAttach = cpu.attach.bind(cpu);
    let stale = -1;
    cpu.attach = (mem) => {
      origAttach(mem);
      stale = [...seen].filter((b) => b.valid).length;
    };
    m.run();
    assert.ok(seen.size > 0, "the syscall ran in compiled code");
    assert.equal(stale, 0, "old blocks still valid after attach");
  });
});
