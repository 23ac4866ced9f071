// Differential tests: x87 (families/x87.ts).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { requireMusl } from "../helpers.js";
import { report, runFamily } from "./harness.js";
import { x87Family } from "./families/x87.js";

describe("cpu differential: x87", () => {
  test("x87: 80-bit arithmetic, compares, conversions, rounding and precision control", () => {
    requireMusl();
    const r = runFamily(x87Family);
    assert.ok(r.lines > 0);
    if (r.mismatches.length) assert.fail(report(r));
  });
});
