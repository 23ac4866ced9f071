// The Linux x86-64 system calls that static musl and glibc binaries use.
//
// One row per syscall (Blink's SYSCALL table): number, name, handler. A
// handler gets the six argument registers as numbers (exact for addresses;
// small negative values such as AT_FDCWD come out negative) and returns the
// value for rax, a negative errno on failure. Unknown syscalls return
// -ENOSYS and are counted by name ("syscall_NNN") in --stats.

import type { Cpu } from "../cpu/cpu.js";

import { MappedFile } from "../mm/mapped-file.js";
import { pageAlignUp, PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE } from "../mm/page.js";
import { TASK_SIZE } from "../mm/fault.js";
import { MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_GROWSDOWN, MAP_SHARED } from "../mm/vma.js";
import { EACCES, EAGAIN, EBADF, ECHILD, EEXIST, EFAULT, EINTR, EINVAL, EIO, EISDIR, EMFILE, ENODEV, ENOENT, ENOMEM, ENOSPC, ENOSYS, ENOTDIR, ENOTTY, ENXIO, EPERM, EPIPE, ERANGE, EROFS, ESPIPE, ESRCH } from "../errno.js";
import { FD_LIMIT, type OpenFile } from "./fdtable.js";
import { charDevice, charDevRdev, type CharDev } from "./chardev.js";
import { hostStream, streamStat } from "./std-streams.js";
import type { Linux } from "./linux.js";
import { restoreRtFrame, SI_TKILL, SI_USER, sigBit, SIGKILL, SIGSTOP, type SigAction } from "./signals.js";
import type { Task } from "./task.js";
import { sysClone, sysClone3, sysFork } from "./clone.js";
import { sysExecve, sysExecveat } from "./exec.js";
import { sysFutex } from "./futex.js";
import { groupMembers, sysGetpgid, sysGetsid, sysSetpgid, sysSetsid } from "./pgrp.js";
import { pipeRead, pipeWrite, sysPipe2, wakePipeSleepers } from "./pipe.js";
import { eventfdRead, eventfdWrite, sysEventfd2 } from "./eventfd.js";
import { signalfdRead, sysSignalfd4 } from "./signalfd.js";
import { sysTimerfdCreate, sysTimerfdGettime, sysTimerfdSettime, timerfdRead } from "./timerfd.js";
import { sysWait4, sysWaitid } from "./wait.js";
import { sysPoll, sysPpoll, sysPselect6, sysSelect } from "./poll.js";
import { sysEpollCreate1, sysEpollCtl, sysEpollWait } from "./epoll.js";
import { rearmOnDequeue, sysAlarm, sysGetitimer, sysSetitimer } from "./itimer.js";
import { ERESTART_RESTARTBLOCK, ERESTARTNOHAND, SYS_restart_syscall, sysRestartSyscall } from "./restart.js";

export interface SyscallContext {
  kernel: Linux;
  task: Task;
  cpu: Cpu;
}

/** Return value "noreturn": the handler set up registers itself (rt_sigreturn, exit). */
type SyscallResult = number | "noreturn";
export type SyscallHandler = (c: SyscallContext, a: number[]) => SyscallResult;

const SYS_uretprobe = 335;
const SYS_uprobe = 336;

const enc = new TextEncoder();
const dec = new TextDecoder();

function cstr(c: SyscallContext, addr: number): string | number {
  try {
    return dec.decode(c.cpu.mem.readCString(addr, 4096));
  } catch {
    return -EFAULT;
  }
}

function copyOut(c: SyscallContext, addr: number, bytes: Uint8Array): number {
  try {
    c.cpu.mem.writeBytes(addr, bytes);
    return 0;
  } catch {
    return -EFAULT;
  }
}

function copyIn(c: SyscallContext, addr: number, n: number): Uint8Array | number {
  try {
    return c.cpu.mem.readBytes(addr, n);
  } catch {
    return -EFAULT;
  }
}

/** What copy_from_user gets of [addr, addr+n) before the first fault (whole pages up to it). */
function copyInPrefix(c: SyscallContext, addr: number, n: number): Uint8Array {
  const all = copyIn(c, addr, n);
  if (typeof all !== "number") return all;
  let ok = 0;
  while (ok < n) {
    const step = Math.min(n - ok, PAGE_SIZE - ((addr + ok) % PAGE_SIZE));
    if (!c.cpu.mem.accessOk(addr + ok, step, PROT_READ)) break;
    ok += step;
  }
  const got = ok > 0 ? copyIn(c, addr, ok) : undefined;
  return got === undefined || typeof got === "number" ? new Uint8Array(0) : got;
}

function u64s(...vals: (number | bigint)[]): Uint8Array {
  const b = new Uint8Array(vals.length * 8);
  const dv = new DataView(b.buffer);
  vals.forEach((v, i) => dv.setBigUint64(i * 8, BigInt.asUintN(64, BigInt(v)), true));
  return b;
}

const int = (v: number): number => v | 0;

// ---- files ----

function fileOf(c: SyscallContext, fd: number): OpenFile | undefined {
  return c.task.proc.fds.get(int(fd));
}

/** MAX_RW_COUNT (INT_MAX & PAGE_MASK): vfs_read/vfs_write and iovec imports clamp a count to it. */
const MAX_RW_COUNT = 0x7ffff000;
const O_NONBLOCK = 0o4000, O_CLOEXEC = 0o2000000;
/** The status flags F_SETFL may change (include/linux/fcntl.h): O_APPEND, O_NONBLOCK, FASYNC, O_DIRECT, O_NOATIME. */
const SETFL_MASK = 0o2000 | O_NONBLOCK | 0o20000 | 0o40000 | 0o1000000;
/** Bytes a syscall copies per step between guest memory and the host (no host copy of a whole large buffer). */
const IO_CHUNK = 1 << 20;

/**
 * access_ok(addr, size) for a size_t count: a count at or above 2^63 arrives negative,
 * one beyond TASK_SIZE cannot fit user space. The kernel checks it before clamping to MAX_RW_COUNT.
 */
function userRangeOk(addr: number, count: number): boolean {
  return count >= 0 && addr >= 0 && addr + count <= TASK_SIZE;
}

function doRead(c: SyscallContext, fd: number, buf: number, count: number, mayBlock = true): number | "noreturn" {
  const f = fileOf(c, fd);
  if (!f) return -EBADF;
  if (f.kind === "dir") return -EISDIR;
  if (f.kind === "pipe") {
    if (f.writeEnd) return -EBADF;
    if (count === 0) return 0;
    if (!userRangeOk(buf, count)) return -EFAULT;
    return pipeRead(c, f.pipe!, mayBlock ? f.flags : f.flags | O_NONBLOCK, buf, Math.min(count, MAX_RW_COUNT));
  }
  if (f.kind === "chr") return (f.flags & 3) === 1 ? -EBADF : readDevice(c, f.dev!, buf, count); // an O_WRONLY descriptor has no FMODE_READ
  if (f.kind === "signalfd") return userRangeOk(buf, count) ? signalfdRead(c, f.signalfd!, mayBlock ? f.flags : f.flags | O_NONBLOCK, buf, count) : -EFAULT;
  if (f.kind === "timerfd") return userRangeOk(buf, count) ? timerfdRead(c, f.timerfd!, mayBlock ? f.flags : f.flags | O_NONBLOCK, buf, count) : -EFAULT;
  if (f.kind === "eventfd") return userRangeOk(buf, count) ? eventfdRead(c, f.eventfd!, mayBlock ? f.flags : f.flags | O_NONBLOCK, buf, count) : -EFAULT;
  if (f.kind === "stdout" || f.kind === "stderr") return -EBADF;
  if (count === 0) return 0;
  if (!userRangeOk(buf, count)) return -EFAULT; // vfs_read: access_ok before anything is read
  const max = Math.min(count, 1 << 20);
  let data: Uint8Array;
  if (f.kind === "stdin") data = c.kernel.io.readStdin(max);
  else {
    data = f.data!.subarray(f.pos, f.pos + max);
    f.pos += data.length;
  }
  const r = copyOut(c, buf, data);
  return r < 0 ? r : data.length;
}

