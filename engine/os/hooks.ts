// Entry points the kernel model (engine/uprobes) attaches to the OS layer:
// the die notifiers and mm callbacks of the real kernel. The OS layer calls
// them and knows nothing else about uprobes.

import type { CpuException } from "../cpu/exceptions.js";
import type { Vma } from "../mm/vma.js";
import type { Process } from "./process.js";
import type { SigInfo } from "./signals.js";
import type { Task } from "./task.js";

export interface KernelHooks {
  /** int3 trap (DIE_INT3): true if the trap was claimed. rip is the address after the int3. */
  breakpoint?(task: Task): boolean;
  /**
   * The int3's fast path, tried before the trap entry: true if it handled the trap completely (a uprobe site with a
   * valid hit plan); false leaves it to breakpoint().
   */
  plannedBreakpoint?(task: Task): boolean;
  /** #DB after a single step (DIE_DEBUG): true if claimed. */
  singleStep?(task: Task): boolean;
  /** A CPU exception about to become a signal: may adjust state and the siginfo (an XOL step that faulted). */
  exception?(task: Task, exc: CpuException, info: SigInfo): void;
  /** A syscall the hooks own (uprobe/uretprobe syscalls): return the result, or undefined if not theirs. */
  syscall?(task: Task, nr: number): number | "noreturn" | undefined;
  /** uprobe_deny_signal: true to hold back pending asynchronous signals now. */
  denySignal?(task: Task): boolean;
  /** A file-backed VMA was created (uprobe_mmap). */
  mmap?(proc: Process, vma: Vma): void;
  /** Called after fork created child (uprobe_dup_mmap) and the child's first task (uprobe_copy_process). */
  fork?(parent: Process, child: Process, parentTask: Task, childTask: Task): void;
  /** A thread was created in the same mm (uprobe_copy_process for CLONE_VM). */
  cloneThread?(parent: Task, child: Task): void;
  /** A task is exiting (uprobe_free_utask). */
  taskExit?(task: Task): void;
  /** A thread group ended. */
  processExit?(proc: Process): void;
  /** execve replaced the process's mm (the old mm's uprobe state goes with it). */
  exec?(proc: Process, task: Task): void;
}
