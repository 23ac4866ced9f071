// The i386 system-call table (ia32_sys_call_table): what `int $0x80` reaches,
// from a 32-bit (compat) task or from 64-bit code (entry_INT80_compat ->
// do_int80_emulation). Number in eax, arguments in ebx ecx edx esi edi ebp,
// the result in eax. The __ia32_sys_* wrappers take each argument from the
// low 32 bits of its register, so a 64-bit pointer loses its upper half there
// (a stack buffer above 4 GiB gives EFAULT, as on Linux); r8-r11 are
// preserved (since 4.17).
//
// A row either names the x86-64 handler whose argument and structure layout
// is the same for a 32-bit caller (timespec64, rlimit64, statx, termios ...),
// or has its own compat handler (compat_sys_*: 4-byte longs and pointers,
// old 32-bit time_t, stat64, mmap2's page offset, _llseek's split offset).
// Unknown numbers are -ENOSYS. These are the calls glibc 2.36 makes for the
// C runtime, stdio, malloc, time and signals.

import { sysGetitimer, sysSetitimer } from "./itimer.js";
import { sysPpoll, sysPselect6, sysSelect } from "./poll.js";
import { EBADF, EINVAL, ENOMEM } from "../errno.js";
import { sysTimerfdGettime, sysTimerfdSettime } from "./timerfd.js";
import { PAGE_SIZE } from "../mm/page.js";
import { setThreadArea, getThreadArea } from "./tls-i386.js";
import { compatClone, compatClone3, compatGetRobustList, compatSetRobustList, compatWait4, compatWaitid } from "./clone-i386.js";
import { siginfoToCompat } from "./siginfo-i386.js";
import { sysFutex } from "./futex.js";
import { compatSigaction, compatSigreturn, compatRtSigreturn } from "./signal-frame-i386.js";
import {
  clockNow, copyIn, sysSigqueueinfo, doSleep, copyOut, cstr, doMmap, fileOf, pathTarget, positionalFile, preadIovecs, readIovecList, rlimit, statBuf, SYSCALL_HANDLERS, sysSigtimedwait, writeIovecList,
  type SyscallContext, type SyscallHandler,
} from "./syscalls.js";

const int = (v: number): number => v | 0;

function u32s(...vals: number[]): Uint8Array {
  const b = new Uint8Array(vals.length * 4);
  const dv = new DataView(b.buffer);
  vals.forEach((v, i) => dv.setUint32(i * 4, v >>> 0, true));
  return b;
}

/** The x86-64 struct stat of a path or a descriptor (statBuf), or a negative errno. */
function stat64Of(c: SyscallContext, a: { fd?: number; path?: number; emptyOk?: boolean }): DataView | number {
  let f: Parameters<typeof statBuf>[1] | undefined;
  if (a.path !== undefined) {
    const p = cstr(c, a.path);
    if (typeof p === "number") return p;
    if (p === "" && a.emptyOk) f = fileOf(c, a.fd!);
    else {
      const g = pathTarget(c, p);
      if (typeof g === "number") return g;
      f = g;
    }
    if (!f) return -EBADF;
  } else {
    f = fileOf(c, a.fd!);
    if (!f) return -EBADF;
  }
  const b = statBuf(c, f);
  return new DataView(b.buffer);
}

/** struct stat64 of the i386 ABI (96 bytes: 32-bit __st_ino, the 64-bit st_ino at the end). */
function toStat64(s: DataView): Uint8Array {
  const b = new Uint8Array(96);
  const dv = new DataView(b.buffer);
  const ino = s.getBigUint64(8, true);
  dv.setBigUint64(0, s.getBigUint64(0, true), true); // st_dev
  dv.setUint32(12, Number(ino & 0xffffffffn), true); // __st_ino
  dv.setUint32(16, s.getUint32(24, true), true); // st_mode
  dv.setUint32(20, Number(s.getBigUint64(16, true)), true); // st_nlink
  dv.setUint32(24, s.getUint32(28, true), true);
  dv.setUint32(28, s.getUint32(32, true), true);
  dv.setBigUint64(32, s.getBigUint64(40, true), true); // st_rdev
  dv.setBigInt64(44, s.getBigInt64(48, true), true); // st_size
  dv.setUint32(52, Number(s.getBigUint64(56, true)), true); // st_blksize
  dv.setBigUint64(56, s.getBigUint64(64, true), true); // st_blocks
  for (let i = 0; i < 3; i++) dv.setUint32(64 + i * 8, Number(s.getBigUint64(72 + i * 16, true)), true); // a/m/ctime
  dv.setBigUint64(88, ino, true);
  return b;
}

