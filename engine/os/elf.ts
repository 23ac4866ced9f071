// ELF64 parsing: headers, program headers, sections and symbol tables.
//
// Every problem with the file becomes an ElfError with a one-line message
// naming the file and what is wrong; nothing here throws anything else.

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

interface ElfSymbol {
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

export function parseElf(path: string, bytes: Uint8Array): ElfImage {
  if (bytes.length === 0) fail(path, "empty file, not an ELF executable");
  if (bytes.length < 16 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46)
    fail(path, "not an ELF file (bad magic)");
  const cls = bytes[4];
  if (cls !== 2) fail(path, cls === 1 ? "32-bit ELF (ELFCLASS32) is not supported yet: only x86-64" : `bad ELF class ${cls}`);
  if (bytes[5] !== 1) fail(path, "big-endian ELF is not x86-64");
  if (bytes.length < 64) fail(path, `truncated ELF header (${bytes.length} bytes, need 64)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => dv.getUint16(o, true);
  const u32 = (o: number) => dv.getUint32(o, true);
  const u64 = (o: number) => {
    const v = dv.getBigUint64(o, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(path, `value 0x${v.toString(16)} at file offset ${o} is out of range`);
    return Number(v);
  };
  const type = u16(16);
  const machine = u16(18);
  if (machine !== EM_X86_64) fail(path, `ELF machine ${machine}${machine === EM_386 ? " (i386)" : ""} is not x86-64`);
  if (type !== ET_EXEC && type !== ET_DYN) fail(path, `ELF type ${type} is not an executable (ET_EXEC or ET_DYN)`);
  const entry = u64(24);
  const phoff = u64(32);
  const shoff = u64(40);
  const phentsize = u16(54);
  const phnum = u16(56);
  const shentsize = u16(58);
  const shnum = u16(60);
  const shstrndx = u16(62);
  if (phnum === 0) fail(path, "no program headers");
  if (phentsize < 56) fail(path, `bad program header size ${phentsize}`);
  if (phoff + phnum * phentsize > bytes.length) fail(path, `truncated: program headers end at ${phoff + phnum * phentsize}, file has ${bytes.length} bytes`);
  const phdrs: ProgramHeader[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    const ph: ProgramHeader = {
      type: u32(o),
      flags: u32(o + 4),
      offset: u64(o + 8),
      vaddr: u64(o + 16),
      filesz: u64(o + 32),
      memsz: u64(o + 40),
      align: u64(o + 48),
    };
    if (ph.type === PT_LOAD) {
      if (ph.offset + ph.filesz > bytes.length) fail(path, `truncated: segment ${i} needs bytes up to ${ph.offset + ph.filesz}, file has ${bytes.length}`);
      if (ph.filesz > ph.memsz) fail(path, `segment ${i}: file size larger than memory size`);
      if (ph.vaddr % 4096 !== ph.offset % 4096) fail(path, `segment ${i}: address and offset are not congruent modulo the page size`);
      if (ph.vaddr + ph.memsz > 0x7ffffffff000) fail(path, `segment ${i} lies outside user space`);
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
  if (shoff && shnum && shentsize >= 64 && shoff + shnum * shentsize <= bytes.length) {
    const raw: { name: number; type: number; flags: number; addr: number; offset: number; size: number; link: number; entsize: number }[] = [];
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * shentsize;
      raw.push({ name: u32(o), type: u32(o + 4), flags: u64(o + 8), addr: u64(o + 16), offset: u64(o + 24), size: u64(o + 32), link: u32(o + 40), entsize: u64(o + 56) });
    }
    const str = (sec: number, off: number): string => {
      const s = raw[sec];
      if (!s || s.offset + off >= bytes.length) return "";
      let end = s.offset + off;
      const lim = Math.min(bytes.length, s.offset + s.size);
      while (end < lim && bytes[end] !== 0) end++;
      return new TextDecoder().decode(bytes.subarray(s.offset + off, end));
    };
    for (const s of raw) sections.push({ name: str(shstrndx, s.name), type: s.type, addr: s.addr, offset: s.offset, size: s.size, flags: s.flags });
    readSymbols = () => {
      const symbols: ElfSymbol[] = [];
      const seen = new Set<string>();
      for (const s of raw) {
        if (s.type !== SHT_SYMTAB && s.type !== SHT_DYNSYM) continue;
        if (s.entsize < 24 || s.offset + s.size > bytes.length) continue;
        for (let o = s.offset; o + 24 <= s.offset + s.size; o += s.entsize) {
          const info = bytes[o + 4]!;
          const stt = info & 0xf;
          const bind = info >> 4;
          const shndx = u16(o + 6);
          if (shndx === 0) continue; // undefined
          const name = str(s.link, u32(o));
          if (!name) continue;
          const value = u64(o + 8);
          const size = u64(o + 16);
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
      symbols.sort((a, b) => a.value - b.value || a.name.localeCompare(b.name));
      return symbols;
    };
  }
  const dynamic = parseDynamic(bytes, dv, phdrs);
  let symbols: ElfSymbol[] | undefined;
  return {
    path, bytes, type, machine, bits: 64, entry, phdrOffset: phoff, phentsize, phdrs, sections, interp, dynamic,
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
function parseDynamic(bytes: Uint8Array, dv: DataView, phdrs: readonly ProgramHeader[]): DynamicInfo {
  const info: DynamicInfo = { needed: [] };
  const pd = phdrs.find((p) => p.type === PT_DYNAMIC);
  if (!pd || pd.offset + pd.filesz > bytes.length) return info;
  const entries: [number, number][] = [];
  let strtab = -1, strsz = 0;
  for (let o = pd.offset; o + 16 <= pd.offset + pd.filesz; o += 16) {
    const tag = Number(dv.getBigInt64(o, true));
    const val = Number(dv.getBigUint64(o + 8, true));
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
