// The arithmetic of `calibrate`, apart from any measurement: the spread of a
// case's rounds, the weighted least-squares fit of a cost profile's
// parameters to the measured cases, and the relative error of predictions.
// Pure functions of recorded numbers, so they are tested on recorded samples.
//
// The model is linear in the profile's costs (docs/uprobes-model.md §9.5):
// for a case i, the extra ns per call of the probed function is
//   y_i = Σ_k a_ik · cost_k + f_i
// where a_ik is how many times per call the model charges cost k (traps,
// syscalls, handler runs), and f_i the fixed part (instructions the kernel
// makes the task run, the optimization amortized over the calls).

import type { CostProfile } from "../engine/index.js";
import { median } from "./calibrate-estimator.js";

/** The costs a fit determines (`optimize` is charged once per process, so only a case with few calls per run sees it). */
export const FIT_KEYS = ["int3_trap", "single_step", "uret_trap", "uprobe_syscall", "uretprobe_syscall", "handler", "optimize", "stack_write"] as const;
export type FitKey = (typeof FIT_KEYS)[number];

/** The model's equation for one case: ns per call = Σ coef[k]·costs[k] + fixedNs. */
export interface CaseEquation {
  case: string;
  coef: Record<FitKey, number>;
  fixedNs: number;
}

export interface Spread {
  min: number;
  median: number;
  max: number;
  /** (max − min) / median, in percent. */
  spread_pct: number;
}

export function spreadOf(xs: readonly number[]): Spread {
  const med = median(xs);
  const min = Math.min(...xs), max = Math.max(...xs);
  return { min, median: med, max, spread_pct: med > 0 ? (100 * (max - min)) / med : Infinity };
}

export function predictFromEquation(e: CaseEquation, costs: Pick<CostProfile["costs"], FitKey>): number {
  return FIT_KEYS.reduce((s, k) => s + e.coef[k] * costs[k], e.fixedNs);
}

interface CaseResidual {
  case: string;
  measured_ns: number;
  predicted_ns: number;
  /** (predicted − measured) / measured, in percent. */
  error_pct: number;
}

export interface FitResult {
  /** Fitted costs; a key no case exercises is absent (the fit cannot see it). */
  costs: Partial<Record<FitKey, number>>;
  /** Keys held at 0 because their unconstrained value was negative. */
  clamped: FitKey[];
  residuals: CaseResidual[];
}

/**
 * Least squares on relative errors: minimise Σ ((ŷ_i − y_i) / y_i)² over
 * non-negative costs (a negative trap cost means the data cannot separate
 * it; it is held at 0 and the others refitted).
 */
export function fitCosts(equations: readonly CaseEquation[], measured: ReadonlyMap<string, number>): FitResult {
  const rows = equations.filter((e) => (measured.get(e.case) ?? 0) > 0);
  if (rows.length === 0) throw new Error("calibrate: no measured case to fit");
  let free = FIT_KEYS.filter((k) => rows.some((e) => Math.abs(e.coef[k]) > 1e-9));
  const clamped: FitKey[] = [];
  for (;;) {
    const theta = solveWeighted(rows, measured, free);
    const worst = free.reduce<{ k?: FitKey; v: number }>((w, k, i) => (theta[i]! < w.v ? { k, v: theta[i]! } : w), { v: 0 });
    if (worst.k === undefined) {
      const costs: Partial<Record<FitKey, number>> = {};
      free.forEach((k, i) => (costs[k] = theta[i]!));
      for (const k of clamped) costs[k] = 0;
      const full = Object.fromEntries(FIT_KEYS.map((k) => [k, costs[k] ?? 0])) as Record<FitKey, number>;
      return { costs, clamped, residuals: residualsOf(equations, measured, full) };
    }
    clamped.push(worst.k);
    free = free.filter((k) => k !== worst.k);
  }
}

function solveWeighted(rows: readonly CaseEquation[], measured: ReadonlyMap<string, number>, keys: readonly FitKey[]): number[] {
  const n = keys.length;
  const ata = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const atb = new Array<number>(n).fill(0);
  for (const e of rows) {
    const y = measured.get(e.case)!;
    const a = keys.map((k) => e.coef[k] / y);
    const b = (y - e.fixedNs) / y;
    for (let i = 0; i < n; i++) {
      atb[i]! += a[i]! * b;
      for (let j = 0; j < n; j++) ata[i]![j]! += a[i]! * a[j]!;
    }
  }
  return solveLinear(ata, atb, keys);
}

/** Gaussian elimination with partial pivoting; a singular system names the costs the cases cannot tell apart. */
function solveLinear(m: number[][], v: number[], keys: readonly string[]): number[] {
  const n = v.length;
  const a = m.map((row, i) => [...row, v[i]!]);
  const scale = Math.max(1e-300, ...a.map((row) => Math.max(...row.slice(0, n).map(Math.abs))));
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[piv]![c]!)) piv = r;
    if (Math.abs(a[piv]![c]!) < 1e-12 * scale) throw new Error(`calibrate: the cases cannot separate ${keys[c]} from the other costs (${keys.join(", ")})`);
    [a[c], a[piv]] = [a[piv]!, a[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k <= n; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return a.map((row, i) => row[n]! / row[i]!);
}

function residualsOf(equations: readonly CaseEquation[], measured: ReadonlyMap<string, number>, costs: Pick<CostProfile["costs"], FitKey>): CaseResidual[] {
  return equations
    .filter((e) => measured.has(e.case))
    .map((e) => {
      const y = measured.get(e.case)!;
      const p = predictFromEquation(e, costs);
      return { case: e.case, measured_ns: round1(y), predicted_ns: round1(p), error_pct: round1((100 * (p - y)) / y) };
    });
}

export interface ErrorSummary {
  mean_abs_pct: number;
  worst_pct: number;
  worst_case: string;
}

/** Mean |error| and the worst error (signed, largest in magnitude) of a set of predictions. */
export function errorSummary(rows: readonly { case: string; predicted_ns: number; measured_ns: number }[]): ErrorSummary {
  let sum = 0, worst = 0, worstCase = "";
  for (const r of rows) {
    const e = (100 * (r.predicted_ns - r.measured_ns)) / r.measured_ns;
    sum += Math.abs(e);
    if (Math.abs(e) >= Math.abs(worst)) [worst, worstCase] = [e, r.case];
  }
  return { mean_abs_pct: round1(sum / Math.max(1, rows.length)), worst_pct: round1(worst), worst_case: worstCase };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