function doWrite(c: SyscallContext, fd: number, bytes: Uint8Array, mayBlock = true): number | "noreturn" {
  const f = fileOf(c, fd);
  if (!f) return -EBADF;
  if (f.kind === "pipe") return f.writeEnd ? pipeWrite(c, f.pipe!, mayBlock ? f.flags : f.flags | O_NONBLOCK, bytes) : -EBADF;
  if (f.kind === "chr") return (f.flags & 3) === 0 ? -EBADF : f.dev!.write === "nospc" ? -ENOSPC : bytes.length; // write_full, write_null
  if (f.kind === "timerfd" || f.kind === "signalfd") return -EINVAL; // timerfd_fops and signalfd_fops have no write
  if (f.kind === "eventfd") return eventfdWrite(c, f.eventfd!, mayBlock ? f.flags : f.flags | O_NONBLOCK, bytes);
  let ok: boolean | void;
  if (f.kind === "stdout") ok = c.kernel.io.write(1, bytes);
  else if (f.kind === "stderr") ok = c.kernel.io.write(2, bytes);
  else return -EBADF; // everything else is read-only
  if (ok === false) {
    // the reader closed the pipe: SIGPIPE, then -EPIPE if it is ignored or handled
    c.kernel.queueSignal(c.task, { signo: 13, code: SI_USER, addr: 0, pid: c.task.proc.pid, forced: false, ip: c.cpu.rip });
    return -EPIPE;
  }
  return bytes.length;
}

function readIovecs(c: SyscallContext, iov: number, cnt: number): [number, number][] | number {
  if (cnt < 0 || cnt > 1024) return -EINVAL; // UIO_MAXIOV
  const raw = copyIn(c, iov, cnt * 16);
  if (typeof raw === "number") return raw;
  const dv = new DataView(raw.buffer);
  const out: [number, number][] = [];
  // iov_iter_import: a length that is negative as ssize_t is EINVAL, the total is clamped to MAX_RW_COUNT
  let total = 0;
  for (let i = 0; i < cnt; i++) {
    const base = Number(dv.getBigInt64(i * 16, true));
    const len = dv.getBigInt64(i * 16 + 8, true);
    if (len < 0n) return -EINVAL;
    let n = Number(len);
    if (n > MAX_RW_COUNT - total) n = MAX_RW_COUNT - total;
    if (n > 0 && !userRangeOk(base, n)) return -EFAULT;
    out.push([base, n]);
    total += n;
  }
  return out;
}

/**
 * writev as write does it, one iovec at a time in IO_CHUNK pieces (no host copy of the whole
 * transfer): a fault part-way returns the bytes written so far, or -EFAULT if none (do_iter_write).
 */
function doWritev(c: SyscallContext, fd: number, iov: number, cnt: number): number | "noreturn" {
  if (!fileOf(c, fd)) return -EBADF;
  const iovs = readIovecs(c, iov, cnt);
  return typeof iovs === "number" ? iovs : writeIovecList(c, fd, iovs);
}

/** do_writev's loop over decoded iovecs (native or compat layout), streamed IO_CHUNK at a time. */
function writeIovecList(c: SyscallContext, fd: number, iovs: [number, number][]): number | "noreturn" {
  let total = 0;
  for (const [base, len] of iovs) {
    for (let done = 0; done < len; ) {
      const want = Math.min(len - done, IO_CHUNK);
      const b = copyInPrefix(c, base + done, want);
      if (b.length === 0) return total || -EFAULT;
      // a pipe sleeps only before anything was written (then the whole call is re-run)
      const r = doWrite(c, fd, b, total === 0);
      if (r === "noreturn") return r;
      if (r < 0) return total || r;
      done += r;
      total += r;
      if (b.length < want) return total; // copy_from_user stopped at a fault: a short count
    }
  }
  return total;
}

/** do_readv's loop over decoded iovecs: stops at the first short read; a pipe sleeps only before any byte. */
function readIovecList(c: SyscallContext, fd: number, iovs: [number, number][]): number | "noreturn" {
  let total = 0;
  for (const [base, len] of iovs) {
    if (len === 0) continue;
    const n = doRead(c, fd, base, len, total === 0);
    if (n === "noreturn") return n;
    if (n < 0) return total || n;
    total += n;
    if (n < len) break;
  }
  return total;
}

/** ksys_pread64 / do_preadv: a negative offset is EINVAL before the fd is looked up; no FMODE_PREAD (not a file) is ESPIPE. */
function positionalFile(c: SyscallContext, fd: number, pos: number): OpenFile | number {
  if (pos < 0) return -EINVAL;
  const f = fileOf(c, fd);
  return !f ? -EBADF : f.kind !== "file" ? -ESPIPE : f;
}

/** vfs_readv at an explicit offset (the file position is untouched): a fault part-way returns the bytes copied so far. */
function preadIovecs(c: SyscallContext, data: Uint8Array, pos: number, iovs: [number, number][]): number {
  let total = 0;
  for (const [base, len] of iovs) {
    const part = data.subarray(pos + total, pos + total + len);
    if (part.length === 0) break;
    const r = copyOut(c, base, part);
    if (r < 0) return total || r;
    total += part.length;
    if (part.length < len) break;
  }
  return total;
}

/** O_CLOEXEC on open: FD_CLOEXEC on the new descriptor. */
function withCloexec(c: SyscallContext, fd: number, flags: number): number {
  if (fd >= 0 && flags & O_CLOEXEC) c.task.proc.fds.setCloexec(fd, true);
  return fd;
}

/** A memory character device (chardev.ts); O_CREAT and O_TRUNC are harmless on it. */
function openDevice(c: SyscallContext, dev: CharDev, flags: number): number {
  if (flags & 0o200000 /* O_DIRECTORY */) return -ENOTDIR;
  return withCloexec(c, c.task.proc.fds.install({ kind: "chr", path: dev.path, pos: 0, flags, dev }), flags);
}

/**
 * read(2) of a memory device: read_null's end of file, or read_iter_zero / get_random_bytes_user,
 * which fill the whole count (up to MAX_RW_COUNT) a page at a time and return what was copied
 * before a fault (-EFAULT if nothing).
 */
function readDevice(c: SyscallContext, dev: CharDev, buf: number, count: number): number {
  if (dev.read === "eof" || count === 0) return 0;
  if (!userRangeOk(buf, count)) return -EFAULT;
  const want = Math.min(count, MAX_RW_COUNT);
  const zeros = new Uint8Array(PAGE_SIZE);
  let done = 0;
  while (done < want) {
    const n = Math.min(want - done, PAGE_SIZE - ((buf + done) % PAGE_SIZE));
    const bytes = dev.read === "zero" ? zeros.subarray(0, n) : c.kernel.randomBytes(n);
    if (copyOut(c, buf + done, bytes) < 0) return done || -EFAULT;
    done += n;
  }
  return done;
}

