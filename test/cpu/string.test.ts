// Differential tests: string (families/string.ts).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { requireMusl } from "../helpers.js";
import { report, runFamily } from "./harness.js";
import { stringFamily } from "./families/string.js";

describe("cpu differential: string", () => {
  test("movs stos lods cmps scas with rep prefixes, DF clear and set", () => {
    requireMusl();
    const r = runFamily(stringFamily);
    assert.ok(r.lines > 0);
    if (r.mismatches.length) assert.fail(report(r));
  });
});
