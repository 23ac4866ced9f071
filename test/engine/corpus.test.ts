// Differential test against native execution: every corpus program, built
// with musl at -O0 and -O2, must produce the same stdout, stderr and exit
// status in the emulator as on the host CPU (test/corpus/README.md). The
// glibc builds (dynamic, static, C++) are in corpus-dynamic.test.ts.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { buildC, requireMusl, ROOT, runEmulated, runNative } from "../helpers.js";

interface Case {
  id: string;
  name: string;
  args: string[];
  stdin: string;
  expectExit: number;
  env?: Record<string, string>;
}

const cases: Case[] = JSON.parse(fs.readFileSync(path.join(ROOT, "test", "corpus", "cases.json"), "utf8"));

describe("corpus: emulator vs native", () => {
  requireMusl();
  for (const opt of ["-O0", "-O2"]) {
    for (const c of cases) {
      test(`${c.id} ${opt}`, () => {
        const bin = buildC(path.join(ROOT, "test", "corpus", `${c.name}.c`), [opt], `${c.name}${opt}`);
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
