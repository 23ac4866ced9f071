// epoll (fs/eventpoll.c): epoll_create1, epoll_ctl, epoll_wait and
// epoll_pwait over the guest's descriptors. An epoll instance is a file
// whose interest list holds (file, fd) items with their event mask and
// 64-bit data. epoll_wait reports the items whose file is ready (the same
// readiness as poll, poll.ts), in the order they were added, level-triggered
// by default. EPOLLONESHOT disables an item once reported (until
// EPOLL_CTL_MOD); EPOLLET reports an item again only after its file changed
// (a pipe read, write or close) since the last report, as the kernel re-queues
// an edge-triggered item only from the wake-up callback. A wait that finds
// nothing sleeps until a pipe changes, its timeout on the virtual clock, or a
// signal: epoll_wait is never restarted (-EINTR, even with SA_RESTART).

import { EBADF, EEXIST, EFAULT, EINTR, EINVAL, ENOENT, EPERM } from "../errno.js";
import type { OpenFile } from "./fdtable.js";
import type { Linux } from "./linux.js";
import { recheckPollers } from "./pipe.js";
import { streamPollable } from "./std-streams.js";
import { fileEvents, msDeadline, POLLERR, POLLHUP, sleepPolling, swapMask, unswapMask } from "./poll.js";
import type { SyscallContext } from "./syscalls.js";
import type { Task } from "./task.js";

const EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
const EPOLLEXCLUSIVE = 1 << 28, EPOLLONESHOT = 1 << 30, EPOLLET = 1 << 31;
/** -ELOOP: an epoll instance watching itself through another. */
const ELOOP = 40;
const O_CLOEXEC = 0o2000000;
/** EP_MAX_EVENTS: INT_MAX / sizeof(struct epoll_event). */
const EP_MAX_EVENTS = Math.floor(0x7fffffff / 12);

interface EpItem {
  fd: number;
  file: OpenFile;
  events: number;
  data: bigint;
  /** EPOLLONESHOT fired: no events until EPOLL_CTL_MOD. */
  disabled: boolean;
  /** EPOLLET: the file's change count and events at the last report. */
  seen: string;
}

export class Epoll {
  readonly items: EpItem[] = [];

  /** The items ready now and what each reports (level: whenever ready; edge: once per change). */
  ready(k: Linux, poller?: Task): { item: EpItem; ev: number }[] {
    const out: { item: EpItem; ev: number }[] = [];
    for (const it of this.items) {
      if (it.disabled) continue;
      const ev = fileEvents(k, it.file, poller) & (it.events | POLLERR | POLLHUP);
      if (!ev) continue;
      if (it.events & EPOLLET && edge(it.file, ev) === it.seen) continue;
      out.push({ item: it, ev });
    }
    return out;
  }

  readyCount(k: Linux, poller?: Task): number {
    return this.ready(k, poller).length;
  }
}

/** What EPOLLET compares: the pipe's reads and writes so far, and the events (a close adds POLLHUP or POLLERR). */
function edge(f: OpenFile, ev: number): string {
  return `${f.pipe?.changes ?? f.eventfd?.changes ?? f.timerfd?.changes ?? 0}:${ev}`;
}

/** epoll_create1(flags); epoll_create(size) is epoll_create1(0) with size > 0. */
export function sysEpollCreate1(c: SyscallContext, flags: number): number {
  if (flags & ~O_CLOEXEC) return -EINVAL;
  const fds = c.task.proc.fds;
  const fd = fds.install({ kind: "epoll", path: "anon_inode:[eventpoll]", pos: 0, flags: 2, epoll: new Epoll() });
  if (fd >= 0 && flags & O_CLOEXEC) fds.setCloexec(fd, true);
  return fd;
}

