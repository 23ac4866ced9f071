// pread64, pwrite64, preadv and pwritev against native runs: a negative offset is EINVAL (checked
// before the fd, as ksys_pread64 and do_preadv do), not a read from the end of the file.

import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { buildWith, runEmulated, runNative } from "../helpers.js";

test("positional reads and writes with negative, zero and past-the-end offsets match native", () => {
  const bin = buildWith("gcc", path.join(PROJECT_ROOT, "test", "corpus", "posio", "negoff.c"), ["-O0"], "posio-negoff");
  const native = runNative(bin, [], "x");
  const emu = runEmulated(bin, [], "x");
  assert.match(native.stdout, /pread64 -1 = -1 errno EINVAL/, "the native run is the reference");
  assert.equal(emu.stdout, native.stdout);
  assert.equal(emu.status, native.status);
});
