// A file as the memory manager sees it: identity (the kernel's inode, the key
// of the uprobe registry together with the file offset) and a page cache.
//
// Page-cache pages are created on first use and shared by every private
// mapping of the file until a write breaks copy-on-write.

import { PAGE_SIZE } from "./page.js";

let nextInode = 1;

export class MappedFile {
  readonly inode: number;
  private readonly cache = new Map<number, Uint8Array>();

  constructor(
    readonly path: string,
    readonly bytes: Uint8Array,
  ) {
    this.inode = nextInode++;
  }

  get size(): number {
    return this.bytes.length;
  }

  /** The page-cache page holding file offset index*4096 (zero-filled past EOF). */
  page(index: number): Uint8Array {
    let p = this.cache.get(index);
    if (!p) {
      p = new Uint8Array(PAGE_SIZE);
      const start = index * PAGE_SIZE;
      if (start < this.bytes.length) p.set(this.bytes.subarray(start, Math.min(start + PAGE_SIZE, this.bytes.length)));
      this.cache.set(index, p);
    }
    return p;
  }

  /** Bytes at a file offset, as copy_insn reads them: fewer than n near EOF. */
  read(offset: number, n: number): Uint8Array {
    return this.bytes.slice(offset, Math.min(offset + n, this.bytes.length));
  }
}
