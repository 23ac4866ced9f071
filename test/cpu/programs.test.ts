// Whole-program differential tests of compiled SIMD and x87 code: test/cpu/programs/*.c
// built with musl at several optimization levels (-O3 vectorizes with SSE2),
// run natively and in the emulator; stdout and the exit status must match.
// glibc.c runs the routines glibc picks for the emulator's baseline cpuid,
// built as gcc builds by default (PIE, dynamically linked: ld.so, libc.so.6,
// libm.so.6) and with -static.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { buildC, requireMusl, runEmulated, runNative } from "../helpers.js";

// vec: SSE2 code as gcc vectorizes it; fp: printf/strtod and long double code, on the x87.
const PROGRAMS: [string, string[][]][] = [
  ["vec", [["-O2"], ["-O3"], ["-O3", "-funroll-loops"], ["-Os"]]],
  ["fp", [["-O2"]]],
];

/** gcc with flags, then the source, then -lm (libm after the object: it matters for -static and --as-needed); cached. */
function buildGccLm(source: string, flags: string[], name: string): string {
  const text = fs.readFileSync(source, "utf8");
  const key = createHash("sha256").update(text).update("\0gcc " + flags.join(" ") + " -lm").digest("hex").slice(0, 16);
  const dir = path.join(os.tmpdir(), "uprobe-lab-test-build");
  fs.mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `${name}-${key}`);
  if (fs.existsSync(out)) return out;
  const tmp = `${out}.tmp${process.pid}`;
  execFileSync("gcc", [...flags, "-o", tmp, source, "-lm"], { stdio: ["ignore", "ignore", "pipe"] });
  fs.renameSync(tmp, out);
  return out;
}

function differential(bin: string): void {
  const n = runNative(bin, []);
  assert.equal(n.status, 0, "native status");
  const e = runEmulated(bin, []);
  assert.equal(e.machine.result().report ?? "", "", "emulator report");
  assert.equal(e.stdout, n.stdout, "stdout");
  assert.equal(e.status, n.status, "status");
}

describe("cpu differential: compiled programs", () => {
  for (const [name, levels] of PROGRAMS) {
    for (const flags of levels) {
      test(`${name} ${flags.join(" ")}`, () => {
        requireMusl();
        differential(buildC(path.join(PROJECT_ROOT, "test", "cpu", "programs", `${name}.c`), [...flags, "-lm"], `${name}${flags.join("")}`));
      });
    }
  }
  for (const flags of [["-O2"], ["-O0"], ["-O2", "-static"]])
    test(`glibc ${flags.join(" ")} (the SSE2 string functions, libm, fenv, ucontext)`, () => {
      differential(buildGccLm(path.join(PROJECT_ROOT, "test", "cpu", "programs", "glibc.c"), flags, `glibc${flags.join("")}`));
    });
});
