// 32-bit programs written for what the corpus does not reach, against qemu-i386: the i386 signal
// frames (sigreturn and rt_sigreturn, siginfo, a siglongjmp out of a SIGSEGV handler, the mask and
// the FPU state restored).

import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { buildI386, requireI386Tools, runEmulated, runQemuI386 } from "./helpers.js";

describe("i386 programs: emulator vs qemu-i386", () => {
  requireI386Tools();
  for (const flags of [["-static", "-O2"], ["-O0"]]) {
    test(`signals.c -m32 ${flags.join(" ")}`, () => {
      const bin = buildI386(path.join(PROJECT_ROOT, "test", "i386", "programs", "signals.c"), flags, `signals-m32${flags.join("")}`);
      const ref = runQemuI386(bin, []);
      assert.equal(ref.status, 0, ref.stderr);
      assert.match(ref.stdout, /segv 11 addr 0x10 code 1/);
      const emu = runEmulated(bin, []);
      assert.equal(emu.stdout, ref.stdout);
      assert.equal(emu.status, ref.status);
    });
  }
});
