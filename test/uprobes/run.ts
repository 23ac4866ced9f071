// Helpers for the uprobe model tests: run a sample with a probe program on a
// modelled kernel and collect what a user would see.

import { BufferIo } from "../../engine/os/host-io.js";
import type { RunSpec } from "../../lab/run-spec.js";
import { Session, type ProbeReport } from "../../lab/session.js";
import { samplePath } from "../helpers.js";

export interface Outcome {
  /**
   * Everything written to fd 1: the guest's stdout, and what the program's printf()/print()
   * wrote as it ran (none of the programs that compare it with a native run print anything).
   * The at-exit maps are not in it: they are in `maps` (the command line prints them after).
   */
  stdout: string;
  stderr: string;
  status: number;
  report?: string;
  session: Session;
  probes: Record<string, ProbeReport>;
  maps: string;
}

export function runProbes(sample: string, program: string, opts: Partial<RunSpec> = {}): Outcome {
  const io = new BufferIo();
  const session = new Session({ binary: samplePath(sample), program, io, ...opts });
  const r = session.run();
  const probes: Record<string, ProbeReport> = {};
  for (const p of session.stats().probes) probes[p.probe] = p;
  return { stdout: io.text(1), stderr: io.text(2), status: r.status, report: r.report, session, probes, maps: session.mapsText() };
}

/** The first line of the guest's stdout as a number (push.c prints elapsed microseconds). */
export function firstNumber(s: string): number {
  const m = /-?\d+/.exec(s);
  if (!m) throw new Error(`no number in ${JSON.stringify(s.slice(0, 80))}`);
  return Number(m[0]);
}

export function trapsPerHit(p: ProbeReport): number {
  const t = p.traps;
  return (t.int3 + t.single_step + t.uret_trap) / p.hits;
}
