// Differential test of 32-bit guests against qemu-i386 (this machine's kernel has no IA32
// emulation, so there is no native reference): every corpus program that builds with -m32,
// as `gcc -m32 -static -O2` and as `gcc -m32 -O0` (PIE, dynamically linked against /lib32's
// glibc), must produce the same stdout, stderr and exit status in the emulator as under
// `qemu-i386 -L /`.

import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { corpusCases } from "../helpers.js";
import { buildI386, i386Corpus, requireI386Tools, runEmulated, runQemuI386 } from "./helpers.js";

describe("i386 corpus: emulator vs qemu-i386", () => {
  requireI386Tools();
  const cases = corpusCases().filter((c) => i386Corpus(c.name));
  for (const flags of [["-static", "-O2"], ["-O0"]]) {
    for (const c of cases) {
      test(`${c.id} -m32 ${flags.join(" ")}`, () => {
        const bin = buildI386(path.join(PROJECT_ROOT, "test", "corpus", `${c.name}.c`), flags, `${c.name}-m32${flags.join("")}`);
        // the reference is qemu-i386's status, not cases.json's: divmod's 64-bit long is a 32-bit one here
        const ref = runQemuI386(bin, c.args, c.stdin, c.env ?? {});
        const emu = runEmulated(bin, c.args, c.stdin, c.env ?? {});
        assert.equal(emu.stdout, ref.stdout, "stdout");
        assert.equal(emu.stderr, ref.stderr, "stderr");
        assert.equal(emu.status, ref.status, "exit status");
      });
    }
  }
});
