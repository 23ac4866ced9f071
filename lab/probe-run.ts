// One probe run as data: a RunSpec (binary, DSL program, kernel generation,
// emulation, cost profile) in, a ProbeRun (guest output, maps, per-probe
// stats, event trace, exit) out. Both are plain structured-cloneable
// objects, so a run can happen in this thread or in a worker (lab/pool.ts)
// with the same result. The one pipeline of the command line (`run`,
// `funclatency`), the notebooks, the demo and the reports.
//
// Outputs are deterministic: no host times, and the binary is named by its
// path relative to the project root (so traces read "samples/bin/push-O0"
// on every machine).

import { createHash } from "node:crypto";
import { inspect } from "node:util";
import { DslError } from "../dsl/index.js";
import { BufferIo, signalName, UserError, type TraceEvent } from "../engine/index.js";
import type { RunSpec } from "./run-spec.js";
import { Session, type ProbeReport, type RunStats } from "./session.js";
import { thousands } from "./text-table.js";

/** Per-probe figures of a run, with the per-hit ratios the notebooks plot. */
export interface ProbeFigures extends ProbeReport {
  /** Traps (int3, single-step #DB, uretprobe trampoline int3) of this probe per hit (0 without hits). */
  traps_per_hit: number;
  /** uprobe and uretprobe syscalls per hit (the 6.11+ return, the 6.18 nop5 path). */
  syscalls_per_hit: number;
  /** Virtual ns of traps, syscalls and handler runs per hit. */
  ns_per_hit: number;
}

export interface ProbeRun {
  label?: string;
  binary: string;
  /** SHA-256 of the binary's bytes when it ran (a report's provenance). */
  sha256?: string;
  program: string;
  args: string[];
  kernel: string;
  emulation: boolean;
  cost: string;
  /** What a shell would see: exit code, 128+signal, or 124 for a limit. */
  status: number;
  /** "SIGSEGV" when the guest died of a signal. */
  signal?: string;
  /** One line about a crash or a limit (as `uprobe-lab run` prints it). */
  report?: string;
  /** The guest's output, when the spec captured it (no `io`): the last OUTPUT_TAIL_BYTES (1 MiB) of each stream. */
  stdout: string;
  stderr: string;
  /** Bytes of each stream written before the kept tail (only when some were cut; RunSpec.outputFile has them all). */
  output_cut?: { stdout: number; stderr: number };
  /** Maps printed at exit, in bpftrace's text format (as `uprobe-lab run` prints them). */
  maps: string;
  /** The same, as parsed `-f json` records ({type, data}). */
  mapsJson: { type: string; data: Record<string, unknown> }[];
  /** What each variable of the program holds ("@lat" -> "hist", "@n" -> "count"); lab/map-values.ts reads the maps with it. */
  mapKinds?: Record<string, string>;
  /** Each keyed map's keys as separate values, by the key text of mapsJson; lab/map-values.ts reads them instead of splitting at commas. */
  mapKeys?: Record<string, Record<string, string[]>>;
  /** Probes the kernel refused, one line each. */
  rejections: string[];
  /** Runtime warnings of the DSL (unreadable memory...). */
  warnings: string[];
  instructions: number;
  virtual_ns: number;
  probes: ProbeFigures[];
  /** interval, profile and tracepoint probes and their firings (absent when the program has none). */
  events?: RunStats["events"];
  trace: TraceEvent[];
}

/** A run that could not happen or was stopped: a bad program (with line:col), a bad path or option, an interrupt. */
export class RunError extends Error {
  declare readonly kind: "dsl" | "user" | "interrupted" | "internal";

  /** cause: what was thrown, for a caller that reports it its own way (the command line); not sent by workers. */
  constructor(kind: RunError["kind"], message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    Object.defineProperty(this, "kind", { value: kind, enumerable: false });
    this.name = kind === "dsl" ? "ProbeProgramError" : kind === "interrupted" ? "Interrupted" : kind === "user" ? "UprobeLabError" : "InternalError";
  }

  /** Shown as the message alone (notebooks print thrown errors with util.inspect): no stack, no brackets. */
  [inspect.custom](): string {
    return this.kind === "internal" ? (this.stack ?? this.message) : `${this.name}: ${this.message}`;
  }
}

