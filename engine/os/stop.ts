// Job control: stopped and continued processes (kernel/signal.c).
// - A stop signal (SIGSTOP, or SIGTSTP/SIGTTIN/SIGTTOU left at SIG_DFL) taken
//   by a thread stops the whole thread group (do_signal_stop): the other
//   threads are interrupted out of their interruptible waits (their calls
//   return a restart code and restart after the continue, as no handler runs)
//   and leave the run queue. The parent's waiters look again (WUNTRACED) and the
//   parent gets SIGCHLD with CLD_STOPPED unless its handler has SA_NOCLDSTOP.
// - SIGCONT acts when it is sent, even ignored or blocked (prepare_signal):
//   pending stop signals are dropped, a stopped group runs again, wait's
//   WCONTINUED sees it at once, and the parent is told (its waiters woken,
//   SIGCHLD with CLD_CONTINUED) by the first of the child's threads to run
//   (SIGNAL_CLD_CONTINUED, handled in get_signal). A stop signal sent drops a
//   pending SIGCONT. SIGKILL ends a stopped process.
// Orphaned process groups are not modelled, so SIGTSTP/TTIN/TTOU are never
// discarded as sent to one.

import type { Linux } from "./linux.js";
import type { Process } from "./process.js";
import { sigBit, SIGCHLD, SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, signalName, type SigInfo } from "./signals.js";
import { TaskState } from "./task.js";
import { notifyParentOf } from "./wait.js";

const SA_NOCLDSTOP = 1;
const CLD_STOPPED = 5, CLD_CONTINUED = 6;
const STOP_SIGNALS = sigBit(SIGSTOP) | sigBit(SIGTSTP) | sigBit(SIGTTIN) | sigBit(SIGTTOU);

/** What a waiting parent has not collected yet: the group stopped (with this signal) or continued. */
export interface JobReport {
  kind: "stopped" | "continued";
  signo: number;
}

/** do_signal_stop: the whole group stops on signo. */
export function groupStop(k: Linux, proc: Process, signo: number): void {
  if (proc.stopped !== undefined) return;
  proc.stopped = signo;
  for (const t of proc.tasks) {
    if (t.exited) continue;
    const w = t.wait;
    // an uninterruptible wait (vfork, an XOL slot) runs to its end first; the model lets it go on
    if (t.state === TaskState.Blocked && w?.eintr === undefined) continue;
    if (t.state === TaskState.Blocked) {
      w!.onSignal?.();
      t.restartBlock = w!.restartBlock;
      k.sched.wake(t, w!.eintr); // the call ends with its restart code, resolved after the continue
    }
    k.sched.stop(t, `by ${signalName(signo)}`);
  }
  k.requestResched();
  proc.jobReport = { kind: "stopped", signo };
  tellParent(k, proc, CLD_STOPPED);
}

/** prepare_signal's job-control side: before a signal is queued to proc. */
export function beforeSend(k: Linux, proc: Process, signo: number): void {
  const drop = (bits: bigint): void => {
    const keep = (s: SigInfo): boolean => !(sigBit(s.signo) & bits);
    filterInPlace(proc.sharedPending, keep);
    for (const t of proc.tasks) filterInPlace(t.pending, keep);
  };
  if (sigBit(signo) & STOP_SIGNALS) drop(sigBit(SIGCONT));
  if (signo !== SIGCONT) return;
  drop(STOP_SIGNALS);
  if (proc.stopped === undefined) return;
  proc.stopped = undefined;
  for (const t of proc.tasks) if (!t.exited && t.wait?.kind === "stopped") k.sched.resume(t);
  proc.jobReport = { kind: "continued", signo: SIGCONT };
  proc.notifyContinued = true;
}

/** get_signal with SIGNAL_CLD_CONTINUED: the first thread of a continued group to run tells the parent. */
export function notifyContinued(k: Linux, proc: Process): void {
  proc.notifyContinued = false;
  tellParent(k, proc, CLD_CONTINUED); // even when a wait already collected the report
}

/** SIGKILL reaches a stopped process: its threads run again to die. */
export function wakeStoppedForKill(k: Linux, proc: Process): void {
  if (proc.stopped === undefined) return;
  proc.stopped = undefined;
  for (const t of proc.tasks) if (!t.exited && t.wait?.kind === "stopped") k.sched.resume(t);
}

function filterInPlace<T>(a: T[], keep: (x: T) => boolean): void {
  let j = 0;
  for (const x of a) if (keep(x)) a[j++] = x;
  a.length = j;
}

/** do_notify_parent_cldstop: the parent's waiters look again; SIGCHLD unless the parent asked for none. */
function tellParent(k: Linux, proc: Process, code: number): void {
  const parent = proc.parent;
  if (!parent || parent.exit) return;
  const noCldStop = (parent.sighand[SIGCHLD]!.flags & SA_NOCLDSTOP) !== 0;
  notifyParentOf(k, parent, noCldStop ? undefined : { signo: SIGCHLD, code, addr: 0, pid: proc.pid, forced: false, ip: 0 });
}
