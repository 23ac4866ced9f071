// eventfd and eventfd2 (fs/eventfd.c): a 64-bit counter behind a descriptor
// (anon_inode:[eventfd]). write(2) of an 8-byte value adds it; read(2) of at
// least 8 bytes returns the counter and zeroes it (with EFD_SEMAPHORE: returns
// 1 and decrements). A read of a zero counter sleeps, a write that would pass
// ULLONG_MAX - 1 sleeps (EAGAIN with EFD_NONBLOCK); both sleep as pipe calls
// do (-ERESTARTSYS, woken when the counter changes: wakePipeSleepers). Poll:
// EPOLLIN with a non-zero counter, EPOLLOUT while a write of 1 fits
// (eventfd_poll), so poll, select and epoll see it like a pipe end.

import { EAGAIN, EFAULT, EINVAL } from "../errno.js";
import { wakePipeSleepers } from "./pipe.js";
import { ERESTARTSYS } from "./restart.js";
import type { SyscallContext } from "./syscalls.js";

const ULLONG_MAX = 0xffffffffffffffffn;
const EFD_SEMAPHORE = 1, O_NONBLOCK = 0o4000, O_CLOEXEC = 0o2000000, O_RDWR = 2;
const POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8;
const SYS_read = 0, SYS_write = 1;

export class EventCounter {
  count: bigint;
  /** Reads and writes so far (EPOLLET reports a ready counter again only after a change). */
  changes = 0;
  constructor(
    initval: bigint,
    readonly semaphore: boolean,
  ) {
    this.count = initval;
  }
}

/** eventfd2(initval, flags) (eventfd(initval) is flags 0): initval is an unsigned int. */
export function sysEventfd2(c: SyscallContext, initval: number, flags: number): number {
  if (flags & ~(EFD_SEMAPHORE | O_NONBLOCK | O_CLOEXEC)) return -EINVAL;
  const e = new EventCounter(BigInt(initval >>> 0), (flags & EFD_SEMAPHORE) !== 0);
  const fds = c.task.proc.fds;
  const fd = fds.install({ kind: "eventfd", path: "anon_inode:[eventfd]", pos: 0, flags: O_RDWR | (flags & O_NONBLOCK), eventfd: e });
  if (fd >= 0 && flags & O_CLOEXEC) fds.setCloexec(fd, true);
  return fd;
}

/** eventfd_poll. */
export function eventfdEvents(e: EventCounter): number {
  return (e.count > 0n ? POLLIN : 0) | (e.count === ULLONG_MAX ? POLLERR : 0) | (ULLONG_MAX - 1n > e.count ? POLLOUT : 0);
}

function sleepOn(c: SyscallContext, kind: string, nr: number, ready: () => boolean): "noreturn" {
  c.kernel.sched.block(c.task, { kind, what: "anon_inode:[eventfd]", eintr: -ERESTARTSYS, restartNr: nr, ready });
  c.kernel.requestResched();
  return "noreturn";
}

function changed(c: SyscallContext, e: EventCounter): void {
  e.changes++;
  wakePipeSleepers(c.kernel);
}

/** eventfd_read: the counter (or 1) as 8 bytes; consumed even when the copy then faults, as the kernel's. */
export function eventfdRead(c: SyscallContext, e: EventCounter, flags: number, buf: number, count: number): number | "noreturn" {
  if (count < 8) return -EINVAL;
  if (e.count === 0n) {
    if (flags & O_NONBLOCK) return -EAGAIN;
    return sleepOn(c, "eventfd read", SYS_read, () => e.count > 0n);
  }
  const v = e.semaphore ? 1n : e.count;
  e.count -= v;
  changed(c, e);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, v, true);
  try {
    c.cpu.mem.writeBytes(buf, out);
  } catch {
    return -EFAULT;
  }
  return 8;
}

/** eventfd_write: adds an 8-byte value; ULLONG_MAX is EINVAL; sleeps while the sum would pass ULLONG_MAX - 1. */
export function eventfdWrite(c: SyscallContext, e: EventCounter, flags: number, bytes: Uint8Array): number | "noreturn" {
  if (bytes.length < 8) return -EINVAL;
  const v = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (v === ULLONG_MAX) return -EINVAL;
  if (ULLONG_MAX - e.count <= v) {
    if (flags & O_NONBLOCK) return -EAGAIN;
    return sleepOn(c, "eventfd write", SYS_write, () => ULLONG_MAX - e.count > v);
  }
  e.count += v;
  changed(c, e);
  return 8;
}
