// The memory character devices a guest may name by path: /dev/null, /dev/zero
// and /dev/full (drivers/char/mem.c), /dev/random and /dev/urandom
// (drivers/char/random.c). None holds host data: their bytes are end of file,
// zeros, or the kernel's seeded random stream (Linux.randomBytes), so handing
// them out leaks nothing of the host and keeps runs deterministic. Each is
// what devtmpfs shows: a character device 1:minor, mode 0666, owned by root.

import * as nodePath from "node:path";

export interface CharDev {
  path: string;
  /** Major 1 (MEM_MAJOR); the minor of devlist[] in mem.c. */
  minor: number;
  /** read_null (end of file), read_iter_zero, or get_random_bytes_user. */
  read: "eof" | "zero" | "random";
  /** write_null (swallowed) or write_full (-ENOSPC). */
  write: "swallow" | "nospc";
  /** mmap_zero: the mapping is anonymous memory; the others have no ->mmap (-ENODEV). */
  mmapAnon: boolean;
  /** random_poll's mask once the crng is ready; undefined: no ->poll (DEFAULT_POLLMASK, and epoll refuses it). */
  poll?: number;
}

const POLLIN = 0x1, POLLRDNORM = 0x40;

const DEVICES: readonly CharDev[] = [
  { path: "/dev/null", minor: 3, read: "eof", write: "swallow", mmapAnon: false },
  { path: "/dev/zero", minor: 5, read: "zero", write: "swallow", mmapAnon: true },
  { path: "/dev/full", minor: 7, read: "zero", write: "nospc", mmapAnon: false },
  { path: "/dev/random", minor: 8, read: "random", write: "swallow", mmapAnon: false, poll: POLLIN | POLLRDNORM },
  { path: "/dev/urandom", minor: 9, read: "random", write: "swallow", mmapAnon: false },
];

const BY_PATH = new Map(DEVICES.map((d) => [d.path, d]));

/** The device a path names (relative paths from the guest's cwd, "/"), or undefined. */
export function charDevice(path: string): CharDev | undefined {
  if (path === "" || path.endsWith("/") || !path.includes("dev")) return undefined;
  return BY_PATH.get(nodePath.posix.resolve("/", path));
}

/** The host's device 1:minor when it is one of these (a user's `</dev/null`). */
export function charDeviceByMinor(minor: number): CharDev | undefined {
  return DEVICES.find((d) => d.minor === minor);
}

/** st_rdev of the device: new_encode_dev(MKDEV(1, minor)). */
export function charDevRdev(d: CharDev): bigint {
  return BigInt((1 << 8) | d.minor);
}
