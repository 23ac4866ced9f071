// Differential tests: add adc sub sbb and or xor cmp test inc dec neg not (families/alu.ts).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { requireMusl } from "../helpers.js";
import { report, runFamily } from "./harness.js";
import { aluFamily } from "./families/alu.js";

describe("cpu differential: alu", () => {
  test("add adc sub sbb and or xor cmp test inc dec neg not", () => {
    requireMusl();
    const r = runFamily(aluFamily);
    assert.ok(r.lines > 0);
    if (r.mismatches.length) assert.fail(report(r));
  });
});
