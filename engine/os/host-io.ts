// The guest's standard streams on the host's file descriptors 0, 1 and 2,
// with synchronous I/O (the emulator runs synchronously between slices).

import * as fs from "node:fs";
import * as tty from "node:tty";
import { charDeviceByMinor } from "./chardev.js";
import type { HostIo } from "./linux.js";
import type { HostStream, StdinState } from "./std-streams.js";

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function retry<T>(op: () => T): T {
  for (;;) {
    try {
      return op();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      Atomics.wait(sleeper, 0, 0, 2); // non-blocking pipe full or empty: wait a little
    }
  }
}

/** How far a poll of a pipe on stdin reads ahead: a pipe's capacity (PIPE_SIZE). */
const STDIN_AHEAD = 65536;

export class ProcessIo implements HostIo {
  private stdinEof = false;
  /** Bytes read ahead to answer a poll of a pipe on stdin (stdinState), served first. */
  private ahead: Uint8Array = new Uint8Array(0);
  private readonly streams: (HostStream | undefined)[] = [];

  readStdin(max: number): Uint8Array {
    if (this.ahead.length > 0) {
      const chunk = this.ahead.subarray(0, max);
      this.ahead = this.ahead.subarray(chunk.length);
      return chunk;
    }
    return this.readHost(max);
  }

  /** One read(2) of the host's stdin (an empty array at its end). */
  private readHost(max: number): Uint8Array {
    if (this.stdinEof) return new Uint8Array(0);
    const buf = Buffer.alloc(Math.min(max, 65536));
    let n: number;
    try {
      n = retry(() => fs.readSync(0, buf, 0, buf.length, null));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EOF" || code === "EBADF" || code === "EINVAL") n = 0;
      else throw e;
    }
    if (n === 0) this.stdinEof = true;
    return buf.subarray(0, n);
  }

  /**
   * A pipe on stdin: the model's writer is infinitely fast, so a poll waits (on the host) until
   * the writer has filled a pipe's worth (64 KiB, PIPE_SIZE) or closed it; POLLHUP then shows
   * as pipe_poll shows it, with the bytes still unread. (An interactive writer makes a poll
   * wait for its end.)
   */
  stdinState(): StdinState {
    while (this.ahead.length < STDIN_AHEAD && !this.stdinEof) {
      const more = this.readHost(STDIN_AHEAD - this.ahead.length);
      if (more.length === 0) break;
      const joined = new Uint8Array(this.ahead.length + more.length);
      joined.set(this.ahead);
      joined.set(more, this.ahead.length);
      this.ahead = joined;
    }
    return { data: this.ahead.length > 0, writerGone: this.stdinEof };
  }

  /** The kind of host descriptor 0..2 (fstat once): the guest sees the same kind (std-streams.ts). */
  stream(fd: 0 | 1 | 2): HostStream {
    let s = this.streams[fd];
    if (!s) {
      s = { type: "pipe" };
      try {
        const st = fs.fstatSync(fd);
        const major = (st.rdev >> 8) & 0xfff, minor = (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00);
        const dev = st.isCharacterDevice() && major === 1 ? charDeviceByMinor(minor) : undefined;
        if (st.isFile()) s = { type: "file", mode: st.mode & 0o7777, size: st.size };
        else if (dev) s = { type: "chr", dev };
        else if (st.isCharacterDevice()) s = { type: "tty" };
      } catch {
        // a closed host descriptor: the guest's reads see end of file, as from an empty pipe
      }
      this.streams[fd] = s;
    }
    return s;
  }

  readerGone(fd: 1 | 2): boolean {
    return this.closed.has(fd);
  }

  private closed = new Set<number>();

  write(fd: 1 | 2, data: Uint8Array): boolean {
    if (this.closed.has(fd)) return false;
    let off = 0;
    try {
      while (off < data.length) off += retry(() => fs.writeSync(fd, data, off, data.length - off));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EPIPE") throw e;
      this.closed.add(fd);
      return false;
    }
    return true;
  }

  isatty(fd: number): boolean {
    return tty.isatty(fd);
  }
}

/** What the library API keeps of each of a guest's streams by default: the last 1 MiB. */
export const OUTPUT_TAIL_BYTES = 1 << 20;

/**
 * Captures guest output in memory (tests, notebooks); stdin from a buffer.
 * With tailBytes, only the last tailBytes of each stream are kept (a guest can
 * write gigabytes): cut(fd) says how many bytes went before them; onWrite sees
 * every byte (to stream the whole output elsewhere, a file).
 */
export class BufferIo implements HostIo {
  readonly out: Uint8Array[] = [];
  readonly err: Uint8Array[] = [];
  private pos = 0;
  /** Bytes written to stdout and stderr, kept or not. */
  private readonly written = { 1: 0, 2: 0 };
  private readonly kept = { 1: 0, 2: 0 };

  constructor(
    private readonly input: Uint8Array = new Uint8Array(0),
    private readonly onWrite?: (fd: 1 | 2, data: Uint8Array) => void,
    private readonly tailBytes = Infinity,
  ) {}

  /** Bytes of stream fd written but no longer kept (0 without a tail cap). */
  cut(fd: 1 | 2): number {
    return this.written[fd] - this.kept[fd];
  }

  readStdin(max: number): Uint8Array {
    const chunk = this.input.subarray(this.pos, this.pos + max);
    this.pos += chunk.length;
    return chunk;
  }

  /** stdin is a pipe that holds the whole input and whose writer has closed it (as `cmd <<<input` on a small input). */
  stdinState(): StdinState {
    return { data: this.pos < this.input.length, writerGone: true };
  }

  write(fd: 1 | 2, data: Uint8Array): boolean {
    const list = fd === 1 ? this.out : this.err;
    this.onWrite?.(fd, data);
    this.written[fd] += data.length;
    const keep = data.length > this.tailBytes ? data.subarray(data.length - this.tailBytes) : data;
    list.push(keep.slice());
    this.kept[fd] += keep.length;
    // drop from the front down to the tail (whole chunks, then a part of the first)
    while (this.kept[fd] - list[0]!.length >= this.tailBytes) this.kept[fd] -= list.shift()!.length;
    const over = this.kept[fd] - this.tailBytes;
    if (over > 0) {
      list[0] = list[0]!.slice(over);
      this.kept[fd] -= over;
    }
    return true;
  }

  isatty(): boolean {
    return false;
  }

  text(fd: 1 | 2): string {
    return Buffer.concat(fd === 1 ? this.out : this.err).toString("utf8");
  }
}