/** What a path names for stat and access: a memory device, an allowed file, or -ENOENT. */
function pathTarget(c: SyscallContext, path: string): { kind: string; data?: Uint8Array; path: string; id?: string; dev?: CharDev } | number {
  const dev = charDevice(path);
  if (dev) return { kind: "chr", path: dev.path, dev };
  const f = c.kernel.lookupFile(path);
  return f ? { ...f, path } : -ENOENT;
}

/**
 * access/faccessat for uid 1000 (generic_permission): allowed files are read-only snapshots
 * (0444, directories 0555), the devices 0666; X_OK needs an execute bit.
 */
function accessPath(c: SyscallContext, path: string, mode: number): number {
  const t = pathTarget(c, path);
  if (typeof t === "number") return t;
  if (t.kind === "chr") return mode & 1 ? -EACCES : 0;
  return mode & 2 ? -EACCES : 0;
}

function openPath(c: SyscallContext, path: string, flags: number): number {
  const acc = flags & 3;
  const dev = charDevice(path);
  if (dev) return openDevice(c, dev, flags);
  const file = c.kernel.lookupFile(path);
  if (!file) return -ENOENT;
  if (acc !== 0 || flags & 0x40 /* O_CREAT */ || flags & 0x200 /* O_TRUNC */) return -EACCES;
  if (file.kind === "dir") {
    if (!(flags & 0o200000) && acc !== 0) return -EISDIR;
    return withCloexec(c, c.task.proc.fds.install({ kind: "dir", path, pos: 0, flags }), flags);
  }
  if (flags & 0o200000 /* O_DIRECTORY */) return -ENOTDIR;
  return withCloexec(c, c.task.proc.fds.install({ kind: "file", path, id: file.id, data: file.data, pos: 0, flags }), flags);
}

/** struct stat (x86-64) for an open file or an allowed path. */
function statBuf(c: SyscallContext, f: { kind: string; data?: Uint8Array; path: string; id?: string; dev?: CharDev }): Uint8Array {
  const b = new Uint8Array(144);
  const dv = new DataView(b.buffer);
  const std = f.kind === "stdin" || f.kind === "stdout" || f.kind === "stderr" ? streamStat(c.kernel, f.kind) : undefined;
  // an anon inode (eventfd, epoll) has no type bits; a guest pipe is pipefs's S_IFIFO 0600
  const mode = std ? std.mode : f.kind === "file" ? 0o100444 : f.kind === "dir" ? 0o40555 : f.kind === "eventfd" || f.kind === "timerfd" || f.kind === "signalfd" ? 0o600 : f.kind === "chr" ? 0o20666 : 0o10600;
  const size = std ? std.size : f.data?.length ?? 0;
  dv.setBigUint64(0, 0x2an, true); // st_dev
  dv.setBigUint64(8, BigInt(hashPath(f.id ?? f.path)), true); // st_ino: one per file identity (ld.so compares it to avoid loading a library twice)
  dv.setBigUint64(16, 1n, true); // st_nlink
  dv.setUint32(24, mode, true);
  const owner = f.kind === "chr" || std?.root ? 0 : 1000; // devtmpfs nodes belong to root
  dv.setUint32(28, owner, true);
  dv.setUint32(32, owner, true);
  if (f.dev) dv.setBigUint64(40, charDevRdev(f.dev), true); // st_rdev: makedev(1, minor)
  if (std) dv.setBigUint64(40, std.rdev, true);
  dv.setBigUint64(48, BigInt(size), true);
  dv.setBigUint64(56, 4096n, true);
  dv.setBigUint64(64, BigInt(Math.ceil(size / 512)), true);
  const t = BigInt(c.kernel.clock.epochSec);
  for (const off of [72, 88, 104]) dv.setBigUint64(off, t, true);
  return b;
}

function hashPath(p: string): number {
  let h = 2166136261;
  for (let i = 0; i < p.length; i++) h = Math.imul(h ^ p.charCodeAt(i), 16777619) >>> 0;
  return h;
}

// ---- memory ----

function doMmap(c: SyscallContext, a: number[]): number {
  const [addr, len, prot, flags, fd, off] = [a[0]!, a[1]!, int(a[2]!), int(a[3]!), int(a[4]!), a[5]!];
  if (len === 0) return -EINVAL;
  if (len < 0 || len > TASK_SIZE) return -ENOMEM; // get_unmapped_area: len > TASK_SIZE (a size_t of 2^63 and up arrives negative)
  if (off % PAGE_SIZE !== 0) return -EINVAL;
  const fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0;
  if (fixed && addr % PAGE_SIZE !== 0) return -EINVAL;
  const mm = c.cpu.mem;
  let file: MappedFile | undefined;
  if (!(flags & MAP_ANONYMOUS)) {
    const f = fileOf(c, fd);
    if (!f) return -EBADF;
    if (f.kind === "chr" && f.dev!.mmapAnon) return doMmap(c, [addr, len, prot, flags | MAP_ANONYMOUS, -1, off]); // mmap_zero: anonymous memory
    if (f.kind !== "file") return -ENODEV;
    if (flags & MAP_SHARED && prot & PROT_WRITE) return -EACCES; // opened read-only
    file = c.kernel.mappedFile(f.id ?? f.path, f.data!);
  }
  if (flags & MAP_GROWSDOWN && (file || flags & MAP_SHARED)) return -EINVAL; // do_mmap: only anonymous private mappings grow down
  const res = mm.map({
    addr: fixed ? addr : pageAlignUp(addr),
    length: len,
    prot: prot & (PROT_READ | PROT_WRITE | PROT_EXEC),
    fixed,
    noReplace: (flags & MAP_FIXED_NOREPLACE) !== 0,
    shared: (flags & MAP_SHARED) !== 0 && !!file,
    file,
    offset: off,
    growsDown: (flags & MAP_GROWSDOWN) !== 0,
  });
  if (res < 0) return res;
  if (file) {
    const vma = mm.findVma(res);
    if (vma) c.kernel.hooks.mmap?.(c.task.proc, vma);
  }
  return res;
}

function doBrk(c: SyscallContext, want: number): number {
  const mm = c.cpu.mem;
  const cur = mm.brkEnd;
  if (want <= mm.brkStart) return cur;
  const oldTop = pageAlignUp(cur);
  const newTop = pageAlignUp(want);
  if (newTop > oldTop) {
    if (!mm.isFree(oldTop, newTop)) return cur;
    mm.map({ addr: oldTop, length: newTop - oldTop, prot: PROT_READ | PROT_WRITE, fixed: true, name: "[heap]", special: "heap" });
  } else if (newTop < oldTop) mm.unmap(newTop, oldTop - newTop);
  mm.brkEnd = want;
  return want;
}

// ---- signals ----

function doSigaction(c: SyscallContext, a: number[]): number {
  const sig = int(a[0]!), act = a[1]!, oact = a[2]!;
  if (sig < 1 || sig > 64 || ((sig === SIGKILL || sig === SIGSTOP) && act)) return -EINVAL;
  const hand = c.task.proc.sighand;
  const old = hand[sig]!;
  if (oact) {
    const r = copyOut(c, oact, u64s(old.handler, old.flags, old.restorer, old.mask));
    if (r) return r;
  }
  if (act) {
    const raw = copyIn(c, act, 32);
    if (typeof raw === "number") return raw;
    const dv = new DataView(raw.buffer);
    const na: SigAction = {
      handler: Number(dv.getBigUint64(0, true)),
      flags: Number(dv.getBigUint64(8, true) & 0xffffffffn),
      restorer: Number(dv.getBigUint64(16, true)),
      mask: dv.getBigUint64(24, true) & ~(sigBit(SIGKILL) | sigBit(SIGSTOP)),
    };
    hand[sig] = na;
  }
  return 0;
}

