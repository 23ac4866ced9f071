// Interval timers (kernel/time/itimer.c): alarm, setitimer and getitimer.
// They are per process (signal_struct), kept across exec, not inherited by fork.
// - ITIMER_REAL counts on the virtual clock: it_real_fn sends SIGALRM to the
//   process (SI_KERNEL), and the interval re-arms it when SIGALRM is dequeued
//   (dequeue_signal), forwarded past the current time as hrtimer_forward does.
//   An armed timer is a reason for the scheduler to advance the clock.
// - ITIMER_VIRTUAL and ITIMER_PROF count the process's CPU time: its tasks'
//   retired instructions at the profile's cost per instruction (the model has
//   no system time, so both count the same). They are checked when a task
//   stops running (the kernel checks at each tick), send SIGVTALRM/SIGPROF and
//   re-arm at once (check_cpu_itimer).

import { EFAULT, EINVAL } from "../errno.js";
import type { Linux } from "./linux.js";
import type { Process } from "./process.js";
import type { KernelTimer } from "./scheduler.js";
import { SI_KERNEL, SIGALRM, SIGPROF, SIGVTALRM, type SigInfo } from "./signals.js";
import type { SyscallContext } from "./syscalls.js";

const ITIMER_REAL = 0, ITIMER_VIRTUAL = 1, ITIMER_PROF = 2;
const PS_PER_US = 1_000_000;

/** A CPU-time itimer: deadline and interval in ps of the process's CPU time (0: disarmed). */
interface CpuItimer {
  valuePs: number;
  intervalPs: number;
}

/** The itimers of one process. */
export interface Itimers {
  real: KernelTimer | undefined;
  realIntervalPs: number;
  cpu: [CpuItimer, CpuItimer];
}

function itimersOf(p: Process): Itimers {
  return (p.itimers ??= { real: undefined, realIntervalPs: 0, cpu: [{ valuePs: 0, intervalPs: 0 }, { valuePs: 0, intervalPs: 0 }] });
}

/** CPU time the process has used (ps): its tasks' instructions at the profile's cost. */
function cpuTimePs(k: Linux, p: Process): number {
  let n = 0;
  for (const t of p.tasks) n += t.instret;
  return n * k.clock.psPerInsn;
}

function alarmSignal(signo: number): SigInfo {
  return { signo, code: SI_KERNEL, addr: 0, forced: false, ip: 0 };
}

/** Arm ITIMER_REAL to fire at deadlinePs (0: disarm). */
function armReal(k: Linux, p: Process, deadlinePs: number, intervalPs: number): void {
  const it = itimersOf(p);
  if (it.real) k.sched.disarmTimer(it.real);
  it.real = undefined;
  it.realIntervalPs = intervalPs;
  if (deadlinePs === 0) return;
  // it_real_fn: the timer stays "expired" (not queued) until SIGALRM is dequeued
  it.real = k.sched.makeTimer(deadlinePs, () => {
    if (!p.exit) k.queueProcessSignal(p, alarmSignal(SIGALRM));
  });
  k.sched.armTimer(it.real);
}

/** ps left on ITIMER_REAL (0: disarmed or expired). */
function realLeftPs(k: Linux, p: Process): number {
  const t = p.itimers?.real;
  if (!t || !k.sched.timerArmed(t)) return 0;
  return Math.max(1000, t.deadlinePs - k.nowPs()); // __hrtimer_get_remaining: at least 1 ns while queued
}

/**
 * dequeue_signal: taking SIGALRM re-arms a periodic ITIMER_REAL that has expired, forwarded to
 * the first period boundary after now (hrtimer_forward).
 */
export function rearmOnDequeue(k: Linux, p: Process, signo: number): void {
  const it = p.itimers;
  if (signo !== SIGALRM || !it?.real || it.realIntervalPs === 0 || k.sched.timerArmed(it.real)) return;
  const now = k.nowPs();
  let d = it.real.deadlinePs;
  if (d <= now) d += Math.ceil((now - d + 1) / it.realIntervalPs) * it.realIntervalPs;
  it.real.deadlinePs = d;
  k.sched.armTimer(it.real);
}

/** The process exits: its timers go with it (exit_itimers). */
export function exitItimers(k: Linux, p: Process): void {
  if (p.itimers?.real) k.sched.disarmTimer(p.itimers.real);
  p.itimers = undefined;
}

/** check_cpu_itimer for ITIMER_VIRTUAL and ITIMER_PROF after one of p's tasks ran. */
export function checkCpuItimers(k: Linux, p: Process): void {
  const it = p.itimers;
  if (!it || p.exit) return;
  const now = cpuTimePs(k, p);
  for (let i = 0; i < 2; i++) {
    const t = it.cpu[i]!;
    if (t.valuePs === 0 || now < t.valuePs) continue;
    t.valuePs = t.intervalPs === 0 ? 0 : t.valuePs + Math.ceil((now - t.valuePs + 1) / t.intervalPs) * t.intervalPs;
    k.queueProcessSignal(p, alarmSignal(i === 0 ? SIGVTALRM : SIGPROF));
  }
}

