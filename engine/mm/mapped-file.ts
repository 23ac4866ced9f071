// A file as the memory manager sees it: identity (the kernel's inode, the key
// of the uprobe registry together with the file offset) and a page cache.
//
// Page-cache pages are views of the file's bytes, shared by every private
// mapping of the file until a write breaks copy-on-write.

import { PAGE_SIZE } from "./page.js";

let nextInode = 1;

export class MappedFile {
  readonly inode: number;
  /** The page holding EOF, zero-padded (the one page-cache page that is a copy). */
  private tail: Uint8Array | undefined;

  constructor(
    readonly path: string,
    readonly bytes: Uint8Array,
  ) {
    this.inode = nextInode++;
  }

  get size(): number {
    return this.bytes.length;
  }

  /**
   * The page-cache page holding file offset index*4096. A whole page inside the file is a view of
   * the file's bytes (no copy: the cache costs nothing beyond the file, however often the guest maps
   * and unmaps it); the page holding EOF is copied once, zero-padded. A page past EOF is a fresh zero
   * page that is not cached (else mapping beyond EOF at ever new offsets grew the cache without bound).
   * Pages are copy-on-write (Page.makePrivate), so these bytes are never written.
   */
  page(index: number): Uint8Array {
    const start = index * PAGE_SIZE;
    if (start >= this.bytes.length) return new Uint8Array(PAGE_SIZE);
    if (start + PAGE_SIZE <= this.bytes.length) return this.bytes.subarray(start, start + PAGE_SIZE);
    let p = this.tail;
    if (!p) {
      p = new Uint8Array(PAGE_SIZE);
      p.set(this.bytes.subarray(start));
      this.tail = p;
    }
    return p;
  }

  /** Bytes at a file offset, as copy_insn reads them: fewer than n near EOF. */
  read(offset: number, n: number): Uint8Array {
    return this.bytes.slice(offset, Math.min(offset + n, this.bytes.length));
  }
}
