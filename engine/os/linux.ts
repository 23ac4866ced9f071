// Linux, the process and syscall layer (not the uprobe generation that
// `--kernel` picks): creates processes from ELF files, runs their tasks on
// the CPU, and handles what the CPU hands back: system calls, traps (int3,
// single-step) and exceptions, which become signals. The uprobe subsystem
// plugs in through KernelHooks, the way the real one sits behind die
// notifiers and the mmap path.

import * as nodePath from "node:path";
import type { Cpu } from "../cpu/cpu.js";
import { Event, Exit } from "../cpu/exit.js";
import { CpuException, X86_TRAP_BP, X86_TRAP_DB, X86_TRAP_DE, X86_TRAP_GP, X86_TRAP_PF, X86_TRAP_UD } from "../cpu/exceptions.js";
import { Gpr } from "../cpu/registers.js";
import { AddressSpace, MemoryLimitExceeded } from "../mm/address-space.js";
import { MappedFile } from "../mm/mapped-file.js";
import type { VirtualClock } from "./clock.js";
import { ElfError, type ElfImage, parseElf } from "./elf.js";
import { fileId, type GuestFile, GuestFs } from "./guest-fs.js";
import type { KernelHooks } from "./hooks.js";
import { loadImage } from "./loader.js";
import { Process, type ExitState } from "./process.js";
import {
  defaultAction, FPE_INTDIV, ILL_ILLOPN, SA_NODEFER, SA_RESETHAND, SEGV_MAPERR, setupRtFrame, SI_KERNEL,
  sigBit, SIG_DFL, SIG_IGN, SIGBUS, SIGFPE, SIGILL, SIGKILL, SIGSEGV, SIGTRAP, type SigInfo, TRAP_BRKPT, TRAP_TRACE,
} from "./signals.js";
import { ENOSYS } from "../errno.js";
import { SYSCALL_HANDLERS, syscallName, type SyscallContext } from "./syscalls.js";
import { I386_COUNT_BASE, I386_HANDLERS, i386SyscallName } from "./syscalls-i386.js";
import { setupIa32Frame } from "./signal-frame-i386.js";
import type { Task } from "./task.js";

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
}

