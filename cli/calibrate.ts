// `uprobe-lab calibrate`: measure the trap costs of the real kernel this runs
// on and fit a cost profile to them; `--check PROFILE` measures how well a
// profile predicts cases it was not fitted on. Measuring
// (cli/calibrate-measure.ts) needs Linux on x86-64, root and tracefs;
// otherwise it says which is missing and exits with status 2. Fitting and
// checking (lab/calibrate-profile.ts) also run on a saved recording
// (--samples FILE), with neither.
//
// The tracefs events are the consumers here, so each hit includes trace-event
// handler runs: the profile's `handler` is that handler's cost.

import * as fs from "node:fs";
import * as path from "node:path";
import { loadCostProfile, UserError } from "../engine/index.js";
import { casesOf, checkCases } from "../lab/calibrate-cases.js";
import { readRecording, type Recording } from "../lab/calibrate-recording.js";
import { activityText } from "../lab/calibrate-activity.js";
import { ESTIMATORS, type Estimator } from "../lab/calibrate-estimator.js";
import type { DriftReport } from "../lab/calibrate-drift.js";
import { beyondNoise, checkProfile, pct, estimatorOf, fitProfile, MODEL_TOLERANCE_PCT, recordingWarnings, type CaseReport, type CheckOutcome } from "../lab/calibrate-profile.js";
import { optNumber, parseArgs, type Parsed } from "./args.js";
import { calibrationBlocker, defaultCpu, measureCases, tryMount } from "./calibrate-measure.js";

const CALIBRATE_HELP = `usage: uprobe-lab calibrate [-o PROFILE.json] [--time S] [--rounds R] [--calls N] [--cpu N|none] [--tracefs DIR]
                           [--record FILE] [--samples FILE] [--estimator E]
       uprobe-lab calibrate --check PROFILE [same options]

Measure uprobe costs on this machine's kernel (root and tracefs required),
fit a cost profile to them and write it (default cost-RELEASE.json), usable
with --cost PROFILE.json. --check measures held-out cases and prints the
profile's predicted against measured ns per call, with the mean and worst
relative error.

  --time S       seconds of passes (default 40): a pass measures a block of 3 rounds of
                 every case; passes go on until every figure is within ±1.5 % or the
                 time is spent
  --rounds R     rounds every case gets at least; a round runs a case without and with
                 its probes (default 15)
  --calls N      the most calls of the probed function per run (default 20000; a case
                 gets as many as take about 20 ms, at least 1000)
  --cpu N|none   pin the measured runs to CPU N with taskset (default: the last CPU)
  --record FILE  also save the raw measurement (the rounds of every case)
  --samples FILE fit or check a saved measurement instead of measuring
  --estimator E  a case's figure from its rounds: trimmed (the mean of the middle 60 %,
                 the default), median, or min (the fastest round: others can only slow a
                 round down; steadier on a busy machine). --check uses the profile's own
                 unless given
`;

const log = (s: string): void => void process.stderr.write(s + "\n");

function acquire(p: Parsed, set: "fit" | "check"): Recording {
  const samples = p.opts.get("--samples")?.[0];
  if (samples !== undefined) return readRecording(samples);
  const tracefs = p.opts.get("--tracefs")?.[0] ?? "/sys/kernel/tracing";
  tryMount(tracefs);
  const blocker = calibrationBlocker(tracefs);
  if (blocker) throw new UserError(`calibrate: cannot measure the real kernel: ${blocker}`);
  const cpuOpt = p.opts.get("--cpu")?.[0];
  const cpu = cpuOpt === undefined ? defaultCpu() : cpuOpt === "none" ? null : optNumber(p, "--cpu", 0);
  const calls = Math.max(1000, optNumber(p, "--calls", 20_000));
  const rounds = Math.max(3, optNumber(p, "--rounds", optNumber(p, "--runs", 15)));
  const seconds = optNumber(p, "--time", 40);
  const cases = set === "fit" ? casesOf("fit") : checkCases();
  log(`calibrate: ${cases.length} cases, at least ${rounds} rounds, up to ${seconds} s, ${cpu === null ? "not pinned" : `pinned to CPU ${cpu}`}`);
  const rec: Recording = measureCases(cases, { tracefs, calls, rounds, seconds, cpu, log });
  const out = p.opts.get("--record")?.[0];
  if (out !== undefined) {
    fs.writeFileSync(out, JSON.stringify(rec, null, 1) + "\n");
    log(`calibrate: recording written to ${out}`);
  }
  return rec;
}

