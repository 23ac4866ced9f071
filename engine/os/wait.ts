// wait4(2) and waitid(2) (kernel/exit.c: do_wait, wait_task_zombie) and
// exit_notify: a process that ends becomes a zombie until its parent
// collects it; the parent gets its exit_signal (SIGCHLD) and any of its
// threads sleeping in wait4 re-run the call. A vfork parent wakes up.

import { ECHILD, EFAULT, EINVAL, ESRCH } from "../errno.js";
import { ERESTARTSYS } from "./restart.js";
import type { Linux } from "./linux.js";
import type { Process } from "./process.js";
import { SIGCHLD, SIGKILL, type SigInfo } from "./signals.js";
import type { SyscallContext } from "./syscalls.js";

const WNOHANG = 1, WUNTRACED = 2, WEXITED = 4, WCONTINUED = 8, WNOWAIT = 0x01000000;
const P_ALL = 0, P_PID = 1, P_PGID = 2;
const CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3, CLD_STOPPED = 5, CLD_CONTINUED = 6;
const SYS_wait4 = 61, SYS_waitid = 247;

/** Signals whose default action dumps core (the 0x80 bit of a wait status). */
function dumps(sig: number): boolean {
  return [3, 4, 5, 6, 7, 8, 11, 24, 25, 31].includes(sig);
}

/** The wait status word: exit code << 8, or the signal (| 0x80 when it dumped core). */
function waitStatus(p: Process): number {
  const e = p.exit!;
  if (e.signal !== undefined) return e.signal | (dumps(e.signal) ? 0x80 : 0);
  return ((e.code ?? 0) & 0xff) << 8;
}

/** The children a wait is about: all, one pid, or those in a process group. */
type Which = "all" | number | { pgid: number };

function matching(c: SyscallContext, which: Which): Process[] {
  return c.task.proc.children.filter((p) => !p.reaped && (which === "all" || (typeof which === "number" ? p.pid === which : p.pgid === which.pgid)));
}

/** Sleep until a child changes state: the call is re-run when woken; a signal interrupts it with -ERESTARTSYS (do_wait). */
function sleepInWait(c: SyscallContext, nr: number, what: string): "noreturn" {
  c.kernel.sched.block(c.task, { kind: "wait4", what, eintr: -ERESTARTSYS, restartNr: nr });
  c.kernel.requestResched();
  return "noreturn";
}

/** release_task: the zombie is gone from the parent's children and from the kernel's process list. */
function reap(c: SyscallContext, z: Process): void {
  z.reaped = true;
  const kids = c.task.proc.children;
  kids.splice(kids.indexOf(z), 1);
  const all = c.kernel.processes;
  const i = all.indexOf(z);
  if (i > 0) all.splice(i, 1); // the first process (the traced command) stays: the run reports it
}

/**
 * wait_consider_task over the children in order: the first that exited, or (WUNTRACED /
 * WSTOPPED) stopped, or (WCONTINUED) continued since the last report.
 */
function firstReport(kids: Process[], options: number, exited: boolean): { p: Process; kind: "exit" | "stopped" | "continued" } | undefined {
  for (const p of kids) {
    if (p.exit !== undefined) {
      if (exited) return { p, kind: "exit" };
      continue;
    }
    const r = p.jobReport;
    if (r?.kind === "stopped" && p.stopped !== undefined && options & WUNTRACED) return { p, kind: "stopped" };
    if (r?.kind === "continued" && options & WCONTINUED) return { p, kind: "continued" };
  }
  return undefined;
}

/** wait4(pid, wstatus, options, rusage). */
export function sysWait4(c: SyscallContext, a: number[]): number | "noreturn" {
  const pid = a[0]! | 0, wstatus = a[1]!, options = a[2]! | 0, rusage = a[3]!;
  if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | 0x20000000 | 0x40000000 | 0x80000000)) return -EINVAL;
  // pid 0: the caller's process group; below -1: group -pid (INT_MIN is ESRCH: no such group)
  if (pid === -0x80000000) return -ESRCH;
  const which: Which = pid > 0 ? pid : pid === -1 ? "all" : { pgid: pid === 0 ? c.task.proc.pgid : -pid };
  const kids = matching(c, which);
  if (kids.length === 0) return -ECHILD;
  const found = firstReport(kids, options, true);
  if (found) {
    const z = found.p;
    // stopped: (signal << 8) | 0x7f; continued: 0xffff (__W_CONTINUED)
    const status = found.kind === "exit" ? waitStatus(z) : found.kind === "stopped" ? ((z.jobReport!.signo << 8) | 0x7f) : 0xffff;
    try {
      if (wstatus) c.cpu.mem.write32(wstatus, status);
      if (rusage) c.cpu.mem.writeBytes(rusage, new Uint8Array(144));
    } catch {
      return -EFAULT;
    }
    if (found.kind === "exit") reap(c, z);
    else z.jobReport = undefined;
    return z.pid;
  }
  if (options & WNOHANG) return 0;
  return sleepInWait(c, SYS_wait4, pid > 0 ? `child ${pid}` : pid === -1 ? "any child" : `a child in group ${pid === 0 ? c.task.proc.pgid : -pid}`);
}

