// A probe session: one binary, one DSL program, one modelled kernel.
//
//   binary + DSL text --compile--> consumers --register--> uprobe model
//   machine runs --traps--> uprobe model --handlers--> DSL runtime
//   --> maps (text/JSON) + per-probe stats
//
// Used by the command line (`run`, `funclatency`) and by the notebooks.

import * as fs from "node:fs";
import { compileProgram, NULL_CONTEXT, type CompiledProbe, type CompiledProgram, type HitContext, type OutputSink } from "../dsl/index.js";
import {
  BufferIo, DEFAULT_KERNEL, OUTPUT_TAIL_BYTES, UserError, loadCostProfile, Machine, releaseString, resolveKernel, Uprobes,
  type Binary, type Consumer, type CostProfile, type HostIo, type ProbeStats, type RunResult, type TraceEvent,
} from "../engine/index.js";
import { attachEvents, type EventProbe } from "./event-probes.js";
import { ConsumerHitContext } from "./hit-context.js";
import { ProcessTargetInfo } from "./process-targets.js";
import { semaphoreReport, toolRaisesSemaphore, type SemaphoreReport } from "./usdt-semaphores.js";
import { specBinary, type RunSpec } from "./run-spec.js";

export interface ProbeReport {
  probe: string;
  kind: "uprobe" | "uretprobe";
  symbol: string | null;
  offset: number;
  address: string;
  hits: number;
  /** Set for a probe in another file than the binary (a shared library); `address` is then that file's link-time address. */
  file?: string;
  path: ProbeStats["path"];
  traps: ProbeStats["traps"];
  virtual_ns: number;
  error?: string;
  omitted_returns?: number;
  /** Steps that waited for a free XOL slot (threads, docs/threads.md). */
  xol_waits?: number;
  /** Hits by thread id (several threads or processes hit the probe). */
  tasks?: Record<string, number>;
  /** A usdt probe's semaphore: who raised it (the kernel from 4.20, else the tool) and its value. */
  semaphore?: SemaphoreReport;
}

/** What a run cost, per probe: the figures of the stats line (probeStatsLine) and of the table (formatStatsTable). */
export interface RunStats {
  kernel: string;
  emulation: boolean;
  cost: string;
  /** A measured profile's provenance (calibrate's: kernel, CPU, date, rounds, load); absent for built-in profiles. */
  cost_provenance?: Record<string, unknown>;
  virtual_ns: number;
  instructions: number;
  probes: ProbeReport[];
  /** interval, profile and tracepoint probes and their firings (absent when the program has none). */
  events?: { probe: string; kind: "interval" | "profile" | "tracepoint"; hits: number }[];
}

