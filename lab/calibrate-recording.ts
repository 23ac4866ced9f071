// What `calibrate` measured, as plain numbers: the machine, how it was
// measured, and each case's rounds. cli/calibrate-measure.ts makes one;
// `calibrate --record` and scripts/real-kernel-calibrate.mjs save it;
// lab/calibrate-profile.ts fits and checks it.

import * as fs from "node:fs";
import { UserError } from "../engine/index.js";
import type { Activity } from "./calibrate-activity.js";
import type { ReturnPath } from "./calibrate-return-path.js";

/**
 * One case's rounds: extra ns per call with the probes (the thread's CPU time,
 * which time slices given to other processes do not inflate; the int3 and
 * single-step handling run in the task and count as its time), the same by
 * CLOCK_MONOTONIC, and the unprobed ns per call.
 */
export interface RecordedCase {
  rounds: number[];
  /** Calls per run of this case, when not the recording's `calls` (each case gets about the same time per run). */
  calls?: number;
  wall_rounds?: number[];
  base_ns?: number[];
  /** What the probed process saw in its maps: [uprobes] (a step went out of line or a uretprobe armed), [uprobes-trampoline] (a nop5 optimized). */
  maps: { xol: boolean; tramp: boolean };
  /** Rounds per block, in order (they sum to the rounds): each block under its own tracefs events (absent in older recordings). */
  blocks?: number[];
  /** Seconds from the first block's start to each block's start. */
  block_t?: number[];
}

export interface Recording {
  kernel_release: string;
  cpu_model: string;
  /** Nominal MHz the host reports (0 in many VMs). */
  cpu_mhz: number;
  date: string;
  /** Calls per run (the most; a case's own `calls` may be fewer). */
  calls: number;
  /** Rounds (the most any case got: cases whose figure was precise early stop sooner). */
  rounds: number;
  /** The CPU the runs were pinned to, or null. */
  pinned_cpu: number | null;
  loadavg_before: number[];
  loadavg_after: number[];
  /** What other processes did meanwhile (/proc/stat; absent in older recordings). */
  activity?: Activity;
  /** How a uretprobe returns on this kernel, as probed (absent in older recordings). */
  return_path?: ReturnPath;
  cases: Record<string, RecordedCase>;
}

/** Calls per run of a recorded case. */
export function callsOf(rec: Recording, name: string): number {
  return rec.cases[name]?.calls ?? rec.calls;
}

/** A saved recording (--samples FILE), checked enough that a wrong file is one clear line. */
export function readRecording(file: string): Recording {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new UserError(`--samples ${file}: ${((e as Error).message ?? "").split("\n")[0]}`);
  }
  const r = raw as Partial<Recording>;
  if (typeof r !== "object" || r === null || typeof r.kernel_release !== "string" || typeof r.calls !== "number" || !(r.calls >= 1) || typeof r.cases !== "object" || r.cases === null)
    throw new UserError(`--samples ${file}: not a calibrate recording (kernel_release, calls, cases expected)`);
  for (const [name, c] of Object.entries(r.cases)) {
    if (!Array.isArray(c?.rounds) || c.rounds.length === 0 || !c.rounds.every((x) => typeof x === "number" && Number.isFinite(x)))
      throw new UserError(`--samples ${file}: case ${name}: rounds must be a non-empty list of numbers`);
    if (c.calls !== undefined && !(typeof c.calls === "number" && c.calls >= 1)) throw new UserError(`--samples ${file}: case ${name}: calls must be a number ≥ 1`);
    if (typeof c.maps !== "object" || c.maps === null) throw new UserError(`--samples ${file}: case ${name}: no maps (what the probed process's maps showed)`);
    if (c.blocks !== undefined && !(Array.isArray(c.blocks) && c.blocks.every((n) => Number.isInteger(n) && n >= 1) && c.blocks.reduce((a, b) => a + b, 0) === c.rounds.length))
      throw new UserError(`--samples ${file}: case ${name}: blocks must be counts of rounds ≥ 1 that sum to its ${c.rounds.length} rounds`);
  }
  return { cpu_model: "unknown CPU", cpu_mhz: 0, date: "", rounds: 0, pinned_cpu: null, loadavg_before: [], loadavg_after: [], ...r } as Recording;
}
