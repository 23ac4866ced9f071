// A process address space (the kernel's mm): VMAs, lazily populated pages,
// permission checks and the software TLBs that keep guest loads and stores
// cheap.
//
// Addresses are JS numbers. User addresses are below 2^47, so they are exact;
// an address computed from registers may be negative (the kernel half, after
// sign extension) or huge (non-canonical), and both fault.
//
// Fast path: a direct-mapped TLB per access kind maps a page number to the
// page's DataView. Only pages that may be read (resp. written without a
// copy-on-write break or code invalidation) enter the TLB, so a hit needs no
// further checks. Everything else takes the slow path, which populates pages
// on demand from their VMA, checks permissions, breaks COW and invalidates
// translated code.

import { EACCES, EEXIST, ENOMEM, EPERM } from "../errno.js";
import { BUS_ADRERR, MemFault, SEGV_ACCERR, SEGV_MAPERR, UserSpace } from "./fault.js";
import type { MappedFile } from "./mapped-file.js";
import { Page, PageGeometry, pageAlignUp, PROT_EXEC, PROT_READ, PROT_WRITE } from "./page.js";
import { formatVma, vmaFileOffset, type SpecialMapping, type Vma } from "./vma.js";

// Module-local constants: V8 reads an imported binding through its cell with
// a TDZ check on every use, which doubled the cost of a TLB hit.
const PAGE_SIZE = PageGeometry.Size;
const PAGE_MASK = PageGeometry.Mask;
const TASK_SIZE = UserSpace.TaskSize;

/** vm.mmap_min_addr as Debian and Ubuntu set it: MAP_FIXED below it is EPERM for a guest without CAP_SYS_RAWIO. */
const MMAP_MIN_ADDR = 0x10000;
/** stack_guard_gap: 256 pages kept free below a stack (mm/mmap.c). */
const STACK_GUARD_GAP = 256 * PAGE_SIZE;
/** RLIMIT_STACK's default soft limit (8 MiB): how far the stack may grow. */
const DEFAULT_STACK_LIMIT = 8 << 20;
/** vm.max_map_count's default (DEFAULT_MAX_MAP_COUNT): mmap, mprotect and munmap splits past it fail with ENOMEM. */
const MAX_MAP_COUNT = 65530;

const TLB_SIZE = 1024; // entries; direct-mapped by page number
const TLB_MASK = TLB_SIZE - 1;

/** Raised when the guest exceeds its memory cap: the run stops with a message. */
export class MemoryLimitExceeded extends Error {
  constructor(readonly limitBytes: number) {
    super(`memory limit of ${limitBytes} bytes exceeded`);
  }
}

export interface MapRequest {
  addr: number;
  length: number;
  prot: number;
  fixed: boolean;
  /** MAP_FIXED_NOREPLACE: fail instead of replacing an existing mapping. */
  noReplace?: boolean;
  shared?: boolean;
  file?: MappedFile;
  offset?: number;
  name?: string;
  special?: SpecialMapping;
  dontCopy?: boolean;
  shownProt?: string;
  /** MAP_GROWSDOWN (VM_GROWSDOWN): a fault just below grows it (the stack always does). */
  growsDown?: boolean;
}

export class AddressSpace {
  readonly vmas: Vma[] = []; // sorted by start, non-overlapping
  private readonly pages = new Map<number, Page>();
  private readonly rTag = new Float64Array(TLB_SIZE).fill(NaN);
  private readonly rDv: DataView[] = new Array<DataView>(TLB_SIZE);
  private readonly wTag = new Float64Array(TLB_SIZE).fill(NaN);
  private readonly wDv: DataView[] = new Array<DataView>(TLB_SIZE);
  /** High half of the last read64 (read64 returns the low half). */
  hi = 0;
  /**
   * Called when a page holding translated code is written, unmapped or reprotected: the write watch
   * on code pages (a page with hasCode never enters the write TLB). `at` is the first byte written
   * on that page by a store, -1 for unmap/mprotect.
   */
  onCodeChange: (pageNumber: number, at: number) => void = () => {};
  /** Top-down mmap allocation starts here (no ASLR: deterministic layout). */
  mmapBase = 0x7ffff7fff000;
  brkStart = 0;
  brkEnd = 0;
  /** Bumped whenever VMAs change (map, unmap, protect): caches keyed by address check it. */
  vmaGeneration = 0;
  /** RLIMIT_STACK (soft), in bytes: the most a VM_GROWSDOWN VMA may span (acct_stack_growth). */
  stackLimit = DEFAULT_STACK_LIMIT;
  private pageCount = 0;

