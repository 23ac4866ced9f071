// What of the host's file system the guest can see: nothing but what the user
// handed it. Two sources, both read-only:
//
// - explicit files (`--allow PATH`, the notebook's `files`), by the path the
//   guest uses, snapshotted when the run starts;
// - the shared-library directories of a dynamically linked executable (the
//   default list below plus `--lib-path DIR`): ELF files only, found by
//   absolute path, as ld.so opens them. Symlinks are followed on the host and
//   must end inside one of the directories.
//
// A file's identity (the inode the uprobe registry keys on) is its real host
// path, so /lib64/ld-linux-x86-64.so.2 and /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
// are one file, as they are one inode to the kernel.

import * as fs from "node:fs";
import * as nodePath from "node:path";

/** Where Debian/Ubuntu's ld.so looks when /etc/ld.so.cache is absent (its built-in system dirs), and PT_INTERP's /lib64. */
export const DEFAULT_LIB_DIRS: readonly string[] = ["/lib64", "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib"];
/** A 32-bit guest's instead: Debian's libc6-i386 (/lib32, /usr/lib32) and the i386 multiarch directories (libc6:i386). */
const DEFAULT_LIB_DIRS_32: readonly string[] = ["/lib32", "/usr/lib32", "/lib/i386-linux-gnu", "/usr/lib/i386-linux-gnu", "/lib", "/usr/lib"];

/**
 * A file's identity: the key of its MappedFile, the inode the uprobe registry
 * keys on. A library (reached through the library directories) is its real
 * host path, so every symlink to it is one file; the executable and --allow
 * files are the path they were given. Whatever must name the inode the guest
 * will map (a probe registered before ld.so maps its library) builds it here.
 */
export function fileId(path: string, via: "given" | "library"): string {
  return via === "library" ? fs.realpathSync(path) : path;
}

export interface GuestFile {
  kind: "file" | "dir";
  data?: Uint8Array;
  /** Identity: one per host file (fileId). */
  id: string;
}

export class GuestFs {
  private readonly files: Map<string, Uint8Array>;
  /** Real paths of the library directories (empty: no library access, as for static executables). */
  private libRoots: string[] = [];
  private readonly cache = new Map<string, GuestFile | null>();
  /** Bytes of library files read so far (each distinct file once), against maxLibraryBytes. */
  private libraryBytes = 0;
  private readonly byRealPath = new Map<string, GuestFile>();

  /**
   * maxLibraryBytes bounds the host memory a guest can make us hold by opening
   * libraries (the guest's own memory cap does not see these reads): past it,
   * further library files look absent to the guest.
   */
  constructor(files?: Map<string, Uint8Array>, private readonly maxLibraryBytes = 1 << 30) {
    this.files = files ?? new Map();
  }

  /**
   * Open the library directories to the guest (done when the executable has PT_INTERP):
   * DEFAULT_LIB_DIRS and the user's extra ones (--lib-path). Returns them all, for messages.
   */
  allowLibraryDirs(extra: readonly string[] = [], bits: 64 | 32 = 64): readonly string[] {
    const dirs = [...(bits === 32 ? DEFAULT_LIB_DIRS_32 : DEFAULT_LIB_DIRS), ...extra];
    for (const d of dirs) {
      let real: string;
      try {
        real = fs.realpathSync(d);
        if (!fs.statSync(real).isDirectory()) continue;
      } catch {
        continue;
      }
      if (!this.libRoots.includes(real)) this.libRoots.push(real);
    }
    this.cache.clear();
    return dirs;
  }

  get libraryDirs(): readonly string[] {
    return this.libRoots;
  }

  lookup(path: string): GuestFile | undefined {
    const data = this.files.get(path);
    if (data) return { kind: "file", data, id: fileId(path, "given") };
    if (path === "/" || path === ".") return { kind: "dir", id: "/" };
    if (!path.startsWith("/") || this.libRoots.length === 0) return undefined;
    let hit = this.cache.get(path);
    if (hit === undefined) {
      hit = this.lookupLibrary(path) ?? null;
      this.cache.set(path, hit);
    }
    return hit ?? undefined;
  }

  /** May the guest open this host file (by its real path) as a library? */
  allowsLibrary(realPath: string): boolean {
    return this.inside(realPath);
  }

  private inside(real: string): boolean {
    return this.libRoots.some((r) => real === r || real.startsWith(r === "/" ? r : r + "/"));
  }

  /** A directory on the way to a library, or an ELF file, under one of the library roots. */
  private lookupLibrary(path: string): GuestFile | undefined {
    const norm = nodePath.posix.normalize(path);
    let real: string;
    let st: fs.Stats;
    try {
      real = fileId(norm, "library");
      st = fs.statSync(real);
    } catch {
      return undefined;
    }
    if (!this.inside(real)) return undefined;
    if (st.isDirectory()) return { kind: "dir", id: real };
    if (!st.isFile() || st.size < 4 || this.libraryBytes + st.size > this.maxLibraryBytes) return undefined;
    const known = this.byRealPath.get(real);
    if (known) return known; // another path to a file already read (a symlink): the same bytes
    if (!isElf(real)) return undefined; // ELF files only (checked before reading, say, a locale archive whole)
    const data = new Uint8Array(fs.readFileSync(real));
    this.libraryBytes += data.length;
    const file: GuestFile = { kind: "file", data, id: real };
    this.byRealPath.set(real, file);
    return file;
  }
}

/** Does the file start with the ELF magic? */
function isElf(path: string): boolean {
  const head = new Uint8Array(4);
  let fd = -1;
  try {
    fd = fs.openSync(path, "r");
    return fs.readSync(fd, head, 0, 4, 0) === 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
  } catch {
    return false;
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
}
