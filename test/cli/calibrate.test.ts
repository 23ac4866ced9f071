// calibrate without root: the model's equations per case, the least-squares
// fit and --check on real samples recorded on Linux 6.18.44 by
// scripts/real-kernel-calibrate.mjs (test/cli/calibrate-samples.json;
// re-record with that script), and `run --cost FILE` using what it writes.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { COST_PROFILES, type CostProfile } from "../../engine/index.js";
import { CALIBRATION_CASES, casesOf, caseByName } from "../../lab/calibrate-cases.js";
import { errorSummary, fitCosts, FIT_KEYS, predictFromEquation, type CaseEquation } from "../../lab/calibrate-fit.js";
import { CALIBRATE_BINARY, caseEquation, modelledGeneration, predictCase } from "../../lab/calibrate-model.js";
import { checkProfile, fitProfile, kernelOf, recordingWarnings } from "../../lab/calibrate-profile.js";
import type { Recording } from "../../lab/calibrate-recording.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { runCli } from "../helpers.js";

const SAMPLES = path.join(PROJECT_ROOT, "test", "cli", "calibrate-samples.json");
const recording = (): Recording => JSON.parse(fs.readFileSync(SAMPLES, "utf8")) as Recording;
const kvm = COST_PROFILES["kvm-6.18"]!;
const clock = { ghz: kvm.ghz, cyclesPerInsn: kvm.cyclesPerInsn, optimize: kvm.costs.optimize };
const CALLS = 20000;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "calibrate-test-"));

const equations = new Map<string, CaseEquation>();
function equationOf(name: string): CaseEquation {
  if (!equations.has(name)) equations.set(name, caseEquation(caseByName(name)!, "6.18", CALLS, clock));
  return equations.get(name)!;
}
const nonzero = (e: CaseEquation): Record<string, number> => Object.fromEntries(FIT_KEYS.filter((k) => Math.abs(e.coef[k]) > 1e-6).map((k) => [k, +e.coef[k].toFixed(3)]));

describe("calibrate: the model's equations (docs/uprobes-model.md §9.5)", () => {
  test("each path's costs, as §9.2 states them, read off the model on 6.18", () => {
    for (const c of casesOf("fit").filter((c) => c.name.startsWith("emu_") && c.probes.length === 1)) assert.deepEqual(nonzero(equationOf(c.name)), { int3_trap: 1, handler: 1 }, c.name);
    assert.deepEqual(nonzero(equationOf("emu_push_2c")), { int3_trap: 1, handler: 2 });
    for (const n of ["xol_mov", "xol_sub", "xol_mid", "xol_lea_rip", "xol_load_rip"]) {
      assert.deepEqual(nonzero(equationOf(n)), { int3_trap: 1, single_step: 1, handler: 1 }, n);
      assert.equal(+equationOf(n).fixedNs.toFixed(3), 0.4, `${n}: the copy in the slot, one instruction at 2.5 GHz`);
    }
    // the first hit traps once per run: 1/calls of an int3
    assert.deepEqual(nonzero(equationOf("opt_nop5")), { int3_trap: +(1 / CALLS).toFixed(3), uprobe_syscall: 1, handler: 1 });
    assert.deepEqual(nonzero(equationOf("ret_push")), { int3_trap: 1, uretprobe_syscall: 1, handler: 1 });
    assert.deepEqual(nonzero(equationOf("ret_mov")), { int3_trap: 1, single_step: 1, uretprobe_syscall: 1, handler: 1 });
  });
  test("a uretprobe returns through the int3 trampoline before 6.11", () => {
    const e = caseEquation(caseByName("ret_push")!, "6.2", CALLS, clock);
    assert.deepEqual(nonzero(e), { int3_trap: 1, uret_trap: 1, handler: 1 });
  });
  test("the equations are the model: the emulator's prediction under a profile equals Σ coef·cost + fixed", () => {
    for (const name of ["emu_push_2c", "xol_mov", "opt_nop5", "ret_mov", "chk_long_every", "chk_long_ret"]) {
      const e = name.startsWith("chk_") ? caseEquation(caseByName(name)!, "6.18", CALLS, clock) : equationOf(name);
      const emulated = predictCase(caseByName(name)!, kvm, "6.18", CALLS);
      assert.ok(Math.abs(emulated - predictFromEquation(e, kvm.costs)) < 0.05, `${name}: ${emulated} vs ${predictFromEquation(e, kvm.costs)}`);
    }
  });
});

