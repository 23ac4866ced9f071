// Linux, the process and syscall layer (not the uprobe generation that
// `--kernel` picks): creates processes from ELF files, runs their tasks on
// the CPU, and handles what the CPU hands back: system calls, traps (int3,
// single-step) and exceptions, which become signals. The uprobe subsystem
// plugs in through KernelHooks, the way the real one sits behind die
// notifiers and the mmap path.

import * as nodePath from "node:path";
import { Cpu } from "../cpu/cpu.js";
import { Event, Exit, Int3 } from "../cpu/exit.js";
import { CpuException, X86_TRAP_BP, X86_TRAP_DB, X86_TRAP_DE, X86_TRAP_GP, X86_TRAP_PF, X86_TRAP_UD } from "../cpu/exceptions.js";
import { Gpr } from "../cpu/registers.js";
import { AddressSpace, MemoryLimitExceeded } from "../mm/address-space.js";
import { MappedFile } from "../mm/mapped-file.js";
import type { VirtualClock } from "./clock.js";
import { ElfError, type ElfImage, parseElf } from "./elf.js";
import { fileId, type GuestFile, GuestFs } from "./guest-fs.js";
import type { KernelHooks } from "./hooks.js";
import type { HostStream, StdinState } from "./std-streams.js";
import { loadImage } from "./loader.js";
import { Process, type ExitState } from "./process.js";
import {
  defaultAction, FPE_INTDIV, ILL_ILLOPN, SA_NODEFER, SA_RESETHAND, SEGV_MAPERR, setupRtFrame, SI_KERNEL,
  sigBit, SIG_DFL, SIG_IGN, SIGBUS, SIGFPE, SIGILL, SIGKILL, SIGSEGV, SIGTRAP, type SigInfo, TRAP_BRKPT, TRAP_TRACE,
} from "./signals.js";
import { ENOEXEC, ENOSYS } from "../errno.js";
import { SYSCALL_HANDLERS, syscallName, type SyscallContext } from "./syscalls.js";
import { I386_COUNT_BASE, I386_HANDLERS, i386SyscallName } from "./syscalls-i386.js";
import { setupIa32Frame } from "./signal-frame-i386.js";
import { DEFAULT_CPUS, DEFAULT_MAX_TASKS, DEFAULT_QUANTUM, LOCKSTEP_INSNS, Scheduler } from "./scheduler.js";
import type { SyscallTrace } from "./syscall-trace.js";
import { MAX_TIMER_FIRINGS, type TimerQueue } from "./timers.js";
import { Task, TaskState } from "./task.js";
import { freshRegs, restoreRegs, saveRegs } from "./task-context.js";
import { exitRobustList, futexWake } from "./futex.js";
import { notifyParent } from "./wait.js";
import { recheckPollers, wakePipeSleepers } from "./pipe.js";
import { beforeSend, groupStop, notifyContinued, wakeStoppedForKill } from "./stop.js";
import { checkCpuItimers, exitItimers, hasCpuItimer, rearmOnDequeue } from "./itimer.js";
import { ERESTART_RESTARTBLOCK, ERESTARTSYS, isRestartCode, noteRestart, restartForHandler, restartWithoutHandler } from "./restart.js";

/** SIGRTMIN as the kernel numbers it: 1..31 are the standard signals. */
const SIGRTMIN = 32;
const SI_USER_CODE = 0;

// local copies of the constants (see Gpr in registers.ts: imported bindings are slow in hot code)
const RAX = Gpr.RAX, RDI = Gpr.RDI, RSI = Gpr.RSI, RDX = Gpr.RDX, R10 = Gpr.R10, R8 = Gpr.R8, R9 = Gpr.R9;
const RBX = Gpr.RBX, RCX = Gpr.RCX, RBP = Gpr.RBP;

/** The host side of the guest's standard streams. */
export interface HostIo {
  /** Up to max bytes of stdin; an empty array at end of input. */
  readStdin(max: number): Uint8Array;
  /** false when the reader went away (EPIPE): the guest gets SIGPIPE. */
  write(fd: 1 | 2, data: Uint8Array): boolean | void;
  isatty(fd: number): boolean;
  /** What descriptor 0, 1 or 2 is on the host (std-streams.ts); without it: pipes, or ttys where isatty says so. */
  stream?(fd: 0 | 1 | 2): HostStream;
  /** A pipe on stdin: does a read return bytes now, and is the writer gone? (may wait for the writer) */
  stdinState?(): StdinState;
  /** A pipe on stdout/stderr: has its reader gone (a write got EPIPE)? */
  readerGone?(fd: 1 | 2): boolean;
}

export interface LinuxOptions {
  clock: VirtualClock;
  io: HostIo;
  /** Host files the guest may open read-only, by the path the guest uses. */
  files?: Map<string, Uint8Array>;
  /** Library directories added to DEFAULT_LIB_DIRS for dynamically linked executables (--lib-path). */
  libPath?: readonly string[];
  /** uname release string of the modelled kernel. */
  release?: string;
  /** Stop after this many guest instructions (all processes). */
  maxInsns?: number;
  /** Cap on resident guest memory in bytes. */
  maxMemory?: number;
  /** Virtual CPUs (--cpus): tasks that run in the same scheduling round. */
  cpus?: number;
  /** Retired instructions per scheduling quantum. */
  quantum?: number;
  /** Threads and processes alive at once (--max-tasks). */
  maxTasks?: number;
  /** `--sched probe-cost`: what probes cost (charged time, XOL steps) uses up the task's quantum. */
  probeCostDelays?: boolean;
  /** Orphans (children still running when the first process exits) run to their end (exec), instead of being dropped (run, as bpftrace -c). */
  runOrphans?: boolean;
}