/** struct statx (the same for every ABI), from the x86-64 struct stat. STATX_BASIC_STATS are filled. */
function toStatx(s: DataView): Uint8Array {
  const b = new Uint8Array(256);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, 0x7ff, true); // stx_mask: STATX_BASIC_STATS
  dv.setUint32(4, Number(s.getBigUint64(56, true)), true); // stx_blksize
  dv.setUint32(16, Number(s.getBigUint64(16, true)), true); // stx_nlink
  dv.setUint32(20, s.getUint32(28, true), true);
  dv.setUint32(24, s.getUint32(32, true), true);
  dv.setUint16(28, s.getUint32(24, true), true); // stx_mode
  dv.setBigUint64(32, s.getBigUint64(8, true), true); // stx_ino
  dv.setBigUint64(40, s.getBigUint64(48, true), true); // stx_size
  dv.setBigUint64(48, s.getBigUint64(64, true), true); // stx_blocks
  const t = s.getBigUint64(72, true);
  for (const off of [64, 96, 112]) dv.setBigInt64(off, t, true); // atime, ctime, mtime (no btime in the mask)
  const rdev = Number(s.getBigUint64(40, true));
  dv.setUint32(128, rdev >>> 8, true); // stx_rdev_major (a character device's, /dev/null 1:3)
  dv.setUint32(132, rdev & 0xff, true);
  const dev = Number(s.getBigUint64(0, true));
  dv.setUint32(136, dev >>> 8, true); // stx_dev_major
  dv.setUint32(140, dev & 0xff, true);
  return b;
}

function statOut(c: SyscallContext, st: DataView | number, buf: number, as: (s: DataView) => Uint8Array): number {
  return typeof st === "number" ? st : copyOut(c, buf, as(st));
}

const AT_EMPTY_PATH = 0x1000;

/** The compat iovec array: { u32 base, u32 len } each. */
/** ia32_pread64, compat_sys_preadv: a 64-bit offset split in two registers, low word first (negative when the high word is). */
const splitPos = (lo: number, hi: number): number => int(hi) * 4294967296 + (lo >>> 0);

/** compat_sys_preadv / pwritev: 8-byte iovecs, the offset split; pwritev only checks (the files are read-only). */
function compatPreadv(c: SyscallContext, a: number[], write: boolean): number {
  const pos = splitPos(a[3]!, a[4]!);
  const f = positionalFile(c, a[0]!, pos);
  if (typeof f === "number" || write) return typeof f === "number" ? f : -EBADF;
  const iovs = compatIovecs(c, a[1]!, int(a[2]!));
  return typeof iovs === "number" ? iovs : preadIovecs(c, f.data!, pos, iovs);
}

function compatIovecs(c: SyscallContext, iov: number, cnt: number): [number, number][] | number {
  if (cnt < 0 || cnt > 1024) return -EINVAL;
  const raw = copyIn(c, iov, cnt * 8);
  if (typeof raw === "number") return raw;
  const dv = new DataView(raw.buffer, raw.byteOffset);
  const out: [number, number][] = [];
  for (let i = 0; i < cnt; i++) out.push([dv.getUint32(i * 8, true), dv.getUint32(i * 8 + 4, true)]);
  return out;
}

function compatWritev(c: SyscallContext, a: number[]): number | "noreturn" {
  if (!fileOf(c, a[0]!)) return -EBADF;
  const iovs = compatIovecs(c, a[1]!, int(a[2]!));
  return typeof iovs === "number" ? iovs : writeIovecList(c, a[0]!, iovs);
}

function compatReadv(c: SyscallContext, a: number[]): number | "noreturn" {
  const iovs = compatIovecs(c, a[1]!, int(a[2]!));
  return typeof iovs === "number" ? iovs : readIovecList(c, a[0]!, iovs);
}

/** lseek / _llseek: the x86-64 lseek with the offset as a number (compat_sys_lseek sign-extends its 32-bit off_t). */
function seek(c: SyscallContext, fd: number, off: number, whence: number): number {
  return (SYSCALL_HANDLERS[8] as SyscallHandler)(c, [fd, off, whence]) as number;
}

