// poll, ppoll, select and pselect6 (fs/select.c) over the guest's descriptors.
// Readiness comes from each file's poll (pipe_poll for pipes, and for the
// standard streams as the user's pipe, file or device: std-streams.ts; the
// DEFAULT_POLLMASK of a file that cannot block for the rest). A call that finds nothing
// ready sleeps: the pipe code re-checks every sleeper's descriptors whenever
// a pipe changes (the wait-queue callback), and a timeout is a deadline on the
// virtual clock. A handled signal interrupts it as Linux does: poll with
// -ERESTART_RESTARTBLOCK (do_restart_poll keeps the deadline), select,
// pselect6 and ppoll with -ERESTARTNOHAND after writing the time left.

import { EBADF, EFAULT, EINVAL } from "../errno.js";
import { FD_LIMIT, type OpenFile } from "./fdtable.js";
import type { Linux } from "./linux.js";
import { pipeHasWriter, pipeHasReader, PIPE_SIZE } from "./pipe.js";
import { eventfdEvents } from "./eventfd.js";
import { streamEvents } from "./std-streams.js";
import { timerfdEvents } from "./timerfd.js";
import { signalfdEvents } from "./signalfd.js";
import { ERESTART_RESTARTBLOCK, ERESTARTNOHAND } from "./restart.js";
import { sigBit, SIGKILL, SIGSTOP } from "./signals.js";
import type { SyscallContext } from "./syscalls.js";
import type { Task } from "./task.js";

const POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLNVAL = 0x20;
export const POLLERR = 0x8, POLLHUP = 0x10;
const POLLRDNORM = 0x40, POLLRDBAND = 0x80, POLLWRNORM = 0x100, POLLWRBAND = 0x200;
const DEFAULT_POLLMASK = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
const POLLIN_SET = POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR;
const POLLOUT_SET = POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR;
const POLLEX_SET = POLLPRI;

/** What a file's ->poll reports now. */
export function fileEvents(k: Linux, f: OpenFile, poller?: Task): number {
  if (f.kind === "pipe") {
    const p = f.pipe!;
    if (!f.writeEnd) return (p.size > 0 ? POLLIN | POLLRDNORM : 0) | (pipeHasWriter(k, p) ? 0 : POLLHUP);
    return (p.size < PIPE_SIZE ? POLLOUT | POLLWRNORM : 0) | (pipeHasReader(k, p) ? 0 : POLLERR);
  }
  if (f.kind === "epoll") return f.epoll!.readyCount(k, poller) > 0 ? POLLIN | POLLRDNORM : 0;
  if (f.kind === "eventfd") return eventfdEvents(f.eventfd!);
  if (f.kind === "timerfd") return timerfdEvents(f.timerfd!);
  if (f.kind === "signalfd") return poller ? signalfdEvents(poller, f.signalfd!) : 0; // as seen by the task that polls (current)
  if (f.kind === "chr") return f.dev!.poll ?? DEFAULT_POLLMASK; // random_poll; the others have no ->poll
  if (f.kind === "stdin" || f.kind === "stdout" || f.kind === "stderr") return streamEvents(k, f.kind); // as the user's pipe, file or device
  return DEFAULT_POLLMASK;
}

/**
 * Sleep until check() has an answer, the deadline passes (onTimeout, then 0) or a signal comes
 * (eintr). check runs whenever a pipe changes.
 */
export function sleepPolling(
  c: SyscallContext,
  kind: string,
  what: string,
  check: () => number | undefined,
  deadlinePs: number | undefined,
  eintr: number,
  extra: { onTimeout?: () => void; onSignal?: () => void; restartBlock?: (rc: SyscallContext) => number | "noreturn" } = {},
): "noreturn" {
  c.kernel.sched.block(c.task, { kind, what, recheck: check, deadlinePs, timeoutResult: 0, eintr, ...extra });
  c.kernel.requestResched();
  return "noreturn";
}

/** A timeout of `ms` milliseconds (negative: none) as a deadline on the virtual clock. */
function msDeadline(k: Linux, ms: number): number | undefined {
  return ms < 0 ? undefined : k.nowPs() + ms * 1e9;
}

// ---- poll, ppoll ----

interface PollFd {
  fd: number;
  events: number;
}