export class Linux {
  readonly clock: VirtualClock;
  readonly io: HostIo;
  readonly release: string;
  readonly maxInsns: number;
  readonly maxMemory: number;
  readonly maxTasks: number;
  readonly sched: Scheduler;
  hooks: KernelHooks = {};
  readonly processes: Process[] = [];
  readonly fs: GuestFs;
  private readonly libPath: readonly string[];
  private readonly mappedFiles = new Map<string, MappedFile>();
  private nextPid = 1000;
  private rng = 0x2545f491;
  /** Instructions retired by all processes (the budget counts these). */
  private retired = 0;
  /** Callback polled between run slices; returning true stops the run (notebook interrupts). */
  shouldStop: () => boolean = () => this.stopReason !== undefined;
  /** Set by requestStop(): why the run must end early (a probe program called exit()). */
  stopReason: string | undefined;
  /** A tool's interval/profile timers (engine/os/timers.ts); undefined when none is attached. */
  timers: TimerQueue | undefined;
  /** A tool's syscall tracepoints (engine/os/syscall-trace.ts); undefined when none is attached. */
  syscallTrace: SyscallTrace | undefined;

  /** Stop the guest after the current trap (bpftrace's exit()). */
  requestStop(reason: string): void {
    this.stopReason ??= reason;
  }

  constructor(opts: LinuxOptions) {
    this.clock = opts.clock;
    this.io = opts.io;
    this.release = opts.release ?? "6.18.0-uprobe-lab";
    this.maxInsns = opts.maxInsns ?? 20_000_000_000;
    this.maxMemory = opts.maxMemory ?? 1 << 30;
    this.maxTasks = opts.maxTasks ?? DEFAULT_MAX_TASKS;
    this.sched = new Scheduler(opts.cpus ?? DEFAULT_CPUS, opts.quantum ?? DEFAULT_QUANTUM);
    this.probeCostDelays = opts.probeCostDelays ?? false;
    this.runOrphans = opts.runOrphans ?? false;
    this.fs = new GuestFs(opts.files, this.maxMemory);
    this.libPath = opts.libPath ?? [];
  }

  get instructionsRetired(): number {
    return this.retired;
  }

  // ---- files ----

  /**
   * What readlink("/proc/self/exe") answers: the path the user gave for the executable, made
   * absolute against the guest's working directory "/" (getcwd). Not the host's absolute path,
   * which would show the host's directory layout (nodePath.resolve against the host's cwd did);
   * the guest already has this name in argv[0] and AT_EXECFN, so nothing new is shown. The file
   * is there in the guest's view: open, stat and access find the executable by this path and by
   * /proc/self/exe (read-only), so readlink, open and a later execv("/proc/self/exe") agree.
   */
  exePath = "/";
  private exe: GuestFile | undefined;

  lookupFile(path: string): GuestFile | undefined {
    if (this.exe !== undefined && (path === "/proc/self/exe" || path === this.exePath)) return this.exe;
    return this.fs.lookup(path);
  }

  /** One MappedFile (one inode) per file identity (GuestFile.id), so uprobes key on a stable identity. */
  mappedFile(id: string, data: Uint8Array): MappedFile {
    let f = this.mappedFiles.get(id);
    if (!f) {
      f = new MappedFile(id, data);
      this.mappedFiles.set(id, f);
    }
    return f;
  }

  /** The program interpreter (ld.so) named by PT_INTERP, through the library directories. */
  private interpreter(elf: ElfImage): { elf: ElfImage; file: MappedFile } {
    const dirs = this.fs.allowLibraryDirs(this.libPath, elf.bits);
    const f = this.fs.lookup(elf.interp!);
    if (!f || f.kind !== "file")
      throw new ElfError(`${elf.path}: its interpreter ${elf.interp} is not in the library directories (${dirs.join(", ")}); add one with --lib-path`);
    return { elf: parseElf(elf.interp!, f.data!), file: this.mappedFile(f.id, f.data!) };
  }

