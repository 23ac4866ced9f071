// Whole-program differential tests of compiled SIMD and x87 code: test/cpu/programs/*.c
// built with musl at several optimization levels (-O3 vectorizes with SSE2),
// run natively and in the emulator; stdout and the exit status must match.

import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { buildC, requireMusl, ROOT, runEmulated, runNative } from "../helpers.js";

// vec: SSE2 code as gcc vectorizes it; fp: printf/strtod and long double code, on the x87.
const PROGRAMS: [string, string[][]][] = [
  ["vec", [["-O2"], ["-O3"], ["-O3", "-funroll-loops"], ["-Os"]]],
  ["fp", [["-O2"]]],
];

describe("cpu differential: compiled programs", () => {
  for (const [name, levels] of PROGRAMS) {
    for (const flags of levels) {
      test(`${name} ${flags.join(" ")}`, () => {
        requireMusl();
        const bin = buildC(path.join(ROOT, "test", "cpu", "programs", `${name}.c`), [...flags, "-lm"], `${name}${flags.join("")}`);
        const n = runNative(bin, []);
        assert.equal(n.status, 0, "native status");
        const e = runEmulated(bin, []);
        assert.equal(e.machine.result().report ?? "", "", "emulator report");
        assert.equal(e.stdout, n.stdout, "stdout");
        assert.equal(e.status, n.status, "status");
      });
    }
  }
});
