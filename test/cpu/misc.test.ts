// Differential tests: misc (families/misc.ts).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { requireMusl } from "../helpers.js";
import { report, runFamily } from "./harness.js";
import { miscFamily } from "./families/misc.js";

describe("cpu differential: misc", () => {
  test("mov movzx movsx lea xchg cmpxchg xadd cbw..cqo bswap stack flags", () => {
    requireMusl();
    const r = runFamily(miscFamily);
    assert.ok(r.lines > 0);
    if (r.mismatches.length) assert.fail(report(r));
  });
});
