// Differential tests: bits (families/bits.ts).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { requireMusl } from "../helpers.js";
import { report, runFamily } from "./harness.js";
import { bitsFamily } from "./families/bits.js";

describe("cpu differential: bits", () => {
  test("bt bts btr btc bsf bsr tzcnt lzcnt popcnt", () => {
    requireMusl();
    const r = runFamily(bitsFamily);
    assert.ok(r.lines > 0);
    if (r.mismatches.length) assert.fail(report(r));
  });
});