function readPollFds(c: SyscallContext, addr: number, n: number): PollFd[] | number {
  if (n > FD_LIMIT) return -EINVAL; // RLIMIT_NOFILE
  if (n === 0) return [];
  let b: Uint8Array;
  try {
    b = c.cpu.mem.readBytes(addr, n * 8);
  } catch {
    return -EFAULT;
  }
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: PollFd[] = [];
  for (let i = 0; i < n; i++) out.push({ fd: dv.getInt32(i * 8, true), events: dv.getUint16(i * 8 + 4, true) });
  return out;
}

/** do_pollfd for each entry: revents, or undefined when none is ready. */
function pollOnce(k: Linux, task: Task, fds: PollFd[]): number[] | undefined {
  let ready = 0;
  const rev = fds.map(({ fd, events }) => {
    if (fd < 0) return 0;
    const f = task.proc.fds.get(fd);
    if (!f) return POLLNVAL;
    return fileEvents(k, f, task) & (events | POLLERR | POLLHUP);
  });
  for (const r of rev) if (r) ready++;
  return ready ? rev : undefined;
}

function writeRevents(mem: SyscallContext["cpu"]["mem"], addr: number, rev: number[]): boolean {
  try {
    for (let i = 0; i < rev.length; i++) mem.write16(addr + i * 8 + 6, rev[i]!);
    return true;
  } catch {
    return false;
  }
}

/** do_sys_poll with a deadline (ps, undefined: none); restart: poll's restart block keeps it. */
function doPoll(c: SyscallContext, addr: number, n: number, deadlinePs: number | undefined, eintr: number): number | "noreturn" {
  const fds = readPollFds(c, addr, n);
  if (typeof fds === "number") return fds;
  const k = c.kernel, task = c.task, mem = c.cpu.mem;
  const answer = (): number | undefined => {
    const rev = pollOnce(k, task, fds);
    if (!rev) return undefined;
    return writeRevents(mem, addr, rev) ? rev.filter((r) => r !== 0).length : -EFAULT;
  };
  const now = answer();
  if (now !== undefined) return now;
  if (deadlinePs !== undefined && deadlinePs <= k.nowPs()) return writeRevents(mem, addr, fds.map(() => 0)) ? 0 : -EFAULT;
  return sleepPolling(c, "poll", `fd ${fds.map((p) => p.fd).join(",") || "none"}`, answer, deadlinePs, eintr, {
    onTimeout: () => void writeRevents(mem, addr, fds.map(() => 0)),
    restartBlock: eintr === -ERESTART_RESTARTBLOCK ? (rc) => doPoll(rc, addr, n, deadlinePs, eintr) : undefined,
  });
}

/** poll(fds, nfds, timeout_ms). */
export function sysPoll(c: SyscallContext, a: number[]): number | "noreturn" {
  return doPoll(c, a[0]!, a[1]! >>> 0, msDeadline(c.kernel, a[2]! | 0), -ERESTART_RESTARTBLOCK);
}

/** A struct timespec (or old_timespec32) timeout as a deadline; undefined: none; a number: -errno. */
function timespecDeadline(c: SyscallContext, addr: number, time32: boolean): { deadline: number | undefined } | number {
  if (!addr) return { deadline: undefined };
  let b: Uint8Array;
  try {
    b = c.cpu.mem.readBytes(addr, time32 ? 8 : 16);
  } catch {
    return -EFAULT;
  }
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const sec = time32 ? dv.getInt32(0, true) : Number(dv.getBigInt64(0, true));
  const nsec = time32 ? dv.getInt32(4, true) : Number(dv.getBigInt64(8, true));
  if (sec < 0 || nsec < 0 || nsec >= 1e9) return -EINVAL;
  return { deadline: c.kernel.nowPs() + (sec * 1e9 + nsec) * 1000 };
}

/**
 * set_user_sigmask: the mask for the duration of the call; restored when it returns, or (like
 * sigsuspend) after the handler of the signal that interrupted it.
 */
function swapMask(c: SyscallContext, addr: number, size: number): boolean | number {
  if (!addr) return false;
  if (size !== 8) return -EINVAL;
  let m: bigint;
  try {
    const b = c.cpu.mem.readBytes(addr, 8);
    m = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  } catch {
    return -EFAULT;
  }
  c.task.savedSigmask = c.task.sigmask;
  c.task.sigmask = m & ~(sigBit(SIGKILL) | sigBit(SIGSTOP));
  return true;
}

