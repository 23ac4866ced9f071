// A 4 KiB page of guest memory.
//
// A page either owns its bytes (anonymous, or a private copy made by a write)
// or shares them with a file's page cache (a private file mapping that has not
// been written yet). Writing to a shared page breaks copy-on-write first, so
// the file and every other process keep the original bytes: this is what lets
// the uprobe model write int3 into one process's text.

/** Page geometry as a const enum (inlined by tsc): the memory fast paths use local copies, an imported binding costs a TDZ check per use. */
export const enum PageGeometry {
  Shift = 12,
  Size = 1 << 12,
  Mask = (1 << 12) - 1,
}

export const PAGE_SHIFT = PageGeometry.Shift;
export const PAGE_SIZE = PageGeometry.Size;
export const PAGE_MASK = PageGeometry.Mask;

export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;

export class Page {
  data: Uint8Array;
  dv: DataView;
  /** PROT_* bits of the mapping this page belongs to. */
  prot: number;
  /** data belongs to a file's page cache: copy before writing. */
  shared: boolean;
  /** Translated code blocks read from this page (writes must invalidate them). */
  hasCode = false;

  constructor(data: Uint8Array, prot: number, shared: boolean) {
    this.data = data;
    this.dv = new DataView(data.buffer, data.byteOffset, PAGE_SIZE);
    this.prot = prot;
    this.shared = shared;
  }

  /** Break copy-on-write: give this page a private copy of its bytes. */
  makePrivate(): void {
    if (!this.shared) return;
    this.data = new Uint8Array(this.data);
    this.dv = new DataView(this.data.buffer, 0, PAGE_SIZE);
    this.shared = false;
  }
}

export function pageAlignDown(addr: number): number {
  return addr - (addr % PAGE_SIZE);
}

export function pageAlignUp(addr: number): number {
  const r = addr % PAGE_SIZE;
  return r === 0 ? addr : addr + PAGE_SIZE - r;
}