/** epoll_ctl(epfd, op, fd, event). */
export function sysEpollCtl(c: SyscallContext, a: number[]): number {
  const epfd = a[0]! | 0, op = a[1]! | 0, fd = a[2]! | 0, evAddr = a[3]!;
  let events = 0, data = 0n;
  if (op !== EPOLL_CTL_DEL) {
    try {
      const b = c.cpu.mem.readBytes(evAddr, 12);
      const dv = new DataView(b.buffer, b.byteOffset, 12);
      events = dv.getUint32(0, true);
      data = dv.getBigUint64(4, true);
    } catch {
      return -EFAULT;
    }
  }
  const fds = c.task.proc.fds;
  const ep = fds.get(epfd), f = fds.get(fd);
  if (!ep || !f) return -EBADF;
  // regular files and directories have no poll: EPERM (file_can_poll)
  if (f.kind === "file" || f.kind === "dir" || (f.kind === "chr" && f.dev!.poll === undefined)) return -EPERM;
  if ((f.kind === "stdin" || f.kind === "stdout" || f.kind === "stderr") && !streamPollable(c.kernel, f.kind)) return -EPERM;
  if (ep.kind !== "epoll" || ep === f) return -EINVAL;
  if (f.kind === "epoll" && op === EPOLL_CTL_ADD && f.epoll!.items.some((it) => it.file === ep)) return -ELOOP;
  const items = ep.epoll!.items;
  const i = items.findIndex((it) => it.fd === fd && it.file === f);
  switch (op) {
    case EPOLL_CTL_ADD:
      if (i >= 0) return -EEXIST;
      items.push({ fd, file: f, events: events | POLLERR | POLLHUP, data, disabled: false, seen: "" });
      break;
    case EPOLL_CTL_DEL:
      if (i < 0) return -ENOENT;
      items.splice(i, 1);
      break;
    case EPOLL_CTL_MOD: {
      if (i < 0) return -ENOENT;
      if (events & EPOLLEXCLUSIVE || items[i]!.events & EPOLLEXCLUSIVE) return -EINVAL;
      const it = items[i]!;
      it.events = events | POLLERR | POLLHUP;
      it.data = data;
      it.disabled = false;
      it.seen = "";
      break;
    }
    default:
      return -EINVAL;
  }
  recheckPollers(c.kernel); // a sleeper on this instance may have something to report now
  return 0;
}

/** epoll_wait / epoll_pwait with a timeout in ms and an optional mask. */
export function sysEpollWait(c: SyscallContext, a: number[], mask?: { addr: number; size: number }): number | "noreturn" {
  const epfd = a[0]! | 0, evAddr = a[1]!, max = a[2]! | 0, timeout = a[3]! | 0;
  if (max <= 0 || max > EP_MAX_EVENTS) return -EINVAL;
  const f = c.task.proc.fds.get(epfd);
  if (!f) return -EBADF;
  if (f.kind !== "epoll") return -EINVAL;
  const ep = f.epoll!, k = c.kernel, mem = c.cpu.mem, task = c.task; // the context is reused: keep the caller
  const answer = (): number | undefined => {
    const ready = ep.ready(k, task).slice(0, max);
    if (ready.length === 0) return undefined;
    const b = new Uint8Array(ready.length * 12);
    const dv = new DataView(b.buffer);
    ready.forEach(({ item, ev }, i) => {
      dv.setUint32(i * 12, ev, true);
      dv.setBigUint64(i * 12 + 4, item.data, true);
    });
    try {
      mem.writeBytes(evAddr, b);
    } catch {
      return -EFAULT;
    }
    for (const { item, ev } of ready) {
      if (item.events & EPOLLONESHOT) item.disabled = true;
      item.seen = edge(item.file, ev);
    }
    return ready.length;
  };
  let swapped = false;
  if (mask) {
    const s = swapMask(c, mask.addr, mask.size);
    if (typeof s === "number") return s;
    swapped = s;
  }
  const now = answer();
  if (now !== undefined) return unswapMask(c, swapped, now);
  const deadline = msDeadline(k, timeout);
  if (deadline !== undefined && deadline <= k.nowPs()) return unswapMask(c, swapped, 0);
  return sleepPolling(c, "epoll_wait", `epoll fd ${epfd}`, answer, deadline, -EINTR);
}
