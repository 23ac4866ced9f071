// Reading a file the user named (the binary, an --allow file, a probe
// script): regular files only, and never more than a cap. A FIFO would block
// the read forever and /dev/zero or a /proc file would grow it without end,
// so both are refused before any byte is read, and a regular file that keeps
// growing past the cap (a /proc file says size 0) is refused when it passes it.

import * as fs from "node:fs";
import { UserError } from "./errors.js";

/** The largest binary or --allow file read into host memory (1 GiB). */
const MAX_HOST_FILE_BYTES = 1 << 30;

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return "is a directory";
  if (st.isFIFO()) return "is a FIFO";
  if (st.isCharacterDevice()) return "is a character device";
  if (st.isBlockDevice()) return "is a block device";
  if (st.isSocket()) return "is a socket";
  return "is not a regular file";
}

/**
 * The bytes of a regular file, read through one descriptor (what was checked is what is read),
 * at most maxBytes. `what` names the input in messages ("--allow /x", "/x").
 */
export function readHostFile(path: string, what: string, maxBytes = MAX_HOST_FILE_BYTES): Uint8Array {
  let fd: number;
  try {
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK); // O_NONBLOCK: opening a FIFO does not wait for a writer
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${what}: ${code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "is a directory" : `cannot read it (${code ?? (e as Error).message})`}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new UserError(`${what}: ${kindOf(st)}, not a regular file`);
    const limit = `larger than ${maxBytes >= 1 << 30 ? `${maxBytes / (1 << 30)} GiB` : `${maxBytes / (1 << 20)} MiB`}, the limit for it`;
    if (st.size > maxBytes) throw new UserError(`${what}: ${limit}`);
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const buf = new Uint8Array(Math.min(Math.max(st.size - total, 65536), maxBytes + 1 - total));
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw new UserError(`${what}: ${limit}`);
      chunks.push(buf.subarray(0, n));
    }
    if (chunks.length === 1 && chunks[0]!.byteLength === chunks[0]!.buffer.byteLength) return chunks[0]!;
    const out = new Uint8Array(total);
    let o = 0;
    for (const c of chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  } finally {
    fs.closeSync(fd);
  }
}