describe("calibrate: the fit", () => {
  test("recovers the costs that generated the measurements", () => {
    const truth = { int3_trap: 830, single_step: 9700, uret_trap: 0, uprobe_syscall: 410, uretprobe_syscall: 520, handler: 170 };
    const eqs = casesOf("fit").map((c) => equationOf(c.name));
    const fit = fitCosts(eqs, new Map(eqs.map((e) => [e.case, predictFromEquation(e, truth)])));
    for (const k of ["int3_trap", "single_step", "uprobe_syscall", "uretprobe_syscall", "handler"] as const) assert.ok(Math.abs(fit.costs[k]! - truth[k]) < 0.5, `${k}: ${fit.costs[k]} vs ${truth[k]}`);
    assert.equal(fit.costs.uret_trap, undefined, "no 6.18 case returns through the int3 trampoline");
    for (const r of fit.residuals) assert.ok(Math.abs(r.error_pct) < 0.1, `${r.case}: ${r.error_pct}`);
  });
  test("minimises relative errors, and holds a cost the data push below 0 at 0", () => {
    const eqs = ["emu_push", "emu_push_2c", "xol_mov"].map(equationOf);
    // a second consumer that costs nothing more: the handler fits to 0, not below
    const fit = fitCosts(eqs, new Map([["emu_push", 1000], ["emu_push_2c", 990], ["xol_mov", 11000]]));
    assert.deepEqual(fit.clamped, ["handler"]);
    assert.equal(fit.costs.handler, 0);
    assert.ok(fit.costs.int3_trap! > 990 && fit.costs.int3_trap! < 1000);
  });
  test("errorSummary: mean |error| and the signed worst", () => {
    const s = errorSummary([{ case: "a", predicted_ns: 110, measured_ns: 100 }, { case: "b", predicted_ns: 80, measured_ns: 100 }, { case: "c", predicted_ns: 100, measured_ns: 100 }]);
    assert.deepEqual(s, { mean_abs_pct: 10, worst_pct: -20, worst_case: "b" });
  });
});

describe("calibrate: kernels", () => {
  test("the newest modelled generation at or below the release, with a warning unless it is its own", () => {
    assert.deepEqual(kernelOf("6.18.44-fc-v1098"), { version: "6.18" });
    assert.equal(kernelOf("6.19.3").version, "6.18");
    assert.match(kernelOf("6.19.3").warning!, /6\.19\.3 is not a modelled generation: using 6\.18/);
    assert.equal(modelledGeneration("2.6.32"), undefined);
    assert.throws(() => kernelOf("2.6.32"), /older than every modelled generation/);
  });
});

describe("calibrate: recorded samples (scripts/real-kernel-calibrate.mjs)", () => {
  const rec = recording();
  test("the recording has every case, its rounds, its machine and load", () => {
    assert.deepEqual(Object.keys(rec.cases).sort(), CALIBRATION_CASES.map((c) => c.name).sort());
    for (const c of Object.values(rec.cases)) assert.equal(c.rounds.length, rec.rounds);
    assert.match(rec.kernel_release, /^\d+\.\d+/);
    assert.equal(rec.loadavg_before.length, 3);
  });
  const fit = fitProfile(rec);
  test("the profile records kernel, CPU, date, rounds, spread and a residual per fit case", () => {
    const p = fit.profile;
    const prov = p.provenance!;
    for (const k of ["kernel_release", "cpu_model", "date", "rounds", "calls", "loadavg_before", "loadavg_after", "widest_spread_pct"]) assert.ok(k in prov, k);
    assert.deepEqual(p.cases.map((c) => c.case), casesOf("fit").map((c) => c.name));
    for (const c of p.cases) {
      const rounds = [...rec.cases[c.case]!.rounds].sort((a, b) => a - b);
      assert.equal(c.min_ns, Math.round(rounds[0]! * 100) / 100);
      assert.equal(c.max_ns, Math.round(rounds.at(-1)! * 100) / 100);
      assert.ok(Math.abs(c.error_pct - (100 * (c.predicted_ns - c.median_ns)) / c.median_ns) < 0.1, c.case);
      // the fit's prediction is the emulator's under the fitted profile
      assert.ok(Math.abs(c.predicted_ns - predictCase(caseByName(c.case)!, p, "6.18", rec.calls)) < 0.05, c.case);
    }
    assert.ok(p.equations.length > 3);
  });
  test("--check: the fitted profile predicts the held-out cases better than kvm-6.18 (another machine's)", () => {
    const mine = checkProfile(fit.profile, rec);
    const other = checkProfile(kvm, rec);
    assert.deepEqual(mine.reports.map((r) => r.case), casesOf("check").map((c) => c.name));
    assert.ok(mine.summary.mean_abs_pct < other.summary.mean_abs_pct, `${mine.summary.mean_abs_pct} vs ${other.summary.mean_abs_pct}`);
    const recomputed = errorSummary(mine.reports.map((r) => ({ case: r.case, predicted_ns: r.predicted_ns, measured_ns: r.median_ns })));
    assert.deepEqual(mine.summary, recomputed);
  });
  test("--estimator min: each case's fastest round, recorded in the profile and used by --check", () => {
    const f = fitProfile(rec, "min");
    assert.equal(f.profile.provenance!["estimator"], "min");
    for (const c of f.profile.cases) assert.equal(c.measured_ns, c.min_ns, c.case);
    const chk = checkProfile(f.profile, rec);
    assert.equal(chk.estimator, "min");
    for (const r of chk.reports) assert.ok(Math.abs(r.error_pct - (100 * (r.predicted_ns - r.min_ns)) / r.min_ns) < 0.1, r.case);
    assert.equal(checkProfile(kvm, rec).estimator, "median");
  });
  test("a wide spread or a busy machine is called untrustworthy", () => {
    const busy: Recording = { ...rec, loadavg_before: [3.5, 2, 1] };
    assert.match(recordingWarnings(busy, fit.reports, "median")[0]!, /untrustworthy.*stop other jobs.*--estimator min/);
    assert.doesNotMatch(recordingWarnings(busy, fit.reports, "min")[0]!, /--estimator min/);
    const quiet: Recording = { ...rec, loadavg_before: [0.1, 0.1, 0.1] };
    const tight = fit.reports.map((r) => ({ ...r, spread_pct: 5 }));
    assert.deepEqual(recordingWarnings(quiet, tight, "median").filter((w) => /untrustworthy/.test(w)), []);
  });
});

