// The guest's descriptors 0, 1 and 2 are the streams the user handed the run,
// and each behaves as that kind of file does on Linux: a pipe as pipe_poll
// (stdin: POLLIN while bytes are buffered, POLLHUP once the writer is gone;
// stdout/stderr: POLLOUT while the reader lives, POLLERR after), and epoll
// accepts it; a regular file or a memory device has no ->poll, so poll sees
// DEFAULT_POLLMASK and epoll_ctl refuses it (EPERM); a tty is always ready
// here. fstat shows the same kind. The host side says what each stream is
// (HostIo.stream); a HostIo without it has pipes (ttys where isatty says so).

import { charDevRdev, type CharDev } from "./chardev.js";
import type { Linux } from "./linux.js";

/** What one of the host's standard streams is. */
export interface HostStream {
  type: "pipe" | "file" | "tty" | "chr";
  /** A memory device (type "chr": the user's /dev/null ...). */
  dev?: CharDev;
  /** A regular file's permission bits and size (type "file"). */
  mode?: number;
  size?: number;
}

/** Where a pipe on stdin stands: bytes a read would return now, and whether its writer is gone. */
export interface StdinState {
  data: boolean;
  writerGone: boolean;
}

type StdKind = "stdin" | "stdout" | "stderr";

const POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLRDNORM = 0x40, POLLWRNORM = 0x100;
const DEFAULT_POLLMASK = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;

const FD: Record<StdKind, 0 | 1 | 2> = { stdin: 0, stdout: 1, stderr: 2 };

export function hostStream(k: Linux, kind: StdKind): HostStream {
  const fd = FD[kind];
  return k.io.stream?.(fd) ?? { type: k.io.isatty(fd) ? "tty" : "pipe" };
}

/** What the stream's ->poll reports now (pipe_poll for a pipe end). */
export function streamEvents(k: Linux, kind: StdKind): number {
  const s = hostStream(k, kind);
  if (s.type === "chr") return s.dev!.poll ?? DEFAULT_POLLMASK;
  if (s.type !== "pipe") return DEFAULT_POLLMASK;
  if (kind !== "stdin") return k.io.readerGone?.(kind === "stdout" ? 1 : 2) ? POLLERR : POLLOUT | POLLWRNORM;
  const st = k.io.stdinState?.() ?? { data: true, writerGone: false };
  return (st.data ? POLLIN | POLLRDNORM : 0) | (st.writerGone ? POLLHUP : 0);
}

/** file_can_poll: may epoll watch it? */
export function streamPollable(k: Linux, kind: StdKind): boolean {
  const s = hostStream(k, kind);
  return s.type === "pipe" || s.type === "tty" || (s.type === "chr" && s.dev!.poll !== undefined);
}

/** st_mode, st_rdev and st_size for fstat of the stream. */
export function streamStat(k: Linux, kind: StdKind): { mode: number; rdev: bigint; size: number; root: boolean } {
  const s = hostStream(k, kind);
  if (s.type === "chr") return { mode: 0o20666, rdev: charDevRdev(s.dev!), size: 0, root: true };
  if (s.type === "file") return { mode: 0o100000 | (s.mode ?? 0o644), rdev: 0n, size: s.size ?? 0, root: false };
  if (s.type === "tty") return { mode: 0o20620, rdev: 0n, size: 0, root: false };
  return { mode: 0o10600, rdev: 0n, size: 0, root: false }; // pipefs: S_IFIFO | S_IRUSR | S_IWUSR
}
