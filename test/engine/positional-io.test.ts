// pread64, pwrite64, preadv and pwritev (x86-64 and i386) against native runs: a negative offset is EINVAL (checked
// before the fd, as ksys_pread64 and do_preadv do), not a read from the end of the file.

import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { buildWith, runEmulated, runNative, type RunOutcome } from "../helpers.js";
import { hostExecsI386, runQemuI386 } from "../i386/helpers.js";

const SRC = path.join(PROJECT_ROOT, "test", "corpus", "posio", "negoff.c");

function differential(bin: string, reference: (bin: string) => RunOutcome = (b) => runNative(b, [], "x")): void {
  const native = reference(bin);
  const emu = runEmulated(bin, [], "x");
  assert.match(native.stdout, /pread64 -1 = -1 errno EINVAL/, "the native run is the reference");
  assert.equal(emu.stdout, native.stdout);
  assert.equal(emu.status, native.status);
}

test("positional reads and writes with negative, zero and past-the-end offsets match native", () => differential(buildWith("gcc", SRC, ["-O0"], "posio-negoff")));

// i386: ia32_pread64 and compat_sys_preadv take the offset split in two registers
// (against qemu-i386, the 32-bit reference, where this kernel does not run -m32 programs)
test("the same from a 32-bit guest (gcc -m32): the split offset's high word makes it negative", () =>
  differential(buildWith("gcc", SRC, ["-m32", "-O0"], "posio-negoff-m32"), (b) => (hostExecsI386() ? runNative(b, [], "x") : runQemuI386(b, [], "x"))));
