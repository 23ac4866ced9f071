// The differential check of the threads tests: the emulator's stdout, stderr and status equal a
// native run's (of the same binary, or of a reference build when this machine cannot run it).

import assert from "node:assert/strict";
import { runEmulated, runNative } from "../helpers.js";

export function sameAsNative(bin: string, reference = bin): void {
  const native = runNative(reference, []);
  const emu = runEmulated(bin, []);
  assert.equal(emu.stdout, native.stdout, "stdout");
  assert.equal(emu.stderr, native.stderr, "stderr");
  assert.equal(emu.status, native.status, "exit status");
}
