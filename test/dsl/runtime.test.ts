// The bpftrace runtime suite: each case of test/dsl/runtime/cases runs
// through `uprobe-lab run` with bpftrace's own arguments, and its stdout must
// equal what live bpftrace 0.17 printed on this kernel (recorded by
// scripts/record-bpftrace-suite.mjs), or, where the case says why we differ
// (DIFFERENT), our own expected output.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { splitCommand } from "../../cli/args.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { normaliseOutput, parseCase } from "./runtime-suite.js";

const dir = path.join(PROJECT_ROOT, "test/dsl/runtime");
const bin = path.join(PROJECT_ROOT, "bin/uprobe-lab");

describe("bpftrace runtime suite", () => {
  for (const f of fs.readdirSync(path.join(dir, "cases")).filter((n) => n.endsWith(".txt")).sort()) {
    const c = parseCase(fs.readFileSync(path.join(dir, "cases", f), "utf8"));
    it(`${f.replace(/\.txt$/, "")}: ${c.name}`, () => {
      assert.ok(c.recorded !== undefined, `${f} was never recorded (scripts/record-bpftrace-suite.mjs)`);
      const r = spawnSync(process.execPath, [bin, "run", ...splitCommand(c.run)], { cwd: path.join(dir, "bin"), encoding: "utf8" });
      assert.equal(r.status, c.status ?? 0, r.stderr);
      const want = c.different !== undefined ? c.expectLab : c.expect;
      assert.ok(want !== undefined, `${f} says DIFFERENT but has no EXPECT_LAB`);
      assert.equal(normaliseOutput(r.stdout), want);
    });
  }
});
