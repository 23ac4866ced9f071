// The syscalls:sys_enter_* / sys_exit_* tracepoints of the syscall layer
// (the kernel's trace_sys_enter/trace_sys_exit, kernel/trace/trace_syscalls.c).
// The kernel (linux.ts) runs a traced syscall through around(): sys_enter
// with the six argument registers before it runs, sys_exit with rax after. A
// syscall that blocks has its sys_exit when the task is woken with a result
// (resumed()); one interrupted by a signal has its sys_exit with the restart
// code (-ERESTARTSYS: Linux traces it before the signal is handled) and, when
// it restarts, a new sys_enter. A task woken to re-run its call (how this
// emulator finishes a blocked read or write) gets neither: on Linux the call
// never left the kernel. A
// syscall after which the task is gone (exit, exit_group) has no sys_exit, as
// on Linux. Every x86-64 syscall number fires, implemented or not (those we
// do not implement exit with -ENOSYS); the i386 table (int $0x80) does not.

import { R8, R9, R10, RAX, RDI, RDX, RSI } from "../cpu/registers.js";
import { TaskState, type Task } from "./task.js";

/** rdi rsi rdx r10 r8 r9: the x86-64 syscall argument registers. */
const ARG_REGS = [RDI, RSI, RDX, R10, R8, R9] as const;

export interface SyscallTraceConsumer {
  /** sys_enter_NAME: args are the six argument registers (rdi rsi rdx r10 r8 r9), as the tracepoint records them. */
  enter?(task: Task, nr: number, args: readonly number[]): void;
  /** sys_exit_NAME: ret is the value rax gets. */
  exit?(task: Task, nr: number, ret: number): void;
}

export class SyscallTrace {
  private readonly byNr = new Map<number, SyscallTraceConsumer[]>();
  /** Tasks blocked inside a traced syscall: its number, for the sys_exit at wake-up. */
  private readonly blockedIn = new WeakMap<Task, number>();
  /** Tasks woken to re-run the traced syscall they blocked in: its number, whose next sys_enter is not an entry. */
  private readonly rerunOf = new WeakMap<Task, number>();

  /** Attach a consumer to syscall nr. */
  add(nr: number, c: SyscallTraceConsumer): void {
    const list = this.byNr.get(nr);
    if (list === undefined) this.byNr.set(nr, [c]);
    else list.push(c);
  }

  traces(nr: number): boolean {
    return this.byNr.has(nr);
  }

  /**
   * Run a traced syscall: sys_enter with the argument registers, the syscall, then sys_exit
   * with rax, unless the task blocked (its sys_exit comes at wake-up) or is gone (exit_group).
   * rax is what the kernel's sys_exit records too: for rt_sigreturn the restored rax, for a
   * successful execve 0 in the new image.
   */
  around(task: Task, nr: number, run: () => void): void {
    const list = this.byNr.get(nr)!;
    const cpu = task.proc.cpu;
    for (let i = 0; i < 6; i++) this.args[i] = cpu.getRegNum(ARG_REGS[i]!);
    if (this.rerunOf.get(task) !== nr) for (const c of list) c.enter?.(task, nr, this.args);
    this.rerunOf.delete(task);
    this.blockedIn.delete(task);
    run();
    if (task.exited || task.proc.exit !== undefined) return;
    if (task.state === TaskState.Blocked) {
      this.blockedIn.set(task, nr);
      return;
    }
    this.exit(task, nr, task.proc.cpu.getRegNum(RAX));
  }

  private readonly args = [0, 0, 0, 0, 0, 0];

  private exit(task: Task, nr: number, ret: number): void {
    for (const c of this.byNr.get(nr) ?? []) c.exit?.(task, nr, ret);
  }

  /**
   * A task blocked in a traced syscall runs again: with its result, or a restart code, for the
   * sys_exit; or re-running the call (no event now, and no sys_enter when it re-enters).
   */
  resumed(task: Task, result: number | undefined): void {
    const nr = this.blockedIn.get(task);
    if (nr === undefined) return;
    this.blockedIn.delete(task);
    if (result !== undefined) this.exit(task, nr, result);
    else this.rerunOf.set(task, nr);
  }
}