/** Whether p has a CPU-time itimer armed (the run loop checks only those processes). */
export function hasCpuItimer(p: Process): boolean {
  const it = p.itimers;
  return it !== undefined && (it.cpu[0].valuePs !== 0 || it.cpu[1].valuePs !== 0);
}

/** The current itimerval of a timer, as [interval, value] in ps. */
function getTimer(k: Linux, p: Process, which: number): [number, number] {
  if (which === ITIMER_REAL) return [p.itimers?.realIntervalPs ?? 0, realLeftPs(k, p)];
  const t = p.itimers?.cpu[which - 1];
  if (!t || t.valuePs === 0) return [t?.intervalPs ?? 0, 0];
  return [t.intervalPs, Math.max(1000, t.valuePs - cpuTimePs(k, p))];
}

/** Set a timer from [interval, value] in ps (value 0 disarms). */
function setTimer(k: Linux, p: Process, which: number, intervalPs: number, valuePs: number): void {
  if (which === ITIMER_REAL) {
    armReal(k, p, valuePs === 0 ? 0 : k.nowPs() + valuePs, intervalPs);
    return;
  }
  const t = itimersOf(p).cpu[which - 1]!;
  t.intervalPs = intervalPs;
  t.valuePs = valuePs === 0 ? 0 : cpuTimePs(k, p) + valuePs;
}

/** struct itimerval (two timevals: interval, value); compat: 4-byte fields. */
function readItimerval(c: SyscallContext, addr: number, compat: boolean): [number, number] | number {
  const w = compat ? 4 : 8;
  let f: number[];
  try {
    const b = c.cpu.mem.readBytes(addr, 4 * w);
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    f = [0, 1, 2, 3].map((i) => (compat ? dv.getInt32(i * 4, true) : Number(dv.getBigInt64(i * 8, true))));
  } catch {
    return -EFAULT;
  }
  const [isec, iusec, vsec, vusec] = f as [number, number, number, number];
  // timeval_valid: 0 <= usec < 1000000, sec >= 0
  if (iusec < 0 || iusec >= 1e6 || vusec < 0 || vusec >= 1e6 || isec < 0 || vsec < 0) return -EINVAL;
  return [(isec * 1e6 + iusec) * PS_PER_US, (vsec * 1e6 + vusec) * PS_PER_US];
}

function writeItimerval(c: SyscallContext, addr: number, [intervalPs, valuePs]: [number, number], compat: boolean): number {
  const w = compat ? 4 : 8;
  const b = new Uint8Array(4 * w);
  const dv = new DataView(b.buffer);
  const us = [intervalPs, valuePs].map((ps) => Math.floor(ps / PS_PER_US));
  const f = [Math.floor(us[0]! / 1e6), us[0]! % 1e6, Math.floor(us[1]! / 1e6), us[1]! % 1e6];
  f.forEach((v, i) => (compat ? dv.setInt32(i * 4, v, true) : dv.setBigInt64(i * 8, BigInt(v), true)));
  try {
    c.cpu.mem.writeBytes(addr, b);
  } catch {
    return -EFAULT;
  }
  return 0;
}

/** getitimer(which, value). */
export function sysGetitimer(c: SyscallContext, a: number[], compat = false): number {
  const which = a[0]! | 0;
  if (which < ITIMER_REAL || which > ITIMER_PROF) return -EINVAL;
  return writeItimerval(c, a[1]!, getTimer(c.kernel, c.task.proc, which), compat);
}

/** setitimer(which, new, old): a NULL new value disarms (as Linux has done since 2.6.10, with a warning). */
export function sysSetitimer(c: SyscallContext, a: number[], compat = false): number {
  const which = a[0]! | 0;
  if (which < ITIMER_REAL || which > ITIMER_PROF) return -EINVAL;
  const nv = a[1] ? readItimerval(c, a[1]!, compat) : ([0, 0] as [number, number]);
  if (typeof nv === "number") return nv;
  const p = c.task.proc;
  const old = getTimer(c.kernel, p, which);
  setTimer(c.kernel, p, which, nv[0], nv[1]);
  return a[2] ? writeItimerval(c, a[2]!, old, compat) : 0;
}

/** alarm(seconds): ITIMER_REAL one-shot; returns the seconds left on the previous one, rounded (alarm_setitimer). */
export function sysAlarm(c: SyscallContext, a: number[]): number {
  const sec = a[0]! >>> 0;
  const p = c.task.proc;
  const [, leftPs] = getTimer(c.kernel, p, ITIMER_REAL);
  setTimer(c.kernel, p, ITIMER_REAL, 0, sec * 1e6 * PS_PER_US);
  const us = Math.floor(leftPs / PS_PER_US);
  let left = Math.floor(us / 1e6);
  const usec = us % 1e6;
  // "we can't return 0 if we have an alarm pending ... and we'd better return too much than too little"
  if ((left === 0 && usec !== 0) || usec >= 500_000) left++;
  return left;
}