/** restore_saved_sigmask_unless(ret == -EINTR) for a call that returned at once. */
function unswapMask(c: SyscallContext, swapped: boolean, r: number | "noreturn"): number | "noreturn" {
  if (swapped && r !== "noreturn" && r !== -ERESTARTNOHAND && c.task.savedSigmask !== undefined) {
    c.task.sigmask = c.task.savedSigmask;
    c.task.savedSigmask = undefined;
  }
  return r;
}

/** ppoll(fds, nfds, tsp, sigmask, sigsetsize). */
export function sysPpoll(c: SyscallContext, a: number[], time32 = false): number | "noreturn" {
  const t = timespecDeadline(c, a[2]!, time32);
  if (typeof t === "number") return t;
  const swapped = swapMask(c, a[3]!, a[4]!);
  if (typeof swapped === "number") return swapped;
  return unswapMask(c, swapped, doPoll(c, a[0]!, a[1]! >>> 0, t.deadline, -ERESTARTNOHAND));
}

// ---- select, pselect6 ----

/** The fd_set bytes select reads for nfds descriptors (FDS_BYTES: whole longs). */
function setBytes(nfds: number, compat: boolean): number {
  const bits = compat ? 32 : 64;
  return Math.ceil(nfds / bits) * (bits / 8);
}

/** do_select with the deadline; writeTimeout: write the time left back (select's timeval, pselect6's timespec). */
function doSelect(
  c: SyscallContext,
  nfds: number,
  sets: [number, number, number],
  deadlinePs: number | undefined,
  writeTimeout: (leftPs: number) => void,
  compat: boolean,
): number | "noreturn" {
  if (nfds < 0) return -EINVAL;
  const k = c.kernel, task = c.task, mem = c.cpu.mem;
  nfds = Math.min(nfds, FD_LIMIT);
  const n = setBytes(nfds, compat);
  const inSets: (Uint8Array | undefined)[] = [];
  for (const addr of sets) {
    if (!addr) {
      inSets.push(undefined);
      continue;
    }
    try {
      inSets.push(mem.readBytes(addr, n).slice());
    } catch {
      return -EFAULT;
    }
  }
  // max_select_fd: a descriptor in a set that is not open is EBADF
  for (let fd = 0; fd < nfds; fd++) {
    const bit = 1 << (fd & 7);
    if (inSets.some((s) => s !== undefined && s[fd >> 3]! & bit) && !task.proc.fds.get(fd)) return -EBADF;
  }
  const masks = [POLLIN_SET, POLLOUT_SET, POLLEX_SET];
  const scan = (): Uint8Array[] | undefined => {
    const out = inSets.map(() => new Uint8Array(n));
    let ready = 0;
    for (let fd = 0; fd < nfds; fd++) {
      const bit = 1 << (fd & 7);
      if (!inSets.some((s) => s !== undefined && s[fd >> 3]! & bit)) continue;
      const f = task.proc.fds.get(fd);
      if (!f) continue; // closed while sleeping: the next scan reports it
      const ev = fileEvents(k, f, task);
      for (let i = 0; i < 3; i++) {
        if (inSets[i] !== undefined && inSets[i]![fd >> 3]! & bit && ev & masks[i]!) {
          out[i]![fd >> 3]! |= bit;
          ready++;
        }
      }
    }
    return ready ? out : undefined;
  };
  const finish = (out: Uint8Array[], count: number): number => {
    try {
      sets.forEach((addr, i) => addr && mem.writeBytes(addr, out[i]!));
    } catch {
      return -EFAULT;
    }
    writeTimeout(deadlinePs === undefined ? -1 : Math.max(0, deadlinePs - k.nowPs()));
    return count;
  };
  const answer = (): number | undefined => {
    const out = scan();
    if (!out) return undefined;
    let count = 0;
    for (const s of out) for (const byte of s) for (let b = byte; b; b &= b - 1) count++;
    return finish(out, count);
  };
  const now = answer();
  if (now !== undefined) return now;
  const empty = inSets.map(() => new Uint8Array(n));
  if (deadlinePs !== undefined && deadlinePs <= k.nowPs()) return finish(empty, 0);
  const watched: number[] = [];
  for (let fd = 0; fd < nfds; fd++) if (inSets.some((s) => s !== undefined && s[fd >> 3]! & (1 << (fd & 7)))) watched.push(fd);
  return sleepPolling(c, "select", `fd ${watched.join(",") || "none"}`, answer, deadlinePs, -ERESTARTNOHAND, {
    onTimeout: () => void finish(empty, 0),
    onSignal: () => writeTimeout(deadlinePs === undefined ? -1 : Math.max(0, deadlinePs - k.nowPs())),
  });
}