function doSigprocmask(c: SyscallContext, a: number[]): number {
  const how = int(a[0]!), set = a[1]!, oset = a[2]!;
  const old = c.task.sigmask;
  if (set) {
    const raw = copyIn(c, set, 8);
    if (typeof raw === "number") return raw;
    const m = new DataView(raw.buffer).getBigUint64(0, true) & ~(sigBit(SIGKILL) | sigBit(SIGSTOP));
    if (how === 0) c.task.sigmask = old | m;
    else if (how === 1) c.task.sigmask = old & ~m;
    else if (how === 2) c.task.sigmask = m;
    else return -EINVAL;
  }
  if (oset) {
    const r = copyOut(c, oset, u64s(old));
    if (r) return r;
  }
  return 0;
}

/** pause, rt_sigsuspend: sleep until a signal is delivered (-EINTR; at once if one is pending and unblocked). */
function sleepForSignal(c: SyscallContext, kind: string): number | "noreturn" {
  // sys_pause, sigsuspend: -ERESTARTNOHAND (EINTR once a handler runs)
  if (c.kernel.dequeueSignal(c.task) !== undefined) return -ERESTARTNOHAND;
  c.kernel.sched.block(c.task, { kind, what: "a signal", eintr: -ERESTARTNOHAND });
  c.kernel.requestResched();
  return "noreturn";
}

const SYS_rt_sigtimedwait = 128;

/** rt_sigtimedwait(set, info, timeout, sigsetsize): (time32: an i386 old_timespec32 timeout) take a pending signal of set (normally blocked), or sleep until one comes. */
export function sysSigtimedwait(c: SyscallContext, a: number[], time32 = false): number | "noreturn" {
  if (a[3]! !== 8) return -EINVAL;
  const raw = copyIn(c, a[0]!, 8);
  if (typeof raw === "number") return raw;
  const set = new DataView(raw.buffer).getBigUint64(0, true) & ~(sigBit(SIGKILL) | sigBit(SIGSTOP));
  const got = c.kernel.dequeueSignal(c.task, set);
  if (got) {
    const info = got.list.splice(got.idx, 1)[0]!;
    rearmOnDequeue(c.kernel, c.task.proc, info.signo);
    if (a[1]) {
      const b = new Uint8Array(128);
      const dv = new DataView(b.buffer);
      dv.setInt32(0, info.signo, true);
      dv.setInt32(8, info.code, true);
      if (info.pid !== undefined) {
        dv.setInt32(16, info.pid, true);
        dv.setInt32(20, 1000, true);
      }
      const r = copyOut(c, a[1]!, b);
      if (r) return r;
    }
    return info.signo;
  }
  let deadlinePs: number | undefined;
  if (a[2]) {
    const t = copyIn(c, a[2]!, time32 ? 8 : 16);
    if (typeof t === "number") return t;
    const dv = new DataView(t.buffer);
    const sec = time32 ? dv.getInt32(0, true) : Number(dv.getBigInt64(0, true));
    const nsec = time32 ? dv.getInt32(4, true) : Number(dv.getBigInt64(8, true));
    if (sec < 0 || nsec < 0 || nsec >= 1e9) return -EINVAL;
    if (sec === 0 && nsec === 0) return -EAGAIN;
    deadlinePs = c.kernel.nowPs() + (sec * 1e9 + nsec) * 1000;
  }
  // woken by a signal of the set, the call runs again and takes it
  c.kernel.sched.block(c.task, { kind: "sigtimedwait", what: "a signal", sigset: set, deadlinePs, timeoutResult: -EAGAIN, eintr: -EINTR, restartNr: SYS_rt_sigtimedwait });
  c.kernel.requestResched();
  return "noreturn";
}

/**
 * rt_sigqueueinfo(tgid, sig, info) (sigqueue(3)): the caller's siginfo gives si_code and si_pid
 * (pidOff: 16 in the x86-64 layout, 12 in i386's); another process may not be sent a kernel code.
 */
export function sysSigqueueinfo(c: SyscallContext, a: number[], pidOff = 16): number {
  const tgid = int(a[0]!), sig = int(a[1]!);
  const raw = copyIn(c, a[2]!, 128);
  if (typeof raw === "number") return raw;
  const dv = new DataView(raw.buffer, raw.byteOffset, 128);
  const code = dv.getInt32(8, true);
  if ((code >= 0 || code === SI_TKILL) && tgid !== c.task.proc.pid) return -EPERM;
  if (sig < 0 || sig > 64) return -EINVAL;
  const p = c.kernel.findProcess(tgid);
  if (!p) return -ESRCH;
  if (sig === 0) return 0;
  return c.kernel.queueProcessSignal(p, { signo: sig, code, addr: 0, pid: dv.getInt32(pidOff, true), forced: false, ip: c.cpu.rip }) ? 0 : -EAGAIN;
}

/** kill(2): process-directed; pid 0 is the caller's process group, -1 every process but the caller, below -1 the group -pid (kill_something_info). */
function doKill(c: SyscallContext, pid: number, sig: number): number {
  if (sig < 0 || sig > 64) return -EINVAL;
  const k = c.kernel;
  const one = pid > 0 ? k.findProcess(pid) : undefined;
  const targets = pid > 0 ? (one ? [one] : []) : pid === -1 ? k.processes.filter((p) => !p.reaped && p !== c.task.proc) : groupMembers(k, pid === 0 ? c.task.proc.pgid : -pid);
  if (targets.length === 0) return -ESRCH;
  if (sig === 0) return 0;
  for (const p of targets) k.queueProcessSignal(p, { signo: sig, code: SI_USER, addr: 0, pid: c.task.proc.pid, forced: false, ip: c.cpu.rip });
  return 0;
}

/** tkill(tid, sig) and tgkill(tgid, tid, sig): thread-directed (pthread_kill, pthread_cancel's SIGCANCEL). */
function doTkill(c: SyscallContext, tgid: number | undefined, tid: number, sig: number): number {
  if (tid <= 0 || (tgid !== undefined && tgid <= 0)) return -EINVAL;
  if (sig < 0 || sig > 64) return -EINVAL;
  const t = c.kernel.findTask(tid);
  if (!t || (tgid !== undefined && t.proc.pid !== tgid)) return -ESRCH;
  if (sig === 0) return 0;
  const queued = c.kernel.queueSignal(t, { signo: sig, code: SI_TKILL, addr: 0, pid: c.task.proc.pid, forced: false, ip: c.cpu.rip });
  return queued ? 0 : -EAGAIN; // a real-time tkill past RLIMIT_SIGPENDING
}

const PR_SET_NAME = 15, PR_GET_NAME = 16;

/** prctl: the task's comm (pthread_setname_np writes /proc/self/task/TID/comm or calls PR_SET_NAME). */
function doPrctl(c: SyscallContext, option: number, arg: number): number {
  if (option === PR_SET_NAME) {
    const raw = copyInPrefix(c, arg, 16);
    if (raw.length === 0) return -EFAULT;
    const end = raw.indexOf(0);
    c.task.comm = dec.decode(raw.subarray(0, Math.min(end < 0 ? 15 : end, 15)));
    return 0;
  }
  if (option === PR_GET_NAME) {
    const b = new Uint8Array(16);
    b.set(enc.encode(c.task.comm).subarray(0, 15));
    return copyOut(c, arg, b);
  }
  return -EINVAL;
}

// ---- time ----

function timespec(sec: number, nsec: number): Uint8Array {
  return u64s(sec, nsec);
}

