// A machine: the kernel model with one process loaded from a binary, ready
// to run. This is what the command line, the DSL runner and the notebooks
// drive; it owns no policy beyond turning options into a configured kernel.

import type { Tier } from "./cpu/jit/tier.js";
import { GPR_NAMES } from "./cpu/registers.js";
import type { Binary } from "./binary.js";
import { UserError } from "./errors.js";
import { VirtualClock } from "./os/clock.js";
import { BufferIo, OUTPUT_TAIL_BYTES } from "./os/host-io.js";
import { ElfError } from "./os/elf.js";
import { Linux, type HostIo } from "./os/linux.js";
import type { ExitState, Process } from "./os/process.js";
import { codeName, signalName } from "./os/signals.js";
import { loadCostProfile, type CostProfile } from "./uprobes/cost.js";
import { compareNames } from "./name-order.js";

export interface MachineOptions {
  /** argv[0] defaults to the binary's path. */
  argv?: string[];
  /** The guest environment (KEY=VALUE); empty by default so runs are reproducible. */
  env?: string[];
  /** Standard streams; default: stdin empty, the last OUTPUT_TAIL_BYTES of each output stream kept in a BufferIo. */
  io?: HostIo;
  /** Host files the guest may open read-only, keyed by the path the guest uses. */
  files?: Map<string, Uint8Array>;
  /** Library directories a dynamically linked guest may load from, beyond DEFAULT_LIB_DIRS (--lib-path). */
  libPath?: readonly string[];
  maxInsns?: number;
  maxMemory?: number;
  /**
   * The cost profile: the virtual clock's frequency and cycles per instruction.
   * Give the uprobe model the same object (it charges traps from it). Default: DEFAULT_COST's.
   */
  cost?: CostProfile;
  release?: string;
  /** Virtual CPUs (--cpus, default DEFAULT_CPUS): docs/threads.md. */
  cpus?: number;
  /** Retired instructions per scheduling quantum (default DEFAULT_QUANTUM). */
  quantum?: number;
  /** Threads and processes alive at once (--max-tasks, default DEFAULT_MAX_TASKS). */
  maxTasks?: number;
  /** --sched: "instructions" (default: only retired program instructions preempt) or "probe-cost" (probe costs delay tasks). */
  sched?: "instructions" | "probe-cost";
  /** "run": children still running when the program exits run to their end, their output shown (exec); "drop" (default): the run ends with the program, as bpftrace -c's tracing does. */
  orphans?: "run" | "drop";
  /** Execution tier (--tier): the interpreter, or the interpreter with hot blocks compiled to JavaScript. Default: UPROBE_LAB_TIER, else interp. */
  tier?: Tier;
  /** Hooks installed before the process is created (the uprobe subsystem), so mmap-time installation sees the ELF segments. */
  hooks?: { attach(kernel: Linux): void };
}

export interface RunResult {
  exit: ExitState;
  /** What a shell would see: the exit code, 128 + signal, or 124 when a limit stopped the run. */
  status: number;
  /** One line for stderr when the guest died of a signal or hit a limit. */
  report?: string;
  instructions: number;
  virtualNs: number;
  hostMs: number;
}

/** The smallest memory cap (--max-mem, maxMemory) a run accepts. */
export const MIN_MEMORY = 1 << 20;

export class Machine {
  readonly kernel: Linux;
  readonly proc: Process;
  readonly io: HostIo;
  private hostMs = 0;
  /** When the guest first reached main: host ms since this Machine was created, instructions, virtual ns. */
  startup: { host_ms: number; instructions: number; virtual_ns: number } | undefined;

  constructor(
    readonly binary: Binary,
    opts: MachineOptions = {},
  ) {
    const created = performance.now();
    // below 1 MiB not even a static hello world loads (image, stack, libc's first allocation): a usage error, not a run
    if (opts.maxMemory !== undefined && !(opts.maxMemory >= MIN_MEMORY)) throw new UserError(`maxMemory ${opts.maxMemory}: below the minimum of 1 MiB`);
    const { ghz, cyclesPerInsn } = opts.cost ?? loadCostProfile();
    this.io = opts.io ?? new BufferIo(undefined, undefined, OUTPUT_TAIL_BYTES);
    this.kernel = new Linux({
      clock: new VirtualClock(Math.round((1000 * cyclesPerInsn) / ghz), ghz),
      io: this.io,
      files: opts.files,
      libPath: opts.libPath,
      release: opts.release,
      maxInsns: opts.maxInsns,
      maxMemory: opts.maxMemory,
      cpus: opts.cpus,
      quantum: opts.quantum,
      maxTasks: opts.maxTasks,
      probeCostDelays: opts.sched === "probe-cost",
      runOrphans: opts.orphans === "run",
    });
    opts.hooks?.attach(this.kernel);
    try {
      this.proc = this.kernel.spawn(binary.path, binary.bytes, opts.argv ?? [binary.path], opts.env ?? []);
    } catch (e) {
      // exec's own failures (a missing or bad interpreter) are the user's input, reported in one line
      if (e instanceof ElfError) throw new UserError(e.message);
      throw e;
    }
    if (opts.tier !== undefined) this.proc.cpu.setTier(opts.tier);
    this.watchMain(created);
  }

  /** Start-up cost (ld.so, libc's init) up to main's first instruction, for --stats. */
  private watchMain(created: number): void {
    const main = this.binary.lookup("main");
    if (!main || main.kind !== "func") return;
    const cpu = this.proc.cpu;
    cpu.watchAddr = main.addr;
    cpu.onWatch = () => {
      cpu.watchAddr = -1;
      const instructions = cpu.instret;
      this.startup = { host_ms: Math.round((performance.now() - created) * 1000) / 1000, instructions, virtual_ns: this.kernel.clock.nsAt(instructions) };
    };
  }

