// Which shared libraries a dynamically linked executable will load, found
// the way ld.so finds them (elf/dl-load.c _dl_map_object, with no
// /etc/ld.so.cache, which the guest cannot see): DT_RPATH when there is no
// DT_RUNPATH, then LD_LIBRARY_PATH, then DT_RUNPATH, then the system
// directories; breadth-first over DT_NEEDED, as _dl_map_object_deps does.
//
// The probe compiler uses it to know the probeable files (and their symbols)
// before the guest runs; the guest's own ld.so then opens the same files.

import * as nodePath from "node:path";
import { type ElfImage, parseElf } from "./elf.js";
import { readHostFile } from "../host-file.js";
import { fileId } from "./guest-fs.js";

/** Debian/Ubuntu's ld.so built-in search list (SYSTEM_DIRS) on x86-64. */
const SYSTEM_LIB_DIRS: readonly string[] = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib"];
/** The i386 ld.so's: Debian's libc6-i386 is built with slibdir /lib32 (its ld-linux.so.2 lists /lib32/ /usr/lib32/ /lib/ /usr/lib/), libc6:i386 with the multiarch ones. */
const SYSTEM_LIB_DIRS_32: readonly string[] = ["/lib32", "/usr/lib32", "/lib/i386-linux-gnu", "/usr/lib/i386-linux-gnu", "/lib", "/usr/lib"];

export interface FoundLibrary {
  /** The DT_NEEDED name (or PT_INTERP path). */
  name: string;
  /** Host path where it was found (the path ld.so opens). */
  path: string;
  /** Its real path, which is its identity (fileId): the key of the probes on it. */
  realPath: string;
  elf: ElfImage;
}

/** $ORIGIN (and ${ORIGIN}) is the directory of the object that asks (dl-load.c expand_dynamic_string_token). */
function expand(list: string | undefined, origin: string): string[] {
  if (!list) return [];
  return list
    .split(":")
    .filter(Boolean)
    .map((d) => d.replace(/\$\{ORIGIN\}|\$ORIGIN/g, origin));
}

/**
 * A library file the guest may open: allowed (checked on the real path before any byte is read, as
 * GuestFs does for the guest's own opens: /proc/self/pagemap as PT_INTERP is never read), a regular
 * ELF file, at most MAX_LIBRARY_BYTES.
 */
function tryOpen(path: string, allowed: (realPath: string) => boolean): { path: string; realPath: string; bytes: Uint8Array } | undefined {
  try {
    const realPath = fileId(path, "library");
    if (!allowed(realPath)) return undefined;
    const bytes = readHostFile(realPath, realPath, MAX_LIBRARY_BYTES);
    if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) return undefined;
    return { path, realPath, bytes };
  } catch {
    return undefined;
  }
}

/** The largest library the probe compiler reads (libLLVM is ~120 MB). */
const MAX_LIBRARY_BYTES = 512 << 20;

/**
 * The interpreter and the DT_NEEDED closure of an executable, in load order.
 * `allowed(realPath)` says whether the guest may open a file (the library
 * directories); a library that is not found is left out: the guest's ld.so
 * will report it as it does natively.
 */
export function findLibraries(exe: ElfImage, exePath: string, ldLibraryPath: string | undefined, allowed: (realPath: string) => boolean): FoundLibrary[] {
  const out: FoundLibrary[] = [];
  const seen = new Set<string>();
  const bySoname = new Map<string, FoundLibrary>();
  const add = (name: string, hit: { path: string; realPath: string; bytes: Uint8Array }): FoundLibrary | undefined => {
    if (seen.has(hit.realPath)) return undefined;
    let elf: ElfImage;
    try {
      elf = parseElf(hit.path, hit.bytes);
    } catch {
      return undefined;
    }
    if (elf.bits !== exe.bits) return undefined; // ld.so skips a library of the other class
    seen.add(hit.realPath);
    const lib = { name, path: hit.path, realPath: hit.realPath, elf };
    out.push(lib);
    bySoname.set(elf.dynamic.soname ?? nodePath.basename(hit.path), lib);
    return lib;
  };
  if (exe.interp) {
    const hit = tryOpen(exe.interp, allowed);
    if (hit) add(exe.interp, hit);
  }
  const queue: { elf: ElfImage; origin: string }[] = [{ elf: exe, origin: nodePath.dirname(nodePath.resolve(exePath)) }];
  while (queue.length) {
    const { elf, origin } = queue.shift()!;
    const dyn = elf.dynamic;
    const dirs = [
      ...(dyn.runpath ? [] : expand(dyn.rpath, origin)),
      ...expand(ldLibraryPath, origin),
      ...expand(dyn.runpath, origin),
      ...(exe.bits === 32 ? SYSTEM_LIB_DIRS_32 : SYSTEM_LIB_DIRS),
    ];
    for (const name of dyn.needed) {
      if (bySoname.has(name)) continue;
      let hit: ReturnType<typeof tryOpen>;
      if (name.includes("/")) hit = tryOpen(name, allowed);
      else
        for (const d of dirs) {
          hit = tryOpen(nodePath.join(d, name), allowed);
          if (hit) break;
        }
      if (!hit) continue;
      const lib = add(name, hit);
      if (lib) queue.push({ elf: lib.elf, origin: nodePath.dirname(hit.realPath) });
    }
  }
  return out;
}
