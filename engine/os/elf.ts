// ELF parsing: headers, program headers, sections and symbol tables, for
// ELF64 x86-64 and ELF32 i386 (the same fields at the offsets of each class:
// ElfLayout below).
//
// Every problem with the file becomes an ElfError with a one-line message
// naming the file and what is wrong; nothing here throws anything else.

import { compareNames } from "../name-order.js";

export class ElfError extends Error {}

export const ET_EXEC = 2;
export const ET_DYN = 3;
export const EM_X86_64 = 62;
export const EM_386 = 3;
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PT_PHDR = 6;
export const PT_TLS = 7;
export const PT_GNU_STACK = 0x6474e551;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;
const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;
const STT_OBJECT = 1;
const STT_FUNC = 2;
const STT_GNU_IFUNC = 10;

interface ProgramHeader {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  align: number;
}

interface Section {
  name: string;
  type: number;
  addr: number;
  offset: number;
  size: number;
  flags: number;
}

export interface ElfSymbol {
  name: string;
  /** Link-time address (add the load bias for PIE). */
  value: number;
  size: number;
  kind: "func" | "object" | "other";
  global: boolean;
  /** STT_GNU_IFUNC: the symbol is a resolver that ld.so calls to pick the implementation. */
  ifunc: boolean;
}

export interface ElfImage {
  path: string;
  bytes: Uint8Array;
  type: number;
  machine: number;
  bits: 64 | 32;
  entry: number;
  phdrOffset: number;
  phentsize: number;
  phdrs: ProgramHeader[];
  sections: Section[];
  /** Function and object symbols from .symtab and .dynsym, deduplicated, sorted by address. */
  symbols: ElfSymbol[];
  interp?: string;
  /** From PT_DYNAMIC: DT_NEEDED names, DT_SONAME, DT_RUNPATH / DT_RPATH (empty when static). */
  dynamic: DynamicInfo;
}

interface DynamicInfo {
  needed: string[];
  soname?: string;
  runpath?: string;
  rpath?: string;
}

const DT_NULL = 0, DT_NEEDED = 1, DT_STRTAB = 5, DT_STRSZ = 10, DT_SONAME = 14, DT_RPATH = 15, DT_RUNPATH = 29;

function fail(path: string, what: string): never {
  throw new ElfError(`${path}: ${what}`);
}

/** Where each class keeps its fields (the ELF64 and ELF32 structs differ in width and order). */
interface ElfLayout {
  bits: 64 | 32;
  machine: number;
  ehsize: number;
  word: (o: number) => number;
  ehdr: { entry: number; phoff: number; shoff: number; phentsize: number; phnum: number; shentsize: number; shnum: number; shstrndx: number };
  phentsize: number;
  phdr: (o: number) => ProgramHeader;
  shentsize: number;
  shdr: (o: number) => { name: number; type: number; flags: number; addr: number; offset: number; size: number; link: number; entsize: number };
  symsize: number;
  /** st_info, st_shndx, st_name, st_value, st_size offsets in an Elf_Sym. */
  sym: { info: number; shndx: number; name: number; value: number; size: number };
  dynsize: number;
  dyn: (o: number) => [number, number];
}

function layoutOf(path: string, cls: number, dv: DataView, u64: (o: number) => number): ElfLayout {
  const u16 = (o: number) => dv.getUint16(o, true);
  const u32 = (o: number) => dv.getUint32(o, true);
  if (cls === 2)
    return {
      bits: 64, machine: EM_X86_64, ehsize: 64, word: u64,
      ehdr: { entry: 24, phoff: 32, shoff: 40, phentsize: 54, phnum: 56, shentsize: 58, shnum: 60, shstrndx: 62 },
      phentsize: 56,
      phdr: (o) => ({ type: u32(o), flags: u32(o + 4), offset: u64(o + 8), vaddr: u64(o + 16), filesz: u64(o + 32), memsz: u64(o + 40), align: u64(o + 48) }),
      shentsize: 64,
      shdr: (o) => ({ name: u32(o), type: u32(o + 4), flags: u64(o + 8), addr: u64(o + 16), offset: u64(o + 24), size: u64(o + 32), link: u32(o + 40), entsize: u64(o + 56) }),
      symsize: 24, sym: { info: 4, shndx: 6, name: 0, value: 8, size: 16 },
      dynsize: 16, dyn: (o) => [Number(dv.getBigInt64(o, true)), Number(dv.getBigUint64(o + 8, true))],
    };
  if (cls === 1)
    return {
      bits: 32, machine: EM_386, ehsize: 52, word: u32,
      ehdr: { entry: 24, phoff: 28, shoff: 32, phentsize: 42, phnum: 44, shentsize: 46, shnum: 48, shstrndx: 50 },
      phentsize: 32,
      phdr: (o) => ({ type: u32(o), offset: u32(o + 4), vaddr: u32(o + 8), filesz: u32(o + 16), memsz: u32(o + 20), flags: u32(o + 24), align: u32(o + 28) }),
      shentsize: 40,
      shdr: (o) => ({ name: u32(o), type: u32(o + 4), flags: u32(o + 8), addr: u32(o + 12), offset: u32(o + 16), size: u32(o + 20), link: u32(o + 24), entsize: u32(o + 36) }),
      symsize: 16, sym: { info: 12, shndx: 14, name: 0, value: 4, size: 8 },
      dynsize: 8, dyn: (o) => [dv.getInt32(o, true), u32(o + 4)],
    };
  fail(path, `bad ELF class ${cls}`);
}

