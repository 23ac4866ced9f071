// From a Recording (cli/calibrate-measure.ts, or one saved by
// scripts/real-kernel-calibrate.mjs) to a cost profile, and a profile's
// prediction error on the held-out cases: the parts of `calibrate` that need
// neither root nor tracefs.

import { DEFAULT_GHZ, UserError, type CostProfile } from "../engine/index.js";
import { CALIBRATION_CASES, type CalibrationCase } from "./calibrate-cases.js";
import { errorSummary, fitCosts, FIT_KEYS, predictFromEquation, spreadOf, type CaseEquation, type ErrorSummary, type FitKey } from "./calibrate-fit.js";
import type { Recording } from "./calibrate-recording.js";
import { caseEquation, modelledGeneration, modelPaths, predictCase } from "./calibrate-model.js";

/**
 * A case's figure from its rounds: the median (the default), or the fastest
 * round, which other processes can only have slowed down (the better
 * estimate of the uncontended cost on a busy machine; equal on a quiet one).
 */
export type Estimator = "median" | "min";

function figureOf(rounds: readonly number[], estimator: Estimator): number {
  const s = spreadOf(rounds);
  return estimator === "min" ? s.min : s.median;
}

/** A spread above this (max − min over the median, %) means the rounds disagree: something else ran. */
const WIDE_SPREAD_PCT = 20;
/** A 1-minute load average at or above this before measuring means another process was running. */
const BUSY_LOAD = 0.75;
/** One-time cost of optimizing a nop5 site: amortized over the calls, too small to fit; kept at the built-in profiles' value. */
const OPTIMIZE_NS = 25000;

export interface CaseReport {
  case: string;
  what: string;
  set: "fit" | "check";
  /** The model's path per probe, and what the real process's maps showed (single entry probes only). */
  model_path: string;
  real_path?: string;
  /** The model's equation for this case, in ns per call (fit cases). */
  equation?: string;
  min_ns: number;
  median_ns: number;
  max_ns: number;
  /** The figure the fit or the check uses (the estimator's: median or min). */
  measured_ns: number;
  spread_pct: number;
  predicted_ns: number;
  /** (predicted − measured) / measured, %; for fit cases this is the fit's residual. */
  error_pct: number;
}

interface CalibratedProfile extends CostProfile {
  equations: string[];
  cases: CaseReport[];
}

/** The modelled generation for the recording's kernel; a warning when it is not that version's own. */
export function kernelOf(release: string): { version: string; warning?: string } {
  const g = modelledGeneration(release);
  if (!g) throw new UserError(`calibrate: kernel ${release} ${/^\d+\.\d+/.test(release) ? "is older than every modelled generation" : "is not a version (MAJOR.MINOR...)"}`);
  return g.exact ? { version: g.version } : { version: g.version, warning: `kernel ${release} is not a modelled generation: using ${g.version}, the newest modelled one below it` };
}

/** What the probed process's maps say about a single entry probe's path. */
function realPath(c: CalibrationCase, r: Recording["cases"][string]): string | undefined {
  if (c.probes.length !== 1 || c.probes[0]!.kind !== "p") return undefined;
  return r.maps.tramp ? "optimized" : r.maps.xol ? "xol" : "emulated";
}

function equationText(e: CaseEquation): string {
  const terms = FIT_KEYS.filter((k) => Math.abs(e.coef[k]) > 1e-6).map((k) => (Math.abs(e.coef[k] - 1) < 1e-6 ? k : `${+e.coef[k].toFixed(4)}·${k}`));
  return [...terms, `${+e.fixedNs.toFixed(2)} ns`].join(" + ");
}

function recordedCases(rec: Recording, set: "fit" | "check"): CalibrationCase[] {
  return CALIBRATION_CASES.filter((c) => c.set === set && rec.cases[c.name] && rec.cases[c.name]!.rounds.length > 0);
}