/** The profile can be written where -o says: its directory exists and is writable. */
function writable(file: string): void {
  const dir = path.dirname(path.resolve(file));
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    throw new UserError(`-o ${file}: cannot write there (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

function estimatorOption(p: Parsed): Estimator | undefined {
  const e = p.opts.get("--estimator")?.[0];
  if (e === undefined) return undefined;
  const known = ESTIMATORS.find((x) => x === e);
  if (known) return known;
  throw new UserError(`option --estimator: ${ESTIMATORS.join(", ")}, not ${e}`);
}

function table(reports: readonly CaseReport[], estimator: Estimator, flag: boolean, blocks: boolean, drift?: DriftReport): string {
  const corrected = new Map(drift?.cases.map((c) => [c.case, pct(c.error_pct)]) ?? []);
  const rows = [["case", "path", "rounds", "calls", "min", "median", "max", estimator, "±", "predicted", "error", ...(drift ? ["drift-corr."] : []), ...(flag ? [""] : [])]];
  for (const r of reports) {
    const path = r.real_path && r.real_path !== r.model_path ? `${r.model_path} (real: ${r.real_path})` : r.model_path;
    const mark = flag ? [beyondNoise(r) ? "beyond noise" : ""] : [];
    rows.push([r.case, path, String(r.rounds), String(r.calls), us(r.min_ns), us(r.median_ns), us(r.max_ns), us(r.measured_ns), `${r.std_error_pct.toFixed(1)} %`, us(r.predicted_ns), pct(r.error_pct), ...(drift ? [corrected.get(r.case) ?? ""] : []), ...mark]);
  }
  const last = rows[0]!.length - 1;
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((c, i) => (i < 2 || (flag && i === last) ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join("  ").trimEnd());
  const noise = flag ? `; beyond noise = |error| > 2 × ± + ${MODEL_TOLERANCE_PCT} % (the model's tolerance)` : "";
  const corr = drift ? "; drift-corr. = the error against the measured figure / its drift since the fit (below)" : "";
  return lines.join("\n") + `\n(us per call; ± = the ${estimator}'s standard error${blocks ? ", its blocks as the samples" : ""}; error = predicted vs the ${estimator}${noise}${corr})\n`;
}

/** The machine's drift since the fit per class, from the anchors, and the held-out error corrected for it: labelled, after the raw headline. */
function driftLines(d: DriftReport): string {
  const cls = d.classes.map((x) => `${x.class} ${pct(x.drift_pct)} ±${x.se_pct.toFixed(1)} %${x.class === "all" ? "" : ` (${x.anchors.join(", ")})`}${x.beyond_noise ? " beyond noise" : ""}${x.apart ? " apart" : ""}`);
  const s = d.summary;
  return (
    `drift since the fit (${d.anchors.length} fit cases re-measured in this check's passes, now / in the fit): ${cls.join(", ")}\n` +
    `drift-corrected (each measured figure / the common drift ${pct(d.common.drift_pct)}, or its class's where that is apart from the others beyond noise; the anchors' noise added): mean |error| ${s.mean_abs_pct} %, worst ${pct(s.worst_pct)} (${s.worst_case})\n`
  );
}

/** The check's summary: the mean and worst error, then which errors are beyond measurement noise. */
function checkSummary(c: CheckOutcome): string {
  const s = c.summary;
  const head = `mean |error| ${s.mean_abs_pct} %, worst ${pct(s.worst_pct)} (${s.worst_case}), ${c.reports.length} cases\n`;
  const beyond = c.reports.filter((r) => c.beyond_noise.includes(r.case));
  const list = beyond.map((r) => `${r.case} ${pct(r.error_pct)} (±${r.std_error_pct} %)`).join(", ");
  return head + `error beyond measurement noise (|error| > 2 × ± + ${MODEL_TOLERANCE_PCT} %): ${beyond.length ? `${beyond.length} of ${c.reports.length}: ${list}` : `none of ${c.reports.length}`}\n`;
}

/** Whether the recording kept its cases' blocks (older ones did not: their standard errors are over rounds). */
function hasBlocks(rec: Recording): boolean {
  return Object.values(rec.cases).some((c) => c.blocks !== undefined);
}

function us(ns: number): string {
  return (ns / 1000).toFixed(3);
}

function header(rec: Recording, kernel: string): string {
  const others = rec.activity ? `; ${activityText(rec.activity)}` : "";
  return `kernel ${rec.kernel_release} (modelled as ${kernel}), ${rec.cpu_model}, ${rec.date}, up to ${rec.rounds} rounds, load average ${rec.loadavg_before.join(" ")} before, ${rec.loadavg_after.join(" ")} after${others}`;
}

export function calibrateCommand(argv: string[]): number {
  const p = parseArgs(
    argv,
    {
      "-o": { value: true }, "--check": { value: true }, "--calls": { value: true }, "--rounds": { value: true }, "--runs": { value: true }, "--cpu": { value: true }, "--time": { value: true },
      "--tracefs": { value: true }, "--record": { value: true }, "--samples": { value: true }, "--estimator": { value: true }, "--help": {}, "-h": {},
    },
    false,
    0,
  );
  if (p.opts.has("--help") || p.opts.has("-h")) {
    process.stdout.write(CALIBRATE_HELP);
    return 0;
  }
  const estimator = estimatorOption(p); // a bad option is reported before measuring
  const check = p.opts.get("--check")?.[0];
  if (check !== undefined) {
    const profile = loadCostProfile(check); // a bad profile is reported before measuring
    const rec = acquire(p, "check");
    const c = checkProfile(profile, rec, estimator ?? estimatorOf(profile));
    process.stdout.write(`profile ${profile.name} against held-out cases: ${header(rec, c.kernel)}\n`);
    process.stdout.write(table(c.reports, c.estimator, true, hasBlocks(rec), c.drift));
    process.stdout.write(checkSummary(c));
    if (c.drift) process.stdout.write(driftLines(c.drift));
    for (const w of [...c.warnings, ...recordingWarnings(rec, c.reports, c.estimator)]) log(`calibrate: ${w}`);
    return 0;
  }
  const outOpt = p.opts.get("-o")?.[0];
  if (outOpt !== undefined) writable(outOpt); // before minutes of measuring
  const rec = acquire(p, "fit");
  const f = fitProfile(rec, estimator ?? "trimmed");
  const out = outOpt ?? `cost-${rec.kernel_release}.json`;
  try {
    fs.writeFileSync(out, JSON.stringify(f.profile, null, 2) + "\n");
  } catch (e) {
    throw new UserError(`-o ${out}: cannot write it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  process.stdout.write(`fit: ${header(rec, f.kernel)}\n`);
  process.stdout.write(table(f.reports, estimator ?? "trimmed", false, hasBlocks(rec)));
  const c = f.profile.costs;
  process.stdout.write(
    `costs (ns): int3_trap ${c.int3_trap}, single_step ${c.single_step}, uprobe_syscall ${c.uprobe_syscall}, uretprobe_syscall ${c.uretprobe_syscall}, handler ${c.handler}, stack_write ${c.stack_write}, uret_trap ${c.uret_trap}, optimize ${c.optimize}` +
      `${f.clamped.length ? ` (held at 0: ${f.clamped.join(", ")})` : ""}\n`,
  );
  for (const [k, why] of Object.entries(f.profile.provenance?.["tied"] ?? {})) process.stdout.write(`tied: ${k} ${String(why)}\n`);
  for (const line of f.found) process.stdout.write(`found: ${line}\n`);
  for (const w of [...f.warnings, ...recordingWarnings(rec, f.reports, estimator ?? "trimmed")]) log(`calibrate: ${w}`);
  log(`calibrate: wrote ${out}; check it on held-out cases with: uprobe-lab calibrate --check ${out}`);
  return 0;
}
