// Differential test against native execution for what gcc and g++ build by
// default: PIE executables dynamically linked against the host's glibc (and
// libstdc++/libgcc_s for C++), run with ld.so and the libraries loaded from
// the library directories; and the whole corpus built with gcc -static.
// stdout, stderr and exit status must match the host CPU's byte for byte.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { buildWith, ROOT, runEmulated, runNative } from "../helpers.js";

interface Case {
  id: string;
  name: string;
  args: string[];
  stdin: string;
  expectExit: number;
  env?: Record<string, string>;
}

const cases: Case[] = JSON.parse(fs.readFileSync(path.join(ROOT, "test", "corpus", "cases.json"), "utf8"));

function differential(bin: string, c: Pick<Case, "args" | "stdin" | "env">): void {
  const native = runNative(bin, c.args, c.stdin, c.env ?? {});
  const emu = runEmulated(bin, c.args, c.stdin, c.env ?? {});
  assert.equal(emu.stdout, native.stdout, "stdout");
  assert.equal(emu.stderr, native.stderr, "stderr");
  assert.equal(emu.status, native.status, "exit status");
}

for (const opt of ["-O0", "-O2"]) {
  describe(`corpus, gcc ${opt} (PIE, dynamically linked glibc): emulator vs native`, () => {
    for (const c of cases) test(c.id, () => differential(buildWith("gcc", path.join(ROOT, "test", "corpus", `${c.name}.c`), [opt], `${c.name}-dyn${opt}`), c));
  });
}

describe("corpus, gcc -static -O2 (glibc static): emulator vs native", () => {
  for (const c of cases) test(c.id, () => differential(buildWith("gcc", path.join(ROOT, "test", "corpus", `${c.name}.c`), ["-static", "-O2"], `${c.name}-glibc-static`), c));
});

const CPP = [
  { name: "exceptions", args: ["arg1"], stdin: "" },
  { name: "containers", args: [], stdin: "" },
];

describe("C++ corpus, g++ -O2 (libstdc++, exceptions unwound by libgcc_s): emulator vs native", () => {
  for (const c of CPP) test(c.name, () => differential(buildWith("g++", path.join(ROOT, "test", "corpus", "cpp", `${c.name}.cpp`), ["-O2"], `${c.name}-gxx`), c));
  for (const c of CPP) test(`${c.name}, g++ -O0 -static`, () => differential(buildWith("g++", path.join(ROOT, "test", "corpus", "cpp", `${c.name}.cpp`), ["-O0", "-static"], `${c.name}-gxx-static`), c));
});