/** select(nfds, readfds, writefds, exceptfds, timeval); compat: 32-bit longs and an old_timeval32. */
export function sysSelect(c: SyscallContext, a: number[], compat = false): number | "noreturn" {
  const tvAddr = a[4]!;
  let deadline: number | undefined;
  const w = compat ? 4 : 8;
  if (tvAddr) {
    let b: Uint8Array;
    try {
      b = c.cpu.mem.readBytes(tvAddr, 2 * w);
    } catch {
      return -EFAULT;
    }
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const sec = compat ? dv.getInt32(0, true) : Number(dv.getBigInt64(0, true));
    const usec = compat ? dv.getInt32(4, true) : Number(dv.getBigInt64(8, true));
    if (sec < 0 || usec < 0) return -EINVAL;
    // poll_select_set_timeout: usec may exceed a second (it is normalised)
    deadline = c.kernel.nowPs() + (sec * 1e6 + usec) * 1e6;
  }
  const mem = c.cpu.mem;
  const writeTimeout = (leftPs: number): void => {
    if (!tvAddr || leftPs < 0) return;
    const us = Math.floor(leftPs / 1e6);
    const b = new Uint8Array(2 * w);
    const dv = new DataView(b.buffer);
    if (compat) {
      dv.setInt32(0, Math.floor(us / 1e6), true);
      dv.setInt32(4, us % 1e6, true);
    } else {
      dv.setBigInt64(0, BigInt(Math.floor(us / 1e6)), true);
      dv.setBigInt64(8, BigInt(us % 1e6), true);
    }
    try {
      mem.writeBytes(tvAddr, b);
    } catch {
      // poll_select_finish ignores a timeout it cannot write back
    }
  };
  return doSelect(c, a[0]! | 0, [a[1]!, a[2]!, a[3]!], deadline, writeTimeout, compat);
}

/** pselect6(nfds, r, w, e, timespec, {sigset *, size}); compat: 32-bit longs; time32: an old_timespec32 (not pselect6_time64). */
export function sysPselect6(c: SyscallContext, a: number[], compat = false, time32 = compat): number | "noreturn" {
  const tsAddr = a[4]!;
  const t = timespecDeadline(c, tsAddr, time32);
  if (typeof t === "number") return t;
  let ss = 0, ssLen = 8;
  if (a[5]) {
    const w = compat ? 4 : 8;
    try {
      const b = c.cpu.mem.readBytes(a[5]!, 2 * w);
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      ss = compat ? dv.getUint32(0, true) : Number(dv.getBigUint64(0, true));
      ssLen = compat ? dv.getUint32(4, true) : Number(dv.getBigUint64(8, true));
    } catch {
      return -EFAULT;
    }
  }
  const swapped = swapMask(c, ss, ssLen);
  if (typeof swapped === "number") return swapped;
  const mem = c.cpu.mem;
  const writeTimeout = (leftPs: number): void => {
    if (!tsAddr || leftPs < 0) return;
    const ns = Math.floor(leftPs / 1000);
    const sec = Math.floor(ns / 1e9);
    try {
      if (time32) mem.writeBytes(tsAddr, new Uint8Array(new Int32Array([sec, ns - sec * 1e9]).buffer));
      else mem.writeBytes(tsAddr, new Uint8Array(new BigInt64Array([BigInt(sec), BigInt(ns - sec * 1e9)]).buffer));
    } catch {
      // as select
    }
  };
  return unswapMask(c, swapped, doSelect(c, a[0]! | 0, [a[1]!, a[2]!, a[3]!], t.deadline, writeTimeout, compat));
}

export { msDeadline, swapMask, unswapMask };
