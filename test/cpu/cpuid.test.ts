// What glibc (and libgcc) see of the emulated CPU: a baseline x86-64 (SSE2,
// no SSE3+, AVX, BMI, ERMS, XSAVE/OSXSAVE), fixed cache geometry, so that
// ld.so selects its SSE2 routines and the fxsave lazy-binding trampoline and
// derives fixed, nonzero copy thresholds (engine/cpu/ops/system.ts).

import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, test } from "node:test";
import { cpuidLeaf } from "../../engine/cpu/ops/system.js";
import { buildWith, runEmulated } from "../helpers.js";

const LDSO = "/lib64/ld-linux-x86-64.so.2";

describe("cpuid: a baseline x86-64", () => {
  test("feature bits: SSE2 and nothing newer; no OSXSAVE, so xgetbv is #UD", () => {
    const [, ebx1, ecx1, edx1] = cpuidLeaf(1, 0);
    for (const bit of [0, 8, 15, 19, 23, 24, 25, 26]) assert.ok(edx1 & (1 << bit), `leaf 1 edx bit ${bit}`);
    assert.equal(edx1 & (1 << 28), 0, "HTT");
    assert.equal(ecx1, 0, "leaf 1 ecx: no SSE3 SSSE3 SSE4 POPCNT AVX XSAVE OSXSAVE RDRAND ...");
    assert.equal(ebx1, 0x800, "CLFLUSH 64 bytes, no logical-processor count");
    assert.deepEqual(cpuidLeaf(7, 0), [0, 0, 0, 0], "leaf 7: no BMI AVX2 ERMS RTM CET ...");
    assert.deepEqual(cpuidLeaf(0xd, 0), [0, 0, 0, 0]);
    assert.equal(cpuidLeaf(0x80000001, 0)[2], 1, "LAHF/SAHF only");
  });

  test("caches: leaf 2 points to leaf 4 (L1d/L1i 32 KiB, L2 256 KiB, L3 8 MiB), 0x80000006 agrees", () => {
    assert.deepEqual(cpuidLeaf(2, 0), [0xff01, 0, 0, 0]);
    const size = (s: number): number => {
      const [, b, c] = cpuidLeaf(4, s);
      return ((b >>> 22) + 1) * (((b >>> 12) & 0x3ff) + 1) * ((b & 0xfff) + 1) * (c + 1);
    };
    assert.deepEqual([0, 1, 2, 3].map(size), [32768, 32768, 262144, 8388608]);
    assert.deepEqual([0, 1, 2, 3, 4].map((s) => cpuidLeaf(4, s)[0] & 0xff), [0x21, 0x22, 0x43, 0x63, 0]);
    assert.equal(cpuidLeaf(0x80000006, 0)[2] >>> 16, 256);
  });

  test("ld.so --list-diagnostics in the emulator: baseline ISA, fxsave trampoline, the thresholds", (t) => {
    if (!fs.existsSync(LDSO)) return t.skip(`no ${LDSO}`);
    const e = runEmulated(LDSO, ["--list-diagnostics"]);
    assert.equal(e.status, 0, e.machine.result().report ?? "");
    const diag = new Map(e.stdout.split("\n").map((l) => l.split("=") as [string, string]));
    const want: Record<string, string> = {
      "x86.cpu_features.isa_1": "0x1", // x86-64 baseline: no glibc-hwcaps subdirectory applies
      "x86.cpu_features.xsave_state_size": "0x0", // _dl_runtime_resolve_fxsave
      "x86.cpu_features.features[0x0].active[0x2]": "0x0", // leaf 1 ecx
      "x86.cpu_features.features[0x1].active[0x1]": "0x0", // leaf 7 ebx
      "x86.cpu_features.data_cache_size": "0x8000",
      "x86.cpu_features.shared_cache_size": "0x800000",
      "x86.cpu_features.non_temporal_threshold": "0x600000",
      "x86.cpu_features.rep_movsb_threshold": "0x800",
      "x86.cpu_features.level2_cache_size": "0x40000",
      "x86.cpu_features.level3_cache_assoc": "0x10",
    };
    for (const [k, v] of Object.entries(want)) assert.equal(diag.get(k), v, k);
  });

  test("a dynamically linked program: libgcc's __builtin_cpu_supports and glibc's sysconf", () => {
    const src = `#include <stdio.h>
#include <unistd.h>
int main(void) {
  __builtin_cpu_init();
  printf("%d%d%d%d%d%d%d%d %d%d\\n", !!__builtin_cpu_supports("sse2"), !!__builtin_cpu_supports("sse3"), !!__builtin_cpu_supports("ssse3"),
    !!__builtin_cpu_supports("sse4.1"), !!__builtin_cpu_supports("popcnt"), !!__builtin_cpu_supports("avx"), !!__builtin_cpu_supports("avx2"),
    !!__builtin_cpu_supports("bmi"), !!__builtin_cpu_is("intel"), !!__builtin_cpu_supports("x86-64-v2"));
  printf("%ld %ld %ld %ld\\n", sysconf(_SC_LEVEL1_DCACHE_SIZE), sysconf(_SC_LEVEL1_DCACHE_LINESIZE), sysconf(_SC_LEVEL2_CACHE_SIZE), sysconf(_SC_LEVEL3_CACHE_SIZE));
  return 0;
}
`;
    const bin = buildWith("gcc", src, ["-O2"], "cpuid-dyn");
    const e = runEmulated(bin, []);
    assert.equal(e.status, 0, e.machine.result().report ?? "");
    assert.equal(e.stdout, "10000000 10\n32768 64 262144 8388608\n");
  });
});
