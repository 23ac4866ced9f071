// execve(2) and execveat(2) (fs/exec.c): the guest may run its own binary
// (by its path or /proc/self/exe) and the files it was handed (--allow);
// the sandbox answers anything else as open() does (ENOENT, EACCES). The new
// image always runs emulated. The Linux side (a new mm, de_thread, signal
// handlers reset, close-on-exec, uprobe_mmap of the new mappings) is
// Linux.execve; this file reads the arguments.

import { E2BIG, EACCES, EBADF, EFAULT, EINVAL, ENOENT, ENOEXEC } from "../errno.js";
import type { SyscallContext } from "./syscalls.js";

const dec = new TextDecoder();
/** MAX_ARG_STRLEN: one argument or environment string, at most 32 pages. */
const MAX_ARG_STRLEN = 32 * 4096;
/** The whole of argv and envp (the kernel allows a quarter of RLIMIT_STACK: 2 MiB by default). */
const MAX_ARG_BYTES = 2 << 20;
const AT_FDCWD = -100, AT_EMPTY_PATH = 0x1000;

/** A NULL-terminated array of string pointers, or a negative errno. */
function stringArray(c: SyscallContext, addr: number, budget: { left: number }): string[] | number {
  const out: string[] = [];
  if (!addr) return out; // Linux accepts a NULL argv or envp as empty
  const w = c.cpu.bitness === 32 ? 4 : 8; // get_user_arg_ptr: compat_uptr_t in a compat task
  for (let i = 0; ; i++) {
    let p: number;
    try {
      const b = c.cpu.mem.readBytes(addr + w * i, w);
      const dv = new DataView(b.buffer, b.byteOffset);
      p = w === 4 ? dv.getUint32(0, true) : Number(dv.getBigUint64(0, true));
    } catch {
      return -EFAULT;
    }
    if (!p) return out;
    let s: Uint8Array;
    try {
      s = c.cpu.mem.readCString(p, MAX_ARG_STRLEN);
    } catch {
      return -EFAULT;
    }
    budget.left -= s.length + 1 + 8;
    if (budget.left < 0) return -E2BIG;
    out.push(dec.decode(s));
  }
}

function path(c: SyscallContext, addr: number): string | number {
  try {
    return dec.decode(c.cpu.mem.readCString(addr, 4096));
  } catch {
    return -EFAULT;
  }
}

function doExec(c: SyscallContext, p: string, argvAddr: number, envpAddr: number): number | "noreturn" {
  const f = c.kernel.lookupFile(p);
  if (!f) return -ENOENT;
  if (f.kind !== "file") return -EACCES; // a directory
  const budget = { left: MAX_ARG_BYTES };
  const argv = stringArray(c, argvAddr, budget);
  if (typeof argv === "number") return argv;
  const envp = stringArray(c, envpAddr, budget);
  if (typeof envp === "number") return envp;
  if (f.data!.length < 4 || f.data![0] !== 0x7f || f.data![1] !== 0x45) return -ENOEXEC; // no binfmt (scripts need a shell the sandbox does not have)
  return c.kernel.execve(c.task, p, f, argv, envp);
}

export function sysExecve(c: SyscallContext, a: number[]): number | "noreturn" {
  const p = path(c, a[0]!);
  return typeof p === "number" ? p : doExec(c, p, a[1]!, a[2]!);
}

/** execveat(dirfd, path, argv, envp, flags): absolute paths, AT_FDCWD, and AT_EMPTY_PATH on an open file. */
export function sysExecveat(c: SyscallContext, a: number[]): number | "noreturn" {
  const dirfd = a[0]! | 0, flags = a[4]! | 0;
  if (flags & ~(AT_EMPTY_PATH | 0x100 /* AT_SYMLINK_NOFOLLOW */)) return -EINVAL;
  const p = path(c, a[1]!);
  if (typeof p === "number") return p;
  if (p === "" && flags & AT_EMPTY_PATH) {
    const f = c.task.proc.fds.get(dirfd);
    if (!f) return -EBADF;
    if (f.kind !== "file") return -EACCES;
    return doExec(c, f.path, a[2]!, a[3]!);
  }
  if (!p.startsWith("/") && dirfd !== AT_FDCWD) {
    const d = c.task.proc.fds.get(dirfd);
    if (!d) return -EBADF;
    return doExec(c, `${d.path.replace(/\/$/, "")}/${p}`, a[2]!, a[3]!);
  }
  return doExec(c, p, a[2]!, a[3]!);
}
