// signalfd and signalfd4 (fs/signalfd.c): a descriptor (anon_inode:[signalfd])
// that takes the reading task's pending signals of its mask as 128-byte
// struct signalfd_siginfo records, instead of their delivery (the program
// blocks them). A read sleeps until one is pending (EAGAIN with O_NONBLOCK);
// poll and epoll show POLLIN while one is pending for the polling task. A
// queued signal makes poll and epoll sleepers look again (Linux.queueSignal).

import { EAGAIN, EBADF, EFAULT, EINVAL } from "../errno.js";
import { rearmOnDequeue } from "./itimer.js";
import { ERESTARTSYS } from "./restart.js";
import { sigBit, SIGKILL, SIGSTOP, type SigInfo } from "./signals.js";
import type { SyscallContext } from "./syscalls.js";
import type { Task } from "./task.js";

const O_NONBLOCK = 0o4000, O_CLOEXEC = 0o2000000, O_RDWR = 2;
const POLLIN = 0x1, POLLRDNORM = 0x40;
const SYS_read = 0;
/** sizeof(struct signalfd_siginfo). */
const SSI_SIZE = 128;

export class SignalFd {
  constructor(public mask: bigint) {}
}

/** signalfd4(fd, mask, sizemask, flags); signalfd is flags 0. fd -1: a new descriptor, else a new mask for it. */
export function sysSignalfd4(c: SyscallContext, a: number[], flags: number): number {
  const fd = a[0]! | 0;
  if (flags & ~(O_NONBLOCK | O_CLOEXEC) || a[2]! !== 8) return -EINVAL;
  let raw: Uint8Array;
  try {
    raw = c.cpu.mem.readBytes(a[1]!, 8);
  } catch {
    return -EFAULT;
  }
  const mask = new DataView(raw.buffer, raw.byteOffset, 8).getBigUint64(0, true) & ~(sigBit(SIGKILL) | sigBit(SIGSTOP));
  const fds = c.task.proc.fds;
  if (fd !== -1) {
    const f = fds.get(fd);
    if (!f) return -EBADF;
    if (f.kind !== "signalfd") return -EINVAL;
    f.signalfd!.mask = mask;
    return fd;
  }
  const nfd = fds.install({ kind: "signalfd", path: "anon_inode:[signalfd]", pos: 0, flags: O_RDWR | (flags & O_NONBLOCK), signalfd: new SignalFd(mask) });
  if (nfd >= 0 && flags & O_CLOEXEC) fds.setCloexec(nfd, true);
  return nfd;
}

/** A signal of the mask pending for the task (its own queue or its group's). */
function pendingFor(task: Task, mask: bigint): boolean {
  return task.pending.some((s) => (mask & sigBit(s.signo)) !== 0n) || task.proc.sharedPending.some((s) => (mask & sigBit(s.signo)) !== 0n);
}

/** dequeue_signal's order: the task's own queue, then its group's, each lowest number first (next_signal). */
function nextSignal(task: Task, mask: bigint): { list: SigInfo[]; idx: number } | undefined {
  for (const list of [task.pending, task.proc.sharedPending]) {
    let idx = -1;
    for (let i = 0; i < list.length; i++) if (mask & sigBit(list[i]!.signo) && (idx < 0 || list[i]!.signo < list[idx]!.signo)) idx = i;
    if (idx >= 0) return { list, idx };
  }
  return undefined;
}

/** signalfd_poll: for the task that polls. */
export function signalfdEvents(task: Task, s: SignalFd): number {
  return pendingFor(task, s.mask) ? POLLIN | POLLRDNORM : 0;
}

/** signalfd_read: as many records as fit and are pending; sleeps for the first one. */
export function signalfdRead(c: SyscallContext, s: SignalFd, flags: number, buf: number, count: number): number | "noreturn" {
  const n = Math.floor(count / SSI_SIZE);
  if (n === 0) return -EINVAL;
  const k = c.kernel, task = c.task;
  if (!pendingFor(task, s.mask)) {
    if (flags & O_NONBLOCK) return -EAGAIN;
    k.sched.block(task, { kind: "signalfd read", what: "anon_inode:[signalfd]", sigset: s.mask, eintr: -ERESTARTSYS, restartNr: SYS_read });
    k.requestResched();
    return "noreturn";
  }
  let done = 0;
  for (; done < n; done++) {
    const got = nextSignal(task, s.mask);
    if (!got) break;
    const info = got.list.splice(got.idx, 1)[0]!;
    rearmOnDequeue(k, task.proc, info.signo);
    const b = new Uint8Array(SSI_SIZE);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, info.signo, true); // ssi_signo
    dv.setInt32(8, info.code, true); // ssi_code
    if (info.pid !== undefined) {
      dv.setUint32(12, info.pid, true); // ssi_pid
      dv.setUint32(16, 1000, true); // ssi_uid
    }
    dv.setBigUint64(72, BigInt(info.addr), true); // ssi_addr
    try {
      c.cpu.mem.writeBytes(buf + done * SSI_SIZE, b);
    } catch {
      return done ? done * SSI_SIZE : -EFAULT;
    }
  }
  return done * SSI_SIZE;
}
