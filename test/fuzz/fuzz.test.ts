// Issue 15's fuzz suite: each category runs seeded (the same inputs on every
// run) in a child process (test/fuzz/run.ts), so its peak RSS can be read.
// Properties: no input ends in an internal error; every input's host time is
// within run.ts's bound per guest instruction (checked in the child, very
// loose: 5 s + 0.02 M instructions/s); the child's peak RSS stays under
// 4 x --max-mem + 300 MiB, the bound of test/hardening's memory tests.
//
// UPROBE_LAB_FUZZ=full runs 20 times as many inputs (several minutes), in 20
// children of the normal run's size with other seeds: a process-wide cache
// (the decoded-instruction templates, up to 262,144 of them) fills as a
// process runs thousands of guests, and the bound is per run of the normal
// size. UPROBE_LAB_FUZZ_SEED=N changes the seed. A failure prints the command
// that reruns the shrunk input, and fast-check's seed and path.

import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { memoryBoundMiB, nodeMeasured } from "../hardening/measure.js";
import type { Summary } from "./run.js";

const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), "run.js");
const FULL = process.env.UPROBE_LAB_FUZZ === "full";
const SEED = Number(process.env.UPROBE_LAB_FUZZ_SEED ?? 15);
const CHILDREN = FULL ? 20 : 1;

/** Inputs per category and child (about 25 s in all on a loaded 2-core machine); syscalls: per number. */
const RUNS: Record<string, number> = { "elf-static": 300, "elf-dynamic": 80, code: 1000, syscalls: 3, dsl: 50 };

describe(`fuzz (seed ${SEED}${FULL ? ", full run" : ""}): no internal error, host time and memory bounded`, () => {
  for (const [category, runs] of Object.entries(RUNS)) {
    test(`${category}: ${runs * CHILDREN} inputs${category === "syscalls" ? " per syscall number" : ""}`, () => {
      let inputs = 0;
      for (let k = 0; k < CHILDREN; k++) {
        const seed = SEED + 1000 * k;
        const r = nodeMeasured([RUNNER, "--category", category, "--runs", String(runs), "--seed", String(seed)], { keepStdout: true, timeoutMs: 600_000 });
        assert.ok(r.stdout, `no summary: status ${r.status}\n${r.stderr}`);
        const s = JSON.parse(r.stdout) as Summary;
        const line = `${category} (seed ${seed}): ${s.inputs} inputs (${Object.entries(s.endings).map(([e, n]) => `${e} ${n}`).join(", ")}), ${s.instructions} guest instructions, host ${s.hostMs} ms, slowest ${s.slowest.ms} ms = ${s.slowest.ofBound} of its bound, peak RSS ${Math.round(r.peakMiB)} MiB`;
        process.stdout.write(`# ${line}\n`);
        assert.deepEqual(s.failures, [], line);
        assert.equal(r.status, 0, r.stderr);
        // each run's --max-mem is 16M (categories.ts FUZZ_MAX_MEM)
        assert.ok(r.peakMiB < memoryBoundMiB(16), `peak ${r.peakMiB} MiB, bound ${memoryBoundMiB(16)} MiB: ${line}`);
        inputs += s.inputs;
      }
      assert.ok(inputs >= runs * CHILDREN, `${inputs} inputs`);
    });
  }
});
