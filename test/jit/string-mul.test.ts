// movs/stos and one-operand mul compiled in place (engine/cpu/jit/string-gen.ts,
// codegen.ts mulOne): test/jit/programs/strmove.c runs them with rep counts
// 0..45, DF clear and set, overlapping areas, page-crossing operands, and
// faults part-way (a SIGSEGV handler prints rip, rcx, rsi, rdi from the signal
// frame); and SSE moves (left to the interpreter: compiled prefixes end there)
// with misaligned aligned forms (#GP) and page-crossing operands. Its output
// must be the native one under both tiers, and with every flag printed after mul
// (partly undefined on hardware) the jit's must be the interpreter's, with the
// same instruction count and virtual time.

process.env["UPROBE_LAB_JIT_HOT"] = "2";

import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import type { Block } from "../../engine/cpu/cpu.js";
import { Mnemonic } from "../../engine/cpu/iced.js";
import { countSupported } from "../../engine/cpu/jit/codegen.js";
import type { Tier } from "../../engine/cpu/jit/tier.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { buildC, requireMusl, runEmulated, runNative } from "../helpers.js";

/** Compiled block heads (a region's members hang on its head) whose compiled part holds one of these instructions. */
function compiledWith(r: ReturnType<typeof runEmulated>, ms: Mnemonic[]): number {
  const blocks = (r.machine.proc.cpu as unknown as { blocks: Map<number, Block> }).blocks;
  let n = 0;
  for (const b of blocks.values()) {
    const at = b.insns.findIndex((i) => ms.includes(i.mnemonic));
    if (b.jit !== undefined && at >= 0 && at < countSupported(b, true)) n++;
  }
  return n;
}

describe("jit: movs, stos and mul compiled in place", () => {
  requireMusl();
  const bin = buildC(path.join(PROJECT_ROOT, "test", "jit", "programs", "strmove.c"), ["-O2"], "jit-strmove");
  const native = runNative(bin, []);
  test("native run", () => {
    assert.equal(native.status, 0);
    assert.match(native.stdout, /SIGSEGV/);
  });
  for (const tier of ["interp", "jit"] as Tier[]) {
    test(`rep counts, DF, overlap, page-crossing, faults part-way, mul: ${tier} = native`, () => {
      const r = runEmulated(bin, [], "", {}, { tier });
      assert.equal(r.stdout, native.stdout);
      assert.equal(r.status, 0);
      if (tier === "jit") {
        assert.ok(compiledWith(r, [Mnemonic.Movsq, Mnemonic.Movsb, Mnemonic.Stosw]) >= 3, "string instructions were compiled");
        assert.ok(compiledWith(r, [Mnemonic.Mul]) >= 1, "mul was compiled");
      }
    });
  }
  test("every flag after mul, instructions and virtual time: jit = interp", () => {
    const i = runEmulated(bin, ["flags"], "", {}, { tier: "interp" });
    const j = runEmulated(bin, ["flags"], "", {}, { tier: "jit" });
    assert.equal(j.stdout, i.stdout);
    assert.equal(j.machine.instructions, i.machine.instructions);
    assert.equal(j.machine.virtualNs, i.machine.virtualNs);
  });
});
