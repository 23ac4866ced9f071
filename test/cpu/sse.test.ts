// Differential tests: sse (families/sse.ts).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { requireMusl } from "../helpers.js";
import { report, runFamily } from "./harness.js";
import { sseFamily } from "./families/sse.js";

describe("cpu differential: sse", () => {
  test("SSE/SSE2 moves, integer, floating point, conversions", () => {
    requireMusl();
    const r = runFamily(sseFamily);
    assert.ok(r.lines > 0);
    if (r.mismatches.length) assert.fail(report(r));
  });
});
