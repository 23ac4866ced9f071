// The jit tier is an optimisation only: every corpus program and a set of
// probe runs give the same output, exit status, instruction count, virtual
// time and --stats/--json figures under `--tier jit` as under the
// interpreter (engine/cpu/jit/README.md). Blocks are compiled after two
// executions here, so nearly all code runs compiled.

process.env["UPROBE_LAB_JIT_HOT"] = "2";

import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import type { Machine } from "../../engine/machine.js";
import { probeStatsLine } from "../../lab/session.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { buildC, corpusCases, requireMusl, runEmulated } from "../helpers.js";
import { runProbes } from "../uprobes/run.js";

/**
 * --stats without the host's figures (wall time, rate, start-up ms), the jit's own counters and
 * blocks_translated: the interpreter translates one-instruction blocks to stop exactly at each
 * scheduler quantum (cpu.run's limit), while compiled code stops there by itself.
 */
function deterministicStats(m: Machine): Record<string, unknown> {
  const { host_ms: _h, guest_instr_per_sec: _g, jit: _j, blocks_translated: _b, startup_to_main: s, ...rest } = m.stats() as Record<string, unknown> & { startup_to_main?: { host_ms: number } };
  return { ...rest, ...(s ? { startup_to_main: { ...s, host_ms: 0 } } : {}) };
}

describe("tiers: corpus programs under interp and jit", () => {
  requireMusl();
  let compiled = 0;
  for (const opt of ["-O0", "-O2"]) {
    for (const c of corpusCases()) {
      test(`${c.id} ${opt}`, () => {
        const bin = buildC(path.join(PROJECT_ROOT, "test", "corpus", `${c.name}.c`), [opt], `${c.name}${opt}`);
        const interp = runEmulated(bin, c.args, c.stdin, c.env ?? {}, { tier: "interp" });
        const jit = runEmulated(bin, c.args, c.stdin, c.env ?? {}, { tier: "jit" });
        assert.equal(jit.machine.proc.cpu.tier, "jit");
        assert.equal(jit.stdout, interp.stdout, "stdout");
        assert.equal(jit.stderr, interp.stderr, "stderr");
        assert.equal(jit.status, interp.status, "exit status");
        assert.deepEqual(deterministicStats(jit.machine), deterministicStats(interp.machine), "--stats (instructions, virtual time, syscalls)");
        compiled += jit.machine.proc.cpu.jit!.stats().blocks;
      });
    }
  }
  test("the jit compiled code in those runs", () => assert.ok(compiled > 1000, `${compiled} blocks compiled`));
});

describe("tiers: probe runs under interp and jit", () => {
  const runs: [string, string, { emulation?: boolean; kernel?: string }][] = [
    ["push-O0", "probe test:0 < count++ >", {}],
    ["push-O0", "probe test:0 < count++ >", { emulation: false }],
    ["push-O0", "retprobe test < @[retval] = count() >", {}],
    ["push-O0", "probe test < count++ >", { kernel: "4.16" }],
    ["callsite-O0", "probe probe_nop5 < n++ >", {}],
    ["recurse-O2", "probe rec < @n = count() > retprobe rec < @r = count() >", {}],
    ["funclat-O2", "probe work < @s[tid] = nsecs > retprobe work < @h = hist(nsecs - @s[tid]) >", {}],
    ["longjmp-O0", "probe main < @m = count() >", {}],
    ["sigstep-O0", "probe main < @m = count() >", {}],
  ];
  for (const [sample, program, opts] of runs) {
    test(`${sample}: ${program}${opts.emulation === false ? " (no emulation)" : ""}${opts.kernel ? ` (kernel ${opts.kernel})` : ""}`, () => {
      const a = runProbes(sample, program, { ...opts, tier: "interp" });
      const b = runProbes(sample, program, { ...opts, tier: "jit" });
      assert.equal(b.session.machine.proc.cpu.tier, "jit");
      assert.equal(b.stdout, a.stdout, "stdout");
      assert.equal(b.stderr, a.stderr, "stderr");
      assert.equal(b.status, a.status, "status");
      assert.equal(b.maps, a.maps, "maps");
      assert.equal(probeStatsLine(b.session.stats()), probeStatsLine(a.session.stats()), "--json probe stats (hits, traps, virtual time)");
    });
  }
});
