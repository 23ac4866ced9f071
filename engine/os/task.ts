// A task (thread): the per-thread kernel state. A process has one Cpu; the
// task on it keeps its registers there, the others keep them in `regs`
// (task-context.ts). Per-task subsystems (the uprobe model's struct
// uprobe_task) keep their own state keyed by the Task object.

import type { Process } from "./process.js";
import type { AltStack, SigInfo } from "./signals.js";
import type { SyscallContext } from "./syscalls.js";
import type { TaskRegs } from "./task-context.js";

/** What a blocked task waits for (shown by the deadlock report). */
export interface TaskWait {
  /** "futex", "nanosleep", "wait4", "pipe read", "vfork", ... */
  kind: string;
  /** Where: a futex address, a pid, a descriptor. */
  what: string;
  /** Virtual-clock deadline in ps (a timeout), if any. */
  deadlinePs?: number;
  /** The syscall result when the deadline passes (-ETIMEDOUT, 0 for a sleep). */
  timeoutResult?: number;
  /** Undo the wait's bookkeeping (leave a futex queue) when the task wakes some other way. */
  cancel?: () => void;
  /** Re-run this syscall when woken without a result (-ERESTARTSYS: ip back over the syscall, rax = nr). */
  restartNr?: number;
  /** A pipe read or write: whether re-running it can make progress now. */
  ready?: () => boolean;
  /** poll, select, epoll_wait: their answer now (a result), or undefined while nothing is ready. */
  recheck?: () => number | undefined;
  /** Work done when the deadline passes (select clears its sets). */
  onTimeout?: () => void;
  /** rt_sigtimedwait: the signals it waits for (they wake it although blocked). */
  sigset?: bigint;
  /** Interruptible by a signal (TASK_INTERRUPTIBLE): the result then (-EINTR, or a restart code of restart.ts). */
  eintr?: number;
  /** Work done when a signal interrupts the wait (nanosleep writes the time left). */
  onSignal?: () => void;
  /** With eintr -ERESTART_RESTARTBLOCK: what restart_syscall runs if no handler takes the signal. */
  restartBlock?: (c: SyscallContext) => number | "noreturn";
}

export const enum TaskState {
  Runnable = 0,
  Blocked = 1,
  Exited = 2,
}

export class Task {
  sigmask = 0n;
  /** Signals queued for this task (faults, tkill), oldest first. */
  readonly pending: SigInfo[] = [];
  altStack: AltStack | undefined;
  /** set_tid_address / CLONE_CHILD_CLEARTID: cleared and futex-woken at exit. */
  clearChildTid = 0;
  /** set_robust_list: the list head (0: none). */
  robustList = 0;
  exited = false;
  state = TaskState.Runnable;
  wait: TaskWait | undefined;
  /** rax to set when the task next runs (the result of the syscall it blocked in). */
  wakeResult: number | undefined;
  /** The syscall to re-run when the task next runs (set by a wake that restarts it). */
  restartNr: number | undefined;
  /** Kernel work to finish when the task next runs (a uprobe step that waited for an XOL slot). */
  onResume: (() => void) | undefined;
  /** Saved registers while another task of the process is on its CPU (undefined: on the CPU, or never switched out). */
  regs: TaskRegs | undefined;
  /** rt_sigsuspend: the mask to restore when a handler runs or the call returns. */
  savedSigmask: bigint | undefined;
  /** The buffers of the last restored `regs`, reused by the next save. */
  spareRegs: TaskRegs | undefined;
  /** Instructions this task retired. */
  instret = 0;
  /** Instructions left in the task's current scheduling quantum. */
  quantumLeft = 0;
  /** The virtual CPU it last ran on. */
  cpu = 0;
  /** sched_setaffinity mask (bit i: virtual CPU i). */
  affinity = 0n;
  /** orig_ax: the number of the task's last system call (restarts put it back in rax). */
  origNr = 0;
  /** A restart code (restart.ts) the last call returned, until signal delivery resolves it; 0: none. */
  syscallRestart = 0;
  /** current->restart_block: what restart_syscall runs. */
  restartBlock: ((c: SyscallContext) => number | "noreturn") | undefined;
  /** comm (TASK_COMM_LEN - 1 bytes at most): per task, set by prctl(PR_SET_NAME). */
  comm = "";

  constructor(
    readonly tid: number,
    public proc: Process,
  ) {}
}
