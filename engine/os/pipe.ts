// pipe(2) and pipe2(2) (fs/pipe.c): a 64 KiB buffer between a read end and a
// write end. A reader sleeps while the pipe is empty and a writer exists; a
// writer sleeps while it is full and a reader exists; with no reader left a
// write gets SIGPIPE and EPIPE. Ends are counted by looking at the open
// descriptors of the live processes (fork and dup share an end), and
// sleepers re-run their call when anything changes (a write, a read, a close,
// an exit).

import { EAGAIN, EFAULT, EINVAL, EPIPE } from "../errno.js";
import { ERESTARTSYS } from "./restart.js";
import type { Linux } from "./linux.js";
import { SI_USER, SIGPIPE } from "./signals.js";
import type { SyscallContext } from "./syscalls.js";

/** PIPE_DEF_BUFFERS pages. */
export const PIPE_SIZE = 65536;
const O_NONBLOCK = 0o4000, O_CLOEXEC = 0o2000000;
const SYS_read = 0, SYS_write = 1;

export class Pipe {
  /** Bytes written and not yet read, oldest first. */
  chunks: Uint8Array[] = [];
  size = 0;
  /** Reads and writes so far (EPOLLET reports a ready pipe again only after a change). */
  changes = 0;
  constructor(readonly id: number) {}
}

/** Pipe numbers per kernel (a rerun numbers its pipes the same way). */
const pipeCounts = new WeakMap<Linux, number>();

function endOpen(k: Linux, p: Pipe, writeEnd: boolean): boolean {
  return k.processes.some((pr) => !pr.exit && pr.fds.some((f) => f.pipe === p && f.writeEnd === writeEnd));
}

export const pipeHasWriter = (k: Linux, p: Pipe): boolean => endOpen(k, p, true);
export const pipeHasReader = (k: Linux, p: Pipe): boolean => endOpen(k, p, false);

/** The waits a pipe or eventfd change may end (eventfd.ts sleeps as pipe calls do). */
const SLEEPS_ON_DATA = new Set(["pipe read", "pipe write", "eventfd read", "eventfd write", "timerfd read"]);

/**
 * A pipe (or an eventfd) changed: each task sleeping on a pipe whose condition now holds re-runs its read or
 * write (no spurious wake-ups: a woken task that a signal then reaches restarts the call only
 * as SA_RESTART says); poll, select and epoll sleepers check their descriptors again.
 */
export function wakePipeSleepers(k: Linux): void {
  for (const pr of k.processes) {
    if (pr.exit) continue;
    for (const t of pr.tasks) if (SLEEPS_ON_DATA.has(t.wait?.kind ?? "") && t.wait!.ready?.() !== false) k.sched.wake(t, undefined);
  }
  recheckPollers(k);
}

/** The poll, select and epoll_wait sleepers whose descriptors have something now wake with their answer (in tid order). */
export function recheckPollers(k: Linux): void {
  for (const pr of k.processes) {
    if (pr.exit) continue;
    for (const t of pr.tasks) {
      const check = t.wait?.recheck;
      if (check === undefined) continue;
      const r = check();
      if (r !== undefined) k.sched.wake(t, r);
    }
  }
}

/** Sleep on the pipe until ready() (wait_event_interruptible's condition), then re-run the call. */
function sleepOn(c: SyscallContext, kind: string, p: Pipe, nr: number, ready: () => boolean): "noreturn" {
  // pipe_read, pipe_write: -ERESTARTSYS (SA_RESTART restarts them)
  c.kernel.sched.block(c.task, { kind, what: `pipe:[${p.id}]`, eintr: -ERESTARTSYS, restartNr: nr, ready });
  c.kernel.requestResched();
  return "noreturn";
}

/** pipe_read: up to count bytes. */
export function pipeRead(c: SyscallContext, p: Pipe, flags: number, buf: number, count: number): number | "noreturn" {
  if (p.size === 0) {
    if (!endOpen(c.kernel, p, true)) return 0; // no writer: end of file
    if (flags & O_NONBLOCK) return -EAGAIN;
    return sleepOn(c, "pipe read", p, SYS_read, () => p.size > 0 || !endOpen(c.kernel, p, true));
  }
  const n = Math.min(count, p.size);
  const out = new Uint8Array(n);
  let done = 0;
  while (done < n) {
    const ch = p.chunks[0]!;
    const take = Math.min(ch.length, n - done);
    out.set(ch.subarray(0, take), done);
    done += take;
    if (take === ch.length) p.chunks.shift();
    else p.chunks[0] = ch.subarray(take);
  }
  try {
    c.cpu.mem.writeBytes(buf, out);
  } catch {
    // the bytes are consumed: the kernel's copy_page_to_iter fault loses them too
    p.size -= n;
    return -EFAULT;
  }
  p.size -= n;
  p.changes++;
  wakePipeSleepers(c.kernel);
  return n;
}

/** pipe_write: as much as fits (a blocking write of more than the free space writes in parts). */
export function pipeWrite(c: SyscallContext, p: Pipe, flags: number, bytes: Uint8Array): number | "noreturn" {
  if (!endOpen(c.kernel, p, false)) {
    c.kernel.queueSignal(c.task, { signo: SIGPIPE, code: SI_USER, addr: 0, pid: c.task.proc.pid, forced: false, ip: c.cpu.rip });
    return -EPIPE;
  }
  if (bytes.length === 0) return 0;
  const free = PIPE_SIZE - p.size;
  // PIPE_BUF (4096) bytes or less are written at once or not at all
  if (free === 0 || (bytes.length <= 4096 && free < bytes.length)) {
    if (flags & O_NONBLOCK) return -EAGAIN;
    const need = bytes.length <= 4096 ? bytes.length : 1;
    const k = c.kernel;
    return sleepOn(c, "pipe write", p, SYS_write, () => PIPE_SIZE - p.size >= need || !endOpen(k, p, false));
  }
  const n = Math.min(free, bytes.length);
  p.chunks.push(bytes.slice(0, n));
  p.size += n;
  p.changes++;
  wakePipeSleepers(c.kernel);
  return n;
}

/** pipe2(fds, flags). */
export function sysPipe2(c: SyscallContext, fdsAddr: number, flags: number): number {
  if (flags & ~(O_NONBLOCK | O_CLOEXEC | 0o40000 /* O_DIRECT */)) return -EINVAL;
  const id = (pipeCounts.get(c.kernel) ?? 0) + 1;
  pipeCounts.set(c.kernel, id);
  const p = new Pipe(id);
  const fds = c.task.proc.fds;
  const r = fds.install({ kind: "pipe", path: `pipe:[${p.id}]`, pos: 0, flags: flags & O_NONBLOCK, pipe: p, writeEnd: false });
  if (r < 0) return r;
  const w = fds.install({ kind: "pipe", path: `pipe:[${p.id}]`, pos: 0, flags: 1 | (flags & O_NONBLOCK), pipe: p, writeEnd: true });
  if (w < 0) {
    fds.close(r);
    return w;
  }
  if (flags & O_CLOEXEC) {
    fds.setCloexec(r, true);
    fds.setCloexec(w, true);
  }
  try {
    c.cpu.mem.write32(fdsAddr, r);
    c.cpu.mem.write32(fdsAddr + 4, w);
  } catch {
    fds.close(r);
    fds.close(w);
    return -EFAULT;
  }
  return 0;
}