/** compat_sys_getrlimit: the 64-bit limits clamped to COMPAT_RLIM_INFINITY (0xffffffff). */
function compatRlimit(c: SyscallContext, res: number, ptr: number): number {
  const dv = new DataView(rlimit(c, res).buffer);
  const clamp = (v: bigint): number => (v > 0xffffffffn ? 0xffffffff : Number(v));
  return copyOut(c, ptr, u32s(clamp(dv.getBigUint64(0, true)), clamp(dv.getBigUint64(8, true))));
}

/** old_timespec32 / old_timeval32 from clockNow. */
function timeOut(c: SyscallContext, ptr: number, clk: number, usec: boolean): number {
  const [sec, nsec] = clockNow(c, clk);
  return copyOut(c, ptr, u32s(sec, usec ? Math.floor(nsec / 1000) : nsec));
}

/** TASK_SIZE of a compat task (IA32_PAGE_OFFSET): a fixed mapping past it is ENOMEM, a hint past it is ignored. */
const IA32_TASK_SIZE = 0xffffe000;
const MAP_FIXED_ANY = 0x10 | 0x100000; // MAP_FIXED | MAP_FIXED_NOREPLACE

/** mmap for the i386 table: args as doMmap's, the offset in bytes; a 32-bit task's mappings stay below 4 GiB. */
function mmap32(c: SyscallContext, args: number[]): number {
  const [addr, len, , flags] = args as [number, number, number, number];
  if (c.cpu.bitness === 32 && addr + len > IA32_TASK_SIZE) {
    if (flags & MAP_FIXED_ANY) return -ENOMEM;
    args[0] = 0;
  }
  return doMmap(c, args);
}

/** rt_sigtimedwait(_time64): the x86-64 call, its siginfo rewritten in the compat layout. */
function compatSigtimedwait(c: SyscallContext, a: number[], time32: boolean): number | "noreturn" {
  const r = sysSigtimedwait(c, a, time32);
  if (typeof r !== "number" || r <= 0 || !a[1]) return r;
  return siginfoToCompat(c, a[1]!) || r;
}

type Row = [number, string, number | SyscallHandler];

