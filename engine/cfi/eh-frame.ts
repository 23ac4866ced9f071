// .eh_frame: the call frame information (CFI) every x86-64 object carries
// for unwinding, as gcc and glibc's unwinders read it (the LSB's "Exception
// Frame" chapter; DWARF 4 §6.4 for the instructions). A section is a list
// of records: a CIE holds what many functions share (alignment factors, the
// return-address column, the augmentation `zR`/`zPLR`/`S` and the initial
// instructions), an FDE covers one pc range and adds its own instructions.
//
// Lookup: .eh_frame_hdr's sorted table (binary search, then one FDE parsed
// on demand), as glibc's _Unwind_Find_FDE does through dl_iterate_phdr;
// without a usable header, every FDE is read once and sorted.

import { CfiError, DwarfReader, PE_OMIT, type PointerBases } from "./dwarf-read.js";

export interface Cie {
  /** Offset of the CIE in the section (readelf's first column). */
  offset: number;
  augmentation: string;
  codeAlign: number;
  dataAlign: number;
  /** The return-address column (16, rip, on x86-64; 8, eip, on i386). */
  raColumn: number;
  /** The encoding of the FDEs' pc fields ('R'; absptr without it). */
  fdeEncoding: number;
  /** 'L': the encoding of each FDE's LSDA pointer (skipped). */
  lsdaEncoding: number;
  /** 'S': a signal trampoline's frame; its caller's pc is not a return address. */
  signalFrame: boolean;
  initialInstructions: Uint8Array;
}

export interface Fde {
  offset: number;
  cie: Cie;
  /** [pcBegin, pcEnd), link-time addresses. */
  pcBegin: number;
  pcEnd: number;
  instructions: Uint8Array;
}

/** Where the sections sit: link-time addresses, for pc-relative and data-relative pointers. */
export interface EhFrameSections {
  ehFrame: Uint8Array;
  ehFrameAddr: number;
  /** .eh_frame_hdr, if the file has one. */
  hdr?: Uint8Array;
  hdrAddr?: number;
  /** The GOT: i386 objects encode .eh_frame pointers relative to it (DW_EH_PE_datarel). */
  gotAddr?: number;
  addrSize: 4 | 8;
}

export class EhFrame {
  private readonly cies = new Map<number, Cie>();
  private sorted: Fde[] | undefined;
  /** .eh_frame_hdr's table: pc and FDE address pairs, sorted by pc. */
  private readonly hdrTable: { pcs: Float64Array; fdes: Float64Array } | undefined;

  constructor(readonly s: EhFrameSections) {
    this.hdrTable = readHdrTable(s);
  }

  /** The FDE whose range holds pc (a link-time address), or undefined. */
  find(pc: number): Fde | undefined {
    const t = this.hdrTable;
    if (t) {
      const i = upperBound(t.pcs, pc) - 1;
      if (i < 0) return undefined;
      const fde = this.fdeAt(t.fdes[i]! - this.s.ehFrameAddr);
      return fde && pc >= fde.pcBegin && pc < fde.pcEnd ? fde : undefined;
    }
    const all = this.all();
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (all[mid]!.pcBegin <= pc) lo = mid + 1;
      else hi = mid;
    }
    const f = all[lo - 1];
    return f && pc < f.pcEnd ? f : undefined;
  }

  /** Every FDE of the section, sorted by pcBegin (empty ranges left out). */
  all(): Fde[] {
    if (this.sorted) return this.sorted;
    const out: Fde[] = [];
    const r = new DwarfReader(this.s.ehFrame, 0, this.s.ehFrame.length, this.s.addrSize);
    while (!r.done) {
      const start = r.pos;
      const len = r.u32();
      if (len === 0) break; // the terminator crtend.o adds
      if (len === 0xffffffff) throw new CfiError(`64-bit DWARF length at .eh_frame+0x${start.toString(16)}`);
      const idPos = r.pos;
      const id = r.u32();
      r.pos = idPos + len;
      if (id === 0) continue;
      const fde = this.fdeAt(start);
      if (fde && fde.pcEnd > fde.pcBegin) out.push(fde);
    }
    out.sort((a, b) => a.pcBegin - b.pcBegin || a.offset - b.offset);
    return (this.sorted = out);
  }

  /** The CIE at a section offset (cached: many FDEs share one). */
  cieAt(offset: number): Cie {
    let c = this.cies.get(offset);
    if (!c) {
      c = parseCie(this.s, offset);
      this.cies.set(offset, c);
    }
    return c;
  }

  /** The FDE at a section offset; undefined for a CIE or a zero terminator. */
  fdeAt(offset: number): Fde | undefined {
    const s = this.s;
    if (offset < 0 || offset >= s.ehFrame.length) throw new CfiError(`FDE offset 0x${offset.toString(16)} outside .eh_frame`);
    const r = new DwarfReader(s.ehFrame, offset, s.ehFrame.length, s.addrSize);
    const len = r.u32();
    if (len === 0) return undefined;
    if (len === 0xffffffff) throw new CfiError(`64-bit DWARF length at .eh_frame+0x${offset.toString(16)}`);
    const end = r.pos + len;
    if (end > s.ehFrame.length) throw new CfiError(`FDE at .eh_frame+0x${offset.toString(16)} runs past the section`);
    const idPos = r.pos;
    const ciePtr = r.u32();
    if (ciePtr === 0) return undefined;
    // in .eh_frame the CIE pointer is the distance back from this field
    const cie = this.cieAt(idPos - ciePtr);
    const rr = new DwarfReader(s.ehFrame, r.pos, end, s.addrSize);
    const bases: PointerBases = { sectionAddr: s.ehFrameAddr, dataRel: s.gotAddr };
    const pcBegin = rr.pointer(cie.fdeEncoding, bases);
    // the range is an unsigned value in the same format, never relative
    const pcRange = rr.pointer(cie.fdeEncoding & 0x0f, bases);
    if (cie.augmentation.startsWith("z")) {
      const n = rr.uleb();
      rr.pos += n; // the LSDA pointer, which an unwinder of frames does not need
    }
    return { offset, cie, pcBegin, pcEnd: pcBegin + pcRange, instructions: s.ehFrame.subarray(rr.pos, end) };
  }
}

