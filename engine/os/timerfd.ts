// timerfd_create, timerfd_settime and timerfd_gettime (fs/timerfd.c) on the
// virtual clock: a descriptor (anon_inode:[timerfd]) whose timer counts
// expirations. The timer fires at its deadline (a KernelTimer, so the
// scheduler advances the clock to it when every task sleeps); a periodic one
// is not re-armed by the firing (HRTIMER_NORESTART) but by the next read or
// gettime, which adds the periods missed meanwhile (hrtimer_forward_now). A
// read of at least 8 bytes returns the count and zeroes it; with none it
// sleeps (EAGAIN with TFD_NONBLOCK). Poll: POLLIN while the count is non-zero.

import { EAGAIN, EBADF, EFAULT, EINVAL, EPERM } from "../errno.js";
import type { Linux } from "./linux.js";
import { wakePipeSleepers } from "./pipe.js";
import { ERESTARTSYS } from "./restart.js";
import type { KernelTimer } from "./scheduler.js";
import type { SyscallContext } from "./syscalls.js";

const CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_BOOTTIME = 7, CLOCK_REALTIME_ALARM = 8, CLOCK_BOOTTIME_ALARM = 9;
const TFD_TIMER_ABSTIME = 1, TFD_TIMER_CANCEL_ON_SET = 2;
const O_NONBLOCK = 0o4000, O_CLOEXEC = 0o2000000, O_RDWR = 2;
const POLLIN = 0x1, POLLRDNORM = 0x40;
const SYS_read = 0;
const PS_PER_NS = 1000;

export class TimerFd {
  /** Expirations not yet read (ctx->ticks). */
  ticks = 0;
  /** The period in ps (0: one-shot). */
  intervalPs = 0;
  /** The armed timer, kept after it fired until a read or gettime forwards it (ctx->expired). */
  timer: KernelTimer | undefined;
  expired = false;
  /** Reads and expirations so far (EPOLLET reports a ready timer again only after a change). */
  changes = 0;
  constructor(readonly clock: number) {}
}

/** timerfd_create(clockid, flags). */
export function sysTimerfdCreate(c: SyscallContext, a: number[]): number {
  const clock = a[0]! | 0, flags = a[1]! | 0;
  if (flags & ~(O_NONBLOCK | O_CLOEXEC)) return -EINVAL;
  if (clock !== CLOCK_REALTIME && clock !== CLOCK_MONOTONIC && clock !== CLOCK_BOOTTIME && clock !== CLOCK_REALTIME_ALARM && clock !== CLOCK_BOOTTIME_ALARM) return -EINVAL;
  if (clock === CLOCK_REALTIME_ALARM || clock === CLOCK_BOOTTIME_ALARM) return -EPERM; // CAP_WAKE_ALARM: the guest is uid 1000
  const fds = c.task.proc.fds;
  const fd = fds.install({ kind: "timerfd", path: "anon_inode:[timerfd]", pos: 0, flags: O_RDWR | (flags & O_NONBLOCK), timerfd: new TimerFd(clock) });
  if (fd >= 0 && flags & O_CLOEXEC) fds.setCloexec(fd, true);
  return fd;
}

/** timerfd_fget: EBADF for no descriptor, EINVAL for one that is not a timerfd. */
function timerOf(c: SyscallContext, fd: number): TimerFd | number {
  const f = c.task.proc.fds.get(fd | 0);
  if (!f) return -EBADF;
  return f.kind === "timerfd" ? f.timerfd! : -EINVAL;
}

/** The clock's now in ps: CLOCK_REALTIME counts from the epoch, the others from boot. */
function clockPs(k: Linux, clock: number): number {
  return k.nowPs() + (clock === CLOCK_REALTIME ? k.clock.epochSec * 1e12 : 0);
}

/** hrtimer_forward_now for an expired periodic timer: count the periods missed and re-arm past now. */
function forward(k: Linux, t: TimerFd): void {
  if (!t.expired || t.intervalPs === 0 || !t.timer) return;
  const now = k.nowPs();
  const orun = Math.floor((now - t.timer.deadlinePs) / t.intervalPs) + 1;
  t.ticks += orun - 1;
  arm(k, t, t.timer.deadlinePs + orun * t.intervalPs);
}

/** Arm the timer at deadlinePs on the kernel's clock (0: disarm). */
function arm(k: Linux, t: TimerFd, deadlinePs: number): void {
  if (t.timer) k.sched.disarmTimer(t.timer);
  t.timer = undefined;
  t.expired = false;
  if (deadlinePs === 0) return;
  // timerfd_triggered: one more expiration, readers and pollers wake
  t.timer = k.sched.makeTimer(deadlinePs, () => {
    t.ticks++;
    t.expired = true;
    t.changes++;
    wakePipeSleepers(k);
  });
  k.sched.armTimer(t.timer);
}

