// System call restarting (docs/threads.md §2, "Interrupted calls"). A call that
// a signal interrupts returns one of the kernel-internal codes below; on the
// way back to user mode the signal code decides (arch/x86/kernel/signal.c):
// when a handler runs (handle_signal), ERESTARTSYS restarts the call if the
// handler has SA_RESTART and fails with EINTR otherwise, ERESTARTNOINTR always
// restarts, ERESTARTNOHAND and ERESTART_RESTARTBLOCK fail with EINTR; when no
// handler runs (arch_do_signal_or_restart), every code restarts, the last one
// through restart_syscall and the task's restart block. A restart puts the
// syscall number back in rax and the ip back over the 2-byte syscall (or
// int $0x80) instruction, the arguments being still in place.

import type { Cpu } from "../cpu/cpu.js";
import { EINTR } from "../errno.js";
import { SA_RESTART } from "./signals.js";
import type { SyscallContext } from "./syscalls.js";
import type { Task } from "./task.js";

export const ERESTARTSYS = 512, ERESTARTNOHAND = 514, ERESTART_RESTARTBLOCK = 516;
/** Restarted even when a handler runs (no call in the model returns it yet). */
const ERESTARTNOINTR = 513;

/** __NR_restart_syscall: 219 on x86-64, 0 on i386 (get_nr_restart_syscall). */
export const SYS_restart_syscall = 219;
const SYS_restart_syscall_i386 = 0;

/** A result that is one of the restart codes (never seen by the program). */
export function isRestartCode(r: number): boolean {
  return r <= -ERESTARTSYS && r >= -ERESTART_RESTARTBLOCK;
}

/** The call returned a restart code: remember it (with rax = the code, as regs->ax) until signal delivery decides. */
export function noteRestart(task: Task, cpu: Cpu, r: number): void {
  task.syscallRestart = -r;
  cpu.setRegNum(0, cpu.bitness === 32 ? r >>> 0 : r);
}

function restartCall(cpu: Cpu, nr: number): void {
  cpu.setRegNum(0, nr);
  cpu.rip -= 2;
}

/** handle_signal: a handler with these sa_flags is about to run. */
export function restartForHandler(task: Task, cpu: Cpu, saFlags: number): void {
  const code = task.syscallRestart;
  task.syscallRestart = 0;
  const eintr = cpu.bitness === 32 ? -EINTR >>> 0 : -EINTR;
  if (code === ERESTARTNOINTR || (code === ERESTARTSYS && saFlags & SA_RESTART)) restartCall(cpu, task.origNr);
  else cpu.setRegNum(0, eintr);
}

/** arch_do_signal_or_restart: no handler ran, so the call is restarted whatever its code. */
export function restartWithoutHandler(task: Task, cpu: Cpu): void {
  const code = task.syscallRestart;
  task.syscallRestart = 0;
  if (code === ERESTART_RESTARTBLOCK) restartCall(cpu, cpu.bitness === 32 ? SYS_restart_syscall_i386 : SYS_restart_syscall);
  else restartCall(cpu, task.origNr);
}

/** restart_syscall(2): run the task's restart block (do_no_restart_syscall: -EINTR when there is none). */
export function sysRestartSyscall(c: SyscallContext): number | "noreturn" {
  const fn = c.task.restartBlock;
  c.task.restartBlock = undefined;
  return fn ? fn(c) : -EINTR;
}
