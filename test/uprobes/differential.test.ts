// Differential test: a probe on every instruction of several sample
// functions leaves the guest's output exactly as the native run's, and each
// probe's hit count equals the number of times the host CPU executes that
// instruction natively (counted by hardware instruction breakpoints:
// test/uprobes/native-count.c).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadBinary } from "../../engine/binary.js";
import { nativeExecCounts, runNative, samplePath } from "../helpers.js";
import { runProbes } from "./run.js";

interface Case {
  sample: string;
  functions: (name: string) => boolean;
}

const CASES: Case[] = [
  // every asm probe site and helper of callsite, except those whose probes change behaviour on purpose:
  // xchg %eax,%r8d (emulated as a NOP), syscall; ret (the ret runs in the slot), and cs_popf, whose
  // pushf stepped out of line pushes TF (behaviour.test.ts)
  { sample: "callsite-O0", functions: (n) => /^(probe_|cs_)/.test(n) && !/xchg_r8|syscall|mov_imm|cs_popf/.test(n) },
  { sample: "hello-O0", functions: (n) => n === "greet" || n === "main" },
  { sample: "hello-O2", functions: (n) => n === "greet" || n === "main" },
  { sample: "longjmp-O0", functions: (n) => /^(level[123]|func_[12])$/.test(n) },
  { sample: "longjmp-O2", functions: (n) => /^(level[123]|func_[12]|main)$/.test(n) },
];

describe("probes on every instruction", () => {
  for (const c of CASES) {
    const bin = loadBinary(samplePath(c.sample));
    const funcs = bin.functions().filter((s) => c.functions(s.name) && s.size > 0);
    const targets = funcs.flatMap((f) => bin.instructionOffsets(f).map((off) => ({ name: f.name, off, addr: f.addr + off })));
    const program = targets.map((t) => `probe ${t.name}:${t.off} < n++ >`).join("\n");
    const native = runNative(samplePath(c.sample), []);
    const counted = nativeExecCounts(samplePath(c.sample), targets.map((t) => t.addr));
    test(`${c.sample}: native execution counts (${counted.method})`, () => {
      assert.equal(counted.status, native.status, "the counted run ends as the plain native run");
      assert.ok([...counted.counts.values()].some((n) => n > 0), "the probed functions run");
    });
    for (const kernel of ["6.18", "4.16", "3.14"]) {
      test(`${c.sample}: ${targets.length} probes in ${funcs.length} functions, kernel ${kernel}`, () => {
        assert.ok(targets.length > 10);
        const o = runProbes(c.sample, program, { kernel });
        assert.equal(o.status, native.status, o.report);
        assert.equal(o.stdout, native.stdout, "guest output unchanged");
        for (const t of targets) {
          const p = o.probes[`probe ${t.name}:${t.off}`]!;
          if (p.path === "rejected") {
            // e.g. the cs-prefixed NOP padding inside a symbol: refused, and so never fires
            assert.match(p.error ?? "", /ENOTSUPP/, `${t.name}+${t.off}`);
            continue;
          }
          assert.equal(p.hits, counted.counts.get(t.addr), `${t.name}+${t.off} (${bin.disassembleAt(t.addr)}) on ${kernel}`);
        }
      });
    }
  }
});