function clockNow(c: SyscallContext, clk: number): [number, number] {
  const ns = c.kernel.nowNs();
  const sec = Math.floor(ns / 1e9), nsec = ns - sec * 1e9;
  if (clk === 0 || clk === 5 || clk === 8 || clk === 11) return [c.kernel.clock.epochSec + sec, nsec]; // REALTIME, _COARSE, _ALARM, TAI
  return [sec, nsec];
}

/**
 * nanosleep / clock_nanosleep: the task sleeps on the virtual clock (TIMER_ABSTIME: req is a
 * deadline); rem: where the time left goes; time32: old_timespec32s (an i386 task's nanosleep).
 */
function doSleep(c: SyscallContext, req: number, flags: number, clk: number, rem: number, time32 = false): number | "noreturn" {
  const raw = copyIn(c, req, time32 ? 8 : 16);
  if (typeof raw === "number") return raw;
  const dv = new DataView(raw.buffer);
  const sec = time32 ? dv.getInt32(0, true) : Number(dv.getBigInt64(0, true));
  const nsec = time32 ? dv.getInt32(4, true) : Number(dv.getBigInt64(8, true));
  if (sec < 0 || nsec < 0 || nsec >= 1e9) return -EINVAL;
  const ps = (sec * 1e9 + nsec) * 1000;
  const k = c.kernel;
  const realtime = clk === 0 || clk === 5 || clk === 8 || clk === 11;
  const deadline = flags & 1 /* TIMER_ABSTIME */ ? ps - (realtime ? k.clock.epochSec * 1e12 : 0) : k.nowPs() + ps;
  return sleepUntil(c, deadline, `${sec}.${String(nsec).padStart(9, "0")}s`, (flags & 1) !== 0, rem, time32);
}

/**
 * do_nanosleep: sleep until deadline (ps). A signal interrupts a relative sleep with
 * -ERESTART_RESTARTBLOCK after writing the time left to rem (nanosleep_copyout), and an
 * absolute one with -ERESTARTNOHAND: a handler makes either EINTR; without one the sleep goes on
 * to the same deadline (hrtimer_nanosleep_restart).
 */
function sleepUntil(c: SyscallContext, deadline: number, what: string, abs: boolean, rem: number, time32: boolean): number | "noreturn" {
  const k = c.kernel;
  if (deadline <= k.nowPs()) return 0;
  const task = c.task, mem = c.cpu.mem;
  const onSignal = (): void => {
    const left = Math.max(0, Math.floor((deadline - k.nowPs()) / 1000));
    const sec = Math.floor(left / 1e9);
    try {
      if (rem && !abs) mem.writeBytes(rem, time32 ? new Uint8Array(new Int32Array([sec, left - sec * 1e9]).buffer) : timespec(sec, left - sec * 1e9));
    } catch {
      // a bad rem: the kernel's copyout fails and the call returns -EFAULT; the model keeps EINTR
    }
  };
  k.sched.block(task, {
    kind: "nanosleep", what, deadlinePs: deadline, timeoutResult: 0, onSignal,
    eintr: abs ? -ERESTARTNOHAND : -ERESTART_RESTARTBLOCK,
    restartBlock: abs ? undefined : (rc) => sleepUntil(rc, deadline, what, abs, rem, time32),
  });
  k.requestResched();
  return "noreturn";
}

// ---- the table ----

type Row = [number, string, SyscallHandler];

