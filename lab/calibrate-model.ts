// What the model says each calibration case costs. The case's program
// (samples/calibrate.c) times itself with clock_gettime, which reads the
// virtual clock, so the model's prediction is read exactly as the real
// measurement is: elapsed ns with the probes minus elapsed ns without, per
// call. Runs of N1 and N2 calls separate the per-call part from the one-time
// part (the first hit of an optimizable nop5, the optimization), so a
// prediction holds for any number of calls without running that many.
//
// The same runs under unit profiles (one cost at UNIT_NS, the others and the
// instructions free) give each case's equation (calibrate-fit.ts): the model
// is linear in the costs, and this reads its coefficients off the model
// itself rather than restating them.

import * as path from "node:path";
import { BufferIo, kernelVersions, loadBinary, Machine, releaseString, resolveKernel, type Binary, type CostProfile, type ProbeStats } from "../engine/index.js";
import { caseProgram, type CalibrationCase } from "./calibrate-cases.js";
import { FIT_KEYS, type CaseEquation, type FitKey } from "./calibrate-fit.js";
import { PROJECT_ROOT } from "./paths.js";
import { Session } from "./session.js";

export const CALIBRATE_BINARY = path.join(PROJECT_ROOT, "samples", "bin", "calibrate-O2");
/** The same sites in a 32-bit task (only site_push runs there: the others' REX bytes mean other instructions in 32-bit code). */
const CALIBRATE_BINARY_M32 = path.join(PROJECT_ROOT, "samples", "bin", "calibrate-m32-O0");

/** The program a case's probes go in. */
export function caseBinary(c: CalibrationCase): string {
  return c.binary === "m32" ? CALIBRATE_BINARY_M32 : CALIBRATE_BINARY;
}

const N1 = 40, N2 = 140;
const UNIT_NS = 1000;

/** The modelled generation for a kernel release: the newest at or below it, and whether it is that version's own. */
export function modelledGeneration(release: string): { version: string; exact: boolean } | undefined {
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (!m) return undefined;
  const mine = [Number(m[1]), Number(m[2])];
  const below = kernelVersions().filter((v) => {
    const [a, b] = v.split(".").map(Number);
    return a! < mine[0]! || (a === mine[0] && b! <= mine[1]!);
  });
  const version = below.at(-1);
  return version === undefined ? undefined : { version, exact: version === `${mine[0]}.${mine[1]}` };
}

const binaries = new Map<string, Binary>();
function calibrateBinary(file: string): Binary {
  let b = binaries.get(file);
  if (!b) binaries.set(file, (b = loadBinary(file)));
  return b;
}

function elapsedOf(out: Uint8Array[], site: string): number {
  const text = Buffer.concat(out).toString("utf8");
  const line = text.split("\n").find((l) => l.startsWith(site + " "));
  if (!line) throw new Error(`calibrate: the calibrate program printed no time for ${site}`);
  return Number(line.split(" ")[1]);
}

const baseCache = new Map<string, number>();

/** Virtual ns the site's loop takes without probes (only the clock's rate matters: no probe, no trap). */
function baseElapsed(file: string, site: string, calls: number, kernel: string, cost: CostProfile): number {
  const key = `${file} ${site} ${calls} ${kernel} ${cost.ghz} ${cost.cyclesPerInsn}`;
  const hit = baseCache.get(key);
  if (hit !== undefined) return hit;
  const io = new BufferIo();
  const m = new Machine(calibrateBinary(file), { argv: [file, String(calls), site], io, cost, release: releaseString(resolveKernel(kernel)) });
  m.run();
  const ns = elapsedOf(io.out, site);
  baseCache.set(key, ns);
  return ns;
}

interface ProbedRun {
  elapsed: number;
  paths: ProbeStats["path"][];
}

function probedElapsed(c: CalibrationCase, calls: number, kernel: string, cost: CostProfile): ProbedRun {
  const io = new BufferIo();
  const s = new Session({ binary: calibrateBinary(caseBinary(c)), program: caseProgram(c), args: [String(calls), c.site], kernel, cost, io });
  s.run();
  return { elapsed: elapsedOf(io.out, c.site), paths: s.stats().probes.map((p) => p.path) };
}

/** Extra virtual ns per call the case's probes add under a profile, for `calls` calls. */
function extraPerCall(c: CalibrationCase, calls: number, kernel: string, cost: CostProfile): number {
  const d = (n: number): number => probedElapsed(c, n, kernel, cost).elapsed - baseElapsed(caseBinary(c), c.site, n, kernel, cost);
  const d1 = d(N1), d2 = d(N2);
  const steady = (d2 - d1) / (N2 - N1);
  return steady + (d1 - N1 * steady) / calls;
}

/** The model's prediction for a case under a profile: ns per call with `calls` calls per run. */
export function predictCase(c: CalibrationCase, profile: CostProfile, kernel: string, calls: number): number {
  return extraPerCall(c, calls, kernel, profile);
}

/** The path each probe of the case takes in the model (emulated, xol, optimized, rejected). */
export function modelPaths(c: CalibrationCase, kernel: string): ProbeStats["path"][] {
  return probedElapsed(c, N1, kernel, unitProfile(undefined)).paths;
}

function unitProfile(key: FitKey | undefined): CostProfile {
  const costs = { int3_trap: 0, single_step: 0, uret_trap: 0, uprobe_syscall: 0, uretprobe_syscall: 0, handler: 0, optimize: 0, stack_write: 0 };
  if (key) costs[key] = UNIT_NS;
  // instructions free: round(1000 × cyclesPerInsn / ghz) ps is 0
  return { name: `unit-${key ?? "none"}`, description: "", ghz: 1, cyclesPerInsn: 1e-9, costs };
}

/**
 * The case's equation in the model for `calls` calls per run: the
 * coefficient of each fitted cost (`optimize`'s is 1/calls for an optimizable
 * nop5), and the fixed part (instructions at the profile's clock).
 */
export function caseEquation(c: CalibrationCase, kernel: string, calls: number, clock: { ghz: number; cyclesPerInsn: number }): CaseEquation {
  const coef = {} as Record<FitKey, number>;
  for (const k of FIT_KEYS) coef[k] = extraPerCall(c, calls, kernel, unitProfile(k)) / UNIT_NS;
  const fixed: CostProfile = { ...unitProfile(undefined), ghz: clock.ghz, cyclesPerInsn: clock.cyclesPerInsn };
  return { case: c.name, coef, fixedNs: extraPerCall(c, calls, kernel, fixed) };
}