/** Turn anything thrown by a run into a RunError with a readable message. */
export function toRunError(e: unknown): RunError {
  if (e instanceof RunError) return e;
  if (e instanceof DslError) return new RunError("dsl", e.format(), e);
  if (e instanceof UserError) return new RunError("user", e.message, e);
  if (e instanceof Error && e.name === "AbortError") return new RunError("interrupted", "interrupted", e);
  const err = e as Error;
  return new RunError("internal", `internal error: ${err?.message ?? String(e)}${process.env.UPROBE_LAB_DEBUG ? "\n" + err?.stack : ""}`, e);
}

export interface RunControl {
  /** Called once the program compiled and the probes are attached, before BEGIN and the guest. */
  onStart?: (s: Session) => void;
  /** Called after each slice of guest instructions. */
  onProgress?: (p: { instructions: number; virtual_ns: number; hits: number }) => void;
  /** Stop the guest at the next slice boundary; the run then rejects with RunError("interrupted"). */
  signal?: AbortSignal;
  /** Instructions per slice (default 200k: a fraction of a second of host time even when every hit single-steps). */
  sliceInsns?: number;
}

/** Build (compile and attach) the session of a spec. Throws DslError / UserError for bad input. */
function sessionFor(spec: RunSpec): Session {
  return new Session({ ...spec, programName: spec.programName ?? "program" });
}

function figures(p: ProbeReport): ProbeFigures {
  const t = p.traps;
  const traps = t.int3 + t.single_step + t.uret_trap;
  const syscalls = t.uprobe_syscall + t.uretprobe_syscall;
  return {
    ...p,
    traps_per_hit: p.hits ? traps / p.hits : 0,
    syscalls_per_hit: p.hits ? syscalls / p.hits : 0,
    ns_per_hit: p.hits ? p.virtual_ns / p.hits : 0,
  };
}

/** Collect a finished session into a ProbeRun. */
function collectRun(spec: RunSpec, s: Session, status: number, report: string | undefined, signal: number | undefined): ProbeRun {
  const stats: RunStats = s.stats();
  const io = s.io instanceof BufferIo ? s.io : undefined;
  const run: ProbeRun = {
    binary: s.binary.path,
    sha256: createHash("sha256").update(s.binary.bytes).digest("hex"),
    program: spec.program,
    args: spec.args ?? [],
    kernel: stats.kernel,
    emulation: stats.emulation,
    cost: stats.cost,
    status,
    stdout: io?.text(1) ?? "",
    stderr: io?.text(2) ?? "",
    maps: s.mapsText(),
    mapsJson: s.mapsJson().map((l) => JSON.parse(l) as ProbeRun["mapsJson"][number]),
    mapKinds: s.mapKinds(),
    mapKeys: s.mapKeys(),
    rejections: s.rejections(),
    warnings: [...s.program.warnings],
    instructions: stats.instructions,
    virtual_ns: stats.virtual_ns,
    probes: stats.probes.map(figures),
    trace: s.trace().map((e) => ({ ...e })),
  };
  if (stats.events !== undefined) run.events = stats.events;
  if (spec.label !== undefined) run.label = spec.label;
  if (io && (io.cut(1) > 0 || io.cut(2) > 0)) run.output_cut = { stdout: io.cut(1), stderr: io.cut(2) };
  if (signal !== undefined) run.signal = signalName(signal);
  if (report !== undefined) run.report = report;
  return run;
}

/** Run a spec in this thread, yielding to the event loop between slices. Rejects with RunError. */
export async function runSpec(spec: RunSpec, ctl: RunControl = {}): Promise<ProbeRun> {
  let s: Session | undefined;
  try {
    const session = (s = sessionFor(spec));
    if (ctl.signal?.aborted) throw new RunError("interrupted", "interrupted");
    ctl.onStart?.(session);
    const r = await session.runAsync(ctl.sliceInsns ?? 200_000, (m) => {
      if (ctl.signal?.aborted) return false;
      ctl.onProgress?.({ instructions: m.instructions, virtual_ns: m.virtualNs, hits: session.probes.reduce((n, p) => n + p.consumer.stats.hits, 0) });
      return true;
    });
    if (ctl.signal?.aborted) throw new RunError("interrupted", `interrupted after ${thousands(r.instructions)} guest instructions`);
    return collectRun(spec, session, r.status, r.report, r.exit.signal);
  } catch (e) {
    throw toRunError(e);
  } finally {
    s?.closeOutput();
  }
}