/** RunSpec.outputFile, opened: every byte the guest writes goes there as it comes (the run keeps a tail only). */
function openOutput(file: string | undefined): number | undefined {
  if (file === undefined) return undefined;
  try {
    return fs.openSync(file, "w");
  } catch (e) {
    throw new UserError(`outputFile ${file}: cannot write it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

export class Session {
  readonly binary: Binary;
  readonly machine: Machine;
  readonly uprobes: Uprobes;
  readonly program: CompiledProgram;
  readonly probes: { compiled: CompiledProbe; consumer: Consumer }[] = [];
  /** interval, profile and tracepoint probes (lab/event-probes.ts). */
  events: EventProbe[] = [];
  readonly cost: CostProfile;
  /** The probeable files: the binary and the libraries it loads. */
  readonly targets: ProcessTargetInfo;
  readonly kernelVersion: string;
  readonly emulation: boolean;
  /** The guest's standard streams (the spec's, or a BufferIo with its stdin). */
  readonly io: HostIo;
  private result: RunResult | undefined;
  private outputFd: number | undefined;

  /** Close RunSpec.outputFile (the run is over). */
  closeOutput(): void {
    if (this.outputFd !== undefined) fs.closeSync(this.outputFd);
    this.outputFd = undefined;
  }

  constructor(o: RunSpec) {
    this.binary = specBinary(o);
    const gen = resolveKernel(o.kernel ?? DEFAULT_KERNEL);
    // an i386 kernel has no 64-bit mode: execve of an ELFCLASS64 file fails with ENOEXEC
    if (gen.kernelBits === 32 && this.binary.elf.bits === 64) throw new UserError(`${this.binary.path}: a 64-bit program cannot run on the i386 kernel ${gen.version} (ENOEXEC)`);
    this.kernelVersion = gen.version;
    this.emulation = o.emulation ?? true;
    this.cost = typeof o.cost === "object" ? o.cost : loadCostProfile(o.cost);
    if (o.io === undefined) this.outputFd = openOutput(o.outputFile);
    const fd = this.outputFd;
    this.io = o.io ?? new BufferIo(new TextEncoder().encode(o.stdin ?? ""), fd === undefined ? undefined : (_s, data) => void fs.writeSync(fd, data), OUTPUT_TAIL_BYTES);
    const sink: OutputSink = { write: o.programOutput ?? ((t) => this.io.write(1, new TextEncoder().encode(t))) };
    // Compile first: a mistake in the program is reported before anything runs.
    this.targets = ProcessTargetInfo.forExecutable(this.binary, { libPath: o.libPath, env: o.env });
    this.program = compileProgram(o.program, o.programName ?? "-e", this.targets, { unsafe: o.unsafe, json: o.json, sink, params: o.params ?? [] });
    this.uprobes = new Uprobes({ gen, emulation: this.emulation, cost: this.cost, traceHits: o.traceHits });
    this.machine = new Machine(this.binary, {
      argv: [this.binary.path, ...(o.args ?? [])],
      env: o.env,
      io: this.io,
      files: o.files,
      libPath: o.libPath,
      maxInsns: o.maxInsns,
      maxMemory: o.maxMemory,
      cpus: o.cpus,
      maxTasks: o.maxTasks,
      quantum: o.quantum,
      sched: o.sched,
      tier: o.tier,
      cost: this.cost,
      release: releaseString(gen),
      hooks: this.uprobes,
    });
    this.targets.attachProcess(this.machine.proc.mm);
    this.kernelCountsSemaphores = gen.refCtr;
    this.semaphorePoke = o.semaphorePoke ?? true;
    this.attach();
  }

  /** The modelled kernel raises USDT semaphores itself (4.20+). */
  readonly kernelCountsSemaphores: boolean;
  /** Before 4.20: the tool raises them (RunSpec.semaphorePoke). */
  private readonly semaphorePoke: boolean;
  /** Semaphores the tool raised, by probe name: the counter's value after the write. */
  private readonly poked = new Map<string, number | undefined>();

  /** Register one consumer per compiled probe (the tool attaching to the freshly exec'd process). */
  private attach(): void {
    const kernel = this.machine.kernel;
    for (const p of this.program.probes) {
      const t = p.target;
      // the inode the kernel keys uprobes on: the same MappedFile the loader or ld.so's mmap uses
      const part = this.targets.part(t.file)!;
      const file = kernel.mappedFile(part.id, part.bin.bytes);
      let ctx: ConsumerHitContext;
      const exit = (): void => kernel.requestStop(`exit() called by ${t.name}`);
      // a usdt probe's semaphore: the kernel's ref_ctr_offset (the engine ignores it before 4.20)
      const refCtrOffset = t.usdt?.semaphore?.fileOffset;
      const consumer = this.uprobes.register(
        file,
        t.fileOffset,
        t.kind === "uprobe"
          ? { name: t.name, handler: (c) => void p.handler(ctx.at(c, c.vaddr)), refCtrOffset }
          : { name: t.name, retHandler: (c, func) => void p.handler(ctx.at(c, func)) },
      );
      ctx = new ConsumerHitContext(kernel, consumer.stats, exit, this.uprobes);
      this.probes.push({ compiled: p, consumer });
      if (t.usdt?.semaphore && !this.kernelCountsSemaphores && this.semaphorePoke && consumer.stats.path !== "rejected" && t.file === this.binary.path)
        this.poked.set(t.name, toolRaisesSemaphore(this.machine.proc.mm, t.usdt.semaphore.addr));
    }
    this.events = attachEvents(kernel, this.program.events);
  }

  /** Probes the kernel refused, as one-line messages. */
  rejections(): string[] {
    return this.probes
      .filter((p) => p.consumer.stats.path === "rejected")
      .map((p) => {
        const e = p.consumer.stats.error!;
        const t = p.compiled.target;
        const insn = this.targets.disassembleAt(t.addr, t.file) ?? "?";
        return `${t.name}: the kernel refuses this probe (${e.name}, ${e.errno}): ${e.why} [${insn}]`;
      });
  }

  /** Run BEGIN, the guest, END. */
  run(): RunResult {
    this.begin();
    this.result = this.machine.run();
    this.program.runEnd(this.endContext());
    return this.finish(this.result);
  }

  async runAsync(sliceInsns?: number, onSlice?: (m: Machine) => boolean | void): Promise<RunResult> {
    this.begin();
    const r = await this.machine.runAsync(sliceInsns, onSlice);
    this.program.runEnd(this.endContext());
    return this.finish(r);
  }

  /** END's context: the tool's pid and comm, and `nsecs` the virtual clock when the guest stopped (as bpftrace's END reads the clock). */
  private endContext(): HitContext {
    const ns = BigInt(Math.floor(this.machine.virtualNs));
    return { ...NULL_CONTEXT, nsecs: () => ns };
  }

  /** BEGIN; an exit() there stops the guest before its first instruction (bpftrace exits before the -c child runs). */
  private begin(): void {
    this.program.runBegin();
    if (this.program.exitRequested) this.machine.kernel.requestStop("exit() called by BEGIN");
  }

  private finish(r: RunResult): RunResult {
    if (this.program.exitRequested) r = { ...r, status: this.program.exitCode, report: undefined };
    this.result = r;
    return r;
  }

  /** bpftrace's at-exit maps (text). */
  mapsText(): string {
    return this.program.printText();
  }

  mapsJson(): string[] {
    return this.program.printJson();
  }

  /** What each printed variable holds ("@lat" -> "hist"): -f json says "hist" for lhist too. */
  mapKinds(): Record<string, string> {
    return Object.fromEntries(this.program.runtime.printable().map((v) => [v.name, v.kind]));
  }

  /** Each keyed map's keys as values, under the key text -f json prints ("1,a,b" -> ["1", "a,b"]): a string key may hold a comma. */
  mapKeys(): Record<string, Record<string, string[]>> {
    const rt = this.program.runtime;
    const out: Record<string, Record<string, string[]>> = {};
    for (const v of rt.printable()) {
      if (!v.keyed) continue;
      const keys: Record<string, string[]> = {};
      for (const e of rt.entries(v.id)) {
        const parts = (e.k ?? []).map((x) => (typeof x === "bigint" ? x.toString(10) : x));
        keys[parts.join(",")] = parts;
      }
      out[v.name] = keys;
    }
    return out;
  }

  trace(): TraceEvent[] {
    return this.uprobes.traceLog.events;
  }

  /** The per-probe report (the `--json` stats line). */
  stats(): RunStats {
    const r = this.result ?? this.machine.result();
    return {
      kernel: this.kernelVersion,
      emulation: this.emulation,
      cost: this.cost.name,
      ...(this.cost.provenance ? { cost_provenance: this.cost.provenance } : {}),
      virtual_ns: r.virtualNs,
      instructions: r.instructions,
      probes: this.probes.map(({ compiled, consumer }) => {
        const t = compiled.target;
        const s = consumer.stats;
        const rep: ProbeReport = {
          probe: t.name,
          kind: t.kind,
          symbol: t.symbol ?? null,
          offset: t.offset,
          address: "0x" + t.addr.toString(16),
          hits: s.hits,
          path: s.path,
          traps: { ...s.traps },
          virtual_ns: Math.round(s.virtualPs / 1000),
        };
        // a shared library's probe: its file, and the address is the library's link-time one (as nm shows it)
        if (t.file !== this.binary.path) rep.file = t.file;
        if (s.error) rep.error = `${s.error.name} (${s.error.errno}): ${s.error.why}`;
        if (s.omittedReturns) rep.omitted_returns = s.omittedReturns;
        if (s.xolWaits) rep.xol_waits = s.xolWaits;
        if (s.byTid.size > 1) rep.tasks = Object.fromEntries([...s.byTid].map(([tid, n]) => [String(tid), n]));
        if (t.usdt?.semaphore) rep.semaphore = semaphoreReport(t.usdt.semaphore, consumer, this.kernelCountsSemaphores, this.poked, t.name, t.file === this.binary.path);
        return rep;
      }),
      ...(this.events.length > 0 ? { events: this.events.map((e) => ({ probe: e.event.event.name, kind: e.event.event.kind, hits: e.hits })) } : {}),
    };
  }
}

/** A human-readable per-probe table (stderr of `run`). */
export function formatStatsTable(s: RunStats): string {
  const rows = [["probe", "path", "hits", "int3", "sstep", "uret", "sys_up", "sys_ur", "ns/hit"]];
  for (const p of s.probes) {
    const perHit = p.hits ? (p.virtual_ns / p.hits).toFixed(1) : "-";
    rows.push([p.probe, p.path, `${p.hits}`, `${p.traps.int3}`, `${p.traps.single_step}`, `${p.traps.uret_trap}`, `${p.traps.uprobe_syscall}`, `${p.traps.uretprobe_syscall}`, perHit]);
  }
  // event probes fire without traps: their path is their kind
  for (const e of s.events ?? []) rows.push([e.probe, e.kind, `${e.hits}`, "-", "-", "-", "-", "-", "-"]);
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((c, i) => (i < 2 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join("  "));
  return `${lines.join("\n")}\nkernel ${s.kernel}, emulation ${s.emulation ? "on" : "off"}, cost ${s.cost}: ${s.instructions} instructions, ${s.virtual_ns} ns virtual\n`;
}

/** The `--json` stats line, of the type dsl/README.md documents: {"type": "probe_stats", "kernel": ..., "probes": [...]}. */
export function probeStatsLine(s: RunStats): string {
  const { kernel, emulation, cost, cost_provenance, virtual_ns, instructions, events } = s;
  // a ProbeRun's probes carry per-hit ratios too: the line has the report's fields only (undefined ones are left out)
  const probes = s.probes.map(({ probe, kind, symbol, offset, address, hits, path, traps, virtual_ns, file, error, omitted_returns, xol_waits, tasks, semaphore }): ProbeReport => ({
    probe, kind, symbol, offset, address, hits, path, traps, virtual_ns, file, error, omitted_returns, xol_waits, tasks, semaphore,
  }));
  return JSON.stringify({ type: "probe_stats", kernel, emulation, cost, cost_provenance, virtual_ns, instructions, probes, events });
}