describe("calibrate on the command line, and run --cost with its file", () => {
  const out = path.join(tmp, "my.json");
  test("calibrate --samples FILE -o my.json: fits without root, prints the table and the costs", () => {
    const r = runCli(["calibrate", "--samples", SAMPLES, "-o", out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^fit: kernel \S+ \(modelled as 6\.18\)/);
    assert.match(r.stdout, /xol_lea_rip\s+xol\s/);
    assert.match(r.stdout, /costs \(ns\): int3_trap [\d.]+, single_step [\d.]+/);
    assert.match(r.stderr, /wrote .*my\.json/);
    const p = JSON.parse(fs.readFileSync(out, "utf8")) as CostProfile & { cases: unknown[] };
    assert.equal(p.cases.length, casesOf("fit").length);
  });
  test("run --cost my.json: the hits cost what the file says, and the stats line names it", () => {
    const p = JSON.parse(fs.readFileSync(out, "utf8")) as CostProfile;
    const run = (file: string): { ns: number; cost: string; provenance: Record<string, unknown> } => {
      const r = runCli(["run", "--json", "--cost", file, "-e", "probe site_mov:0 < n++ >", "--", CALIBRATE_BINARY, "1000", "site_mov"]);
      assert.equal(r.status, 0, r.stderr);
      const stats = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
      return { ns: stats.probes[0].virtual_ns / stats.probes[0].hits, cost: stats.cost, provenance: stats.cost_provenance };
    };
    const mine = run(out);
    assert.equal(mine.cost, p.name);
    assert.deepEqual(mine.provenance, p.provenance, "the stats line carries the profile's provenance");
    assert.ok(Math.abs(mine.ns - (p.costs.int3_trap + p.costs.single_step + p.costs.handler)) < 0.01, `${mine.ns}`);
    // the same file with a dearer single step: the prediction follows the file
    const dearer = path.join(tmp, "dearer.json");
    fs.writeFileSync(dearer, JSON.stringify({ ...p, costs: { ...p.costs, single_step: p.costs.single_step + 1000 } }));
    assert.ok(Math.abs(run(dearer).ns - mine.ns - 1000) < 0.01);
  });
  test("calibrate --check PROFILE --samples FILE: predicted against measured, mean and worst error", () => {
    const r = runCli(["calibrate", "--check", out, "--samples", SAMPLES]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^profile calibrated-\S+ against held-out cases/);
    for (const c of casesOf("check")) assert.match(r.stdout, new RegExp(`\\n${c.name}\\s`));
    assert.match(r.stdout, /mean \|error\| [\d.]+ %, worst [+-][\d.]+ % \(chk_\w+\), 13 cases\n$/);
  });
  test("a tracefs without uprobe_events: the kernel has no uprobes (or, unprivileged, root is missing)", () => {
    const fake = path.join(tmp, "tracefs");
    fs.mkdirSync(path.join(fake, "events"), { recursive: true });
    const r = runCli(["calibrate", "--tracefs", fake]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^uprobe-lab: calibrate: cannot measure the real kernel: (needs root|the kernel has no uprobe events \(.*uprobe_events is missing: CONFIG_UPROBES \/ CONFIG_UPROBE_EVENTS off\))/);
    assert.equal(r.stderr.split("\n").length, 2, "one line");
  });
  test("bad input: one line naming the file", () => {
    const r = runCli(["calibrate", "--samples", path.join(tmp, "none.json")]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^uprobe-lab: --samples .*none\.json: .*\n$/);
    fs.writeFileSync(path.join(tmp, "bad.json"), "{}");
    const b = runCli(["calibrate", "--check", "kvm-6.18", "--samples", path.join(tmp, "bad.json")]);
    assert.equal(b.status, 2);
    assert.match(b.stderr, /not a calibrate recording/);
    const e = runCli(["calibrate", "--estimator", "mean", "--samples", SAMPLES]);
    assert.equal(e.status, 2);
    assert.match(e.stderr, /^uprobe-lab: option --estimator: median or min, not mean\n$/);
    const o = runCli(["calibrate", "--samples", SAMPLES, "-o", path.join(tmp, "no", "such", "dir", "p.json")]);
    assert.equal(o.status, 2);
    assert.match(o.stderr, /^uprobe-lab: -o .*p\.json: cannot write there \(ENOENT\)\n$/);
  });
});