/** waitid(idtype, id, infop, options, rusage): WEXITED, WSTOPPED, WCONTINUED, WNOHANG, WNOWAIT. */
export function sysWaitid(c: SyscallContext, a: number[]): number | "noreturn" {
  const idtype = a[0]! | 0, id = a[1]! | 0, infop = a[2]!, options = a[3]! | 0;
  if (!(options & (WEXITED | WUNTRACED | WCONTINUED))) return -EINVAL;
  let which: Which;
  if (idtype === P_ALL) which = "all";
  else if (idtype === P_PGID) {
    if (id < 0) return -EINVAL;
    which = { pgid: id === 0 ? c.task.proc.pgid : id }; // id 0: the caller's group (5.4)
  }
  else if (idtype === P_PID) which = id;
  else return -EINVAL;
  const kids = matching(c, which);
  if (kids.length === 0) return -ECHILD;
  const found = firstReport(kids, options, (options & WEXITED) !== 0);
  const z = found?.p;
  if (!z) {
    if (options & WNOHANG) {
      try {
        if (infop) c.cpu.mem.writeBytes(infop, new Uint8Array(128)); // si_pid 0: nothing waited for
      } catch {
        return -EFAULT;
      }
      return 0;
    }
    return sleepInWait(c, SYS_waitid, which === "all" ? "any child" : typeof which === "number" ? `child ${which}` : `a child in group ${which.pgid}`);
  }
  if (infop) {
    const b = new Uint8Array(128);
    const dv = new DataView(b.buffer);
    dv.setInt32(0, SIGCHLD, true);
    if (found!.kind === "exit") {
      const e = z.exit!;
      dv.setInt32(8, e.signal !== undefined ? (dumps(e.signal) ? CLD_DUMPED : CLD_KILLED) : CLD_EXITED, true);
      dv.setInt32(24, e.signal ?? e.code ?? 0, true);
    } else {
      dv.setInt32(8, found!.kind === "stopped" ? CLD_STOPPED : CLD_CONTINUED, true);
      dv.setInt32(24, z.jobReport!.signo, true);
    }
    dv.setInt32(16, z.pid, true);
    dv.setInt32(20, 1000, true);
    try {
      c.cpu.mem.writeBytes(infop, b);
    } catch {
      return -EFAULT;
    }
  }
  if (!(options & WNOWAIT)) {
    if (found!.kind === "exit") reap(c, z);
    else z.jobReport = undefined;
  }
  return 0;
}

/**
 * exit_notify: the parent's threads sleeping in wait re-run it, the parent gets the child's
 * exit signal, a vfork parent wakes with the child's pid, and the children are orphaned.
 */
export function notifyParent(k: Linux, p: Process): void {
  const vp = p.vforkParent;
  if (vp) {
    p.vforkParent = undefined;
    k.sched.wake(vp, undefined);
  }
  for (const ch of p.children) ch.parent = undefined;
  const parent = p.parent;
  if (!parent || parent.exit) return;
  const sig = p.exitSignal && p.exitSignal !== SIGKILL ? p.exitSignal : 0;
  notifyParentOf(k, parent, sig ? { signo: sig, code: p.exit!.signal !== undefined ? CLD_KILLED : CLD_EXITED, addr: 0, pid: p.pid, forced: false, ip: 0 } : undefined);
}

/** A child changed state: the parent's threads sleeping in wait look again, and the parent gets info (SIGCHLD), if any. */
export function notifyParentOf(k: Linux, parent: Process, info: SigInfo | undefined): void {
  for (const t of parent.tasks) if (t.wait?.kind === "wait4") k.sched.wake(t, undefined);
  if (info) k.queueProcessSignal(parent, info);
}
