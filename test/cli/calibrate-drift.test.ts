// calibrate's drift anchors and block standard errors, offline on the quiet
// recordings A and B (test/cli/calibrate-samples-quiet-A/-B.json): the fit
// records its anchors' figures, --check compares its own re-measurement of
// them, reports the drift per path class and corrects the held-out error for
// it (lab/calibrate-drift.ts, docs/uprobes-model.md §9.5).

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { COST_PROFILES, loadCostProfile } from "../../engine/index.js";
import { checkCases, casesOf, DRIFT_ANCHORS } from "../../lab/calibrate-cases.js";
import { recordedAnchors } from "../../lab/calibrate-drift.js";
import { blockMedians, caseStdError, relativeStdError, trimmedMean } from "../../lab/calibrate-estimator.js";
import { checkProfile, fitProfile } from "../../lab/calibrate-profile.js";
import { readRecording, type Recording } from "../../lab/calibrate-recording.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { runCli } from "../helpers.js";

const QUIET_A = path.join(PROJECT_ROOT, "test", "cli", "calibrate-samples-quiet-A.json");
const QUIET_B = path.join(PROJECT_ROOT, "test", "cli", "calibrate-samples-quiet-B.json");
const A = JSON.parse(fs.readFileSync(QUIET_A, "utf8")) as Recording;
const B = JSON.parse(fs.readFileSync(QUIET_B, "utf8")) as Recording;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "calibrate-drift-"));

/** The recording with the rounds of the named cases (all when none named) multiplied by f: a machine that got f times slower. */
function slower(r: Recording, f: number, only?: readonly string[]): Recording {
  const cases = Object.fromEntries(Object.entries(r.cases).map(([n, c]) => [n, !only || only.includes(n) ? { ...c, rounds: c.rounds.map((x) => x * f) } : c]));
  return { ...r, cases };
}

describe("calibrate: a case's blocks are its independent samples", () => {
  // five blocks of three rounds that agree within each block but not across: something lasted a block;
  // the third block's last round was slowed by another process
  const rounds = [100, 101, 99, 120, 121, 119, 95, 96, 150, 110, 111, 109, 90, 91, 89];
  const blocks = [3, 3, 3, 3, 3];
  test("the standard error is the spread of the block medians over √blocks, wider than the rounds pretend", () => {
    const meds = blockMedians(rounds, blocks);
    assert.deepEqual(meds, [100, 120, 96, 110, 90]);
    const m = 103.2;
    const sd = Math.sqrt(meds.reduce((a, x) => a + (x - m) ** 2, 0) / 4);
    assert.ok(Math.abs(caseStdError(rounds, blocks, "trimmed") - sd / Math.sqrt(5) / trimmedMean(rounds)) < 1e-12);
    assert.ok(Math.abs(caseStdError(rounds, blocks, "median") - (1.25 * sd) / Math.sqrt(5) / 101) < 1e-12, "the median of the rounds is 101");
    assert.ok(caseStdError(rounds, blocks, "trimmed") > 1.2 * relativeStdError(rounds, "trimmed"), `${caseStdError(rounds, blocks, "trimmed")} vs ${relativeStdError(rounds, "trimmed")}`);
    // one block off as a whole counts in full: winsorizing it away would halve the error
    const off = [...rounds.slice(0, 12), 60, 61, 59];
    assert.ok(caseStdError(off, blocks, "trimmed") > 1.5 * caseStdError(rounds, blocks, "trimmed"));
  });
  test("a recording without blocks (older) keeps the rounds' standard error; fewer than 3 blocks cannot say", () => {
    assert.equal(caseStdError(rounds, undefined, "trimmed"), relativeStdError(rounds, "trimmed"));
    assert.equal(caseStdError(rounds.slice(0, 6), [3, 3], "trimmed"), Infinity);
  });
  test("a recording's blocks must sum to its rounds: one line naming the case", () => {
    const bad = path.join(tmp, "bad-blocks.json");
    fs.writeFileSync(bad, JSON.stringify({ ...B, cases: { ...B.cases, emu_push: { ...B.cases["emu_push"], blocks: [3, 3] } } }));
    assert.throws(() => readRecording(bad), /case emu_push: blocks must be counts of rounds ≥ 1 that sum to its \d+ rounds/);
  });
});