function report(c: CalibrationCase, rec: Recording, kernel: string, e: CaseEquation | undefined, predicted: number, estimator: Estimator): CaseReport {
  const r = rec.cases[c.name]!;
  const s = spreadOf(r.rounds);
  const measured = figureOf(r.rounds, estimator);
  const rep: CaseReport = {
    case: c.name,
    what: c.what,
    set: c.set,
    model_path: modelPaths(c, kernel).join(","),
    min_ns: r2(s.min),
    median_ns: r2(s.median),
    max_ns: r2(s.max),
    measured_ns: r2(measured),
    spread_pct: r1(s.spread_pct),
    predicted_ns: r2(predicted),
    error_pct: r1((100 * (predicted - measured)) / measured),
  };
  if (e) rep.equation = equationText(e);
  const real = realPath(c, r);
  if (real) rep.real_path = real;
  return rep;
}

/** Warnings on the quality of a recording: wide spreads, a busy machine, paths the model gets wrong. */
export function recordingWarnings(rec: Recording, reports: readonly CaseReport[], estimator: Estimator): string[] {
  const w: string[] = [];
  const wide = reports.filter((r) => r.spread_pct > WIDE_SPREAD_PCT).sort((a, b) => b.spread_pct - a.spread_pct);
  const busy = (rec.loadavg_before[0] ?? 0) >= BUSY_LOAD;
  const load = `load average ${rec.loadavg_before[0] ?? "?"} before, ${rec.loadavg_after[0] ?? "?"} after`;
  if (wide.length || busy) {
    const worst = wide[0];
    const what = worst ? `${wide.length} case(s) spread over ${WIDE_SPREAD_PCT} % (worst ${worst.case}: ${worst.min_ns}…${worst.max_ns} ns, ${worst.spread_pct} %), ${load}` : `${load}`;
    w.push(
      `warning: ${what}: other processes were competing for the CPU, so these figures are untrustworthy. ` +
        `For a cleaner measurement: stop other jobs (see top), keep the pinned CPU free (--cpu N), and raise --rounds` +
        (estimator === "median" ? `; or take each case's fastest round (--estimator min), which other processes can only have slowed down.` : "."),
    );
  }
  for (const r of reports) if (r.real_path && r.real_path !== r.model_path) w.push(`warning: ${r.case}: the real kernel took the ${r.real_path} path, the model ${r.model_path} (a backport?): its figure does not fit the model`);
  return w;
}

/** What was found about the kernel by probing it: the nop5 optimization, the paths. */
export function findings(reports: readonly CaseReport[]): string[] {
  const f: string[] = [];
  const nop5 = reports.find((r) => r.case === "opt_nop5");
  if (nop5?.real_path) f.push(`a nop5 probe ${nop5.real_path === "optimized" ? "is optimized (the [uprobes-trampoline] appeared)" : `is not optimized (${nop5.real_path})`}; the model: ${nop5.model_path}`);
  const single = reports.filter((r) => r.real_path);
  const agree = single.filter((r) => r.real_path === r.model_path).length;
  if (single.length) f.push(`${agree} of ${single.length} single-probe paths agree with the model`);
  return f;
}

export interface FitOutcome {
  profile: CalibratedProfile;
  reports: CaseReport[];
  clamped: FitKey[];
  kernel: string;
  warnings: string[];
}