const rows: Row[] = [
  [0, "read", (c, a) => doRead(c, a[0]!, a[1]!, a[2]!)],
  [1, "write", (c, a) => {
    if (!userRangeOk(a[1]!, a[2]!)) return fileOf(c, a[0]!) ? -EFAULT : -EBADF; // vfs_write: access_ok
    const b = copyIn(c, a[1]!, Math.min(a[2]!, 1 << 24));
    return typeof b === "number" ? b : doWrite(c, a[0]!, b);
  }],
  [2, "open", (c, a) => {
    const p = cstr(c, a[0]!);
    return typeof p === "number" ? p : openPath(c, p, int(a[1]!));
  }],
  [3, "close", (c, a) => {
    const f = fileOf(c, a[0]!);
    if (!f || !c.task.proc.fds.close(int(a[0]!))) return -EBADF;
    if (f.kind === "pipe") wakePipeSleepers(c.kernel); // a reader may see end of file now
    return 0;
  }],
  [4, "stat", (c, a) => {
    const p = cstr(c, a[0]!);
    if (typeof p === "number") return p;
    const f = pathTarget(c, p);
    return typeof f === "number" ? f : copyOut(c, a[1]!, statBuf(c, f));
  }],
  [5, "fstat", (c, a) => {
    const f = fileOf(c, a[0]!);
    return f ? copyOut(c, a[1]!, statBuf(c, f)) : -EBADF;
  }],
  [6, "lstat", (c, a) => {
    const p = cstr(c, a[0]!);
    if (typeof p === "number") return p;
    const f = pathTarget(c, p);
    return typeof f === "number" ? f : copyOut(c, a[1]!, statBuf(c, f));
  }],
  [7, "poll", sysPoll],
  // readiness and epoll (poll.ts, epoll.ts)
  [23, "select", (c, a) => sysSelect(c, a)],
  [270, "pselect6", (c, a) => sysPselect6(c, a)],
  [271, "ppoll", (c, a) => sysPpoll(c, a)],
  [213, "epoll_create", (c, a) => ((a[0]! | 0) <= 0 ? -EINVAL : sysEpollCreate1(c, 0))],
  [291, "epoll_create1", (c, a) => sysEpollCreate1(c, a[0]! | 0)],
  [233, "epoll_ctl", sysEpollCtl],
  [232, "epoll_wait", (c, a) => sysEpollWait(c, a)],
  [281, "epoll_pwait", (c, a) => sysEpollWait(c, a, a[4] ? { addr: a[4]!, size: a[5]! } : undefined)],
  [8, "lseek", (c, a) => {
    const f = fileOf(c, a[0]!);
    if (!f) return -EBADF;
    if (f.kind === "chr" || (f.kind === "stdin" && hostStream(c.kernel, "stdin").type === "chr")) return 0; // null_lseek, full_lseek; noop_llseek's f_pos, which reads leave at 0
    if (f.kind !== "file") return -ESPIPE;
    const off = a[1]!, whence = int(a[2]!);
    const base = whence === 0 ? 0 : whence === 1 ? f.pos : whence === 2 ? f.data!.length : NaN;
    if (Number.isNaN(base) || base + off < 0) return -EINVAL;
    f.pos = base + off;
    return f.pos;
  }],
  [9, "mmap", doMmap],
  [10, "mprotect", (c, a) => {
    if (a[0]! % PAGE_SIZE) return -EINVAL;
    if (a[1]! === 0) return 0;
    if (a[1]! < 0 || a[0]! + a[1]! > TASK_SIZE) return -ENOMEM; // do_mprotect_pkey: end <= start
    return c.cpu.mem.protect(a[0]!, a[1]!, int(a[2]!) & 7);
  }],
  [11, "munmap", (c, a) => {
    // __vm_munmap: offset_in_page(start) || start > TASK_SIZE || len > TASK_SIZE - start
    if (a[0]! % PAGE_SIZE || a[0]! < 0 || a[1]! <= 0 || a[0]! > TASK_SIZE || a[1]! > TASK_SIZE - a[0]!) return -EINVAL;
    return c.cpu.mem.unmap(a[0]!, a[1]!);
  }],
  [12, "brk", (c, a) => doBrk(c, a[0]!)],
  [13, "rt_sigaction", doSigaction],
  [14, "rt_sigprocmask", doSigprocmask],
  [34, "pause", (c) => sleepForSignal(c, "pause")],
  [128, "rt_sigtimedwait", sysSigtimedwait],
  [127, "rt_sigpending", (c, a) => {
    // do_sigpending: the task's and its group's pending signals that it blocks
    if (a[1]! > 8) return -EINVAL;
    let set = 0n;
    for (const s of [...c.task.pending, ...c.task.proc.sharedPending]) set |= sigBit(s.signo);
    return copyOut(c, a[0]!, u64s(set & c.task.sigmask).subarray(0, a[1]!));
  }],
  [129, "rt_sigqueueinfo", (c, a) => sysSigqueueinfo(c, a)],
  [130, "rt_sigsuspend", (c, a) => {
    if (a[1]! !== 8) return -EINVAL;
    const raw = copyIn(c, a[0]!, 8);
    if (typeof raw === "number") return raw;
    c.task.savedSigmask = c.task.sigmask;
    c.task.sigmask = new DataView(raw.buffer).getBigUint64(0, true) & ~(sigBit(SIGKILL) | sigBit(SIGSTOP));
    return sleepForSignal(c, "sigsuspend");
  }],
  [15, "rt_sigreturn", (c) => {
    const mask = restoreRtFrame(c.cpu);
    if (mask === undefined) {
      c.kernel.forceSegv(c.task, c.cpu.rip);
      return "noreturn";
    }
    c.task.sigmask = mask & ~(sigBit(SIGKILL) | sigBit(SIGSTOP));
    return "noreturn";
  }],
  [16, "ioctl", (c, a) => {
    const f = fileOf(c, a[0]!);
    if (!f) return -EBADF;
    const fd = f.kind === "stdin" ? 0 : f.kind === "stdout" ? 1 : f.kind === "stderr" ? 2 : -1;
    if (fd < 0 || !c.kernel.io.isatty(fd)) return -ENOTTY;
    const req = a[1]! >>> 0;
    if (req === 0x5413) return copyOut(c, a[2]!, new Uint8Array([24, 0, 80, 0, 0, 0, 0, 0])); // TIOCGWINSZ: 24x80
    if (req === 0x5401) return copyOut(c, a[2]!, new Uint8Array(60)); // TCGETS
    return -ENOTTY;
  }],
  [17, "pread64", (c, a) => {
    const f = positionalFile(c, a[0]!, a[3]!);
    if (typeof f === "number") return f;
    const data = f.data!.subarray(a[3]!, a[3]! + a[2]!);
    const r = copyOut(c, a[1]!, data);
    return r < 0 ? r : data.length;
  }],
  [18, "pwrite64", (c, a) => { const f = positionalFile(c, a[0]!, a[3]!); return typeof f === "number" ? f : -EBADF; }], // files are read-only
  [295, "preadv", (c, a) => {
    const f = positionalFile(c, a[0]!, a[3]!); // pos_from_hilo: on x86-64 the low word is the whole offset
    if (typeof f === "number") return f;
    const iovs = readIovecs(c, a[1]!, int(a[2]!));
    return typeof iovs === "number" ? iovs : preadIovecs(c, f.data!, a[3]!, iovs);
  }],
  [296, "pwritev", (c, a) => { const f = positionalFile(c, a[0]!, a[3]!); return typeof f === "number" ? f : -EBADF; }],
  [19, "readv", (c, a) => {
    const iovs = readIovecs(c, a[1]!, int(a[2]!));
    return typeof iovs === "number" ? iovs : readIovecList(c, a[0]!, iovs);
  }],
  [20, "writev", (c, a) => doWritev(c, a[0]!, a[1]!, int(a[2]!))],
  [21, "access", (c, a) => {
    const p = cstr(c, a[0]!);
    if (typeof p === "number") return p;
    return accessPath(c, p, int(a[1]!));
  }],
  [24, "sched_yield", (c) => {
    c.task.quantumLeft = 0; // to the tail of the run queue
    c.kernel.requestResched();
    return 0;
  }],
  [25, "mremap", () => -ENOMEM],
  [28, "madvise", () => 0],
  [32, "dup", (c, a) => c.task.proc.fds.dup(int(a[0]!))],
  [33, "dup2", (c, a) => doDup3(c, a[0]!, a[1]!, false)],
  [22, "pipe", (c, a) => sysPipe2(c, a[0]!, 0)],
  [35, "nanosleep", (c, a) => doSleep(c, a[0]!, 0, 1, a[1]!)],
  [56, "clone", sysClone],
  [57, "fork", (c) => sysFork(c, false)],
  [58, "vfork", (c) => sysFork(c, true)],
  [59, "execve", sysExecve],
  [36, "getitimer", (c, a) => sysGetitimer(c, a)],
  [37, "alarm", sysAlarm],
  [38, "setitimer", (c, a) => sysSetitimer(c, a)],
  [39, "getpid", (c) => c.task.proc.pid],
  [60, "exit", (c, a) => {
    c.kernel.exitTask(c.task, int(a[0]!) & 0xff);
    return "noreturn";
  }],
  [61, "wait4", sysWait4],
  [62, "kill", (c, a) => doKill(c, int(a[0]!), int(a[1]!))],
  [63, "uname", (c, a) => {
    const b = new Uint8Array(65 * 6);
    const fields = ["Linux", "uprobe-lab", c.kernel.release, "#1 SMP PREEMPT_DYNAMIC", "x86_64", "(none)"];
    fields.forEach((s, i) => b.set(enc.encode(s).subarray(0, 64), i * 65));
    return copyOut(c, a[0]!, b);
  }],
  [72, "fcntl", (c, a) => {
    const f = fileOf(c, a[0]!);
    if (!f) return -EBADF;
    const cmd = int(a[1]!);
    const fds = c.task.proc.fds;
    if (cmd === 0 || cmd === 1030) {
      if (a[2]! >= FD_LIMIT || a[2]! < 0) return -EINVAL; // F_DUPFD(_CLOEXEC): f_dupfd's RLIMIT_NOFILE check
      const nfd = fds.install(f, a[2]!);
      if (nfd >= 0 && cmd === 1030) fds.setCloexec(nfd, true);
      return nfd;
    }
    if (cmd === 1) return fds.isCloexec(int(a[0]!)) ? 1 : 0; // F_GETFD
    if (cmd === 2) {
      fds.setCloexec(int(a[0]!), (a[2]! & 1) !== 0); // F_SETFD
      return 0;
    }
    if (cmd === 3) return f.flags; // F_GETFL
    if (cmd === 4) {
      // F_SETFL (fs/fcntl.c setfl): only SETFL_MASK's status flags change, on the open file
      // description, so every descriptor sharing it (dup, fork) sees them
      f.flags = (f.flags & ~SETFL_MASK) | (int(a[2]!) & SETFL_MASK);
      return 0;
    }
    return 0;
  }],
  [79, "getcwd", (c, a) => {
    if (a[1]! < 2) return -ERANGE;
    const r = copyOut(c, a[0]!, enc.encode("/\0"));
    return r < 0 ? r : 2;
  }],
  [89, "readlink", (c, a) => {
    const p = cstr(c, a[0]!);
    if (typeof p === "number") return p;
    if (p !== "/proc/self/exe") return -ENOENT;
    // the executable's path in the guest's view (Linux.exePath: absolute, as glibc asserts), never the host's
    const exe = enc.encode(c.kernel.exePath);
    const n = Math.min(exe.length, a[2]!);
    const r = copyOut(c, a[1]!, exe.subarray(0, n));
    return r < 0 ? r : n;
  }],
  [96, "gettimeofday", (c, a) => {
    if (!a[0]) return 0;
    const [sec, nsec] = clockNow(c, 0);
    return copyOut(c, a[0]!, u64s(sec, Math.floor(nsec / 1000)));
  }],
  [97, "getrlimit", (c, a) => copyOut(c, a[1]!, rlimit(c, int(a[0]!)))],
  [98, "getrusage", (c, a) => copyOut(c, a[1]!, new Uint8Array(144))],
  [99, "sysinfo", (c, a) => {
    // struct sysinfo: uptime from the virtual clock, the memory cap as total RAM, one process, mem_unit 1
    const b = new Uint8Array(112);
    const dv = new DataView(b.buffer);
    dv.setBigInt64(0, BigInt(Math.floor(c.kernel.nowNs() / 1e9)), true);
    dv.setBigUint64(32, BigInt(c.kernel.maxMemory), true); // totalram
    dv.setBigUint64(40, BigInt(Math.max(0, c.kernel.maxMemory - c.cpu.mem.residentBytes)), true); // freeram
    dv.setUint16(80, 1, true); // procs
    dv.setUint32(104, 1, true); // mem_unit
    return copyOut(c, a[0]!, b);
  }],
  [100, "times", (c, a) => {
    // struct tms in clock ticks (USER_HZ 100): all of the guest's time is user time
    const ticks = Math.floor(c.kernel.nowNs() / 1e7);
    if (a[0]) {
      const r = copyOut(c, a[0]!, u64s(ticks, 0, 0, 0));
      if (r) return r;
    }
    return ticks;
  }],
  [102, "getuid", () => 1000],
  [104, "getgid", () => 1000],
  [107, "geteuid", () => 1000],
  [108, "getegid", () => 1000],
  [110, "getppid", (c) => c.task.proc.parent?.pid ?? 1],
  [109, "setpgid", sysSetpgid],
  [111, "getpgrp", (c) => c.task.proc.pgid],
  [112, "setsid", sysSetsid],
  [121, "getpgid", sysGetpgid],
  [124, "getsid", sysGetsid],
  [157, "prctl", (c, a) => doPrctl(c, int(a[0]!), a[1]!)],
  [131, "sigaltstack", (c, a) => {
    const ss = a[0]!, oss = a[1]!;
    if (oss) {
      const cur = c.task.altStack;
      const b = new Uint8Array(24);
      const dv = new DataView(b.buffer);
      dv.setBigUint64(0, BigInt(cur?.sp ?? 0), true);
      dv.setInt32(8, cur ? cur.flags : 2, true);
      dv.setBigUint64(16, BigInt(cur?.size ?? 0), true);
      const r = copyOut(c, oss, b);
      if (r) return r;
    }
    if (ss) {
      const raw = copyIn(c, ss, 24);
      if (typeof raw === "number") return raw;
      const dv = new DataView(raw.buffer);
      const flags = dv.getInt32(8, true);
      c.task.altStack = flags & 2 ? undefined : { sp: Number(dv.getBigUint64(0, true)), flags, size: Number(dv.getBigUint64(16, true)) };
    }
    return 0;
  }],
  [158, "arch_prctl", (c, a) => {
    const code = int(a[0]!);
    switch (code) {
      case 0x1001: c.cpu.gsBase = a[1]!; return 0;
      case 0x1002: c.cpu.fsBase = a[1]!; return 0;
      case 0x1003: return copyOut(c, a[1]!, u64s(c.cpu.fsBase));
      case 0x1004: return copyOut(c, a[1]!, u64s(c.cpu.gsBase));
      default: return -EINVAL;
    }
  }],
  [186, "gettid", (c) => c.task.tid],
  [200, "tkill", (c, a) => doTkill(c, undefined, int(a[0]!), int(a[1]!))],
  [201, "time", (c, a) => {
    const [sec] = clockNow(c, 0);
    if (a[0]) {
      const r = copyOut(c, a[0]!, u64s(sec));
      if (r) return r;
    }
    return sec;
  }],
  [202, "futex", sysFutex],
  [203, "sched_setaffinity", (c, a) => {
    const t = int(a[0]!) === 0 ? c.task : c.kernel.findTask(int(a[0]!));
    if (!t) return -ESRCH;
    const raw = copyIn(c, a[2]!, Math.min(Math.max(a[1]!, 0), 8));
    if (typeof raw === "number") return raw;
    let m = 0n;
    raw.forEach((b, i) => (m |= BigInt(b) << BigInt(8 * i)));
    m &= (1n << BigInt(c.kernel.sched.cpus)) - 1n;
    if (m === 0n) return -EINVAL;
    t.affinity = m;
    // __set_cpus_allowed_ptr: a task on a CPU it may no longer use moves at once (its quantum ends)
    if (!((m >> BigInt(t.cpu)) & 1n)) {
      t.quantumLeft = 0;
      if (t === c.task) c.kernel.requestResched();
    }
    return 0;
  }],
  [204, "sched_getaffinity", (c, a) => {
    // the virtual CPUs (--cpus); cpumask_size() is one long
    if (a[1]! * 8 < c.kernel.sched.cpus || a[1]! % 8) return -EINVAL;
    const t = int(a[0]!) === 0 ? c.task : c.kernel.findTask(int(a[0]!));
    if (!t) return -ESRCH;
    const all = (1n << BigInt(c.kernel.sched.cpus)) - 1n;
    const r = copyOut(c, a[2]!, u64s(t.affinity || all));
    return r < 0 ? r : 8;
  }],
  [217, "getdents64", () => 0],
  [218, "set_tid_address", (c, a) => {
    c.task.clearChildTid = a[0]!;
    return c.task.tid;
  }],
  [SYS_restart_syscall, "restart_syscall", sysRestartSyscall],
  [228, "clock_gettime", (c, a) => {
    const clk = int(a[0]!);
    if (clk < 0 || clk > 11) return -EINVAL;
    const [sec, nsec] = clockNow(c, clk);
    return copyOut(c, a[1]!, timespec(sec, nsec));
  }],
  [229, "clock_getres", (c, a) => (a[1] ? copyOut(c, a[1]!, timespec(0, 1)) : 0)],
  [230, "clock_nanosleep", (c, a) => {
    const clk = int(a[0]!);
    if (clk < 0 || clk > 11 || clk === 2 || clk === 3) return -EINVAL; // the CPU-time clocks are not sleepable here
    return doSleep(c, a[2]!, int(a[1]!), clk, a[3]!);
  }],
  [231, "exit_group", (c, a) => {
    c.kernel.exitGroup(c.task.proc, int(a[0]!) & 0xff);
    return "noreturn";
  }],
  [234, "tgkill", (c, a) => doTkill(c, int(a[0]!), int(a[1]!), int(a[2]!))],
  [247, "waitid", sysWaitid],
  [257, "openat", (c, a) => {
    const p = cstr(c, a[1]!);
    return typeof p === "number" ? p : openPath(c, p, int(a[2]!));
  }],
  [262, "newfstatat", (c, a) => {
    const p = cstr(c, a[1]!);
    if (typeof p === "number") return p;
    if (p === "" && int(a[3]!) & 0x1000) {
      const f = fileOf(c, a[0]!);
      return f ? copyOut(c, a[2]!, statBuf(c, f)) : -EBADF;
    }
    const f = pathTarget(c, p);
    return typeof f === "number" ? f : copyOut(c, a[2]!, statBuf(c, f));
  }],
  [269, "faccessat", (c, a) => {
    const p = cstr(c, a[1]!);
    if (typeof p === "number") return p;
    return accessPath(c, p, int(a[2]!));
  }],
  [273, "set_robust_list", (c, a) => {
    if (a[1]! !== 24) return -EINVAL; // sizeof(struct robust_list_head)
    c.task.robustList = a[0]!;
    return 0;
  }],
  [274, "get_robust_list", (c, a) => {
    const t = int(a[0]!) === 0 ? c.task : c.kernel.findTask(int(a[0]!));
    if (!t) return -ESRCH;
    const r = copyOut(c, a[1]!, u64s(t.robustList));
    return r < 0 ? r : copyOut(c, a[2]!, u64s(24));
  }],
  [293, "pipe2", (c, a) => sysPipe2(c, a[0]!, int(a[1]!))],
  [284, "eventfd", (c, a) => sysEventfd2(c, a[0]!, 0)],
  [290, "eventfd2", (c, a) => sysEventfd2(c, a[0]!, int(a[1]!))],
  [283, "timerfd_create", sysTimerfdCreate],
  [282, "signalfd", (c, a) => sysSignalfd4(c, a, 0)],
  [289, "signalfd4", (c, a) => sysSignalfd4(c, a, int(a[3]!))],
  [286, "timerfd_settime", (c, a) => sysTimerfdSettime(c, a)],
  [287, "timerfd_gettime", (c, a) => sysTimerfdGettime(c, a)],
  [292, "dup3", (c, a) => doDup3(c, a[0]!, a[1]!, true, int(a[2]!))],
  [160, "setrlimit", (c, a) => setRlimit(c, int(a[0]!), a[1]!)],
  [302, "prlimit64", (c, a) => {
    if (int(a[0]!) !== 0 && int(a[0]!) !== c.task.proc.pid) return -ESRCH;
    const old = rlimit(c, int(a[1]!));
    if (a[2]) {
      const r = setRlimit(c, int(a[1]!), a[2]!);
      if (r) return r;
    }
    return a[3] ? copyOut(c, a[3]!, old) : 0;
  }],
  [309, "getcpu", (c, a) => {
    // the task's virtual CPU, node 0 (glibc's sched_getcpu falls back to this without rseq)
    const vals = [c.task.cpu, 0];
    for (let i = 0; i < 2; i++) {
      const p = [a[0]!, a[1]!][i]!;
      if (!p) continue;
      const r = copyOut(c, p, new Uint8Array(new Uint32Array([vals[i]!]).buffer));
      if (r) return r;
    }
    return 0;
  }],
  [318, "getrandom", (c, a) => {
    if (a[2]! & ~7) return -EINVAL; // GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE
    // import_ubuf: a size_t length is clamped to MAX_RW_COUNT, then access_ok; at most 64 KiB per call
    // here (a short count, as a signal would make); a fault part-way returns what was copied
    const len = a[1]! < 0 ? MAX_RW_COUNT : Math.min(a[1]!, MAX_RW_COUNT);
    if (!userRangeOk(a[0]!, len)) return -EFAULT;
    const want = Math.min(len, 1 << 16);
    let done = 0;
    while (done < want) {
      const n = Math.min(want - done, PAGE_SIZE - ((a[0]! + done) % PAGE_SIZE));
      if (copyOut(c, a[0]! + done, c.kernel.randomBytes(n)) < 0) return done || -EFAULT;
      done += n;
    }
    return done;
  }],
  [334, "rseq", () => -ENOSYS],
  [322, "execveat", sysExecveat],
  [435, "clone3", sysClone3],
];

