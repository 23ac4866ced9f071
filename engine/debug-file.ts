// Symbols from a detached debug file (what libc6-dbg installs), found and
// read as bcc's bcc_elf.c does for bpftrace: find_debug_file() tries the
// build-id first (/usr/lib/debug/.build-id/xx/yyyy.debug), then
// .gnu_debuglink (next to the file, in its .debug/, then under
// /usr/lib/debug/<dir>) with the CRC32 the link carries. The debug file's
// .symtab holds the local symbols a stripped library lost (`str_append`,
// `strlen_ifunc`, `__libc_start_call_main`). It is read by the host-side
// tool only, never mapped into or opened for the guest.

import * as fs from "node:fs";
import * as path from "node:path";
import { crc32 } from "node:zlib";
import { readHostFile } from "./host-file.js";
import { parseElf, type ElfImage, type ElfSymbol } from "./os/elf.js";
import { compareNames } from "./name-order.js";

/** bcc's global debug directory (hard-coded there too). */
const DEBUG_ROOT = "/usr/lib/debug";
const NT_GNU_BUILD_ID = 3;

/** Debug symbols per debug-file path: libc's is 4 MB and many Binaries may name it. */
const cache = new Map<string, ElfSymbol[]>();

function sectionBytes(elf: ElfImage, name: string): Uint8Array | undefined {
  const s = elf.sections.find((x) => x.name === name);
  if (!s || s.type === 8 /* SHT_NOBITS */ || s.offset + s.size > elf.bytes.length) return undefined;
  return elf.bytes.subarray(s.offset, s.offset + s.size);
}

/** The build-id from .note.gnu.build-id, as lower-case hex (bcc's find_buildid). */
function buildId(elf: ElfImage): string | undefined {
  const b = sectionBytes(elf, ".note.gnu.build-id");
  if (!b || b.length < 16) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const namesz = dv.getUint32(0, true), descsz = dv.getUint32(4, true), type = dv.getUint32(8, true);
  const desc = 12 + ((namesz + 3) & ~3);
  if (type !== NT_GNU_BUILD_ID || descsz === 0 || desc + descsz > b.length) return undefined;
  return Buffer.from(b.subarray(desc, desc + descsz)).toString("hex");
}

/** .gnu_debuglink: the debug file's name, then (4-aligned) its CRC32 (bcc's find_debuglink). */
function debugLink(elf: ElfImage): { name: string; crc: number } | undefined {
  const b = sectionBytes(elf, ".gnu_debuglink");
  if (!b) return undefined;
  const end = b.indexOf(0);
  if (end <= 0) return undefined;
  const crcAt = (end + 4) & ~3;
  if (crcAt + 4 > b.length) return undefined;
  const name = new TextDecoder().decode(b.subarray(0, end));
  if (name.includes("/")) return undefined;
  return { name, crc: new DataView(b.buffer, b.byteOffset + crcAt, 4).getUint32(0, true) };
}

const readable = (p: string): boolean => {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
};

function sameFile(a: string, b: string): boolean {
  try {
    const x = fs.statSync(a), y = fs.statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** find_debug_via_debuglink(): the first existing candidate, kept only if its CRC32 matches. */
function viaDebugLink(elf: ElfImage, binPath: string): string | undefined {
  const link = debugLink(elf);
  if (!link) return undefined;
  const dir = path.dirname(binPath);
  const candidates = [path.join(dir, link.name), path.join(dir, ".debug", link.name), path.join(DEBUG_ROOT, path.resolve(dir), link.name)];
  // next to the file, a link naming the file itself is skipped (it is the stripped one)
  const found = candidates.find((c, i) => readable(c) && !(i === 0 && sameFile(c, binPath)));
  if (found === undefined) return undefined;
  try {
    return crc32(readHostFile(found, found)) >>> 0 === link.crc ? found : undefined;
  } catch {
    return undefined;
  }
}

/** Where bcc would find the detached debug file of a loaded ELF, or undefined. */
export function findDebugFile(elf: ElfImage, binPath: string): string | undefined {
  const id = buildId(elf);
  if (id !== undefined && id.length > 2) {
    const p = path.join(DEBUG_ROOT, ".build-id", id.slice(0, 2), `${id.slice(2)}.debug`);
    if (readable(p)) return p;
  }
  return viaDebugLink(elf, binPath);
}

/**
 * The debug file's symbols (its .symtab and .dynsym), read once per file; [] when there is none
 * or it cannot be parsed (a broken debug file must not stop a trace: bcc ignores it too).
 */
export function debugSymbols(elf: ElfImage, binPath: string): ElfSymbol[] {
  const file = findDebugFile(elf, binPath);
  if (file === undefined) return [];
  let syms = cache.get(file);
  if (syms === undefined) {
    try {
      syms = parseElf(file, readHostFile(file, file)).symbols;
    } catch {
      syms = [];
    }
    cache.set(file, syms);
  }
  return syms;
}

/** parseElf's order: by address, then name. */
const before = (a: ElfSymbol, b: ElfSymbol): boolean => a.value < b.value || (a.value === b.value && compareNames(a.name, b.name) < 0);

/**
 * The file's own symbols with the debug file's added: one per (name, address), as bcc's symbol
 * sets hold them. Both inputs are in parseElf's order, so a linear merge keeps it (re-sorting
 * 10,000 names with localeCompare cost more than reading them).
 */
export function mergeDebugSymbols(own: readonly ElfSymbol[], debug: readonly ElfSymbol[]): ElfSymbol[] {
  const seen = new Set(own.map((s) => `${s.name}@${s.value}`));
  const extra = debug.filter((s) => !seen.has(`${s.name}@${s.value}`));
  const out: ElfSymbol[] = [];
  let i = 0, j = 0;
  while (i < own.length || j < extra.length) {
    if (j >= extra.length || (i < own.length && !before(extra[j]!, own[i]!))) out.push(own[i++]!);
    else out.push(extra[j++]!);
  }
  return out;
}