/** Fit a profile to a recording's fit cases (least squares on relative errors, calibrate-fit.ts). */
export function fitProfile(rec: Recording, estimator: Estimator = "median"): FitOutcome {
  const k = kernelOf(rec.kernel_release);
  const ghz = rec.cpu_mhz > 0 ? rec.cpu_mhz / 1000 : DEFAULT_GHZ; // VMs often report 0 MHz
  const clock = { ghz, cyclesPerInsn: 1, optimize: OPTIMIZE_NS };
  const cases = recordedCases(rec, "fit");
  if (cases.length === 0) throw new UserError("calibrate: the recording has no fit case");
  const eqs = cases.map((c) => caseEquation(c, k.version, rec.calls, clock));
  const measured = new Map(cases.map((c) => [c.name, figureOf(rec.cases[c.name]!.rounds, estimator)]));
  const fit = fitCosts(eqs, measured);
  const f = fit.costs;
  const costs = {
    int3_trap: r1(f.int3_trap ?? 0),
    single_step: r1(f.single_step ?? 0),
    // a 64-bit task on 6.11+ never returns through the int3 trampoline: its cost is taken as an int3 round trip's
    uret_trap: r1(f.uret_trap ?? f.int3_trap ?? 0),
    uprobe_syscall: r1(f.uprobe_syscall ?? 0),
    uretprobe_syscall: r1(f.uretprobe_syscall ?? 0),
    handler: r1(f.handler ?? 0),
    optimize: OPTIMIZE_NS,
  };
  const reports = cases.map((c, i) => report(c, rec, k.version, eqs[i]!, predictFromEquation(eqs[i]!, costs), estimator));
  const load = `load ${rec.loadavg_before[0] ?? "?"}→${rec.loadavg_after[0] ?? "?"}`;
  const worst = errorSummary(reports.map((r) => ({ case: r.case, predicted_ns: r.predicted_ns, measured_ns: r.measured_ns })));
  const profile: CalibratedProfile = {
    name: `calibrated-${rec.kernel_release}`,
    description: `measured by uprobe-lab calibrate on Linux ${rec.kernel_release} (${rec.cpu_model}), ${rec.date}, ${rec.rounds} rounds × ${rec.calls} calls (${estimator} of rounds), ${load}; fit residuals mean ${worst.mean_abs_pct} %, worst ${worst.worst_pct} % (${worst.worst_case}); tracefs events as consumers`,
    ghz,
    cyclesPerInsn: 1,
    costs,
    provenance: {
      tool: "uprobe-lab calibrate",
      kernel_release: rec.kernel_release,
      modelled_kernel: k.version,
      cpu_model: rec.cpu_model,
      date: rec.date,
      rounds: rec.rounds,
      calls: rec.calls,
      estimator,
      pinned_cpu: rec.pinned_cpu,
      loadavg_before: rec.loadavg_before,
      loadavg_after: rec.loadavg_after,
      widest_spread_pct: Math.max(...reports.map((r) => r.spread_pct)),
      fit: "weighted least squares on relative errors, costs >= 0",
      not_fitted: [...FIT_KEYS.filter((key) => f[key] === undefined), "optimize"],
      clamped_to_0: fit.clamped,
    },
    equations: [
      "ns per call of a probed function, over the same function unprobed = Σ coefficient·cost + fixed (docs/uprobes-model.md §9.5); each case's line below is read off the model",
      "emulated hit: int3_trap + handler",
      "out-of-line hit: int3_trap + single_step + handler + 1 instruction",
      "optimized nop5 hit: uprobe_syscall + handler + 10 instructions (the first hit: its int3 path + optimize, once per process)",
      "uretprobe: its entry's path without a handler + uretprobe_syscall + handler + 8 instructions (6.11+), or + uret_trap + handler (before)",
      "k consumers on one address: one trap, k handlers; several probes in a function: the sum",
      "one instruction: 1000 × cyclesPerInsn / ghz ps",
    ],
    cases: reports,
  };
  return { profile, reports, clamped: fit.clamped, kernel: k.version, warnings: k.warning ? [k.warning] : [] };
}

export interface CheckOutcome {
  reports: CaseReport[];
  summary: ErrorSummary;
  kernel: string;
  estimator: Estimator;
  warnings: string[];
}

/** The estimator a profile was fitted with (its provenance says), or the median. */
export function estimatorOf(profile: CostProfile): Estimator {
  return profile.provenance?.["estimator"] === "min" ? "min" : "median";
}

/** A profile's predictions for the recording's held-out cases, against the measured figures (by default with the profile's own estimator). */
export function checkProfile(profile: CostProfile, rec: Recording, estimator: Estimator = estimatorOf(profile)): CheckOutcome {
  const k = kernelOf(rec.kernel_release);
  const cases = recordedCases(rec, "check");
  if (cases.length === 0) throw new UserError("calibrate --check: the recording has no held-out case");
  const reports = cases.map((c) => report(c, rec, k.version, undefined, predictCase(c, profile, k.version, rec.calls), estimator));
  const summary = errorSummary(reports.map((r) => ({ case: r.case, predicted_ns: r.predicted_ns, measured_ns: r.measured_ns })));
  return { reports, summary, kernel: k.version, estimator, warnings: k.warning ? [k.warning] : [] };
}

function r1(x: number): number {
  return Math.round(x * 10) / 10;
}
function r2(x: number): number {
  return Math.round(x * 100) / 100;
}