/** [i386 number, name, the x86-64 number whose handler serves it, or a compat handler]. */
const ROWS: Row[] = [
  [0, "restart_syscall", 219],
  [1, "exit", 60],
  [2, "fork", 57],
  [3, "read", 0],
  [4, "write", 1],
  [5, "open", 2],
  [6, "close", 3],
  [7, "waitpid", (c, a) => compatWait4(c, [a[0]!, a[1]!, a[2]!, 0])],
  [11, "execve", 59], // exec.ts reads a compat task's argv and envp as 4-byte pointers
  [13, "time", (c, a) => {
    const [sec] = clockNow(c, 0);
    if (a[0]) {
      const r = copyOut(c, a[0]!, u32s(sec));
      if (r) return r;
    }
    return sec;
  }],
  [19, "lseek", (c, a) => seek(c, a[0]!, int(a[1]!), int(a[2]!))],
  [20, "getpid", 39],
  [24, "getuid", 102], // the 16-bit getuid: uid 1000 fits
  [27, "alarm", 37],
  [29, "pause", 34],
  [33, "access", 21],
  [37, "kill", 62],
  [41, "dup", 32],
  [42, "pipe", 22],
  [43, "times", (c, a) => {
    const ticks = Math.floor(c.kernel.nowNs() / 1e7);
    if (a[0]) {
      const r = copyOut(c, a[0]!, u32s(ticks, 0, 0, 0));
      if (r) return r;
    }
    return ticks;
  }],
  [45, "brk", 12],
  [47, "getgid", 104],
  [49, "geteuid", 107],
  [50, "getegid", 108],
  [54, "ioctl", 16], // TCGETS and TIOCGWINSZ have no pointers or longs
  [55, "fcntl", 72],
  [63, "dup2", 33],
  [57, "setpgid", 109],
  [64, "getppid", 110],
  [65, "getpgrp", 111],
  [66, "setsid", 112],
  [132, "getpgid", 121],
  [147, "getsid", 124],
  [75, "setrlimit", () => 0],
  [78, "gettimeofday", (c, a) => (a[0] ? timeOut(c, a[0]!, 0, true) : 0)],
  [85, "readlink", 89],
  [104, "setitimer", (c, a) => sysSetitimer(c, a, true)],
  [105, "getitimer", (c, a) => sysGetitimer(c, a, true)],
  [90, "mmap", (c, a) => {
    // old_mmap: one pointer to six 32-bit arguments, the offset in bytes
    const raw = copyIn(c, a[0]!, 24);
    if (typeof raw === "number") return raw;
    const dv = new DataView(raw.buffer, raw.byteOffset);
    const args = [0, 1, 2, 3, 4, 5].map((i) => dv.getUint32(i * 4, true));
    if (args[5]! % PAGE_SIZE) return -EINVAL;
    return mmap32(c, args);
  }],
  [91, "munmap", 11],
  [114, "wait4", compatWait4],
  [116, "sysinfo", (c, a) => {
    // struct compat_sysinfo: 32-bit longs; the x86-64 row's values (the memory cap fits, mem_unit 1)
    const b = new Uint8Array(64);
    const dv = new DataView(b.buffer);
    dv.setInt32(0, Math.floor(c.kernel.nowNs() / 1e9), true);
    dv.setUint32(16, c.kernel.maxMemory >>> 0, true);
    dv.setUint32(20, Math.max(0, c.kernel.maxMemory - c.cpu.mem.residentBytes) >>> 0, true);
    dv.setUint16(40, 1, true);
    dv.setUint32(52, 1, true);
    return copyOut(c, a[0]!, b);
  }],
  [119, "sigreturn", compatSigreturn],
  [120, "clone", compatClone],
  [122, "uname", 63], // "x86_64": a compat task reports the kernel's machine unless under linux32
  [125, "mprotect", 10],
  [140, "_llseek", (c, a) => {
    const off = int(a[1]!) * 4294967296 + (a[2]! >>> 0);
    const r = seek(c, a[0]!, off, int(a[4]!));
    if (r < 0) return r;
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, BigInt(r), true);
    return copyOut(c, a[3]!, b);
  }],
  [145, "readv", compatReadv],
  [146, "writev", compatWritev],
  [158, "sched_yield", 24],
  [162, "nanosleep", (c, a) => doSleep(c, a[0]!, 0, 1, a[1]!, true)],
  [168, "poll", 7],
  [142, "_newselect", (c, a) => sysSelect(c, a, true)],
  [308, "pselect6", (c, a) => sysPselect6(c, a, true)],
  [309, "ppoll", (c, a) => sysPpoll(c, a, true)],
  [413, "pselect6_time64", (c, a) => sysPselect6(c, a, true, false)],
  [414, "ppoll_time64", 271],
  [254, "epoll_create", 213],
  [329, "epoll_create1", 291],
  [255, "epoll_ctl", 233],
  [256, "epoll_wait", 232],
  [319, "epoll_pwait", 281],
  [172, "prctl", 157], // PR_SET_NAME / PR_GET_NAME: a 16-byte name in both ABIs
  [173, "rt_sigreturn", compatRtSigreturn],
  [174, "rt_sigaction", compatSigaction],
  [175, "rt_sigprocmask", 14], // a sigset_t is 8 bytes in both ABIs
  [177, "rt_sigtimedwait", (c, a) => compatSigtimedwait(c, a, true)], // an old_timespec32 timeout
  [179, "rt_sigsuspend", 130], // an 8-byte sigset_t
  [180, "pread64", (c, a) => SYSCALL_HANDLERS[17]!(c, [a[0]!, a[1]!, a[2]!, splitPos(a[3]!, a[4]!)])],
  [181, "pwrite64", (c, a) => SYSCALL_HANDLERS[18]!(c, [a[0]!, a[1]!, a[2]!, splitPos(a[3]!, a[4]!)])],
  [190, "vfork", 58],
  [183, "getcwd", 79],
  [191, "ugetrlimit", (c, a) => compatRlimit(c, int(a[0]!), a[1]!)],
  [192, "mmap2", (c, a) => mmap32(c, [a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, (a[5]! >>> 0) * PAGE_SIZE])],
  [195, "stat64", (c, a) => statOut(c, stat64Of(c, { path: a[0]! }), a[1]!, toStat64)],
  [196, "lstat64", (c, a) => statOut(c, stat64Of(c, { path: a[0]! }), a[1]!, toStat64)],
  [197, "fstat64", (c, a) => statOut(c, stat64Of(c, { fd: a[0]! }), a[1]!, toStat64)],
  [199, "getuid32", 102],
  [200, "getgid32", 104],
  [201, "geteuid32", 107],
  [202, "getegid32", 108],
  [219, "madvise", 28],
  [220, "getdents64", 217],
  [221, "fcntl64", 72],
  [224, "gettid", 186],
  [238, "tkill", 200],
  [240, "futex", (c, a) => sysFutex(c, a, true)], // an old_timespec32 timeout
  [241, "sched_setaffinity", 203],
  [242, "sched_getaffinity", 204],
  [243, "set_thread_area", setThreadArea],
  [244, "get_thread_area", getThreadArea],
  [252, "exit_group", 231],
  [258, "set_tid_address", 218],
  [265, "clock_gettime", (c, a) => {
    const clk = int(a[0]!);
    return clk < 0 || clk > 11 ? -EINVAL : timeOut(c, a[1]!, clk, false);
  }],
  [266, "clock_getres", (c, a) => (a[1] ? copyOut(c, a[1]!, u32s(0, 1)) : 0)],
  [267, "clock_nanosleep", (c, a) => {
    const clk = a[0]! | 0;
    if (clk < 0 || clk > 11 || clk === 2 || clk === 3) return -EINVAL;
    return doSleep(c, a[2]!, a[1]! | 0, clk, a[3]!, true);
  }],
  [270, "tgkill", 234],
  [284, "waitid", compatWaitid],
  [295, "openat", 257],
  [300, "fstatat64", (c, a) => statOut(c, stat64Of(c, { fd: a[0]!, path: a[1]!, emptyOk: (a[3]! & AT_EMPTY_PATH) !== 0 }), a[2]!, toStat64)],
  [307, "faccessat", 269],
  [311, "set_robust_list", compatSetRobustList],
  [312, "get_robust_list", compatGetRobustList],
  [318, "getcpu", 309],
  [330, "dup3", 292],
  [331, "pipe2", 293],
  [323, "eventfd", 284],
  [328, "eventfd2", 290],
  [322, "timerfd_create", 283],
  [321, "signalfd", 282], // an 8-byte sigset_t
  [176, "rt_sigpending", 127],
  [178, "rt_sigqueueinfo", (c, a) => sysSigqueueinfo(c, a, 12)], // the compat siginfo: si_pid at 12
  [327, "signalfd4", 289],
  [325, "timerfd_settime", (c, a) => sysTimerfdSettime(c, a, true)], // old_itimerspec32
  [326, "timerfd_gettime", (c, a) => sysTimerfdGettime(c, a, true)],
  [410, "timerfd_gettime64", 287], // the time64 calls take the 64-bit itimerspec
  [411, "timerfd_settime64", 286],
  [333, "preadv", (c, a) => compatPreadv(c, a, false)],
  [334, "pwritev", (c, a) => compatPreadv(c, a, true)],
  [340, "prlimit64", 302], // struct rlimit64 in both ABIs
  [355, "getrandom", 318],
  [358, "execveat", 322],
  [383, "statx", (c, a) => statOut(c, stat64Of(c, { fd: int(a[0]!), path: a[1]!, emptyOk: (a[2]! & AT_EMPTY_PATH) !== 0 }), a[4]!, toStatx)],
  [386, "rseq", 334],
  [403, "clock_gettime64", 228], // struct __kernel_timespec: 64-bit fields, as on x86-64
  [406, "clock_getres_time64", 229],
  [407, "clock_nanosleep_time64", 230],
  [421, "rt_sigtimedwait_time64", (c, a) => compatSigtimedwait(c, a, false)], // a __kernel_timespec, as on x86-64
  [422, "futex_time64", 202],
  [435, "clone3", compatClone3],
  [439, "faccessat2", 269],
];

/** i386 syscalls are counted apart from the x86-64 numbers (--stats names them "i386_NAME"). */
export const I386_COUNT_BASE = 1 << 20;

const NAMES = new Map<number, string>(ROWS.map(([nr, name]) => [nr, name]));

/** The handlers by i386 number (a packed array, as SYSCALL_HANDLERS). */
export const I386_HANDLERS: (SyscallHandler | undefined)[] = [];
for (const [nr, , h] of ROWS) I386_HANDLERS[nr] = typeof h === "number" ? SYSCALL_HANDLERS[h] : h;
for (let nr = 0; nr < I386_HANDLERS.length; nr++) I386_HANDLERS[nr] ??= undefined;

export function i386SyscallName(nr: number): string {
  return `i386_${NAMES.get(nr) ?? `syscall_${nr}`}`;
}

