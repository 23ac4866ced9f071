// A process (a thread group): an address space, a CPU its tasks take turns
// on, signal handlers, file descriptors, its children, and how it ended.
// The CPU belongs to the mm (one translation cache per mm): a CLONE_VM child
// that is not a thread (vfork, posix_spawn) shares its parent's mm, and so
// its CPU and the seat on it, until it execs or exits.

import { Cpu, type Int3Direct, type TrapHandler } from "../cpu/cpu.js";
import type { AddressSpace } from "../mm/address-space.js";
import type { MappedFile } from "../mm/mapped-file.js";
import type { ElfImage } from "./elf.js";
import { FdTable } from "./fdtable.js";
import { NSIG, type SigAction, type SigInfo } from "./signals.js";
import type { Itimers } from "./itimer.js";
import type { JobReport } from "./stop.js";
import { Task } from "./task.js";
import { TOOL_PID } from "./pgrp.js";

export interface ExitState {
  /** exit_group status (0..255) when the process exited normally. */
  code?: number;
  /** The signal that killed it. */
  signal?: number;
  /** The siginfo of a fatal signal, for the report. */
  info?: SigInfo;
  /** The thread that took the fatal signal. */
  tid?: number;
  /** Why the run stopped without the guest ending (instruction or memory limit). */
  limit?: string;
}

export interface ProcessImage {
  elf: ElfImage;
  file: MappedFile;
  bias: number;
}

/** Who is on a CPU: shared by the processes whose tasks take turns on it (one mm). */
export interface CpuSeat {
  /** The task whose registers are in the CPU. */
  task: Task;
  /** cpu.instret when the kernel last brought the virtual clock up to date. */
  syncedInstret: number;
}

export class Process {
  /** The CPU of the mm (replaced when a process sharing it execs). */
  cpu: Cpu;
  seat: CpuSeat;
  /** Live and exited threads, the leader first. */
  readonly tasks: Task[] = [];
  sighand: SigAction[] = [];
  fds = new FdTable();
  exit: ExitState | undefined;
  /** Files mapped as the executable (for symbol lookup). */
  image: ProcessImage | undefined;
  parent: Process | undefined;
  readonly children: Process[] = [];
  /** The signal sent to the parent at exit (clone's exit_signal: SIGCHLD for fork, 0 for none). */
  exitSignal = 0;
  /** A vfork child: the parent task sleeping until this process execs or exits. */
  vforkParent: Task | undefined;
  /** Collected by wait4/waitid: the zombie is gone. */
  reaped = false;
  /** Process-directed signals (kill): any thread that does not block them takes them. */
  readonly sharedPending: SigInfo[] = [];
  /** Stopped by this signal (job control, stop.ts); undefined while running. */
  stopped: number | undefined;
  /** Continued: the parent is told when one of its threads next runs (stop.ts). */
  notifyContinued = false;
  /** A stop or continue the parent has not collected with wait yet. */
  jobReport: JobReport | undefined;
  /** alarm/setitimer state (itimer.ts); undefined until the process arms one. */
  itimers: Itimers | undefined;
  /** Process group and session (pgrp.ts): inherited at fork, kept across exec. */
  pgid = TOOL_PID;
  sid = TOOL_PID;
  /** Has exec'ed since fork (no PF_FORKNOEXEC): its parent may no longer setpgid it. */
  execed = false;
  /** The kernel's TrapHandler for this process's CPU (created on the first run slice). */
  trapHandler: TrapHandler | undefined;
  /** The kernel's Int3Direct for this process's CPU (created with trapHandler when the hooks plan int3 hits). */
  int3Direct: Int3Direct | undefined;

  constructor(
    readonly pid: number,
    public mm: AddressSpace,
    bits: 64 | 32 = 64,
    shareWith?: Process,
  ) {
    this.cpu = shareWith?.cpu ?? new Cpu(mm, bits);
    for (let i = 0; i <= NSIG; i++) this.sighand.push({ handler: 0, flags: 0, restorer: 0, mask: 0n });
    const leader = new Task(pid, this);
    this.tasks.push(leader);
    this.seat = shareWith?.seat ?? { task: leader, syncedInstret: 0 };
  }

  /** The task whose registers are in `cpu` (maybe a task of a process sharing the mm). */
  get onCpu(): Task {
    return this.seat.task;
  }

  set onCpu(t: Task) {
    this.seat.task = t;
  }

  /** cpu.instret when the kernel last brought the virtual clock up to date (per CPU). */
  get syncedInstret(): number {
    return this.seat.syncedInstret;
  }

  set syncedInstret(n: number) {
    this.seat.syncedInstret = n;
  }

  /** Give this process a CPU of its own on its (new) mm: exec by a process sharing its parent's. */
  ownCpu(cpu: Cpu, task: Task): void {
    this.cpu = cpu;
    this.seat = { task, syncedInstret: cpu.instret };
  }

  /** The thread-group leader. */
  get leader(): Task {
    return this.tasks[0]!;
  }

  /** The leader's comm (what ps shows for the process). */
  get comm(): string {
    return this.leader.comm;
  }

  set comm(c: string) {
    this.leader.comm = c;
  }

  /** Threads that have not exited. */
  liveTasks(): Task[] {
    return this.tasks.filter((t) => !t.exited);
  }
}
