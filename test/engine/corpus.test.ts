// Differential test against native execution: every corpus program, built
// with musl at -O0 and -O2, must produce the same stdout, stderr and exit
// status in the emulator as on the host CPU (test/corpus/README.md). The
// glibc builds (dynamic, static, C++) are in corpus-dynamic.test.ts.

import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { buildC, corpusCases, requireMusl, runEmulated, runNative } from "../helpers.js";

const cases = corpusCases();

describe("corpus: emulator vs native", () => {
  requireMusl();
  for (const opt of ["-O0", "-O2"]) {
    for (const c of cases) {
      test(`${c.id} ${opt}`, () => {
        const bin = buildC(path.join(PROJECT_ROOT, "test", "corpus", `${c.name}.c`), [opt], `${c.name}${opt}`);
        const native = runNative(bin, c.args, c.stdin, c.env ?? {});
        assert.equal(native.status, c.expectExit, `native exit status of ${c.id}`);
        const emu = runEmulated(bin, c.args, c.stdin, c.env ?? {});
        assert.equal(emu.stdout, native.stdout, "stdout");
        assert.equal(emu.stderr, native.stderr, "stderr");
        assert.equal(emu.status, native.status, "exit status");
      });
    }
  }
});
