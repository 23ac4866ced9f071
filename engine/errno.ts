// Linux errno values (include/uapi/asm-generic/errno-base.h, errno.h) and the
// kernel-internal ones (include/linux/errno.h) that the uprobe model returns.
// One table: the constants and errnoName() both come from it.

export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  ENOEXEC: 8,
  EBADF: 9,
  ECHILD: 10,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EEXIST: 17,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  EMFILE: 24,
  ENOTTY: 25,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  EPIPE: 32,
  ERANGE: 34,
  ENOSYS: 38,
  ETIMEDOUT: 110,
  /** Kernel-internal: "restart the probed instruction" (never reaches userspace). */
  ERESTART: 85,
  /** Kernel-internal: userspace sees "Unknown error 524". */
  ENOTSUPP: 524,
} as const;

type ErrnoName = keyof typeof ERRNO;

// Named exports for code that uses one constant (an imported const binding
// is a plain number to V8, unlike a property load on ERRNO).
export const EPERM = ERRNO.EPERM, ENOENT = ERRNO.ENOENT, ESRCH = ERRNO.ESRCH, EINTR = ERRNO.EINTR, EIO = ERRNO.EIO;
export const ENXIO = ERRNO.ENXIO, ENOEXEC = ERRNO.ENOEXEC, EBADF = ERRNO.EBADF, ECHILD = ERRNO.ECHILD, EAGAIN = ERRNO.EAGAIN;
export const ENOMEM = ERRNO.ENOMEM, EACCES = ERRNO.EACCES, EFAULT = ERRNO.EFAULT, EEXIST = ERRNO.EEXIST, ENODEV = ERRNO.ENODEV;
export const ENOTDIR = ERRNO.ENOTDIR, EISDIR = ERRNO.EISDIR, EINVAL = ERRNO.EINVAL, EMFILE = ERRNO.EMFILE, ENOTTY = ERRNO.ENOTTY;
export const ENOSPC = ERRNO.ENOSPC;
export const ESPIPE = ERRNO.ESPIPE, EROFS = ERRNO.EROFS, EPIPE = ERRNO.EPIPE, ERANGE = ERRNO.ERANGE, ENOSYS = ERRNO.ENOSYS;
export const ETIMEDOUT = ERRNO.ETIMEDOUT, E2BIG = ERRNO.E2BIG;
export const ERESTART = ERRNO.ERESTART, ENOTSUPP = ERRNO.ENOTSUPP;

const NAMES = new Map<number, ErrnoName>(Object.entries(ERRNO).map(([k, v]) => [v, k as ErrnoName]));

/** "ENOTSUPP" for 524; "errno N" for a value outside the table. */
export function errnoName(errno: number): string {
  return NAMES.get(errno) ?? `errno ${errno}`;
}
