// A process (a thread group): an address space, a CPU its tasks take turns
// on, signal handlers, file descriptors, its children, and how it ended.

import { Cpu, type TrapHandler } from "../cpu/cpu.js";
import type { AddressSpace } from "../mm/address-space.js";
import type { MappedFile } from "../mm/mapped-file.js";
import type { ElfImage } from "./elf.js";
import { FdTable } from "./fdtable.js";
import { NSIG, type SigAction, type SigInfo } from "./signals.js";
import { Task } from "./task.js";

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

export class Process {
  readonly cpu: Cpu;
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
  /** The task whose registers are in `cpu`. */
  onCpu: Task;
  /** cpu.instret when the kernel last brought the virtual clock up to date. */
  syncedInstret = 0;
  /** The kernel's TrapHandler for this process's CPU (created on the first run slice). */
  trapHandler: TrapHandler | undefined;

  constructor(
    readonly pid: number,
    public mm: AddressSpace,
    bits: 64 | 32 = 64,
    cpu?: Cpu,
  ) {
    this.cpu = cpu ?? new Cpu(mm, bits);
    for (let i = 0; i <= NSIG; i++) this.sighand.push({ handler: 0, flags: 0, restorer: 0, mask: 0n });
    this.onCpu = new Task(pid, this);
    this.tasks.push(this.onCpu);
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
