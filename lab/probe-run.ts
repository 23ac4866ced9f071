// One probe run as data: a RunSpec (binary, DSL program, kernel generation,
// emulation, cost profile) in, a ProbeRun (guest output, maps, per-probe
// stats, event trace, exit) out. Both are plain structured-cloneable
// objects, so a run can happen in this thread or in a worker (lab/pool.ts)
// with the same result. Used by the notebooks, the demo and the reports.
//
// Outputs are deterministic: no host times, and the binary is named by its
// path relative to the project root (so traces read "samples/bin/push-O0"
// on every machine).

import * as fs from "node:fs";
import { inspect } from "node:util";
import { DslError } from "../dsl/index.js";
import { openBinary, type Binary } from "../engine/binary.js";
import { UserError } from "../engine/errors.js";
import { BufferIo } from "../engine/os/host-io.js";
import { signalName } from "../engine/os/signals.js";
import type { TraceEvent } from "../engine/uprobes/accounting.js";
import type { CostProfile } from "../engine/uprobes/cost.js";
import { displayPath, resolveBinaryPath } from "./paths.js";
import { Session, type ProbeReport, type StatsLine } from "./session.js";

export interface RunSpec {
  /** A path, or the name of a bundled sample ("push-O0"). */
  binary: string;
  /** The DSL program. */
  program: string;
  /** Name used in DSL error messages (default "program"). */
  programName?: string;
  /** Guest argv after argv[0]. */
  args?: string[];
  env?: string[];
  /** Library directories beyond the defaults, for a dynamically linked binary (--lib-path). */
  libPath?: string[];
  /** Guest stdin. */
  stdin?: string;
  /** Modelled kernel generation (default 6.18). */
  kernel?: string;
  /** Instruction emulation (default on); off: every hit single-steps out of line. */
  emulation?: boolean;
  /** Cost profile name or object (default kvm-6.18). */
  cost?: string | CostProfile;
  /** Keep the event trace of the first N hits. */
  traceHits?: number;
  maxInsns?: number;
  unsafe?: boolean;
  /** Free-form tag carried into the result (sweeps use it). */
  label?: string;
}

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
  stdout: string;
  stderr: string;
  /** Maps printed at exit, in bpftrace's text format (as `uprobe-lab run` prints them). */
  maps: string;
  /** The same, as parsed `-f json` records ({type, data}). */
  mapsJson: { type: string; data: Record<string, unknown> }[];
  /** Probes the kernel refused, one line each. */
  rejections: string[];
  /** Runtime warnings of the DSL (unreadable memory...). */
  warnings: string[];
  instructions: number;
  virtual_ns: number;
  probes: ProbeFigures[];
  trace: TraceEvent[];
}

/** A run that could not happen or was stopped: a bad program (with line:col), a bad path or option, an interrupt. */
export class RunError extends Error {
  declare readonly kind: "dsl" | "user" | "interrupted" | "internal";

  constructor(kind: RunError["kind"], message: string) {
    super(message);
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
  if (e instanceof DslError) return new RunError("dsl", e.format());
  if (e instanceof UserError) return new RunError("user", e.message);
  if (e instanceof Error && e.name === "AbortError") return new RunError("interrupted", "interrupted");
  const err = e as Error;
  return new RunError("internal", `internal error: ${err?.message ?? String(e)}${process.env.UPROBE_LAB_DEBUG ? "\n" + err?.stack : ""}`);
}

export interface RunControl {
  /** Called once the program compiled and the probes are attached, before the guest starts. */
  onStart?: () => void;
  /** Called after each slice of guest instructions. */
  onProgress?: (p: { instructions: number; virtual_ns: number; hits: number }) => void;
  /** Stop the guest at the next slice boundary; the run then rejects with RunError("interrupted"). */
  signal?: AbortSignal;
  /** Instructions per slice (default 200k: a fraction of a second of host time even when every hit single-steps). */
  sliceInsns?: number;
}

const binaries = new Map<string, { mtimeMs: number; bin: Binary }>();

/** Load a binary by path or sample name, named by its project-relative path (cached by mtime). */
export function openRunBinary(nameOrPath: string): Binary {
  const abs = resolveBinaryPath(nameOrPath);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    throw new UserError(`${nameOrPath}: no such file (a path, or a bundled sample such as push-O0)`);
  }
  if (st.isDirectory()) throw new UserError(`${nameOrPath}: is a directory, not an ELF executable`);
  const hit = binaries.get(abs);
  if (hit && hit.mtimeMs === st.mtimeMs) return hit.bin;
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(abs));
  } catch (e) {
    throw new UserError(`${nameOrPath}: ${(e as NodeJS.ErrnoException).code === "EACCES" ? "permission denied" : (e as Error).message}`);
  }
  const bin = openBinary(displayPath(abs), bytes);
  binaries.set(abs, { mtimeMs: st.mtimeMs, bin });
  return bin;
}