describe("calibrate --check: drift anchors (lab/calibrate-drift.ts)", () => {
  const fitA = fitProfile(A);
  test("the check measures the held-out cases and one anchor per path class, spread among them", () => {
    const names = checkCases().map((c) => c.name);
    assert.deepEqual([...names].sort(), [...casesOf("check").map((c) => c.name), ...DRIFT_ANCHORS].sort());
    assert.ok(!DRIFT_ANCHORS.includes(names[0]!) && !DRIFT_ANCHORS.includes(names.at(-1)!), names.join(" "));
  });
  test("the profile records the anchors' fit figures, and they survive loading the file", () => {
    const a = recordedAnchors(fitA.profile);
    assert.deepEqual(Object.keys(a), [...DRIFT_ANCHORS]);
    for (const n of DRIFT_ANCHORS) {
      const r = fitA.reports.find((x) => x.case === n)!;
      assert.deepEqual(a[n], { ns: r.measured_ns, se_pct: r.std_error_pct });
    }
    const file = path.join(tmp, "a.json");
    fs.writeFileSync(file, JSON.stringify(fitA.profile));
    assert.deepEqual(recordedAnchors(loadCostProfile(file)), a);
    assert.deepEqual(recordedAnchors(COST_PROFILES["kvm-6.18"]!), {}, "a built-in profile has none");
  });
  test("each anchor's drift is its figure now over the fit's; a class's and the overall are inverse-variance pooled", () => {
    const d = checkProfile(fitA.profile, B).drift!;
    const fit = recordedAnchors(fitA.profile);
    assert.deepEqual(d.anchors.map((a) => [a.case, a.class]), [["emu_push", "emulated"], ["xol_sub", "stepped"], ["opt_nop5", "nop5"], ["ret_push", "uretprobe"]]);
    let sw = 0, s = 0;
    for (const a of d.anchors) {
      const now = trimmedMean(B.cases[a.case]!.rounds);
      const se = Math.hypot(100 * relativeStdError(B.cases[a.case]!.rounds, "trimmed"), fit[a.case]!.se_pct);
      assert.equal(a.drift_pct, Math.round(1000 * (now / fit[a.case]!.ns - 1)) / 10, a.case);
      assert.ok(Math.abs(a.se_pct - se) < 0.051, `${a.case}: ${a.se_pct} vs ${se}`);
      sw += 1 / se ** 2;
      s += Math.log(now / fit[a.case]!.ns) / se ** 2;
    }
    const all = d.classes.find((c) => c.class === "all")!;
    assert.ok(Math.abs(all.drift_pct - 100 * Math.expm1(s / sw)) < 0.051, `${all.drift_pct}`);
    assert.ok(Math.abs(all.se_pct - 1 / Math.sqrt(sw)) < 0.051, `${all.se_pct}`);
    // A and B were back to back on a quiet machine: no drift beyond noise, no class apart, no warning
    assert.ok(d.classes.every((c) => !c.beyond_noise && !c.apart), JSON.stringify(d.classes));
    assert.deepEqual(checkProfile(fitA.profile, B).warnings, []);
    // so every case is corrected by the common drift, here every anchor's
    for (const c of d.cases) {
      const r = checkProfile(fitA.profile, B).reports.find((x) => x.case === c.case)!;
      const corrected = r.measured_ns / (1 + d.common.drift_pct / 100);
      assert.ok(Math.abs(c.error_pct - (100 * (r.predicted_ns - corrected)) / corrected) < 0.11, `${c.case}: ${c.error_pct}`);
    }
  });
  test("a fabricated drift (the machine 15 % slower at the check) is reported, warned about, and corrected away", () => {
    const plain = checkProfile(fitA.profile, B);
    const c = checkProfile(fitA.profile, slower(B, 1.15));
    for (const k of c.drift!.classes) {
      const before = plain.drift!.classes.find((x) => x.class === k.class)!;
      assert.ok(Math.abs(k.drift_pct - (115 * (1 + before.drift_pct / 100) - 100)) < 0.2, `${k.class}: ${k.drift_pct}`);
      assert.ok(k.beyond_noise && !k.apart, k.class);
    }
    assert.ok(c.summary.worst_pct < -9, `raw worst ${c.summary.worst_pct} %: the headline keeps the drift`);
    assert.ok(Math.abs(c.summary.mean_abs_pct - plain.summary.mean_abs_pct) > 8);
    // measured / drift undoes the fabricated factor: the corrected errors are the undrifted check's
    for (const x of c.drift!.cases) assert.ok(Math.abs(x.error_pct - plain.drift!.cases.find((p) => p.case === x.case)!.error_pct) <= 0.15, x.case);
    assert.match(c.warnings.join("\n"), /^warning: the machine's speed drifted since the fit beyond the anchors' noise \(emulated \+1[4-7]\.\d % ±[\d.]+ %, stepped .*all \+1[4-7]\.\d % ±[\d.]+ %\): the raw held-out error includes it/m);
  });
  test("a small drift beyond the anchors' noise (2 %) is reported per class but not warned about; 4 % is", () => {
    const small = checkProfile(fitA.profile, slower(B, 1.02));
    assert.ok(small.drift!.common.beyond_noise, `common ${small.drift!.common.drift_pct} % ±${small.drift!.common.se_pct} %`);
    assert.deepEqual(small.warnings.filter((w) => /drifted since the fit/.test(w)), []);
    assert.match(checkProfile(fitA.profile, slower(B, 1.04)).warnings.join("\n"), /drifted since the fit beyond the anchors' noise/);
  });
  test("a drift of one class only (stepped hits 25 % dearer) sets that class apart and corrects its cases by its own drift", () => {
    const stepped = ["xol_sub", "chk_xor", "chk_movimm", "chk_add", "chk_test", "chk_cmp_rip"];
    const plain = checkProfile(fitA.profile, B);
    const c = checkProfile(fitA.profile, slower(B, 1.25, stepped));
    const cls = (k: string) => c.drift!.classes.find((x) => x.class === k)!;
    assert.ok(cls("stepped").apart && cls("stepped").beyond_noise, JSON.stringify(cls("stepped")));
    // one class drifted alone: the others stay together, not apart
    for (const k of ["emulated", "nop5", "uretprobe"]) assert.ok(!cls(k).apart && !cls(k).beyond_noise, k);
    assert.deepEqual(c.drift!.common.anchors, ["emu_push", "opt_nop5", "ret_push"]);
    const d = 1 + cls("stepped").drift_pct / 100;
    for (const n of stepped.slice(1)) {
      const r = c.reports.find((x) => x.case === n)!;
      const x = c.drift!.cases.find((y) => y.case === n)!;
      assert.ok(Math.abs(x.drift_pct - cls("stepped").drift_pct) < 0.06, n);
      assert.ok(Math.abs(x.corrected_ns - r.measured_ns / d) < 0.02 * r.measured_ns / 100 + 0.01, n);
      assert.ok(r.error_pct < -15 && Math.abs(x.error_pct) < 7, `${n}: raw ${r.error_pct} %, corrected ${x.error_pct} %`);
    }
    // the emulated cases did not drift: corrected by the drift of the classes not apart, as before
    const push = c.drift!.cases.find((x) => x.case === "chk_push_r12")!;
    assert.ok(Math.abs(push.error_pct - plain.drift!.cases.find((x) => x.case === "chk_push_r12")!.error_pct) < 1, `${push.error_pct}`);
    // a function with an emulated, a stepped and a nop5 probe: its drift is between the classes', weighted by predicted cost (the step's)
    const long3 = c.drift!.cases.find((x) => x.case === "chk_long3")!;
    assert.ok(long3.drift_pct > 0.6 * cls("stepped").drift_pct && long3.drift_pct < cls("stepped").drift_pct, `${long3.drift_pct}`);
  });
  test("a profile without anchors (built in, or older) gets no drift section; a recording without the anchors neither", () => {
    assert.equal(checkProfile(COST_PROFILES["kvm-6.18"]!, B).drift, undefined);
    const noAnchors: Recording = { ...B, cases: Object.fromEntries(Object.entries(B.cases).filter(([n]) => !DRIFT_ANCHORS.includes(n))) };
    assert.equal(checkProfile(fitA.profile, noAnchors).drift, undefined);
  });
  test("on the command line: the drift per class and the corrected error come after the raw headline, with a warning on stderr", () => {
    const prof = path.join(tmp, "fit-a.json");
    assert.equal(runCli(["calibrate", "--samples", QUIET_A, "-o", prof]).status, 0);
    const drifted = path.join(tmp, "b-slower.json");
    fs.writeFileSync(drifted, JSON.stringify(slower(B, 1.15)));
    const r = runCli(["calibrate", "--check", prof, "--samples", drifted]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\ncase\s+path\s+rounds\s+calls\s+min\s+median\s+max\s+trimmed\s+±\s+predicted\s+error\s+drift-corr\.\n/);
    assert.match(r.stdout, /\nmean \|error\| 1\d\.\d %, worst -1\d\.\d % \(chk_\w+\), 13 cases\n/);
    assert.match(r.stdout, /\ndrift since the fit \(4 fit cases re-measured in this check's passes, now \/ in the fit\): emulated \+1\d\.\d % ±\d\.\d % \(emu_push\) beyond noise, .*all \+1\d\.\d % ±\d\.\d % beyond noise\n/);
    assert.match(r.stdout, /\ndrift-corrected \(each measured figure \/ the common drift \+1\d\.\d %, .*\): mean \|error\| 1\.\d %, worst [+-][0-3]\.\d % \(chk_\w+\)\n$/);
    assert.match(r.stderr, /calibrate: warning: the machine's speed drifted since the fit/);
  });
});

// A real pair with blocks and anchors (2026-12-03 18:42 and 18:43, Linux 6.18.44, under load: other processes used
// 1.6-1.7 of the 2 CPUs; `bin/uprobe-lab calibrate -o P --record FIT`, then `calibrate --check P --record CHECK`)
const BUSY_FIT = path.join(PROJECT_ROOT, "test", "cli", "calibrate-samples-busy-fit.json");
const BUSY_CHECK = path.join(PROJECT_ROOT, "test", "cli", "calibrate-samples-busy-check.json");

describe("calibrate: a real fit and check with blocks and anchors (recorded under load)", () => {
  const F = readRecording(BUSY_FIT), C = readRecording(BUSY_CHECK);
  const fit = fitProfile(F);
  const chk = checkProfile(fit.profile, C);
  test("each case kept its blocks of 3 and their times; the check re-measured the anchors in the same passes", () => {
    for (const r of [F, C])
      for (const [n, c] of Object.entries(r.cases)) {
        assert.ok(c.blocks!.length >= 5 && c.blocks!.every((b) => b === 3), n);
        assert.equal(c.block_t!.length, c.blocks!.length);
      }
    assert.deepEqual(Object.keys(C.cases).sort(), checkCases().map((c) => c.name).sort());
    // same passes: the anchors' blocks are as many as the held-out cases', at times among theirs
    const t = (n: string): number[] => C.cases[n]!.block_t!;
    for (const a of DRIFT_ANCHORS) assert.equal(t(a).length, t("chk_xor").length, a);
    // the standard errors are the blocks'
    for (const r of chk.reports) assert.equal(r.std_error_pct, Math.round(1000 * caseStdError(C.cases[r.case]!.rounds, C.cases[r.case]!.blocks, "trimmed")) / 10, r.case);
  });
  test("every held-out case came out dearer than predicted, as did the anchors: the drift explains most of the raw error", () => {
    assert.ok(chk.reports.every((r) => r.error_pct < 0), chk.reports.map((r) => r.error_pct).join(" "));
    const all = chk.drift!.classes.find((c) => c.class === "all")!;
    assert.ok(all.beyond_noise && all.drift_pct > 2, `${all.drift_pct}`);
    assert.match(chk.warnings.join("\n"), /the machine's speed drifted since the fit/);
    assert.ok(chk.drift!.summary.mean_abs_pct < chk.summary.mean_abs_pct / 2, `${chk.drift!.summary.mean_abs_pct} vs ${chk.summary.mean_abs_pct}`);
    assert.ok(Math.abs(chk.drift!.summary.worst_pct) < Math.abs(chk.summary.worst_pct));
  });
});
