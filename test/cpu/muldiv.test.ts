// Differential tests: muldiv (families/muldiv.ts).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { requireMusl } from "../helpers.js";
import { report, runFamily } from "./harness.js";
import { muldivFamily } from "./families/muldiv.js";

describe("cpu differential: muldiv", () => {
  test("mul imul div idiv", () => {
    requireMusl();
    const r = runFamily(muldivFamily);
    assert.ok(r.lines > 0);
    if (r.mismatches.length) assert.fail(report(r));
  });
});
