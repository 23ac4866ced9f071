// How much the machine's speed drifted between a fit and its `--check`.
//
// On the project's VM the cost of a stepped hit drifted by up to 30 % over
// tens of seconds with nothing else running and no steal (2026-12-03 18:15,
// one process after another: 18.6 µs rising to 24.5 µs and back): the host's
// doing, invisible to the guest. A fit and a check a minute apart can then
// disagree by more than 10 % for reasons that are not the profile's. So the
// check re-measures a few of the fit's own cases, the anchors (one per path
// class), in the same passes as its held-out cases, and compares them with
// the figures the fit recorded in the profile (provenance.anchors).
//
// The estimator (docs/uprobes-model.md §9.5): an anchor's drift is
// d = figure now / figure in the fit, with relative standard error
// √(se_now² + se_fit²); a class's drift is the inverse-variance weighted mean
// of its anchors' ln d, and so is the overall drift over all anchors. A
// class is apart when its drift differs from the other classes' pooled one
// beyond noise (|ln d_class − ln d_others| > 2.5·√(se_class² + se_others²),
// the most different class first, then again without it); a probe's drift
// is its class's when the class is apart, else the common drift, pooled over
// the anchors of the classes that are not: one anchor per
// class carries ±2 % of noise, and on the quiet recordings A and B (no
// drift to speak of) correcting each case by its own class's anchor doubled
// the held-out mean error (1.2 → 2.3 %, 1.3 → 2.2 %) where the overall
// drift left it as it was. A held-out case's drift is the mean of its
// probes' drifts weighted by each probe's share of the case's predicted cost
// (a class with no anchor takes the common drift); its drift-corrected
// figure is measured / drift, the figure the fit's machine would have given.
// The raw error stays the headline: the corrected one adds the anchors'
// noise and assumes that a class drifts as its anchors do.

import type { CostProfile } from "../engine/index.js";
import { caseByName, DRIFT_ANCHORS, type CalibrationCase } from "./calibrate-cases.js";
import { caseStdError, figureOf, type Estimator } from "./calibrate-estimator.js";
import { errorSummary, type ErrorSummary } from "./calibrate-fit.js";
import { modelPaths, predictCase } from "./calibrate-model.js";
import { callsOf, type Recording } from "./calibrate-recording.js";

/** The paths whose costs may drift apart: emulated int3 hits, stepped (out-of-line) hits, optimized nop5 hits, uretprobes. */
type PathClass = "emulated" | "stepped" | "nop5" | "uretprobe";

/** An anchor's figure as the fit measured it: ns per call, and its standard error in % of it. */
export interface AnchorFigure {
  ns: number;
  se_pct: number;
}

/** The anchors' figures among a fit's case reports, for the profile's provenance. */
export function anchorFigures(reports: readonly { case: string; measured_ns: number; std_error_pct: number }[]): Record<string, AnchorFigure> {
  const out: Record<string, AnchorFigure> = {};
  for (const r of reports) if (DRIFT_ANCHORS.includes(r.case)) out[r.case] = { ns: r.measured_ns, se_pct: r.std_error_pct };
  return out;
}

/** The anchor figures a profile records; none for a built-in profile or one written before anchors. */
export function recordedAnchors(profile: CostProfile): Record<string, AnchorFigure> {
  const raw = profile.provenance?.["anchors"];
  const out: Record<string, AnchorFigure> = {};
  if (typeof raw !== "object" || raw === null) return out;
  for (const [name, v] of Object.entries(raw as Record<string, unknown>)) {
    const f = v as Partial<AnchorFigure> | null;
    if (typeof f?.ns === "number" && f.ns > 0 && typeof f.se_pct === "number" && Number.isFinite(f.se_pct)) out[name] = { ns: f.ns, se_pct: f.se_pct };
  }
  return out;
}

/** Each probe's class: a uretprobe's, or its path's in the model (a rejected probe has none). */
function probeClasses(c: CalibrationCase, kernel: string): (PathClass | undefined)[] {
  const paths = modelPaths(c, kernel);
  return c.probes.map((q, i) => (q.kind === "r" ? "uretprobe" : paths[i] === "emulated" ? "emulated" : paths[i] === "xol" ? "stepped" : paths[i] === "optimized" ? "nop5" : undefined));
}

interface AnchorDrift {
  case: string;
  class: PathClass;
  fit_ns: number;
  fit_se_pct: number;
  check_ns: number;
  check_se_pct: number;
  /** (check / fit − 1), %. */
  drift_pct: number;
  /** The drift's standard error, %. */
  se_pct: number;
}

interface ClassDrift {
  class: PathClass | "all";
  drift_pct: number;
  se_pct: number;
  anchors: string[];
  /** |drift| > 2 × its standard error: the machine's speed moved beyond what the anchors' noise explains. */
  beyond_noise: boolean;
  /** The class drifted apart from the others, beyond noise: its cases are corrected by its own drift (else by the common one). */
  apart: boolean;
}

interface CaseDrift {
  case: string;
  /** The case's drift (its probes' class drifts, weighted by their predicted share), %. */
  drift_pct: number;
  /** measured / (1 + drift). */
  corrected_ns: number;
  /** (predicted − corrected) / corrected, %. */
  error_pct: number;
}

export interface DriftReport {
  anchors: AnchorDrift[];
  /** One per class with an anchor, then "all" (every anchor). */
  classes: ClassDrift[];
  /** The drift of the classes not apart (pooled over their anchors): what corrects their cases. */
  common: ClassDrift;
  cases: CaseDrift[];
  /** The held-out error with each case's measured figure drift-corrected. */
  summary: ErrorSummary;
}

