// Which shared libraries a dynamically linked executable will load, found
// the way ld.so finds them (elf/dl-load.c _dl_map_object, with no
// /etc/ld.so.cache, which the guest cannot see): DT_RPATH when there is no
// DT_RUNPATH, then LD_LIBRARY_PATH, then DT_RUNPATH, then the system
// directories; breadth-first over DT_NEEDED, as _dl_map_object_deps does.
//
// The probe compiler uses it to know the probeable files (and their symbols)
// before the guest runs; the guest's own ld.so then opens the same files.

import * as fs from "node:fs";
import * as nodePath from "node:path";
import { type ElfImage, parseElf } from "./elf.js";
import { fileId } from "./guest-fs.js";

/** Debian/Ubuntu's ld.so built-in search list (SYSTEM_DIRS) on x86-64. */
const SYSTEM_LIB_DIRS: readonly string[] = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib"];

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

function tryOpen(path: string): { path: string; realPath: string; bytes: Uint8Array } | undefined {
  try {
    const realPath = fileId(path, "library");
    if (!fs.statSync(realPath).isFile()) return undefined;
    return { path, realPath, bytes: new Uint8Array(fs.readFileSync(realPath)) };
  } catch {
    return undefined;
  }
}

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
    seen.add(hit.realPath);
    const lib = { name, path: hit.path, realPath: hit.realPath, elf };
    out.push(lib);
    bySoname.set(elf.dynamic.soname ?? nodePath.basename(hit.path), lib);
    return lib;
  };
  if (exe.interp) {
    const hit = tryOpen(exe.interp);
    if (hit && allowed(hit.realPath)) add(exe.interp, hit);
  }
  const queue: { elf: ElfImage; origin: string }[] = [{ elf: exe, origin: nodePath.dirname(nodePath.resolve(exePath)) }];
  while (queue.length) {
    const { elf, origin } = queue.shift()!;
    const dyn = elf.dynamic;
    const dirs = [
      ...(dyn.runpath ? [] : expand(dyn.rpath, origin)),
      ...expand(ldLibraryPath, origin),
      ...expand(dyn.runpath, origin),
      ...SYSTEM_LIB_DIRS,
    ];
    for (const name of dyn.needed) {
      if (bySoname.has(name)) continue;
      let hit: ReturnType<typeof tryOpen>;
      if (name.includes("/")) hit = tryOpen(name);
      else
        for (const d of dirs) {
          hit = tryOpen(nodePath.join(d, name));
          if (hit && allowed(hit.realPath)) break;
          hit = undefined;
        }
      if (!hit || !allowed(hit.realPath)) continue;
      const lib = add(name, hit);
      if (lib) queue.push({ elf: lib.elf, origin: nodePath.dirname(hit.realPath) });
    }
  }
  return out;
}