const RLIMIT_STACK = 3, RLIMIT_NOFILE = 7, RLIMIT_SIGPENDING = 11;

/**
 * RLIMIT_STACK is the address space's (8 MiB by default, hard unlimited), RLIMIT_NOFILE the
 * descriptor table's 1024, RLIMIT_SIGPENDING what queueSignal enforces; everything else unlimited.
 */
function rlimit(c: SyscallContext, res: number): Uint8Array {
  if (res === RLIMIT_STACK) return u64s(c.cpu.mem.stackLimit, -1);
  if (res === RLIMIT_NOFILE) return u64s(FD_LIMIT, FD_LIMIT);
  if (res === RLIMIT_SIGPENDING) return u64s(c.kernel.sigPendingLimit, c.kernel.sigPendingLimit);
  return u64s(-1, -1);
}

/**
 * setrlimit: RLIMIT_STACK's soft limit bounds later stack growth (the hard one stays unlimited);
 * RLIMIT_NOFILE may not rise above the table's 1024 (EPERM, as past the hard limit); other
 * resources are accepted and not enforced.
 */
function setRlimit(c: SyscallContext, res: number, ptr: number): number {
  const raw = copyIn(c, ptr, 16);
  if (typeof raw === "number") return raw;
  const dv = new DataView(raw.buffer);
  const cur = dv.getBigUint64(0, true), max = dv.getBigUint64(8, true);
  if (res < 0 || res > 15 || cur > max) return -EINVAL;
  if (res === RLIMIT_NOFILE && max > BigInt(FD_LIMIT)) return -EPERM;
  if (res === RLIMIT_STACK) c.cpu.mem.stackLimit = cur >= 1n << 62n ? Number.MAX_SAFE_INTEGER : Number(cur);
  return 0;
}

