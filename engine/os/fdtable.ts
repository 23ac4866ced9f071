// File descriptors. The guest sees exactly what the user handed it: its
// stdin/stdout/stderr and the files explicitly allowed (read-only, opened
// from a snapshot taken when the run starts). Nothing else of the host.

import { EBADF, EMFILE } from "../errno.js";
import type { CharDev } from "./chardev.js";
import type { Epoll } from "./epoll.js";
import type { EventCounter } from "./eventfd.js";
import type { Pipe } from "./pipe.js";
import type { SignalFd } from "./signalfd.js";
import type { TimerFd } from "./timerfd.js";

/** RLIMIT_NOFILE: descriptors are below 1024 (the kernel's default soft limit, INR_OPEN_CUR). */
export const FD_LIMIT = 1024;

type FileKind = "stdin" | "stdout" | "stderr" | "file" | "dir" | "pipe" | "epoll" | "eventfd" | "timerfd" | "signalfd" | "chr";

export interface OpenFile {
  kind: FileKind;
  path: string;
  /** File identity (GuestFile.id) for regular files: the inode mmap and stat report. */
  id?: string;
  /** Contents for regular files. */
  data?: Uint8Array;
  pos: number;
  flags: number;
  /** A pipe end (kind "pipe"): the buffer and which end. */
  pipe?: Pipe;
  writeEnd?: boolean;
  /** An epoll instance (kind "epoll"). */
  epoll?: Epoll;
  /** An eventfd's counter (kind "eventfd"). */
  eventfd?: EventCounter;
  /** A timerfd's timer (kind "timerfd"). */
  timerfd?: TimerFd;
  /** A signalfd's mask (kind "signalfd"). */
  signalfd?: SignalFd;
  /** A memory character device (kind "chr"): /dev/null, /dev/zero ... */
  dev?: CharDev;
}

export class FdTable {
  private readonly fds: (OpenFile | undefined)[] = [];
  /** Descriptors with FD_CLOEXEC (a per-descriptor flag: dup'ed descriptors do not share it). */
  private cloexec = new Set<number>();

  setCloexec(fd: number, on: boolean): void {
    if (on) this.cloexec.add(fd);
    else this.cloexec.delete(fd);
  }

  isCloexec(fd: number): boolean {
    return this.cloexec.has(fd);
  }

  /** execve: close every FD_CLOEXEC descriptor; true when one was a pipe end (its sleepers may wake). */
  closeOnExec(): boolean {
    let pipe = false;
    for (const fd of this.cloexec) {
      if (this.fds[fd]?.kind === "pipe") pipe = true;
      this.fds[fd] = undefined;
    }
    this.cloexec.clear();
    return pipe;
  }

  constructor() {
    this.fds[0] = { kind: "stdin", path: "<stdin>", pos: 0, flags: 0 };
    this.fds[1] = { kind: "stdout", path: "<stdout>", pos: 0, flags: 1 };
    this.fds[2] = { kind: "stderr", path: "<stderr>", pos: 0, flags: 1 };
  }

  get(fd: number): OpenFile | undefined {
    return fd >= 0 ? this.fds[fd] : undefined;
  }

  /** Lowest free descriptor, as POSIX requires. */
  install(f: OpenFile, min = 0): number {
    let fd = min;
    while (this.fds[fd]) fd++;
    if (fd >= FD_LIMIT) return -EMFILE;
    this.fds[fd] = f;
    return fd;
  }

  /** Some open descriptor satisfies pred (a pipe end still open somewhere). */
  some(pred: (f: OpenFile) => boolean): boolean {
    return this.fds.some((f) => f !== undefined && pred(f));
  }

  close(fd: number): boolean {
    if (!this.get(fd)) return false;
    this.fds[fd] = undefined;
    this.cloexec.delete(fd);
    return true;
  }

  dup(fd: number, to?: number): number {
    const f = this.get(fd);
    if (!f) return -EBADF;
    if (to !== undefined) {
      if (!(to >= 0 && to < FD_LIMIT)) return -EBADF;
      this.fds[to] = f;
      this.cloexec.delete(to);
      return to;
    }
    return this.install(f);
  }

  /**
   * fork without CLONE_FILES (fs/file.c dup_fd): a new table pointing at the same open file
   * descriptions, so the offset and the F_SETFL flags stay shared with the parent; only
   * FD_CLOEXEC, a per-descriptor flag, is copied.
   */
  clone(): FdTable {
    const t = new FdTable();
    this.fds.forEach((f, i) => (t.fds[i] = f));
    t.fds.length = this.fds.length;
    t.cloexec = new Set(this.cloexec);
    return t;
  }
}
