// Differential tests: shifts and rotates (families/shift.ts).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { requireMusl } from "../helpers.js";
import { report, runFamily } from "./harness.js";
import { shiftFamily } from "./families/shift.js";

describe("cpu differential: shift", () => {
  test("shl sal shr sar rol ror rcl rcr shld shrd", () => {
    requireMusl();
    const r = runFamily(shiftFamily);
    assert.ok(r.lines > 0);
    if (r.mismatches.length) assert.fail(report(r));
  });
});