/**
 * dup2/dup3 (ksys_dup3): both descriptors are unsigned int, so the kernel takes the low 32 bits of
 * the registers (dup2(1, 2^40) is dup2(1, 0) on Linux too); a newfd at or past RLIMIT_NOFILE is EBADF.
 * The file newfd held is closed as by close(2), so replacing a pipe's last writer wakes its readers.
 */
function doDup3(c: SyscallContext, oldArg: number, newArg: number, dup3: boolean, flags = 0): number {
  if (dup3 && flags & ~O_CLOEXEC) return -EINVAL;
  const oldfd = oldArg % 4294967296 >>> 0, newfd = newArg % 4294967296 >>> 0;
  if (dup3 && oldfd === newfd) return -EINVAL;
  if (newfd >= FD_LIMIT || !fileOf(c, oldfd)) return -EBADF;
  if (oldfd === newfd) return newfd;
  const replaced = c.task.proc.fds.get(newfd);
  const r = c.task.proc.fds.dup(oldfd, newfd);
  if (r >= 0 && dup3 && flags & O_CLOEXEC) c.task.proc.fds.setCloexec(r, true);
  // do_dup2 closes the file newfd held (filp_close): a pipe end's last close wakes its sleepers (pipe_release)
  if (r >= 0 && replaced?.kind === "pipe") wakePipeSleepers(c.kernel);
  return r;
}

const SYSCALLS = new Map<number, { name: string; handler: SyscallHandler }>(rows.map(([nr, name, handler]) => [nr, { name, handler }]));

/** The handlers indexed by number (the dispatch of every syscall: no Map lookup). */
export const SYSCALL_HANDLERS: (SyscallHandler | undefined)[] = [];
for (const [nr, , handler] of rows) SYSCALL_HANDLERS[nr] = handler;
for (let nr = 0; nr < SYSCALL_HANDLERS.length; nr++) SYSCALL_HANDLERS[nr] ??= undefined; // packed, not holey

export function syscallName(nr: number): string {
  return SYSCALLS.get(nr)?.name ?? (nr === SYS_uretprobe ? "uretprobe" : nr === SYS_uprobe ? "uprobe" : `syscall_${nr}`);
}


// the helpers the i386 table (syscalls-i386.ts) shares, for its compat layouts
export { clockNow, copyIn, doSleep, copyOut, cstr, doMmap, fileOf, pathTarget, positionalFile, preadIovecs, readIovecList, rlimit, statBuf, writeIovecList };
