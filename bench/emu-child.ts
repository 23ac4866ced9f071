// A child process of bench/run.ts: runs the emulator in-process (the
// library, not the CLI) in a fresh node, so each measurement starts from the
// same JIT state as a command-line run, and prints one JSON line.
//
//   node dist/bench/emu-child.js '<job JSON>'
//
// exec job:  `reps` runs of Machine.run() on one binary (timed with the
//            machine's own host_ms), then one extra run with translateBlock
//            wrapped to time translation.
// probe job: `reps` rounds of (run without probes, run with the probe
//            program) through lab/session.ts; the difference of the best
//            times divided by the hits is the host cost of a hit.

import { loadBinary, type Binary } from "../engine/binary.js";
import { Cpu } from "../engine/cpu/cpu.js";
import { Machine } from "../engine/machine.js";
import { BufferIo } from "../engine/os/host-io.js";
import { Session } from "../lab/session.js";

export interface ExecJob {
  kind: "exec";
  binary: string;
  args: string[];
  /** At most this many runs... */
  reps: number;
  /** ...and no new run once this much host time was spent (but at least minReps runs). */
  budgetMs?: number;
  minReps?: number;
}

export interface ProbeJob {
  kind: "probe";
  binary: string;
  args: string[];
  program: string;
  emulation: boolean;
  kernel?: string;
  reps: number;
  budgetMs?: number;
  minReps?: number;
}

export interface RunSample {
  hostMs: number;
  /** Process CPU time (user + system, all threads: includes V8's compiler and GC threads) during the run, ms. */
  cpuMs: number;
  /** Machine construction (ELF load into a process, stack, auxv), ms. */
  setupMs: number;
  instructions: number;
  blocks: number;
  status: number;
}

export interface ExecResult {
  runs: RunSample[];
  translation?: { blocks: number; ms: number; insns: number };
  stdout: string;
  maxRssKb: number;
}

export interface ProbeResult {
  base: RunSample[];
  probed: RunSample[];
  hits: number;
  path: string;
  traps: Record<string, number>;
  virtualNsPerHit: number;
  stdout: string;
}

function execOnce(bin: Binary, args: string[]): { s: RunSample; m: Machine; io: BufferIo } {
  const io = new BufferIo();
  const t0 = performance.now();
  const m = new Machine(bin, { argv: [bin.path, ...args], io });
  const setupMs = performance.now() - t0;
  const c0 = process.cpuUsage();
  const r = m.run();
  const cpuMs = cpuSince(c0);
  return { s: { hostMs: r.hostMs, cpuMs, setupMs, instructions: r.instructions, blocks: m.proc.cpu.blocksTranslated, status: r.status }, m, io };
}

function cpuSince(c0: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1000;
}

function overBudget(job: ExecJob | ProbeJob, done: number, t0: number): boolean {
  return done >= (job.minReps ?? 1) && job.budgetMs !== undefined && performance.now() - t0 > job.budgetMs;
}

function ioText(io: BufferIo): string {
  return io.text(1);
}

function runExec(job: ExecJob): ExecResult {
  const bin = loadBinary(job.binary);
  const runs: RunSample[] = [];
  let stdout = "";
  const t0 = performance.now();
  for (let i = 0; i < job.reps && !overBudget(job, i, t0); i++) {
    const { s, io } = execOnce(bin, job.args);
    runs.push(s);
    stdout = ioText(io);
  }
  const maxRssKb = process.resourceUsage().maxRSS;
  // Translation time: wrap the (private) translateBlock for one more run.
  let translation: ExecResult["translation"];
  const proto = Cpu.prototype as unknown as Record<string, unknown>;
  const orig = proto["translateBlock"];
  if (typeof orig === "function") {
    let ms = 0;
    let insns = 0;
    proto["translateBlock"] = function (this: unknown, ...a: unknown[]) {
      const t0 = performance.now();
      const b = (orig as (...x: unknown[]) => { n?: number }).apply(this, a);
      ms += performance.now() - t0;
      insns += b?.n ?? 0;
      return b;
    };
    try {
      const { s } = execOnce(bin, job.args);
      translation = { blocks: s.blocks, ms, insns };
    } finally {
      proto["translateBlock"] = orig;
    }
  }
  return { runs, translation, stdout, maxRssKb };
}

function runProbe(job: ProbeJob): ProbeResult {
  const bin = loadBinary(job.binary);
  const base: RunSample[] = [];
  const probed: RunSample[] = [];
  let last: Session | undefined;
  let stdout = "";
  const t0 = performance.now();
  for (let i = 0; i < job.reps && !overBudget(job, i, t0); i++) {
    base.push(execOnce(bin, job.args).s);
    const io = new BufferIo();
    const t0 = performance.now();
    const s = new Session({ binary: bin, program: job.program, programName: "bench", args: job.args, io, emulation: job.emulation, kernel: job.kernel });
    const setupMs = performance.now() - t0;
    const c0 = process.cpuUsage();
    const r = s.run();
    const cpuMs = cpuSince(c0);
    probed.push({ hostMs: r.hostMs, cpuMs, setupMs, instructions: r.instructions, blocks: s.machine.proc.cpu.blocksTranslated, status: r.status });
    last = s;
    stdout = ioText(io);
  }
  const p = last!.stats().probes[0]!;
  return { base, probed, hits: p.hits, path: p.path, traps: p.traps, virtualNsPerHit: p.hits ? p.virtual_ns / p.hits : 0, stdout };
}

const job = JSON.parse(process.argv[2] ?? "{}") as ExecJob | ProbeJob;
const out = job.kind === "exec" ? runExec(job) : runProbe(job);
process.stdout.write(JSON.stringify(out) + "\n");