  constructor(readonly maxBytes: number = 2 ** 31) {}

  get residentBytes(): number {
    return this.pageCount * PAGE_SIZE;
  }

  // ---- VMA management -------------------------------------------------------

  findVma(addr: number): Vma | undefined {
    const v = this.vmas;
    let lo = 0;
    let hi = v.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = v[mid]!;
      if (addr < m.start) hi = mid - 1;
      else if (addr >= m.end) lo = mid + 1;
      else return m;
    }
    return undefined;
  }

  /** True if [start, end) overlaps no VMA. */
  isFree(start: number, end: number): boolean {
    const v = this.vmas[this.firstVmaEndingAfter(start)];
    return v === undefined || v.start >= end;
  }

  /** May a hint place [start, end) there: free, in user space, above mmap_min_addr and out of any stack's guard gap (vm_start_gap). */
  private hintFits(start: number, end: number): boolean {
    if (start < MMAP_MIN_ADDR || end > TASK_SIZE) return false;
    for (const v of this.vmas) if (gapStart(v) < end && start < v.end) return false;
    return true;
  }

  /** Lowest-address-first search is not what Linux does; this is the top-down allocator (arch_get_unmapped_area_topdown). */
  findFreeTopDown(length: number, below: number = this.mmapBase): number {
    // free_area_cache/cached_hole_size (Linux before the gap tree): no hole above freeTop (up to
    // freeBase) is larger than freeHole, so a longer request starts its walk at freeTop; the answer
    // is the full walk's, and 65k packed mappings cost one step each instead of a walk over all
    const cached = below === this.freeBase && length > this.freeHole;
    let top = cached ? this.freeTop : below;
    let hole = cached ? this.freeHole : 0;
    // the last VMA starting below top
    let lo = 0;
    let hi = this.vmas.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.vmas[mid]!.start < top + STACK_GUARD_GAP) lo = mid + 1; // a stack's guard gap reaches below its start
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0; i--) {
      const v = this.vmas[i]!;
      const start = gapStart(v);
      if (start >= top) continue;
      if (v.end <= top - length) {
        this.freeBase = below;
        this.freeTop = top;
        this.freeHole = hole;
        return top - length;
      }
      if (v.end < top) hole = Math.max(hole, top - v.end);
      top = Math.min(top, start);
    }
    if (top - length >= MMAP_MIN_ADDR) return top - length;
    return -1;
  }

  /** findFreeTopDown's cache (reset when a VMA goes away: a hole may open above freeTop). */
  private freeBase = NaN;
  private freeTop = 0;
  private freeHole = 0;

  /** Free page nearest to `near` within [lo, hi): used by the uprobe trampoline placement. */
  findFreePageNear(near: number, lo: number, hi: number): number {
    // lowest free page at or above `near`
    let above = -1;
    for (let a = near - (near % PAGE_SIZE); a + PAGE_SIZE <= hi; ) {
      const v = this.findVma(a);
      if (!v) {
        above = a;
        break;
      }
      a = v.end;
    }
    // highest free page below `near`
    let below = -1;
    for (let a = near - (near % PAGE_SIZE) - PAGE_SIZE; a >= lo; ) {
      const v = this.findVma(a);
      if (!v) {
        below = a;
        break;
      }
      a = v.start - PAGE_SIZE;
    }
    if (above < 0) return below;
    if (below < 0) return above;
    return above - near <= near - below ? above : below;
  }

  map(req: MapRequest): number {
    const length = pageAlignUp(req.length);
    let start = req.addr;
    if (this.vmas.length >= MAX_MAP_COUNT) return -ENOMEM; // do_mmap: "Too many mappings?"
    if (req.fixed) {
      // __get_unmapped_area: past TASK_SIZE (negative and non-canonical included) is ENOMEM;
      // security_mmap_addr (cap_mmap_addr): below mmap_min_addr needs CAP_SYS_RAWIO
      if (!(start >= 0 && length <= TASK_SIZE && start <= TASK_SIZE - length)) return -ENOMEM;
      if (start < MMAP_MIN_ADDR) return -EPERM;
      if (req.noReplace && !this.isFree(start, start + length)) return -EEXIST;
      this.unmap(start, length);
    } else {
      if (!this.hintFits(start, start + length)) {
        start = this.findFreeTopDown(length);
        if (start < 0) return -ENOMEM;
      }
    }
    const vma: Vma = {
      start,
      end: start + length,
      prot: req.prot,
      shared: req.shared ?? false,
      file: req.file,
      offset: req.offset ?? 0,
      name: req.name ?? (req.file ? req.file.path : ""),
      special: req.special,
      dontCopy: req.dontCopy ?? false,
      shownProt: req.shownProt,
      growsDown: req.growsDown ?? req.special === "stack",
    };
    this.insertVma(vma);
    return start;
  }

  private insertVma(vma: Vma): void {
    this.vmaGeneration++;
    const i = this.firstVmaEndingAfter(vma.start);
    // vma_merge: an anonymous private mapping that extends a neighbour with the same attributes
    // joins it (so 100k adjacent one-page mmaps are one VMA, as on Linux, and the count stays small)
    const prev = this.vmas[i - 1];
    const next = this.vmas[i];
    const canMerge = (v: Vma | undefined): v is Vma => v !== undefined && mergeableAnon(v) && mergeableAnon(vma) && v.prot === vma.prot && v.name === vma.name;
    if (canMerge(prev) && prev.end === vma.start) {
      prev.end = vma.end;
      if (canMerge(next) && next.start === prev.end) {
        prev.end = next.end;
        this.vmas.splice(i, 1);
      }
      return;
    }
    if (canMerge(next) && next.start === vma.end) {
      next.start = vma.start;
      return;
    }
    this.vmas.splice(i, 0, vma);
  }

  /** Index of the first VMA whose end is above addr (binary search; vmas.length if none). */
  private firstVmaEndingAfter(addr: number): number {
    let lo = 0;
    let hi = this.vmas.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.vmas[mid]!.end <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The present pages of [start, end), by page number: the pages map when it is smaller than the
   * range (a 64 TB munmap costs what is resident, not 2^34 steps), else the range itself.
   */
  private presentPages(start: number, end: number): number[] {
    const lo = start / PAGE_SIZE;
    const hi = end / PAGE_SIZE;
    const out: number[] = [];
    if (hi - lo <= this.pages.size) {
      for (let pn = lo; pn < hi; pn++) if (this.pages.has(pn)) out.push(pn);
    } else {
      for (const pn of this.pages.keys()) if (pn >= lo && pn < hi) out.push(pn);
    }
    return out;
  }

  /** Would splitting VMAs at start and end push the count past vm.max_map_count (__split_vma)? */
  private splitWouldOverflow(start: number, end: number): boolean {
    let splits = 0;
    const i = this.firstVmaEndingAfter(start);
    const first = this.vmas[i];
    if (first && first.start < start && first.end > end) splits = 2;
    else {
      if (first && first.start < start) splits++;
      const j = this.firstVmaEndingAfter(end);
      const last = this.vmas[j];
      if (last && last.start < end) splits++;
    }
    return splits > 0 && this.vmas.length + splits > MAX_MAP_COUNT;
  }

  /** Split VMAs at start and end so that [start, end) is covered by whole VMAs; return them. */
  private carve(start: number, end: number): Vma[] {
    this.vmaGeneration++;
    const out: Vma[] = [];
    for (let i = this.firstVmaEndingAfter(start); i < this.vmas.length; i++) {
      const v = this.vmas[i]!;
      if (v.start >= end) break;
      if (v.start < start) {
        const left: Vma = { ...v, end: start };
        v.offset = vmaFileOffset(v, start);
        v.start = start;
        this.vmas.splice(i, 0, left);
        i++;
      }
      if (v.end > end) {
        const right: Vma = { ...v, start: end, offset: vmaFileOffset(v, end) };
        v.end = end;
        this.vmas.splice(i + 1, 0, right);
      }
      out.push(v);
    }
    return out;
  }

  /** munmap: 0, or -ENOMEM when the split would exceed vm.max_map_count. Costs the VMAs and present pages it touches. */
  unmap(addr: number, length: number): number {
    const end = addr + pageAlignUp(length);
    if (this.splitWouldOverflow(addr, end)) return -ENOMEM;
    const victims = this.carve(addr, end);
    if (!victims.length) return 0;
    this.freeBase = NaN;
    for (const pn of this.presentPages(addr, end)) this.dropPage(pn);
    const first = this.vmas.indexOf(victims[0]!);
    this.vmas.splice(first, victims.length); // carve returns consecutive VMAs
    this.flushTlb();
    return 0;
  }

  protect(addr: number, length: number, prot: number): number {
    const end = addr + pageAlignUp(length);
    // mprotect fails with -ENOMEM if any page in the range is unmapped, -EACCES if it would make writable
    // a MAP_SHARED file mapping: every guest file is opened read-only, so do_mmap cleared VM_MAYWRITE
    for (let a = addr; a < end; ) {
      const v = this.findVma(a);
      if (!v) return -ENOMEM;
      if (prot & PROT_WRITE && v.shared && v.file) return -EACCES;
      a = v.end;
    }
    if (this.splitWouldOverflow(addr, end)) return -ENOMEM;
    for (const v of this.carve(addr, end)) v.prot = prot;
    for (const pn of this.presentPages(addr, end)) {
      const p = this.pages.get(pn)!;
      p.prot = prot;
      if (p.hasCode) this.codeChanged(pn, p, -1);
    }
    this.flushTlb();
    return 0;
  }

  private dropPage(pn: number): void {
    const p = this.pages.get(pn);
    if (!p) return;
    if (p.hasCode) this.codeChanged(pn, p, -1);
    this.pages.delete(pn);
    this.pageCount--;
  }

  private codeChanged(pn: number, p: Page, at: number): void {
    p.hasCode = false;
    this.onCodeChange(pn, at);
  }

  flushTlb(): void {
    this.rTag.fill(NaN);
    this.wTag.fill(NaN);
  }

  /** The maps listing, as /proc/pid/maps prints it. */
  describe(): string[] {
    return this.vmas.map(formatVma);
  }

  // ---- pages ---------------------------------------------------------------

  /** The page at page number pn, populated from its VMA on first touch; undefined if unmapped. */
  pageAt(pn: number): Page | undefined {
    let p = this.pages.get(pn);
    if (p) return p;
    const addr = pn * PAGE_SIZE;
    const v = this.findVma(addr) ?? this.expandStack(addr);
    if (!v) return undefined;
    if ((this.pageCount + 1) * PAGE_SIZE > this.maxBytes) throw new MemoryLimitExceeded(this.maxBytes);
    if (v.file) {
      if (pastEof(v, addr)) return undefined; // no page to map: a user access gets SIGBUS (fault), the kernel's EFAULT
      const data = v.file.page(vmaFileOffset(v, addr) / PAGE_SIZE);
      p = new Page(data, v.prot, true);
      if (v.shared) p.shared = false; // MAP_SHARED writes would reach the file: we never give the guest writable shared mappings of user files
    } else {
      p = new Page(new Uint8Array(PAGE_SIZE), v.prot, false);
    }
    this.pages.set(pn, p);
    this.pageCount++;
    return p;
  }

  /**
   * A fault at addr, in no VMA: if the VMA above it grows down (the stack, an anonymous MAP_GROWSDOWN mapping), extend it to addr's page
   * (do_user_addr_fault -> expand_stack -> expand_downwards) when that stays within RLIMIT_STACK
   * (acct_stack_growth) and out of the guard gap above the mapping below (stack_guard_gap, unless
   * that one is PROT_NONE or grows down too). Otherwise undefined: the access faults (SEGV_MAPERR).
   * Only the pages then touched count against the memory cap, as any other page.
   */
  private expandStack(addr: number): Vma | undefined {
    if (!(addr >= MMAP_MIN_ADDR && addr < TASK_SIZE)) return undefined;
    const vs = this.vmas;
    let lo = 0, hi = vs.length; // the first VMA starting above addr
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (vs[mid]!.start <= addr) lo = mid + 1;
      else hi = mid;
    }
    const v = vs[lo];
    if (v === undefined || !v.growsDown) return undefined;
    const start = addr - (addr % PAGE_SIZE);
    if (v.end - start > this.stackLimit) return undefined;
    const prev = vs[lo - 1];
    if (prev !== undefined && !prev.growsDown && prev.prot !== 0 && start - prev.end < STACK_GUARD_GAP) return undefined;
    v.start = start;
    this.vmaGeneration++;
    this.freeBase = NaN; // the guard gap moved down: findFreeTopDown's cached walk start may now lie in it
    return v;
  }

  /** Put a page's contents back to the file's bytes if a private copy equals them (the kernel drops such anon copies in __replace_page/set_orig_insn). */
  revertPageIfPristine(addr: number): void {
    const pn = Math.floor(addr / PAGE_SIZE);
    const p = this.pages.get(pn);
    const v = this.findVma(addr);
    if (!p || p.shared || !v || !v.file) return;
    const orig = v.file.page(vmaFileOffset(v, pn * PAGE_SIZE) / PAGE_SIZE);
    for (let i = 0; i < PAGE_SIZE; i++) if (orig[i] !== p.data[i]) return;
    p.data = orig;
    p.dv = new DataView(orig.buffer, orig.byteOffset, PAGE_SIZE);
    p.shared = true;
    this.flushTlb();
  }

  isPagePrivateCopy(addr: number): boolean {
    const p = this.pages.get(Math.floor(addr / PAGE_SIZE));
    return !!p && !p.shared;
  }

  private fault(addr: number, access: "read" | "write" | "exec"): never {
    const v = addr >= 0 && addr < TASK_SIZE ? this.findVma(addr) : undefined;
    // access_error comes first (SEGV_ACCERR); an allowed access to a file page past EOF is SIGBUS (filemap_fault)
    if (v && v.prot & ACCESS_PROT[access] && pastEof(v, addr)) throw new MemFault(addr, access, BUS_ADRERR, true);
    throw new MemFault(addr, access, v ? SEGV_ACCERR : SEGV_MAPERR);
  }

  /** Page for a user read (PROT_READ), filling the read TLB. */
  private readablePage(addr: number): Page {
    if (!(addr >= 0 && addr < TASK_SIZE)) this.fault(addr, "read");
    const pn = Math.floor(addr / PAGE_SIZE);
    const p = this.pageAt(pn);
    if (!p || !(p.prot & PROT_READ)) this.fault(addr, "read");
    const i = pn & TLB_MASK;
    this.rTag[i] = pn;
    this.rDv[i] = p.dv;
    return p;
  }

  /** Page for a user write (PROT_WRITE): breaks COW, invalidates code, fills the write TLB. */
  private writablePage(addr: number): Page {
    if (!(addr >= 0 && addr < TASK_SIZE)) this.fault(addr, "write");
    const pn = Math.floor(addr / PAGE_SIZE);
    const p = this.pageAt(pn);
    if (!p || !(p.prot & PROT_WRITE)) this.fault(addr, "write");
    this.prepareWrite(pn, p, addr);
    const i = pn & TLB_MASK;
    this.wTag[i] = pn;
    this.wDv[i] = p.dv;
    this.rTag[i] = pn;
    this.rDv[i] = p.dv;
    return p;
  }

  /** Before a write at addr on page pn: break COW, and invalidate the code translated from the page. */
  private prepareWrite(pn: number, p: Page, addr: number): void {
    if (p.shared) {
      p.makePrivate();
      this.flushTlb();
    }
    if (p.hasCode) this.codeChanged(pn, p, addr);
  }

  // ---- user accesses: fast paths ---------------------------------------------

  read8(a: number): number {
    const off = a & PAGE_MASK;
    const pn = (a - off) / PAGE_SIZE;
    const i = pn & TLB_MASK;
    if (this.rTag[i] === pn) return this.rDv[i]!.getUint8(off);
    return this.readablePage(a).dv.getUint8(off);
  }

  read16(a: number): number {
    const off = a & PAGE_MASK;
    const pn = (a - off) / PAGE_SIZE;
    const i = pn & TLB_MASK;
    if (this.rTag[i] === pn && off <= PAGE_SIZE - 2) return this.rDv[i]!.getUint16(off, true);
    return this.readSlow(a, 2);
  }

  /** 32-bit load, returned as a signed int32. */
  read32(a: number): number {
    const off = a & PAGE_MASK;
    const pn = (a - off) / PAGE_SIZE;
    const i = pn & TLB_MASK;
    if (this.rTag[i] === pn && off <= PAGE_SIZE - 4) return this.rDv[i]!.getInt32(off, true);
    return this.readSlow(a, 4) | 0;
  }

  /** 64-bit load: returns the low half (int32) and leaves the high half in this.hi. */
  read64(a: number): number {
    const off = a & PAGE_MASK;
    const pn = (a - off) / PAGE_SIZE;
    const i = pn & TLB_MASK;
    if (this.rTag[i] === pn && off <= PAGE_SIZE - 8) {
      const dv = this.rDv[i]!;
      this.hi = dv.getInt32(off + 4, true);
      return dv.getInt32(off, true);
    }
    const lo = this.readSlow(a, 4) | 0;
    this.hi = this.readSlow(a + 4, 4) | 0;
    return lo;
  }

  write8(a: number, v: number): void {
    const off = a & PAGE_MASK;
    const pn = (a - off) / PAGE_SIZE;
    const i = pn & TLB_MASK;
    if (this.wTag[i] === pn) this.wDv[i]!.setUint8(off, v);
    else this.writablePage(a).dv.setUint8(off, v);
  }

  write16(a: number, v: number): void {
    const off = a & PAGE_MASK;
    const pn = (a - off) / PAGE_SIZE;
    const i = pn & TLB_MASK;
    if (this.wTag[i] === pn && off <= PAGE_SIZE - 2) this.wDv[i]!.setUint16(off, v, true);
    else this.writeSlow(a, 2, v);
  }

  write32(a: number, v: number): void {
    const off = a & PAGE_MASK;
    const pn = (a - off) / PAGE_SIZE;
    const i = pn & TLB_MASK;
    if (this.wTag[i] === pn && off <= PAGE_SIZE - 4) this.wDv[i]!.setInt32(off, v, true);
    else this.writeSlow(a, 4, v);
  }

  write64(a: number, lo: number, hi: number): void {
    const off = a & PAGE_MASK;
    const pn = (a - off) / PAGE_SIZE;
    const i = pn & TLB_MASK;
    if (this.wTag[i] === pn && off <= PAGE_SIZE - 8) {
      const dv = this.wDv[i]!;
      dv.setInt32(off, lo, true);
      dv.setInt32(off + 4, hi, true);
    } else {
      // Check both halves before writing either, so a fault leaves memory unchanged.
      this.writablePage(a);
      this.writablePage(a + 7);
      this.writeSlow(a, 4, lo);
      this.writeSlow(a + 4, 4, hi);
    }
  }

  /**
   * The DataView of the page that holds [a, a + n) if write64's fast path would take it (the page is in
   * the write TLB: present, writable, private), else undefined: the kernel's fixed-size frame copies
   * (engine/uprobes/x86/frame.ts) read and write it at a & PAGE_MASK without a call per word.
   */
  writableView(a: number, n: number): DataView | undefined {
    const off = a & PAGE_MASK;
    const pn = (a - off) / PAGE_SIZE;
    const i = pn & TLB_MASK;
    return this.wTag[i] === pn && off <= PAGE_SIZE - n ? this.wDv[i] : undefined;
  }

  // ---- slow paths ---------------------------------------------------------------

  /** Little-endian load of n <= 4 bytes that may cross a page; unsigned result. */
  private readSlow(a: number, n: number): number {
    const first = this.readablePage(a);
    const off = a & PAGE_MASK;
    if (off + n <= PAGE_SIZE) {
      return n === 2 ? first.dv.getUint16(off, true) : first.dv.getUint32(off, true);
    }
    const second = this.readablePage(a + n - 1);
    let v = 0;
    for (let k = n - 1; k >= 0; k--) {
      const o = off + k;
      const b = o < PAGE_SIZE ? first.data[o]! : second.data[o - PAGE_SIZE]!;
      v = v * 256 + b;
    }
    return v;
  }

  private writeSlow(a: number, n: number, v: number): void {
    const first = this.writablePage(a);
    const off = a & PAGE_MASK;
    if (off + n <= PAGE_SIZE) {
      if (n === 2) first.dv.setUint16(off, v, true);
      else first.dv.setInt32(off, v, true);
      return;
    }
    const second = this.writablePage(a + n - 1);
    for (let k = 0; k < n; k++) {
      const o = off + k;
      const b = (v >>> (8 * k)) & 0xff;
      if (o < PAGE_SIZE) first.data[o] = b;
      else second.data[o - PAGE_SIZE] = b;
    }
  }

  // ---- bulk accesses (syscalls: copy_from_user / copy_to_user) --------------------

  readBytes(a: number, n: number): Uint8Array {
    const out = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      const p = this.readablePage(a + done);
      const off = (a + done) & PAGE_MASK;
      const chunk = Math.min(n - done, PAGE_SIZE - off);
      out.set(p.data.subarray(off, off + chunk), done);
      done += chunk;
    }
    return out;
  }

  writeBytes(a: number, bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) {
      const p = this.writablePage(a + done);
      const off = (a + done) & PAGE_MASK;
      const chunk = Math.min(bytes.length - done, PAGE_SIZE - off);
      p.data.set(bytes.subarray(done, done + chunk), off);
      done += chunk;
    }
  }

  /** NUL-terminated string of at most max bytes. */
  readCString(a: number, max = 4096): Uint8Array {
    const bytes: number[] = [];
    for (let i = 0; i < max; i++) {
      const b = this.read8(a + i);
      if (b === 0) break;
      bytes.push(b);
    }
    return Uint8Array.from(bytes);
  }

  // ---- instruction fetch and kernel (FOLL_FORCE) accesses ------------------------

  /**
   * Bytes for the decoder: up to n bytes from pages with PROT_EXEC, starting at a.
   * Marks those pages as holding code. Throws an exec fault if a itself is not executable.
   */
  fetch(a: number, n: number): Uint8Array {
    if (!(a >= 0 && a < TASK_SIZE)) this.fault(a, "exec");
    const out = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      const addr = a + done;
      if (addr >= TASK_SIZE) break;
      const pn = Math.floor(addr / PAGE_SIZE);
      const p = this.pageAt(pn);
      if (!p || !(p.prot & PROT_EXEC)) {
        if (done === 0) this.fault(a, "exec");
        break;
      }
      if (!p.hasCode) this.watchCode(pn, p);
      const off = addr & PAGE_MASK;
      const chunk = Math.min(n - done, PAGE_SIZE - off);
      out.set(p.data.subarray(off, off + chunk), done);
      done += chunk;
    }
    return out.subarray(0, done);
  }

  /**
   * Would fetch(a, bytes.length) return exactly these bytes, from one executable page? Marks the
   * page as holding code as fetch() does (the write watch): the Cpu's step memo revives a
   * translation with it, without allocating a copy of the bytes.
   */
  fetchMatches(a: number, bytes: Uint8Array): boolean {
    if (!(a >= 0 && a < TASK_SIZE)) return false;
    const off = a & PAGE_MASK;
    if (off + bytes.length > PAGE_SIZE) return false;
    const pn = (a - off) / PAGE_SIZE;
    const p = this.pageAt(pn);
    if (!p || !(p.prot & PROT_EXEC)) return false;
    const d = p.data;
    for (let k = 0; k < bytes.length; k++) if (d[off + k] !== bytes[k]) return false;
    if (!p.hasCode) this.watchCode(pn, p);
    return true;
  }

  /** The page holds translated code from now on: it must take the slow write path (invalidation). */
  private watchCode(pn: number, p: Page): void {
    p.hasCode = true;
    const i = pn & TLB_MASK;
    if (this.wTag[i] === pn) this.wTag[i] = NaN;
  }

  /** Read ignoring protections (the kernel's get_user_pages with FOLL_FORCE); undefined if unmapped. */
  peek(a: number, n: number): Uint8Array | undefined {
    const out = new Uint8Array(n);
    for (let k = 0; k < n; k++) {
      const addr = a + k;
      if (!(addr >= 0 && addr < TASK_SIZE)) return undefined;
      const p = this.pageAt(Math.floor(addr / PAGE_SIZE));
      if (!p) return undefined;
      out[k] = p.data[addr & PAGE_MASK]!;
    }
    return out;
  }

  /**
   * Write ignoring protections, breaking COW (uprobe_write_opcode: FOLL_FORCE|FOLL_WRITE).
   * The file and other processes keep their bytes. Returns false if unmapped.
   */
  poke(a: number, bytes: Uint8Array): boolean {
    // page by page (an XOL slot copy per single step: one page lookup, not one per byte)
    for (let k = 0; k < bytes.length; ) {
      const addr = a + k;
      if (!(addr >= 0 && addr < TASK_SIZE)) return false;
      const pn = Math.floor(addr / PAGE_SIZE);
      const p = this.pageAt(pn);
      if (!p) return false;
      this.prepareWrite(pn, p, addr); // breaks COW (flushing the TLBs) and invalidates translated code
      const d = p.data;
      for (let off = addr & PAGE_MASK; k < bytes.length && off < PAGE_SIZE; off++, k++) d[off] = bytes[k]!;
    }
    return true;
  }

  /** Is [a, a+n) mapped with all of the given PROT bits? (A kernel access below the stack grows it, as a fault in copy_to_user does.) */
  accessOk(a: number, n: number, prot: number): boolean {
    for (let addr = a - (a % PAGE_SIZE); addr < a + n; addr += PAGE_SIZE) {
      const v = addr >= 0 && addr < TASK_SIZE ? (this.findVma(addr) ?? this.expandStack(addr)) : undefined;
      if (!v || (v.prot & prot) !== prot) return false;
    }
    return true;
  }

  /** Deep copy for fork: private pages are copied, file-shared pages stay shared; VM_DONTCOPY areas are skipped. */
  cloneForFork(): AddressSpace {
    const mm = new AddressSpace(this.maxBytes);
    mm.mmapBase = this.mmapBase;
    mm.brkStart = this.brkStart;
    mm.brkEnd = this.brkEnd;
    mm.stackLimit = this.stackLimit;
    for (const v of this.vmas) {
      if (v.dontCopy) continue;
      mm.vmas.push({ ...v });
      for (const pn of this.presentPages(v.start, v.end)) {
        const p = this.pages.get(pn)!;
        const q = new Page(p.shared ? p.data : new Uint8Array(p.data), p.prot, p.shared);
        mm.pages.set(pn, q);
        mm.pageCount++;
      }
    }
    return mm;
  }
}


/** Where a VMA's guard gap begins (vm_start_gap): stack_guard_gap below a stack, its start otherwise. */
function gapStart(v: Vma): number {
  return v.growsDown ? Math.max(0, v.start - STACK_GUARD_GAP) : v.start;
}

/** An anonymous private mapping with no special role: the kind vma_merge joins here. */
function mergeableAnon(v: Vma): boolean {
  return !v.file && !v.shared && !v.special && !v.dontCopy && v.shownProt === undefined && !v.growsDown;
}

const ACCESS_PROT = { read: PROT_READ, write: PROT_WRITE, exec: PROT_EXEC } as const;

/**
 * Is addr's page of a file mapping wholly past the file's end? filemap_fault returns VM_FAULT_SIGBUS
 * for a page index at or past DIV_ROUND_UP(i_size, PAGE_SIZE), for private and shared mappings
 * alike; the page holding EOF maps, zero-filled past it.
 */
function pastEof(v: Vma, addr: number): boolean {
  return v.file !== undefined && vmaFileOffset(v, addr - (addr % PAGE_SIZE)) >= pageAlignUp(v.file.size);
}
