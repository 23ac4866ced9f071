// A process: an address space, a CPU running its tasks, signal handlers,
// file descriptors, and how it ended.

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
  readonly tasks: Task[] = [];
  readonly sighand: SigAction[] = [];
  fds = new FdTable();
  exit: ExitState | undefined;
  /** Files mapped as the executable (for symbol lookup). */
  image: ProcessImage | undefined;
  comm = "";
  parent: Process | undefined;
  /** cpu.instret when the kernel last brought the virtual clock up to date. */
  syncedInstret = 0;
  /** The kernel's TrapHandler for this process's CPU (created on the first run slice). */
  trapHandler: TrapHandler | undefined;

  constructor(
    readonly pid: number,
    public mm: AddressSpace,
    bits: 64 | 32 = 64,
  ) {
    this.cpu = new Cpu(mm, bits);
    for (let i = 0; i <= NSIG; i++) this.sighand.push({ handler: 0, flags: 0, restorer: 0, mask: 0n });
    this.tasks.push(new Task(pid, this));
  }

  /** The thread-group leader (the only task until clone is modelled). */
  get leader(): Task {
    return this.tasks[0]!;
  }
}