/** An anchor with its unrounded drift factor (check / fit) and the factor's relative standard error. */
type Measured = AnchorDrift & { factor: number; se: number };

interface Pooled {
  cls: PathClass | "all";
  /** ln of the drift factor, and its standard error. */
  ln: number;
  se: number;
  anchors: string[];
}

/** Inverse-variance weighted mean of the anchors' ln(drift). */
function pooled(cls: PathClass | "all", anchors: readonly Measured[]): Pooled {
  let sw = 0, s = 0;
  for (const a of anchors) {
    const w = 1 / Math.max(1e-6, a.se ** 2);
    sw += w;
    s += w * Math.log(a.factor);
  }
  return { cls, ln: s / sw, se: 1 / Math.sqrt(sw), anchors: anchors.map((a) => a.case) };
}

/**
 * How far beyond noise a class must drift from the others to be apart: 2.5
 * standard errors of the difference (with four classes tested, 2 would set
 * one apart by chance in about a fifth of quiet checks).
 */
const APART_Z = 2.5;

/**
 * The classes apart from the rest: repeatedly the one whose drift differs most from the pooled drift of the other
 * classes not yet apart, while that is beyond APART_Z (so one class that drifted alone does not drag the others apart).
 */
function apartClasses(classes: readonly Pooled[], anchors: readonly Measured[]): Set<PathClass | "all"> {
  const apart = new Set<PathClass | "all">();
  for (;;) {
    let worst: { cls: PathClass | "all"; z: number } | undefined;
    for (const c of classes) {
      const others = anchors.filter((a) => a.class !== c.cls && !apart.has(a.class));
      if (apart.has(c.cls) || others.length === 0) continue;
      const o = pooled("all", others);
      const z = Math.abs(c.ln - o.ln) / Math.hypot(c.se, o.se);
      if (z > APART_Z && (!worst || z > worst.z)) worst = { cls: c.cls, z };
    }
    if (!worst) return apart;
    apart.add(worst.cls);
  }
}

function line(p: Pooled, apart: boolean): ClassDrift {
  return { class: p.cls, drift_pct: r1(100 * Math.expm1(p.ln)), se_pct: r1(100 * p.se), anchors: p.anchors, beyond_noise: Math.abs(p.ln) > 2 * p.se, apart };
}

/**
 * The drift since the fit, from the anchors this check re-measured, and the held-out cases' errors corrected for it;
 * undefined when the profile records no anchors or the recording re-measured none.
 */
export function driftSinceFit(
  profile: CostProfile,
  rec: Recording,
  kernel: string,
  estimator: Estimator,
  held: readonly { case: string; measured_ns: number; predicted_ns: number }[],
): DriftReport | undefined {
  const fit = recordedAnchors(profile);
  const anchors: Measured[] = [];
  for (const name of DRIFT_ANCHORS) {
    const c = caseByName(name), f = fit[name], r = rec.cases[name];
    const cls = c && probeClasses(c, kernel)[0];
    if (!c || !f || !r || r.rounds.length === 0 || !cls) continue;
    const now = figureOf(r.rounds, estimator), se = 100 * caseStdError(r.rounds, r.blocks, estimator);
    if (!(now > 0) || !Number.isFinite(se)) continue;
    const sd = Math.hypot(se, f.se_pct);
    anchors.push({ case: name, class: cls, fit_ns: f.ns, fit_se_pct: f.se_pct, check_ns: r2(now), check_se_pct: r1(se), drift_pct: r1(100 * (now / f.ns - 1)), se_pct: r1(sd), factor: now / f.ns, se: sd / 100 });
  }
  if (anchors.length === 0) return undefined;
  const order: PathClass[] = ["emulated", "stepped", "nop5", "uretprobe"];
  const classes = new Map(order.filter((k) => anchors.some((a) => a.class === k)).map((k) => [k, pooled(k, anchors.filter((a) => a.class === k))]));
  const all = pooled("all", anchors);
  const apart = apartClasses([...classes.values()], anchors);
  const level = anchors.filter((a) => !apart.has(a.class));
  const common = level.length ? pooled("all", level) : all;
  const factor = (k: PathClass | undefined): number => Math.exp(k && apart.has(k) ? classes.get(k)!.ln : common.ln);
  const cases = held.map((h) => {
    const c = caseByName(h.case);
    let d = factor(undefined);
    if (c) {
      const cls = probeClasses(c, kernel);
      if (c.probes.length === 1) d = factor(cls[0]);
      else {
        // weights: each probe's predicted cost alone (the model's "several probes in a function: the sum")
        const w = c.probes.map((q) => predictCase({ ...c, probes: [q] }, profile, kernel, callsOf(rec, c.name)));
        const sw = w.reduce((a, b) => a + b, 0);
        if (sw > 0) d = w.reduce((s, x, i) => s + (x / sw) * factor(cls[i]), 0);
      }
    }
    const corrected = h.measured_ns / d;
    return { case: h.case, drift_pct: r1(100 * (d - 1)), corrected_ns: r2(corrected), error_pct: r1((100 * (h.predicted_ns - corrected)) / corrected) };
  });
  const summary = errorSummary(held.map((h, i) => ({ case: h.case, predicted_ns: h.predicted_ns, measured_ns: cases[i]!.corrected_ns })));
  return {
    anchors: anchors.map(({ factor: _f, se: _s, ...a }) => a),
    classes: [...[...classes.values()].map((x) => line(x, apart.has(x.cls))), line(all, false)],
    common: line(common, false),
    cases,
    summary,
  };
}

function r1(x: number): number {
  return Math.round(x * 10) / 10;
}
function r2(x: number): number {
  return Math.round(x * 100) / 100;
}
