// Differential tests: cond (families/cond.ts).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { requireMusl } from "../helpers.js";
import { report, runFamily } from "./harness.js";
import { condFamily } from "./families/cond.js";

describe("cpu differential: cond", () => {
  test("setcc cmovcc jcc after flag-setting instructions", () => {
    requireMusl();
    const r = runFamily(condFamily);
    assert.ok(r.lines > 0);
    if (r.mismatches.length) assert.fail(report(r));
  });
});