  /** Deterministic bytes for getrandom (xorshift32). */
  randomBytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let x = this.rng;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.rng = x >>> 0;
      out[i] = x & 0xff;
    }
    return out;
  }

  // ---- processes ----

  /** Create a process running the ELF in bytes (the kernel's execve of a new process). */
  spawn(path: string, bytes: Uint8Array, argv: string[], envp: string[]): Process {
    const elf = parseElf(path, bytes);
    const file = this.mappedFile(fileId(path, "given"), bytes);
    this.exePath = nodePath.posix.resolve("/", path);
    this.exe = { kind: "file", data: bytes, id: fileId(path, "given") };
    const mm = new AddressSpace(this.maxMemory);
    const proc = new Process(this.nextPid++, mm, elf.bits);
    const img = loadImage(mm, elf, file, argv, envp, elf.interp ? this.interpreter(elf) : undefined);
    proc.image = { elf, file, bias: img.bias };
    proc.comm = (path.split("/").pop() ?? path).slice(0, 15);
    const cpu = proc.cpu;
    cpu.rip = img.entry;
    cpu.setRegNum(4, img.sp);
    this.addProcess(proc);
    // uprobe_mmap for every file-backed mapping the loader made
    for (const v of mm.vmas) if (v.file) this.hooks.mmap?.(proc, v);
    return proc;
  }

  /**
   * execve (fs/exec.c) of a file the guest may see: a new mm with the image (and its
   * interpreter), de_thread (the other threads exit), handled signals reset to SIG_DFL,
   * FD_CLOEXEC descriptors closed, comm from the file name, the vfork parent released, and
   * uprobe_mmap for the new mappings. Returns a negative errno while nothing was changed.
   */
  execve(task: Task, path: string, f: GuestFile, argv: string[], envp: string[]): number | "noreturn" {
    let elf: ElfImage;
    let interp: { elf: ElfImage; file: MappedFile } | undefined;
    try {
      elf = parseElf(path, f.data!);
      // a task's CPU keeps its mode: exec across widths (a 64-bit program exec'ing an i386 one,
      // or back) is not modelled, and is refused before the point of no return
      if (elf.bits !== task.proc.cpu.bitness) return -ENOEXEC;
      interp = elf.interp ? this.interpreter(elf) : undefined;
    } catch (e) {
      if (e instanceof ElfError) return -ENOEXEC;
      throw e;
    }
    const file = this.mappedFile(f.id, f.data!);
    const mm = new AddressSpace(this.maxMemory);
    const img = loadImage(mm, elf, file, argv, envp, interp);
    // the point of no return
    const proc = task.proc;
    proc.execed = true;
    for (const t of proc.tasks) if (t !== task && !t.exited) this.releaseTask(t);
    if (this.sharesCpu(proc)) {
      // exec_mmap: a CLONE_VM child leaves its parent's mm (and so the CPU of that mm)
      const cpu = new Cpu(mm, proc.cpu.bitness);
      cpu.setTier(proc.cpu.tier);
      proc.ownCpu(cpu, task);
      this.bindCpu(proc);
    } else proc.cpu.attach(mm);
    proc.onCpu = task;
    proc.mm = mm;
    restoreRegs(proc.cpu, freshRegs(img.entry, img.sp));
    task.altStack = undefined;
    for (const act of proc.sighand) {
      if (act.handler !== SIG_IGN) act.handler = SIG_DFL;
      act.flags = 0;
      act.mask = 0n;
    }
    if (proc.fds.closeOnExec()) wakePipeSleepers(this); // a pipe's last writer closed by exec: its readers see end of file
    proc.image = { elf, file, bias: img.bias };
    task.comm = (path.split("/").pop() ?? path).slice(0, 15);
    task.robustList = 0;
    task.clearChildTid = 0;
    this.hooks.exec?.(proc, task);
    for (const v of mm.vmas) if (v.file) this.hooks.mmap?.(proc, v);
    const vp = proc.vforkParent;
    if (vp) {
      proc.vforkParent = undefined;
      this.sched.wake(vp, undefined);
    }
    this.requestResched();
    return "noreturn";
  }

  /** Another live process takes turns on proc's CPU (a CLONE_VM child or its parent). */
  private sharesCpu(proc: Process): boolean {
    return this.processes.some((p) => p !== proc && !p.exit && p.cpu === proc.cpu);
  }

  /** A new pid/tid (alloc_pid: pids and tids share one space). */
  allocPid(): number {
    return this.nextPid++;
  }

  /** A new process (spawn, fork): its leader joins the run queue. */
  addProcess(proc: Process): void {
    // a CLONE_VM child takes turns on its parent's CPU, already bound
    if (proc.seat.task === proc.leader) this.bindCpu(proc);
    this.processes.push(proc);
    this.liveTasks++;
    this.sched.enqueue(proc.leader);
  }

  /** The clock hook of a process's own CPU. */
  private bindCpu(proc: Process): void {
    const cpu = proc.cpu;
    const seat = proc.seat;
    // rdtsc mid-block: global count = synced total + what this CPU retired since its last sync
    cpu.readTsc = (instret) => this.clock.tscAt(this.retired + instret - seat.syncedInstret);
    seat.syncedInstret = cpu.instret;
  }

  /** A new thread joins the run queue (it runs in a later round). */
  startTask(t: Task): void {
    this.liveTasks++;
    this.sched.enqueue(t);
    this.requestResched();
  }

  /** End the whole run with a limit message (a task or memory limit). */
  stopForLimit(why: string): void {
    this.limitHit ??= why;
    this.requestResched();
  }

  /** Resident guest memory of every live process (--max-mem counts the tree). */
  residentBytes(): number {
    let n = 0;
    const seen = new Set<AddressSpace>();
    // an mm shared by CLONE_VM processes counts once
    for (const p of this.processes) if (!p.exit && !seen.has(p.mm)) {
      seen.add(p.mm);
      n += p.mm.residentBytes;
    }
    return n;
  }

  /** Tasks alive now, in every process (--max-tasks bounds it). */
  liveTasks = 0;

  /** Bring the clock and the global instruction count up to date with proc's CPU. */
  private sync(proc: Process): void {
    const n = proc.cpu.instret - proc.syncedInstret;
    proc.syncedInstret = proc.cpu.instret;
    proc.onCpu.instret += n;
    this.retired += n;
    this.clock.sync(this.retired);
  }

  /** Guest time now, in ps. */
  nowPs(): number {
    return this.clock.psAt(this.retired);
  }

  /** Guest time now, in ns. */
  nowNs(): number {
    return this.clock.nsAt(this.retired);
  }

  /**
   * Run the machine (every task of every process, docs/threads.md) until root exits or a limit
   * is reached, at most about `slice` more instructions (checked between scheduling rounds, so
   * the slice size never changes the schedule). Returns true while root can continue.
   */
  runSlice(root: Process, slice: number): boolean {
    if (this.stopReason !== undefined) return true; // stopped before this slice (exit() in BEGIN)
    const end = Math.min(this.retired + slice, this.maxInsns);
    while (!this.done(root)) {
      if (this.retired >= this.maxInsns) {
        // orphans running past the traced command's exit are killed by the limit; its status stays
        if (root.exit) this.orphansEnded = true;
        else root.exit = { limit: `instruction limit of ${this.maxInsns} reached` };
        break;
      }
      if (this.retired >= end) return true;
      if (!this.runRound(root)) {
        if (root.exit) this.orphansEnded = true; // orphans all blocked for good: the run ends quietly
        break;
      }
      if (this.limitHit !== undefined) {
        root.exit ??= { limit: this.limitHit };
        break;
      }
      if (this.shouldStop()) return true;
    }
    return false;
  }

  /** Orphans keep running after the first process exits (runOrphans: `exec`). */
  readonly runOrphans: boolean;
  /** The orphans' run was ended (a limit, or every one of them blocked for good). */
  private orphansEnded = false;

  /**
   * The run is over: the first process exited and, with runOrphans, every other task too (the
   * orphans, reparented to the modelled init, getppid 1, reaped by it).
   */
  private done(root: Process): boolean {
    return root.exit !== undefined && (!this.runOrphans || this.liveTasks === 0 || this.orphansEnded);
  }

  /** Set when a limit ends the whole run (memory, tasks). */
  private limitHit: string | undefined;

  /** One scheduling round. false when nothing can run any more (root got its exit state). */
  private runRound(root: Process): boolean {
    const s = this.sched;
    if (s.runnable === 0) {
      const d = s.nextDeadline();
      if (d === undefined) {
        root.exit ??= { limit: this.deadlockReport() };
        return false;
      }
      this.idleUntil(d); // every CPU idles until the first timer
      s.expire(this.nowPs());
      return true;
    }
    const lanes = s.takeRound();
    this.clock.beginRound(lanes.length);
    for (const t of lanes) if (t.quantumLeft <= 0) t.quantumLeft = s.quantum;
    // the lanes run in lockstep, LOCKSTEP_INSNS program instructions at a time, so tasks on
    // different virtual CPUs interleave as parallel threads do (--cpus changes the interleaving)
    let active = lanes.length;
    const done = new Array<boolean>(lanes.length).fill(false);
    while (active > 0) {
      for (let i = 0; i < lanes.length; i++) {
        if (done[i]) continue;
        const t = lanes[i]!;
        if (t.state === TaskState.Runnable && !t.proc.exit) {
          this.clock.beginLane(i); // t.cpu: the CPU takeRound gave it
          // one lane has nobody to interleave with: its whole quantum at once (cpu.run's
          // single-instruction approach to a limit then costs nothing measurable)
          this.runTask(t, lanes.length > 1 ? LOCKSTEP_INSNS : t.quantumLeft);
          if (t.proc.itimers !== undefined && hasCpuItimer(t.proc)) checkCpuItimers(this, t.proc);
          this.clock.endLane(i);
        }
        if (t.state !== TaskState.Runnable || t.proc.exit || t.quantumLeft <= 0) {
          done[i] = true;
          active--;
          if (t.state === TaskState.Runnable && !t.proc.exit) s.enqueue(t);
        }
        if (this.stopReason !== undefined || this.limitHit !== undefined || this.done(root) || this.retired >= this.maxInsns) {
          active = 0;
          break;
        }
      }
    }
    // a stop part-way: the tasks of unfinished lanes go back to the queue
    for (let i = 0; i < lanes.length; i++) if (!done[i] && lanes[i]!.state === TaskState.Runnable) s.enqueue(lanes[i]!);
    this.clock.endRound();
    this.fireIdleTimers();
    s.expire(this.nowPs());
    // each mm is capped by --max-mem; with several processes their sum is checked here
    if (this.processes.length > 1 && this.residentBytes() > this.maxMemory) this.stopForLimit(`memory limit of ${this.maxMemory} bytes reached (the whole process tree)`);
    return true;
  }

  /** Every CPU idles until ps: a tool's global timers fire on the way, each at its own deadline. */
  private idleUntil(ps: number): void {
    for (let t = this.timers?.nextGlobalDeadline(); t !== undefined && t <= ps && !this.timers!.exhausted && this.stopReason === undefined; t = this.timers!.nextGlobalDeadline()) {
      this.clock.advanceTo(t);
      this.fireIdleTimers();
    }
    this.clock.advanceTo(ps);
    this.fireIdleTimers();
  }

  /** The timers due with no task on a CPU (engine/os/timers.ts); past MAX_TIMER_FIRINGS the run stops as at a limit. */
  private fireIdleTimers(): void {
    if (this.timers === undefined) return;
    this.timers.fireIdle(this.nowPs());
    if (this.timers.exhausted) this.limitHit ??= `timer limit of ${MAX_TIMER_FIRINGS} interval/profile firings reached`;
  }

  /** "deadlock: every task is blocked and no timer is pending: ..." naming each task and what it waits on. */
  private deadlockReport(): string {
    const parts = this.sched.blockedTasks().map((t) => {
      const ip = t === t.proc.onCpu ? t.proc.cpu.rip : (t.regs?.rip ?? 0);
      return `${t.comm || t.proc.comm}[${t.tid}] in ${t.wait?.kind ?? "?"} ${t.wait?.what ?? ""} at 0x${ip.toString(16)}`;
    });
    return `deadlock: every task is blocked and no timer is pending: ${parts.join("; ")}`;
  }

  /** Put task's registers on its process's CPU (__switch_to). */
  private switchTo(task: Task): void {
    const proc = task.proc;
    const cpu = proc.cpu;
    if (proc.onCpu !== task) {
      const prev = proc.onCpu;
      // a task that exited, or exec'd onto a CPU of its own, leaves nothing here to save
      if (!prev.exited && prev.proc.cpu === cpu) prev.regs = saveRegs(cpu, prev.spareRegs);
      const r = task.regs!;
      restoreRegs(cpu, r);
      task.regs = undefined;
      task.spareRegs = r; // reused at the next switch-out
      proc.onCpu = task;
    }
    if (task.wakeResult !== undefined || task.restartNr !== undefined) this.syscallTrace?.resumed(task, task.wakeResult);
    if (task.wakeResult !== undefined) {
      // a signal interrupted the wait: the restart code waits for signal delivery (restart.ts)
      if (isRestartCode(task.wakeResult)) noteRestart(task, cpu, task.wakeResult);
      else cpu.setRegNum(RAX, cpu.bitness === 32 ? task.wakeResult >>> 0 : task.wakeResult);
      task.wakeResult = undefined;
    } else if (task.restartNr !== undefined) {
      // the syscall instruction (0f 05) runs again with its arguments still in place
      cpu.rip -= 2;
      cpu.setRegNum(RAX, task.restartNr);
      task.restartNr = undefined;
    }
  }

  /** Instructions run in kernel-provided detours (XOL copies, trampolines) since the last quantum update. */
  private detourInsns = 0;

  /** The uprobe model ran n instructions that are not the program's: not counted against the quantum (unless --sched probe-cost). */
  creditDetour(n: number): void {
    if (!this.probeCostDelays) this.detourInsns += n;
  }

  /**
   * `--sched probe-cost` (docs/threads.md §3): the time probes cost delays the task, as a trap
   * does on a real CPU: charged time uses up its quantum at the clock's cost per instruction, and
   * XOL steps count as its instructions. Then probes can change the schedule. Off by default.
   */
  readonly probeCostDelays: boolean;
  /** clock.chargedPs already turned into lost quantum. */
  private chargedSeen = 0;

  /** Charge what task ran since instret was `before` to its quantum, detours excluded. */
  private useQuantum(task: Task, cpu: Cpu, before: number): void {
    task.quantumLeft -= cpu.instret - before - this.detourInsns;
    this.detourInsns = 0;
    if (this.probeCostDelays && this.clock.chargedPs !== this.chargedSeen) {
      const lost = Math.floor((this.clock.chargedPs - this.chargedSeen) / this.clock.psPerInsn);
      this.chargedSeen += lost * this.clock.psPerInsn;
      task.quantumLeft -= lost;
    }
  }

  /** The task running now (or last run). */
  current: Task | undefined;

  /** Set by the scheduling syscalls (block, clone, exit, yield): trapInline hands control back. */
  private resched = false;

  requestResched(): void {
    this.resched = true;
  }

  /** Run task for up to `slice` more program instructions of its quantum, or until it blocks, exits, or the run stops. */
  private runTask(task: Task, slice: number): void {
    const proc = task.proc;
    const cpu = proc.cpu;
    this.switchTo(task);
    this.current = task;
    const stopAt = task.quantumLeft - Math.min(slice, task.quantumLeft);
    cpu.trapHandler = (proc.trapHandler ??= (exit) => this.trapInline(proc, exit));
    cpu.int3Direct = this.hooks.plannedBreakpoint === undefined ? undefined : (proc.int3Direct ??= () => this.int3Direct(proc));
    try {
      const resume = task.onResume;
      if (resume) {
        task.onResume = undefined;
        resume();
      }
      // the way back to user mode after a wake-up: pending signals first
      if (task.state === TaskState.Runnable && !proc.exit) this.deliverSignals(task);
      if (task.savedSigmask !== undefined && task.state === TaskState.Runnable) {
        task.sigmask = task.savedSigmask; // rt_sigsuspend returned without a handler: its mask ends
        task.savedSigmask = undefined;
      }
      while (task.state === TaskState.Runnable && !proc.exit) {
        let budget = Math.min(task.quantumLeft - stopAt, this.maxInsns - this.retired);
        if (budget <= 0) break;
        if (this.timers !== undefined) {
          // a tool's timers: fire what is due on this CPU, then run no further than the next deadline
          this.timers.fireOnCpu(task, task.cpu, this.nowPs());
          if (this.timers.exhausted) this.limitHit ??= `timer limit of ${MAX_TIMER_FIRINGS} interval/profile firings reached`;
          if (this.limitHit !== undefined || this.shouldStop() || task.state !== TaskState.Runnable || proc.exit) break;
          budget = Math.min(budget, this.timers.insnsUntilDeadline(task.cpu, this.nowPs(), this.clock.psPerInsn));
        }
        this.resched = false;
        this.detourInsns = 0;
        const before = cpu.instret;
        let exit: Exit;
        try {
          exit = cpu.run(cpu.instret + budget);
        } catch (e) {
          this.sync(proc);
          this.useQuantum(task, cpu, before);
          if (e instanceof MemoryLimitExceeded) {
            this.limitHit = `memory limit of ${this.maxMemory} bytes reached`;
            break;
          }
          throw e;
        }
        this.sync(proc);
        this.useQuantum(task, cpu, before);
        // the task is still where the run stopped (at a timer's deadline, or a trap): its samples first
        if (this.timers !== undefined && task.state === TaskState.Runnable && !proc.exit) this.timers.fireOnCpu(task, task.cpu, this.nowPs());
        try {
          // Exit.Handled: trapInline already dispatched the trap
          if (exit !== Exit.Handled && exit !== Exit.Limit) this.dispatch(task, exit);
          if (task.state === TaskState.Runnable && !proc.exit) this.deliverSignals(task);
        } catch (e) {
          if (e instanceof MemoryLimitExceeded) {
            this.limitHit = `memory limit of ${this.maxMemory} bytes reached`;
            break;
          }
          throw e;
        }
        if (this.stopPolled) {
          this.stopPolled = false;
          break;
        }
        // exec by a process that shared its parent's CPU: the task runs on its own CPU next round
        if (proc.cpu !== cpu) break;
        if (this.limitHit !== undefined || this.shouldStop()) break;
      }
    } finally {
      cpu.trapHandler = undefined;
      cpu.int3Direct = undefined;
    }
  }

  /** What the CPU handed back: a system call, a trap (int3, single step) or an exception. */
  private dispatch(task: Task, exit: Exit): void {
    const cpu = task.proc.cpu;
    switch (exit) {
      case Exit.Event:
        if (cpu.event === Event.Syscall) this.syscall(task);
        else if (cpu.event === Event.Breakpoint) this.breakpoint(task);
        else if (cpu.event === Event.Int80) this.syscallInt80(task);
        break;
      case Exit.Exception:
        this.exception(task, cpu.exception!);
        break;
      case Exit.SingleStep:
        this.singleStep(task);
        break;
    }
  }

  /** shouldStop() returned true in trapInline: runTask returns without polling it again. */
  private stopPolled = false;

  /**
   * A syscall, int3 or single step handled inside cpu.run(), exactly as
   * runTask would handle it. Returns true when runTask would only call
   * cpu.run() again (no signal to deliver, no exit, no stop, no reschedule);
   * otherwise cpu.run() returns Exit.Handled and runTask does the rest.
   */
  private trapInline(proc: Process, exit: Exit): boolean {
    this.sync(proc);
    const task = proc.onCpu;
    this.dispatch(task, exit);
    return this.goesOn(proc, task);
  }

  /**
   * The int3 fast path (Cpu.int3Direct): the uprobe model runs the site's hit plan, if it has a valid one, without
   * trapInline's dispatch; then trapInline's checks. The clock is synced first, as for any trap (a handler may read it).
   */
  private int3Direct(proc: Process): Int3 {
    this.sync(proc);
    const task = proc.onCpu;
    if (!this.hooks.plannedBreakpoint!(task)) return Int3.Trap;
    return this.goesOn(proc, task) ? Int3.GoOn : Int3.Return;
  }

  /** After a trap handled inside cpu.run(): true when runTask would only call cpu.run() again. */
  private goesOn(proc: Process, task: Task): boolean {
    if (proc.exit !== undefined || this.resched || task.pending.length !== 0 || proc.sharedPending.length !== 0 || task.syscallRestart !== 0) return false;
    if (this.limitHit !== undefined) return false;
    if (this.shouldStop()) {
      this.stopPolled = true;
      return false;
    }
    return true;
  }

  /** Run to completion (the command line's synchronous path). */
  run(proc: Process): ExitState {
    while (this.runSlice(proc, 50_000_000)) {
      if (this.shouldStop()) break;
    }
    proc.exit ??= { limit: this.stopReason ?? "interrupted" };
    return proc.exit;
  }

  // ---- traps ----

  private syscall(task: Task): void {
    const cpu = task.proc.cpu;
    const nr = cpu.getRegNum(RAX);
    this.countSyscall(nr);
    task.origNr = nr;
    if (this.syscallTrace?.traces(nr) === true) this.syscallTrace.around(task, nr, () => this.syscallBody(task, nr));
    else this.syscallBody(task, nr);
  }

  private syscallBody(task: Task, nr: number): void {
    const cpu = task.proc.cpu;
    const hooked = this.hooks.syscall?.(task, nr);
    if (hooked !== undefined) {
      if (hooked !== "noreturn") cpu.setRegNum(RAX, hooked);
      return;
    }
    const handler = nr >= 0 && nr < SYSCALL_HANDLERS.length ? SYSCALL_HANDLERS[nr] : undefined;
    if (!handler) {
      cpu.setRegNum(RAX, -ENOSYS);
      return;
    }
    // one arguments array and one context, refilled per call (handlers do not keep them)
    const args = this.sysArgs;
    args[0] = cpu.getRegNum(RDI);
    args[1] = cpu.getRegNum(RSI);
    args[2] = cpu.getRegNum(RDX);
    args[3] = cpu.getRegNum(R10);
    args[4] = cpu.getRegNum(R8);
    args[5] = cpu.getRegNum(R9);
    const ctx = this.sysCtx;
    ctx.task = task;
    ctx.cpu = cpu;
    const r = handler(ctx, args);
    if (r !== "noreturn") {
      if (r <= -ERESTARTSYS && r >= -ERESTART_RESTARTBLOCK) noteRestart(task, cpu, r);
      else cpu.setRegNum(RAX, r);
    }
  }

  /**
   * `int $0x80` from 64-bit code (do_int80_emulation): the i386 table, number in eax, arguments
   * in the low halves of ebx ecx edx esi edi ebp, the result in rax.
   */
  private syscallInt80(task: Task): void {
    const cpu = task.proc.cpu;
    const L = cpu.lo;
    const nr = L[RAX]! >>> 0;
    this.countSyscall(I386_COUNT_BASE + nr);
    task.origNr = nr;
    const handler = nr < I386_HANDLERS.length ? I386_HANDLERS[nr] : undefined;
    if (!handler) {
      cpu.setRegNum(RAX, cpu.bitness === 32 ? -ENOSYS >>> 0 : -ENOSYS);
      return;
    }
    const args = this.sysArgs;
    args[0] = L[RBX]! >>> 0;
    args[1] = L[RCX]! >>> 0;
    args[2] = L[RDX]! >>> 0;
    args[3] = L[RSI]! >>> 0;
    args[4] = L[RDI]! >>> 0;
    args[5] = L[RBP]! >>> 0;
    const ctx = this.sysCtx;
    ctx.task = task;
    ctx.cpu = cpu;
    const r = handler(ctx, args);
    // a sleeping call restarts with its i386 number (orig_ax), not the x86-64 handler's
    if (r === "noreturn" && task.wait?.restartNr !== undefined) task.wait.restartNr = nr;
    if (r !== "noreturn" && isRestartCode(r)) noteRestart(task, cpu, r);
    else if (r !== "noreturn") cpu.setRegNum(RAX, cpu.bitness === 32 ? r >>> 0 : r); // a compat task has only eax
  }

  private readonly sysArgs = [0, 0, 0, 0, 0, 0];
  private readonly sysCtx: SyscallContext = { kernel: this, task: undefined as unknown as Task, cpu: undefined as unknown as Cpu };

  /** Syscalls counted by number: small numbers in an array, any other in a Map; first-seen order kept for the names. */
  private readonly countsByNr = new Float64Array(1024);
  private readonly countsOther = new Map<number, number>();
  private readonly countOrder: number[] = [];

  private countSyscall(nr: number): void {
    if (nr >= 0 && nr < 1024 && Number.isInteger(nr)) {
      if (this.countsByNr[nr]!++ === 0) this.countOrder.push(nr);
      return;
    }
    const n = this.countsOther.get(nr) ?? 0;
    if (n === 0) this.countOrder.push(nr);
    this.countsOther.set(nr, n + 1);
  }

  /** System calls made so far, by name, in the order they were first made. */
  get syscallCounts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const nr of this.countOrder) {
      const name = nr >= I386_COUNT_BASE ? i386SyscallName(nr - I386_COUNT_BASE) : syscallName(nr);
      const n = nr >= 0 && nr < 1024 && Number.isInteger(nr) ? this.countsByNr[nr]! : this.countsOther.get(nr)!;
      out.set(name, (out.get(name) ?? 0) + n);
    }
    return out;
  }

  /** int3: the uprobe die notifier first; otherwise SIGTRAP with si_code SI_KERNEL (do_int3_user). */
  private breakpoint(task: Task): void {
    if (this.hooks.breakpoint?.(task)) return;
    const cpu = task.proc.cpu;
    this.queueSignal(task, { signo: SIGTRAP, code: SI_KERNEL, addr: 0, forced: true, ip: cpu.rip - 1 });
  }

  private singleStep(task: Task): void {
    if (this.hooks.singleStep?.(task)) return;
    const cpu = task.proc.cpu;
    this.queueSignal(task, { signo: SIGTRAP, code: TRAP_TRACE, addr: cpu.rip, forced: true, ip: cpu.rip });
  }

  /** An exception becomes a synchronous, forced signal (force_sig_fault). */
  private exception(task: Task, exc: CpuException): void {
    const cpu = task.proc.cpu;
    const ip = cpu.rip;
    let info: SigInfo;
    switch (exc.vector) {
      case X86_TRAP_PF: {
        const code = exc.cause?.kind === "page-fault" ? exc.cause.code : SEGV_MAPERR;
        info = { signo: exc.cause?.kind === "page-fault" && exc.cause.bus ? SIGBUS : SIGSEGV, code, addr: exc.addr, forced: true, ip };
        break;
      }
      case X86_TRAP_GP:
        info = { signo: SIGSEGV, code: SI_KERNEL, addr: 0, forced: true, ip };
        break;
      case X86_TRAP_DE:
        info = { signo: SIGFPE, code: FPE_INTDIV, addr: ip, forced: true, ip };
        break;
      case X86_TRAP_UD:
        info = { signo: SIGILL, code: ILL_ILLOPN, addr: ip, forced: true, ip };
        break;
      case X86_TRAP_BP:
      case X86_TRAP_DB:
        info = { signo: SIGTRAP, code: TRAP_BRKPT, addr: ip, forced: true, ip };
        break;
      default:
        info = { signo: SIGSEGV, code: SI_KERNEL, addr: 0, forced: true, ip };
    }
    this.hooks.exception?.(task, exc, info);
    this.lastException.set(task, exc);
    this.queueSignal(task, info);
  }

  /** The exception behind the most recent fault signal of a task (for the death report). */
  readonly lastException = new WeakMap<Task, CpuException>();

  // ---- signals ----

  /**
   * RLIMIT_SIGPENDING as Linux sets it at boot: max_threads / 2, where set_max_threads gives one
   * thread per 8 THREAD_SIZEs (16 KiB) of RAM, RAM being --max-mem here (4096 for the default 1 GiB).
   */
  get sigPendingLimit(): number {
    const maxThreads = Math.max(20, Math.floor(this.maxMemory / (8 * 16384)));
    return Math.floor(maxThreads / 2);
  }

  /**
   * Queue a signal (__send_signal_locked). A standard signal already pending is not queued again
   * (legacy_queue); a real-time one is queued while the task holds fewer than RLIMIT_SIGPENDING,
   * past that it is only marked pending (once) as when __sigqueue_alloc fails. Returns false when
   * it was not queued (the caller of a SI_TKILL/SI_QUEUE real-time signal returns -EAGAIN).
   */
  queueSignal(task: Task, info: SigInfo): boolean {
    if (!info.forced) this.prepareSignal(task.proc, info.signo);
    if (!info.forced && this.sigIgnored(task, info.signo)) return true;
    if (!info.forced) {
      const q = this.mayQueue(task.pending, info);
      if (q !== "queue") return q === "ok";
    }
    if (info.forced) {
      // force_sig_fault: a blocked or ignored synchronous signal is unblocked and reset to the default
      const act = task.proc.sighand[info.signo]!;
      if (act.handler === SIG_IGN || task.sigmask & sigBit(info.signo)) {
        act.handler = SIG_DFL;
        task.sigmask &= ~sigBit(info.signo);
      }
      task.pending.unshift(info);
    } else task.pending.push(info);
    this.signalWake(task, info.signo);
    recheckPollers(this); // a signalfd polled for it is readable now
    return true;
  }

  /**
   * legacy_queue and the RLIMIT_SIGPENDING check: a standard signal already pending is not queued
   * again ("ok"); a real-time one past the limit is only marked pending once, as when
   * __sigqueue_alloc fails, and a SI_TKILL/SI_QUEUE sender gets -EAGAIN ("fail").
   */
  private mayQueue(pend: readonly SigInfo[], info: SigInfo): "queue" | "ok" | "fail" {
    const already = (): boolean => {
      for (let i = 0; i < pend.length; i++) if (pend[i]!.signo === info.signo) return true;
      return false;
    };
    if (info.signo < SIGRTMIN) return already() ? "ok" : "queue";
    if (this.pendingSignals() < this.sigPendingLimit) return "queue";
    if (info.code !== SI_USER_CODE) return "fail";
    return already() ? "ok" : "queue";
  }

  /** Signals pending for the user (every task's and every group's queue): what RLIMIT_SIGPENDING counts. */
  private pendingSignals(): number {
    let n = 0;
    for (const p of this.processes) {
      if (p.exit) continue;
      n += p.sharedPending.length;
      for (const t of p.tasks) n += t.pending.length;
    }
    return n;
  }

  /**
   * A process-directed signal (kill): queued on the thread group's shared pending set;
   * complete_signal wakes the first thread (in creation order) that does not block it.
   */
  queueProcessSignal(proc: Process, info: SigInfo): boolean {
    if (proc.exit) return true;
    this.prepareSignal(proc, info.signo);
    if (this.sigIgnored(proc.leader, info.signo)) return true;
    const q = this.mayQueue(proc.sharedPending, info);
    if (q !== "queue") return q === "ok";
    proc.sharedPending.push(info);
    const bit = sigBit(info.signo);
    const t = proc.tasks.find((x) => !x.exited && (info.signo === SIGKILL || !(x.sigmask & bit) || (x.wait?.sigset ?? 0n) & bit));
    if (t) this.signalWake(t, info.signo);
    recheckPollers(this); // a signalfd polled for it is readable now
    return true;
  }

  /**
   * sig_ignored (prepare_signal): a signal the target does not block, whose handler is SIG_IGN or
   * SIG_DFL with an "ignore" default (SIGCHLD, SIGURG, SIGWINCH, SIGCONT), is dropped when sent:
   * it is never queued and interrupts nothing.
   */
  private sigIgnored(task: Task, signo: number): boolean {
    if (signo === SIGKILL || task.sigmask & sigBit(signo)) return false;
    const h = task.proc.sighand[signo]?.handler;
    return h === SIG_IGN || (h === SIG_DFL && defaultAction(signo) === "ignore");
  }

  /** prepare_signal's job control (stop.ts): SIGCONT continues a stopped group, SIGKILL wakes it to die. */
  private prepareSignal(proc: Process, signo: number): void {
    beforeSend(this, proc, signo);
    if (signo === SIGKILL) wakeStoppedForKill(this, proc);
  }

  /** signal_wake_up: a task in an interruptible wait returns from it (-EINTR or its restart value). */
  private signalWake(task: Task, signo: number): void {
    if (task.state !== TaskState.Blocked) return;
    const w = task.wait!;
    if (w.kind === "stopped") return; // only SIGCONT and SIGKILL end a stop (prepareSignal)
    // rt_sigtimedwait: a signal of its set (blocked, as sigwait wants it) makes it run the call again
    if (w.sigset !== undefined && w.sigset & sigBit(signo)) this.sched.wake(task, undefined);
    else if (w.eintr !== undefined && (signo === SIGKILL || !(task.sigmask & sigBit(signo)))) {
      w.onSignal?.();
      task.restartBlock = w.restartBlock;
      this.sched.wake(task, w.eintr);
    }
  }

  forceSegv(task: Task, ip: number): void {
    this.queueSignal(task, { signo: SIGSEGV, code: SI_KERNEL, addr: 0, forced: true, ip });
  }

  /** The next signal task takes: its own pending ones first, then the process's (next_signal); `set`: only those (sigtimedwait). */
  dequeueSignal(task: Task, set?: bigint): { list: SigInfo[]; idx: number } | undefined {
    const ok = set !== undefined ? (s: SigInfo): boolean => (set & sigBit(s.signo)) !== 0n : (s: SigInfo): boolean => s.signo === SIGKILL || !(task.sigmask & sigBit(s.signo));
    let idx = task.pending.findIndex(ok);
    if (idx >= 0) return { list: task.pending, idx };
    idx = task.proc.sharedPending.findIndex(ok);
    return idx >= 0 ? { list: task.proc.sharedPending, idx } : undefined;
  }

  /**
   * Deliver pending unblocked signals before returning to user mode (get_signal + handle_signal);
   * a call interrupted with a restart code that no handler took is restarted (arch_do_signal_or_restart).
   */
  private deliverSignals(task: Task): void {
    if (task.proc.notifyContinued) notifyContinued(this, task.proc);
    this.deliverPending(task);
    if (task.syscallRestart !== 0 && !task.proc.exit && task.state === TaskState.Runnable) restartWithoutHandler(task, task.proc.cpu);
  }

  private deliverPending(task: Task): void {
    const proc = task.proc;
    for (let guard = 0; guard < 64 && (task.pending.length || proc.sharedPending.length) && !proc.exit; guard++) {
      const next = this.dequeueSignal(task);
      if (!next) return;
      const info = next.list[next.idx]!;
      if (!info.forced && this.hooks.denySignal?.(task)) return;
      next.list.splice(next.idx, 1);
      rearmOnDequeue(this, proc, info.signo);
      // after rt_sigsuspend the handler's frame holds the mask from before the call
      const saved = task.savedSigmask;
      task.savedSigmask = undefined;
      if (saved !== undefined) task.sigmask = saved;
      const act = proc.sighand[info.signo]!;
      if (info.signo === SIGKILL || act.handler === SIG_DFL) {
        const what = defaultAction(info.signo);
        if (what === "ignore") continue;
        if (what === "stop") {
          groupStop(this, proc, info.signo); // the task stops; its interrupted call restarts after SIGCONT
          return;
        }
        this.killProcess(proc, info, task);
        return;
      }
      if (act.handler === SIG_IGN) continue;
      const cpu = proc.cpu;
      if (task.syscallRestart !== 0) restartForHandler(task, cpu, act.flags);
      const oldMask = task.sigmask;
      const trapno = info.signo === SIGSEGV ? 14 : info.signo === SIGILL ? 6 : info.signo === SIGFPE ? 0 : 0;
      if (!(cpu.bitness === 32 ? setupIa32Frame : setupRtFrame)(cpu, info, act, oldMask, task.altStack, trapno)) {
        // could not write the frame: the kernel forces SIGSEGV
        proc.sighand[SIGSEGV]!.handler = SIG_DFL;
        this.killProcess(proc, { signo: SIGSEGV, code: SI_KERNEL, addr: 0, forced: true, ip: cpu.rip }, task);
        return;
      }
      task.sigmask = oldMask | act.mask | (act.flags & SA_NODEFER ? 0n : sigBit(info.signo));
      if (act.flags & SA_RESETHAND) act.handler = SIG_DFL;
    }
  }

  // ---- exit ----

  /**
   * exit(2) of one thread (do_exit): robust futexes released, clear_child_tid cleared and woken,
   * the task leaves the scheduler. The last thread's exit ends the process with code.
   */
  exitTask(task: Task, code: number): void {
    if (task.exited) return;
    this.releaseTask(task);
    if (task.proc.tasks.every((t) => t.exited)) this.finishProcess(task.proc, { code });
  }

  /** exit_group(2): every thread of the process exits. */
  exitGroup(proc: Process, code: number): void {
    this.endThreads(proc);
    this.finishProcess(proc, { code });
  }

  /** A fatal signal kills the whole thread group. */
  killProcess(proc: Process, info: SigInfo, task?: Task): void {
    this.endThreads(proc);
    this.finishProcess(proc, { signal: info.signo, info, tid: task?.tid });
  }

  private endThreads(proc: Process): void {
    for (const t of proc.tasks) if (!t.exited) this.releaseTask(t);
  }

  /** mm_release and exit_notify for one task. */
  private releaseTask(task: Task): void {
    const proc = task.proc;
    task.exited = true;
    this.liveTasks--;
    this.sched.remove(task);
    this.hooks.taskExit?.(task);
    if (proc.exit) return;
    if (task.robustList) exitRobustList(this, task);
    // mm_release: only while other tasks still use the mm (the last one's memory is going away)
    if (task.clearChildTid && proc.tasks.some((t) => !t.exited)) {
      try {
        proc.mm.write32(task.clearChildTid, 0);
        futexWake(this, proc.mm, task.clearChildTid, 1, -1);
      } catch {
        // an unmapped clear_child_tid is ignored (put_user fails silently)
      }
    }
    this.requestResched();
  }

  /** The thread group is gone: its exit state, and the parent told (SIGCHLD, wait4). */
  private finishProcess(proc: Process, exit: ExitState): void {
    if (proc.exit) return;
    proc.exit = exit;
    exitItimers(this, proc);
    this.requestResched();
    this.hooks.processExit?.(proc);
    notifyParent(this, proc);
    wakePipeSleepers(this); // its descriptors are closed: readers may see end of file, pollers POLLHUP
  }

  /** The live process with this pid. */
  findProcess(pid: number): Process | undefined {
    return this.processes.find((p) => p.pid === pid && !p.reaped);
  }

  /** The live task with this tid, in any process. */
  findTask(tid: number): Task | undefined {
    for (const p of this.processes) {
      if (p.exit) continue;
      for (const t of p.tasks) if (t.tid === tid && !t.exited) return t;
    }
    return undefined;
  }
}