export function parseElf(path: string, bytes: Uint8Array): ElfImage {
  if (bytes.length === 0) fail(path, "empty file, not an ELF executable");
  if (bytes.length < 16 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46)
    fail(path, "not an ELF file (bad magic)");
  const cls = bytes[4]!;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => dv.getUint16(o, true);
  const u32 = (o: number) => dv.getUint32(o, true);
  const u64 = (o: number) => {
    const v = dv.getBigUint64(o, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(path, `value 0x${v.toString(16)} at file offset ${o} is out of range`);
    return Number(v);
  };
  const L = layoutOf(path, cls, dv, u64);
  const arch = L.bits === 64 ? "x86-64" : "i386";
  if (bytes[5] !== 1) fail(path, `big-endian ELF is not ${arch}`);
  if (bytes.length < L.ehsize) fail(path, `truncated ELF header (${bytes.length} bytes, need ${L.ehsize})`);
  const type = u16(16);
  const machine = u16(18);
  if (machine !== L.machine) {
    const named = machine === EM_386 ? " (i386)" : machine === EM_X86_64 ? " (x86-64)" : "";
    fail(path, `ELF machine ${machine}${named} is not ${arch} (a ${L.bits}-bit ELF)`);
  }
  if (type !== ET_EXEC && type !== ET_DYN) fail(path, `ELF type ${type} is not an executable (ET_EXEC or ET_DYN)`);
  const E = L.ehdr;
  const entry = L.word(E.entry);
  const phoff = L.word(E.phoff);
  const shoff = L.word(E.shoff);
  const phentsize = u16(E.phentsize);
  const phnum = u16(E.phnum);
  const shentsize = u16(E.shentsize);
  const shnum = u16(E.shnum);
  const shstrndx = u16(E.shstrndx);
  // a 32-bit task's user space ends at 4 GiB (IA32_PAGE_OFFSET), a 64-bit one's at TASK_SIZE_MAX
  const userTop = L.bits === 64 ? 0x7ffffffff000 : 0xffffe000;
  if (phnum === 0) fail(path, "no program headers");
  if (phentsize < L.phentsize) fail(path, `bad program header size ${phentsize}`);
  if (phoff + phnum * phentsize > bytes.length) fail(path, `truncated: program headers end at ${phoff + phnum * phentsize}, file has ${bytes.length} bytes`);
  const phdrs: ProgramHeader[] = [];
  for (let i = 0; i < phnum; i++) {
    const ph = L.phdr(phoff + i * phentsize);
    if (ph.type === PT_LOAD) {
      if (ph.offset + ph.filesz > bytes.length) fail(path, `truncated: segment ${i} needs bytes up to ${ph.offset + ph.filesz}, file has ${bytes.length}`);
      if (ph.filesz > ph.memsz) fail(path, `segment ${i}: file size larger than memory size`);
      if (ph.vaddr % 4096 !== ph.offset % 4096) fail(path, `segment ${i}: address and offset are not congruent modulo the page size`);
      if (ph.vaddr + ph.memsz > userTop) fail(path, `segment ${i} lies outside user space`);
    }
    phdrs.push(ph);
  }
  if (!phdrs.some((p) => p.type === PT_LOAD)) fail(path, "no loadable segments");
  let interp: string | undefined;
  const pi = phdrs.find((p) => p.type === PT_INTERP);
  if (pi) interp = new TextDecoder().decode(bytes.subarray(pi.offset, pi.offset + pi.filesz)).replace(/\0.*$/s, "");

  const sections: Section[] = [];
  // Symbols are read on first use: the probe compiler opens every library a program loads (libc,
  // libstdc++: ~10,000 symbols) to know the probeable files, and needs the symbols of few of them.
  let readSymbols: () => ElfSymbol[] = () => [];
  if (shoff && shnum && shentsize >= L.shentsize && shoff + shnum * shentsize <= bytes.length) {
    const raw: { name: number; type: number; flags: number; addr: number; offset: number; size: number; link: number; entsize: number }[] = [];
    for (let i = 0; i < shnum; i++) raw.push(L.shdr(shoff + i * shentsize));
    const utf8 = new TextDecoder(); // one decoder for all names: a new one per string dominated reading a 10,000-symbol table
    const str = (sec: number, off: number): string => {
      const s = raw[sec];
      if (!s || s.offset + off >= bytes.length) return "";
      let end = s.offset + off;
      const lim = Math.min(bytes.length, s.offset + s.size);
      while (end < lim && bytes[end] !== 0) end++;
      return utf8.decode(bytes.subarray(s.offset + off, end));
    };
    for (const s of raw) sections.push({ name: str(shstrndx, s.name), type: s.type, addr: s.addr, offset: s.offset, size: s.size, flags: s.flags });
    const Y = L.sym;
    readSymbols = () => {
      const symbols: ElfSymbol[] = [];
      const seen = new Set<string>();
      for (const s of raw) {
        if (s.type !== SHT_SYMTAB && s.type !== SHT_DYNSYM) continue;
        if (s.entsize < L.symsize || s.offset + s.size > bytes.length) continue;
        for (let o = s.offset; o + L.symsize <= s.offset + s.size; o += s.entsize) {
          const info = bytes[o + Y.info]!;
          const stt = info & 0xf;
          const bind = info >> 4;
          const shndx = u16(o + Y.shndx);
          if (shndx === 0) continue; // undefined
          const name = str(s.link, u32(o + Y.name));
          if (!name) continue;
          const value = L.word(o + Y.value);
          const size = L.word(o + Y.size);
          const key = `${name}@${value}`;
          if (seen.has(key)) continue;
          seen.add(key);
          symbols.push({
            name,
            value,
            size,
            kind: stt === STT_FUNC || stt === STT_GNU_IFUNC ? "func" : stt === STT_OBJECT ? "object" : "other",
            global: bind !== 0,
            ifunc: stt === STT_GNU_IFUNC,
          });
        }
      }
      symbols.sort((a, b) => a.value - b.value || compareNames(a.name, b.name));
      return symbols;
    };
  }
  const dynamic = parseDynamic(bytes, L, phdrs);
  let symbols: ElfSymbol[] | undefined;
  return {
    path, bytes, type, machine, bits: L.bits, entry, phdrOffset: phoff, phentsize, phdrs, sections, interp, dynamic,
    get symbols(): ElfSymbol[] {
      return (symbols ??= readSymbols());
    },
  };
}

/** File offset of a link-time address, through the PT_LOAD segments (-1 if no file bytes back it). */
export function vaddrToOffset(phdrs: readonly ProgramHeader[], vaddr: number): number {
  for (const ph of phdrs) if (ph.type === PT_LOAD && vaddr >= ph.vaddr && vaddr < ph.vaddr + ph.filesz) return ph.offset + (vaddr - ph.vaddr);
  return -1;
}

/** The strings of the dynamic section that say which libraries to load and where to look (what ld.so reads first). */
function parseDynamic(bytes: Uint8Array, L: ElfLayout, phdrs: readonly ProgramHeader[]): DynamicInfo {
  const info: DynamicInfo = { needed: [] };
  const pd = phdrs.find((p) => p.type === PT_DYNAMIC);
  if (!pd || pd.offset + pd.filesz > bytes.length) return info;
  const entries: [number, number][] = [];
  let strtab = -1, strsz = 0;
  for (let o = pd.offset; o + L.dynsize <= pd.offset + pd.filesz; o += L.dynsize) {
    const [tag, val] = L.dyn(o);
    if (tag === DT_NULL) break;
    if (tag === DT_STRTAB) strtab = val;
    else if (tag === DT_STRSZ) strsz = val;
    else entries.push([tag, val]);
  }
  const base = strtab < 0 ? -1 : vaddrToOffset(phdrs, strtab);
  if (base < 0) return info;
  const str = (off: number): string => {
    const lim = Math.min(bytes.length, base + (strsz || bytes.length));
    let end = base + off;
    while (end < lim && bytes[end] !== 0) end++;
    return new TextDecoder().decode(bytes.subarray(base + off, end));
  };
  for (const [tag, val] of entries) {
    if (tag === DT_NEEDED) info.needed.push(str(val));
    else if (tag === DT_SONAME) info.soname = str(val);
    else if (tag === DT_RUNPATH) info.runpath = str(val);
    else if (tag === DT_RPATH) info.rpath = str(val);
  }
  return info;
}