/**
 * struct itimerspec {it_interval, it_value}: period and remaining time; time32: an i386
 * old_itimerspec32 (32-bit seconds and nanoseconds).
 */
function itimerspec(c: SyscallContext, t: TimerFd, time32: boolean): Uint8Array {
  const k = c.kernel;
  const w = time32 ? 4 : 8;
  const b = new Uint8Array(4 * w);
  const dv = new DataView(b.buffer);
  const put = (off: number, ns: number): void => {
    const sec = Math.floor(ns / 1e9);
    if (time32) {
      dv.setInt32(off, sec, true);
      dv.setInt32(off + 4, ns - sec * 1e9, true);
    } else {
      dv.setBigInt64(off, BigInt(sec), true);
      dv.setBigInt64(off + 8, BigInt(ns - sec * 1e9), true);
    }
  };
  put(0, Math.round(t.intervalPs / PS_PER_NS));
  const armed = t.timer !== undefined && k.sched.timerArmed(t.timer);
  // hrtimer_expires_remaining; an expired one-shot timer shows 0
  put(2 * w, armed ? Math.max(0, Math.round((t.timer!.deadlinePs - k.nowPs()) / PS_PER_NS)) : 0);
  return b;
}

function readTimespec(dv: DataView, off: number, time32: boolean): number | undefined {
  const sec = time32 ? dv.getInt32(off, true) : Number(dv.getBigInt64(off, true));
  const nsec = time32 ? dv.getInt32(off + 4, true) : Number(dv.getBigInt64(off + 8, true));
  return sec < 0 || nsec < 0 || nsec >= 1e9 ? undefined : sec * 1e9 + nsec; // timespec64_valid
}

/** timerfd_settime(fd, flags, new, old); time32: i386's timerfd_settime (not _settime64). */
export function sysTimerfdSettime(c: SyscallContext, a: number[], time32 = false): number {
  const flags = a[1]! | 0;
  const w = time32 ? 4 : 8;
  let raw: Uint8Array;
  try {
    raw = c.cpu.mem.readBytes(a[2]!, 4 * w);
  } catch {
    return -EFAULT;
  }
  const dv = new DataView(raw.buffer, raw.byteOffset, 4 * w);
  const intervalNs = readTimespec(dv, 0, time32), valueNs = readTimespec(dv, 2 * w, time32);
  if (intervalNs === undefined || valueNs === undefined) return -EINVAL;
  if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) return -EINVAL;
  const t = timerOf(c, a[0]!);
  if (typeof t === "number") return t;
  const k = c.kernel;
  forward(k, t); // timerfd_settime reads the old value as gettime does
  if (a[3]) {
    try {
      c.cpu.mem.writeBytes(a[3]!, itimerspec(c, t, time32));
    } catch {
      return -EFAULT;
    }
  }
  t.ticks = 0;
  t.intervalPs = intervalNs * PS_PER_NS; // kept even when disarmed: gettime shows it
  if (valueNs === 0) arm(k, t, 0);
  else {
    const base = flags & TFD_TIMER_ABSTIME ? k.nowPs() - clockPs(k, t.clock) : k.nowPs();
    // a deadline already past fires at the next timer check; a periodic one then counts every period since
    arm(k, t, base + valueNs * PS_PER_NS);
  }
  t.changes++;
  wakePipeSleepers(k);
  return 0;
}

/** timerfd_gettime(fd, curr); time32 as for settime. */
export function sysTimerfdGettime(c: SyscallContext, a: number[], time32 = false): number {
  const t = timerOf(c, a[0]!);
  if (typeof t === "number") return t;
  forward(c.kernel, t);
  try {
    c.cpu.mem.writeBytes(a[1]!, itimerspec(c, t, time32));
  } catch {
    return -EFAULT;
  }
  return 0;
}

/** timerfd_read: the expirations as 8 bytes, or a sleep until one (EAGAIN with O_NONBLOCK). */
export function timerfdRead(c: SyscallContext, t: TimerFd, flags: number, buf: number, count: number): number | "noreturn" {
  if (count < 8) return -EINVAL;
  if (t.ticks === 0) {
    if (flags & O_NONBLOCK) return -EAGAIN;
    c.kernel.sched.block(c.task, { kind: "timerfd read", what: "anon_inode:[timerfd]", eintr: -ERESTARTSYS, restartNr: SYS_read, ready: () => t.ticks > 0 });
    c.kernel.requestResched();
    return "noreturn";
  }
  forward(c.kernel, t);
  const n = t.ticks;
  t.ticks = 0;
  t.changes++;
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  try {
    c.cpu.mem.writeBytes(buf, out);
  } catch {
    return -EFAULT;
  }
  return 8;
}

/** timerfd_poll. */
export function timerfdEvents(t: TimerFd): number {
  return t.ticks > 0 ? POLLIN | POLLRDNORM : 0;
}