export class Linux {
  readonly clock: VirtualClock;
  readonly io: HostIo;
  readonly release: string;
  readonly maxInsns: number;
  readonly maxMemory: number;
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
    // rdtsc mid-block: global count = synced total + what this CPU retired since its last sync
    cpu.readTsc = (instret) => this.clock.tscAt(this.retired + instret - proc.syncedInstret);
    this.processes.push(proc);
    // uprobe_mmap for every file-backed mapping the loader made
    for (const v of mm.vmas) if (v.file) this.hooks.mmap?.(proc, v);
    return proc;
  }

  /** Bring the clock and the global instruction count up to date with proc's CPU. */
  private sync(proc: Process): void {
    const n = proc.cpu.instret - proc.syncedInstret;
    proc.syncedInstret = proc.cpu.instret;
    this.retired += n;
    this.clock.sync(this.retired);
  }

  /** Guest time now, in ns. */
  nowNs(): number {
    return this.clock.nsAt(this.retired);
  }

  /**
   * Run proc until it exits or a limit is reached, at most `slice` more
   * instructions. Returns true while the process can continue.
   */
  runSlice(proc: Process, slice: number): boolean {
    const cpu = proc.cpu;
    const task = proc.leader;
    const end = Math.min(this.retired + slice, this.maxInsns);
    if (this.stopReason !== undefined) return true; // stopped before this slice (exit() in BEGIN)
    // Traps are handled inside cpu.run() while this slice runs (see trapInline).
    cpu.trapHandler = (proc.trapHandler ??= (exit) => this.trapInline(proc, exit));
    try {
      while (!proc.exit) {
        if (this.retired >= this.maxInsns) {
          proc.exit = { limit: `instruction limit of ${this.maxInsns} reached` };
          break;
        }
        if (this.retired >= end) return true;
        let exit: Exit;
        try {
          exit = cpu.run(cpu.instret + (end - this.retired));
        } catch (e) {
          this.sync(proc);
          if (e instanceof MemoryLimitExceeded) {
            proc.exit = { limit: `memory limit of ${this.maxMemory} bytes reached` };
            break;
          }
          throw e;
        }
        this.sync(proc);
        try {
          // Exit.Handled: trapInline already dispatched the trap
          if (exit !== Exit.Handled) this.dispatch(task, exit);
          if (!proc.exit) this.deliverSignals(task);
        } catch (e) {
          if (e instanceof MemoryLimitExceeded) {
            proc.exit = { limit: `memory limit of ${this.maxMemory} bytes reached` };
            break;
          }
          throw e;
        }
        if (this.stopPolled) {
          this.stopPolled = false;
          return true;
        }
        if (this.shouldStop()) return true;
      }
      return false;
    } finally {
      cpu.trapHandler = undefined;
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

  /** shouldStop() returned true in trapInline: runSlice returns without polling it again. */
  private stopPolled = false;

  /**
   * A syscall, int3 or single step handled inside cpu.run(), exactly as
   * runSlice would handle it. Returns true when runSlice would only call
   * cpu.run() again (no signal to deliver, no exit, no stop); otherwise
   * cpu.run() returns Exit.Handled and runSlice does the rest.
   */
  private trapInline(proc: Process, exit: Exit): boolean {
    this.sync(proc);
    const task = proc.leader;
    this.dispatch(task, exit);
    if (proc.exit !== undefined || task.pending.length !== 0) return false;
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
    if (r !== "noreturn") cpu.setRegNum(RAX, r);
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
    if (r !== "noreturn") cpu.setRegNum(RAX, cpu.bitness === 32 ? r >>> 0 : r); // a compat task has only eax
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
    if (!info.forced) {
      const pend = task.pending;
      const already = (): boolean => {
        for (let i = 0; i < pend.length; i++) if (pend[i]!.signo === info.signo) return true;
        return false;
      };
      if (info.signo < SIGRTMIN) {
        if (already()) return true;
      } else if (pend.length >= this.sigPendingLimit) {
        if (info.code !== SI_USER_CODE) return false;
        if (already()) return true;
      }
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
    return true;
  }

  forceSegv(task: Task, ip: number): void {
    this.queueSignal(task, { signo: SIGSEGV, code: SI_KERNEL, addr: 0, forced: true, ip });
  }

  /** Deliver pending unblocked signals before returning to user mode (get_signal + handle_signal). */
  private deliverSignals(task: Task): void {
    const proc = task.proc;
    for (let guard = 0; guard < 64 && task.pending.length && !proc.exit; guard++) {
      const idx = task.pending.findIndex((s) => s.signo === SIGKILL || !(task.sigmask & sigBit(s.signo)));
      if (idx < 0) return;
      const info = task.pending[idx]!;
      if (!info.forced && this.hooks.denySignal?.(task)) return;
      task.pending.splice(idx, 1);
      const act = proc.sighand[info.signo]!;
      if (info.signo === SIGKILL || act.handler === SIG_DFL) {
        const what = defaultAction(info.signo);
        if (what === "ignore" || what === "stop") continue;
        proc.exit = { signal: info.signo, info };
        return;
      }
      if (act.handler === SIG_IGN) continue;
      const cpu = proc.cpu;
      const oldMask = task.sigmask;
      const trapno = info.signo === SIGSEGV ? 14 : info.signo === SIGILL ? 6 : info.signo === SIGFPE ? 0 : 0;
      if (!(cpu.bitness === 32 ? setupIa32Frame : setupRtFrame)(cpu, info, act, oldMask, task.altStack, trapno)) {
        // could not write the frame: the kernel forces SIGSEGV
        proc.sighand[SIGSEGV]!.handler = SIG_DFL;
        proc.exit = { signal: SIGSEGV, info: { signo: SIGSEGV, code: SI_KERNEL, addr: 0, forced: true, ip: cpu.rip } };
        return;
      }
      task.sigmask = oldMask | act.mask | (act.flags & SA_NODEFER ? 0n : sigBit(info.signo));
      if (act.flags & SA_RESETHAND) act.handler = SIG_DFL;
    }
  }

  // ---- exit ----

  exitTask(task: Task, code: number): void {
    task.exited = true;
    if (task.proc.tasks.every((t) => t.exited)) this.exitGroup(task.proc, code);
  }

  exitGroup(proc: Process, code: number): void {
    for (const t of proc.tasks) t.exited = true;
    proc.exit = { code };
  }
}