  /** Run to completion, synchronously. */
  run(): RunResult {
    const t0 = performance.now();
    this.kernel.run(this.proc);
    this.hostMs += performance.now() - t0;
    return this.result();
  }

  /**
   * Run in slices, yielding to the event loop between them so a notebook can
   * show progress and interrupt. onSlice returns false to stop.
   */
  async runAsync(sliceInsns = 20_000_000, onSlice?: (m: Machine) => boolean | void): Promise<RunResult> {
    for (;;) {
      const t0 = performance.now();
      const more = this.kernel.runSlice(this.proc, sliceInsns);
      this.hostMs += performance.now() - t0;
      if (!more) break;
      // as Linux.run: a stop requested by a probe (exit()) ends the run between slices too
      if (this.kernel.shouldStop() || (onSlice && onSlice(this) === false)) {
        this.proc.exit ??= { limit: this.kernel.stopReason ?? "interrupted" };
        break;
      }
      await new Promise((r) => setImmediate(r));
    }
    return this.result();
  }

  get instructions(): number {
    return this.kernel.instructionsRetired;
  }

  get virtualNs(): number {
    return this.kernel.nowNs();
  }

  result(): RunResult {
    const exit = this.proc.exit ?? { limit: "not finished" };
    let status: number;
    let report: string | undefined;
    if (exit.code !== undefined) status = exit.code;
    else if (exit.signal !== undefined) {
      status = 128 + exit.signal;
      report = this.deathReport(exit);
    } else {
      status = 124;
      report = `${this.proc.comm}: stopped: ${exit.limit}`;
    }
    return { exit, status, report, instructions: this.instructions, virtualNs: this.virtualNs, hostMs: this.hostMs };
  }

  /** "killed by SIGSEGV (SEGV_MAPERR, address 0x0) at 0x401136: movl (%rax),%eax" */
  private deathReport(exit: ExitState): string {
    const info = exit.info!;
    const sig = exit.signal!;
    const ip = info.ip;
    // Prefer the file's bytes: process memory may hold a uprobe's int3 at this address.
    const fromFile = this.binary.fileOffsetOf(ip) >= 0 ? this.binary.disassembleAt(ip) : undefined;
    const bytes = fromFile === undefined && ip >= 0 ? this.proc.mm.peek(ip, 15) : undefined;
    const insn = fromFile ?? (bytes ? this.proc.cpu.decoder.format(ip, bytes) : "(unmapped)");
    const hex = (n: number) => "0x" + BigInt.asUintN(64, BigInt(n)).toString(16);
    const code = codeName(sig, info.code);
    const detail = info.pid !== undefined ? `${code}, from pid ${info.pid}` : `${code}, address ${hex(info.addr)}`;
    const victim = this.proc.tasks.find((t) => t.tid === exit.tid) ?? this.proc.leader;
    const exc = this.kernel.lastException.get(victim);
    // a page fault's code and address, and an unimplemented instruction's disassembly, are in the report already
    const why = exc && exc.detail && !exc.cause ? ` [${exc.detail}]` : "";
    return `${this.proc.comm}: killed by ${signalName(sig)} (${detail}) at ${hex(ip)}: ${insn}${why}`;
  }

  // ---- registers and memory (library API) ----

  getReg(name: string): bigint {
    const cpu = this.proc.cpu;
    if (name === "rip" || name === "ip") return BigInt.asUintN(64, BigInt(cpu.rip));
    if (name === "rflags" || name === "eflags") return BigInt(cpu.rflags);
    const i = GPR_NAMES.indexOf(name as (typeof GPR_NAMES)[number]);
    if (i < 0) throw new UserError(`unknown register ${name}`);
    return cpu.getReg(i);
  }

  setReg(name: string, v: bigint): void {
    const cpu = this.proc.cpu;
    if (name === "rip" || name === "ip") cpu.rip = Number(BigInt.asIntN(64, v));
    else if (name === "rflags" || name === "eflags") cpu.rflags = Number(v & 0xffffffffn);
    else {
      const i = GPR_NAMES.indexOf(name as (typeof GPR_NAMES)[number]);
      if (i < 0) throw new UserError(`unknown register ${name}`);
      cpu.setReg(i, v);
    }
  }

  /** Read guest memory ignoring protections; undefined if unmapped. */
  readMemory(addr: number, n: number): Uint8Array | undefined {
    return this.proc.mm.peek(addr, n);
  }

  /** Write guest memory ignoring protections (breaks copy-on-write, invalidates translated code). */
  writeMemory(addr: number, bytes: Uint8Array): boolean {
    return this.proc.mm.poke(addr, bytes);
  }

  /** The /proc/pid/maps listing. */
  maps(): string[] {
    return this.proc.mm.describe();
  }

  stats(): Record<string, unknown> {
    const r = this.result();
    const syscalls: Record<string, number> = {};
    for (const [k, v] of [...this.kernel.syscallCounts].sort((a, b) => compareNames(a[0], b[0]))) syscalls[k] = v;
    return {
      instructions: r.instructions,
      virtual_ns: r.virtualNs,
      syscalls,
      host_ms: Math.round(r.hostMs * 1000) / 1000,
      guest_instr_per_sec: r.hostMs > 0 ? Math.round(r.instructions / (r.hostMs / 1000)) : 0,
      blocks_translated: this.proc.cpu.blocksTranslated,
      ...(this.proc.cpu.jit ? { jit: this.proc.cpu.jit.stats() } : {}),
      ...(this.startup ? { startup_to_main: this.startup } : {}),
      status: r.status,
    };
  }
}
