// Differential tests: MMX and its x87 tag interaction, xlat, fnsave/frstor, fbld/fbstp (families/mmx.ts);
// the MMX forms SSE added and SSE2's pmuludq on mm (families/mmx-sse.ts).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { requireMusl } from "../helpers.js";
import { report, runFamily } from "./harness.js";
import { mmxFamily } from "./families/mmx.js";
import { mmxSseFamily } from "./families/mmx-sse.js";

describe("cpu differential: mmx", () => {
  test("MMX integer set, tags and TOP, emms; xlat; fnsave/frstor; fbld/fbstp", () => {
    requireMusl();
    const r = runFamily(mmxFamily);
    assert.ok(r.lines > 0);
    if (r.mismatches.length) assert.fail(report(r));
  });

  test("SSE's MMX forms: pshufw pmovmskb pminub pmaxub pminsw pmaxsw pavgb pavgw psadbw pmulhuw pinsrw pextrw maskmovq movntq; pmuludq on mm; cvt between mm and xmm, movq2dq/movdq2q", () => {
    requireMusl();
    const r = runFamily(mmxSseFamily);
    assert.ok(r.lines > 0);
    if (r.mismatches.length) assert.fail(report(r));
  });
});