/** Build (compile and attach) the session of a spec. Throws DslError / UserError for bad input. */
export function sessionFor(spec: RunSpec, io: BufferIo): Session {
  return new Session({
    binary: openRunBinary(spec.binary),
    program: spec.program,
    programName: spec.programName ?? "program",
    args: spec.args,
    env: spec.env,
    libPath: spec.libPath,
    io,
    kernel: spec.kernel,
    emulation: spec.emulation,
    cost: spec.cost,
    unsafe: spec.unsafe,
    traceHits: spec.traceHits,
    maxInsns: spec.maxInsns,
  });
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
export function collectRun(spec: RunSpec, s: Session, io: BufferIo, status: number, report: string | undefined, signal: number | undefined): ProbeRun {
  const stats: StatsLine = s.stats();
  const run: ProbeRun = {
    binary: s.binary.path,
    program: spec.program,
    args: spec.args ?? [],
    kernel: stats.kernel,
    emulation: stats.emulation,
    cost: stats.cost,
    status,
    stdout: io.text(1),
    stderr: io.text(2),
    maps: s.mapsText(),
    mapsJson: s.mapsJson().map((l) => JSON.parse(l) as ProbeRun["mapsJson"][number]),
    rejections: s.rejections(),
    warnings: [...s.program.warnings],
    instructions: stats.instructions,
    virtual_ns: stats.virtual_ns,
    probes: stats.probes.map(figures),
    trace: s.trace().map((e) => ({ ...e })),
  };
  if (spec.label !== undefined) run.label = spec.label;
  if (signal !== undefined) run.signal = signalName(signal);
  if (report !== undefined) run.report = report;
  return run;
}

/** Run a spec in this thread, yielding to the event loop between slices. Rejects with RunError. */
export async function runSpec(spec: RunSpec, ctl: RunControl = {}): Promise<ProbeRun> {
  try {
    const io = new BufferIo(new TextEncoder().encode(spec.stdin ?? ""));
    const s = sessionFor(spec, io);
    if (ctl.signal?.aborted) throw new RunError("interrupted", "interrupted");
    ctl.onStart?.();
    const r = await s.runAsync(ctl.sliceInsns ?? 200_000, (m) => {
      if (ctl.signal?.aborted) return false;
      ctl.onProgress?.({ instructions: m.instructions, virtual_ns: m.virtualNs, hits: s.probes.reduce((n, p) => n + p.consumer.stats.hits, 0) });
      return true;
    });
    if (ctl.signal?.aborted) throw new RunError("interrupted", `interrupted after ${r.instructions} guest instructions`);
    return collectRun(spec, s, io, r.status, r.report, r.exit.signal);
  } catch (e) {
    throw toRunError(e);
  }
}

/** Run a spec synchronously (scripts, tests). Throws RunError. */
export function runSpecSync(spec: RunSpec): ProbeRun {
  try {
    const io = new BufferIo(new TextEncoder().encode(spec.stdin ?? ""));
    const s = sessionFor(spec, io);
    const r = s.run();
    return collectRun(spec, s, io, r.status, r.report, r.exit.signal);
  } catch (e) {
    throw toRunError(e);
  }
}

/** The figures of one probe of a run, by its name ("probe test:0", "retprobe test") or kind. */
export function probeOf(run: ProbeRun, which: string): ProbeFigures {
  const p = run.probes.find((x) => x.probe === which) ?? run.probes.find((x) => x.kind === which) ?? run.probes.find((x) => x.symbol === which);
  if (!p) throw new UserError(`no probe '${which}' in this run (probes: ${run.probes.map((x) => x.probe).join(", ")})`);
  return p;
}
