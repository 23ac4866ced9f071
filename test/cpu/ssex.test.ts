// Differential tests: ssex (families/ssex.ts).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { requireMusl } from "../helpers.js";
import { report, runFamily } from "./harness.js";
import { ssexFamily } from "./families/ssex.js";

describe("cpu differential: ssex", () => {
  test("SSE3/SSSE3/SSE4.1 extras, fxsave/fxrstor, rdssp", () => {
    requireMusl();
    const r = runFamily(ssexFamily);
    assert.ok(r.lines > 0);
    if (r.mismatches.length) assert.fail(report(r));
  });
});