function parseCie(s: EhFrameSections, offset: number): Cie {
  if (offset < 0 || offset >= s.ehFrame.length) throw new CfiError(`CIE offset 0x${offset.toString(16)} outside .eh_frame`);
  const r = new DwarfReader(s.ehFrame, offset, s.ehFrame.length, s.addrSize);
  const len = r.u32();
  if (len === 0xffffffff) throw new CfiError(`64-bit DWARF length at .eh_frame+0x${offset.toString(16)}`);
  const end = r.pos + len;
  if (end > s.ehFrame.length) throw new CfiError(`CIE at .eh_frame+0x${offset.toString(16)} runs past the section`);
  const rr = new DwarfReader(s.ehFrame, r.pos, end, s.addrSize);
  if (rr.u32() !== 0) throw new CfiError(`no CIE at .eh_frame+0x${offset.toString(16)}`);
  const version = rr.u8();
  if (version !== 1 && version !== 3) throw new CfiError(`CIE version ${version} at .eh_frame+0x${offset.toString(16)}`);
  const augmentation = rr.cstring();
  if (augmentation.includes("eh")) rr.pos += s.addrSize; // the old gcc "eh" data pointer
  const codeAlign = rr.uleb();
  const dataAlign = rr.sleb();
  const raColumn = version === 1 ? rr.u8() : rr.uleb();
  const cie: Cie = { offset, augmentation, codeAlign, dataAlign, raColumn, fdeEncoding: 0, lsdaEncoding: PE_OMIT, signalFrame: false, initialInstructions: new Uint8Array() };
  if (augmentation.startsWith("z")) {
    const n = rr.uleb();
    const augEnd = rr.pos + n;
    const bases: PointerBases = { sectionAddr: s.ehFrameAddr, dataRel: s.gotAddr };
    for (const c of augmentation.slice(1)) {
      if (c === "R") cie.fdeEncoding = rr.u8();
      else if (c === "L") cie.lsdaEncoding = rr.u8();
      else if (c === "P") rr.pointer(rr.u8() & 0x7f, bases); // the personality routine: read past it
      else if (c === "S") cie.signalFrame = true;
      else if (c === "B") continue; // AArch64's BTI mark: no data
      else break; // an unknown letter: the 'z' length lets us skip the rest
    }
    rr.pos = augEnd;
  } else if (augmentation !== "" && augmentation !== "eh") {
    throw new CfiError(`CIE augmentation '${augmentation}' without 'z' at .eh_frame+0x${offset.toString(16)}`);
  }
  cie.initialInstructions = s.ehFrame.subarray(rr.pos, end);
  return cie;
}

/** .eh_frame_hdr's binary-search table, when its encodings are the ones ld writes (datarel|sdata4) or another readable one. */
function readHdrTable(s: EhFrameSections): { pcs: Float64Array; fdes: Float64Array } | undefined {
  if (!s.hdr || s.hdrAddr === undefined || s.hdr.length < 4) return undefined;
  try {
    const r = new DwarfReader(s.hdr, 0, s.hdr.length, s.addrSize);
    const version = r.u8();
    const framePtrEnc = r.u8();
    const countEnc = r.u8();
    const tableEnc = r.u8();
    if (version !== 1 || countEnc === PE_OMIT || tableEnc === PE_OMIT) return undefined;
    const bases: PointerBases = { sectionAddr: s.hdrAddr, dataRel: s.hdrAddr };
    const framePtr = r.pointer(framePtrEnc, bases);
    if (framePtr !== s.ehFrameAddr) return undefined;
    const count = r.pointer(countEnc, bases);
    const entry = tableEnc & 0x0f;
    const width = entry === 0x03 || entry === 0x0b ? 4 : entry === 0x04 || entry === 0x0c ? 8 : 0;
    if (width === 0 || count < 0 || r.pos + count * 2 * width > s.hdr.length) return undefined;
    const pcs = new Float64Array(count);
    const fdes = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      pcs[i] = r.pointer(tableEnc, bases);
      fdes[i] = r.pointer(tableEnc, bases);
      if (i > 0 && pcs[i]! < pcs[i - 1]!) return undefined; // not sorted: do not trust it
    }
    return { pcs, fdes };
  } catch (e) {
    if (e instanceof CfiError) return undefined;
    throw e;
  }
}

/** The index of the first element greater than x. */
function upperBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
