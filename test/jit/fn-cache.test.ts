// Compiled functions are kept by source text for every Machine of the process
// (engine/cpu/jit/jit.ts FNS): the machine state comes in as an argument, so a
// second Machine running the same program reuses the first one's functions.
// The second run must still work on its own state: its output, status and
// instruction count are the interpreter's for its own arguments, also while
// the first Machine's compiled code is still around.

process.env["UPROBE_LAB_JIT_HOT"] = "2";

import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { loadBinary } from "../../engine/binary.js";
import type { Tier } from "../../engine/cpu/jit/tier.js";
import { Machine } from "../../engine/machine.js";
import { BufferIo } from "../../engine/os/host-io.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { buildC, requireMusl } from "../helpers.js";

describe("jit: compiled functions shared between Machines", () => {
  requireMusl();
  const bin = loadBinary(buildC(path.join(PROJECT_ROOT, "bench", "workloads", "strings.c"), ["-O2"], "jit-fn-cache-strings"));
  const run = (tier: Tier, rounds: number): { m: Machine; out: string; status: number; instructions: number } => {
    const io = new BufferIo();
    const m = new Machine(bin, { argv: [bin.path, String(rounds)], io, tier });
    const r = m.run();
    return { m, out: io.text(1), status: r.status, instructions: r.instructions };
  };

  test("a second Machine reuses the functions and keeps to its own state", () => {
    const first = run("jit", 300);
    const firstStats = first.m.proc.cpu.jit!.stats();
    assert.ok(firstStats.blocks > 10, "code was compiled");
    // other rounds: different registers and memory, the same code
    const second = run("jit", 301);
    const interp = run("interp", 301);
    const stats = second.m.proc.cpu.jit!.stats();
    assert.ok(stats.reused > 0 && stats.reused >= stats.blocks - 2, `functions reused: ${stats.reused} of ${stats.blocks}`);
    assert.equal(second.out, interp.out);
    assert.equal(second.status, interp.status);
    assert.equal(second.instructions, interp.instructions);
    // the first Machine's output was its own (not disturbed by the second's run)
    assert.equal(first.out, run("interp", 300).out);
  });
});
