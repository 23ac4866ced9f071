// The DSL's view of everything a process maps that can be probed: the main
// binary and, for a dynamically linked one, ld.so and the shared libraries
// its DT_NEEDED closure loads (found as ld.so will find them). One
// BinaryTargetInfo per file; a library is seen at its link-time addresses
// (bias 0, as nm and objdump show them), and its probes key on (file,
// offset) like the kernel's, so where ld.so maps it does not matter.
//
// At run time, attachProcess() lets symbolAt() name addresses inside the
// libraries too (the `func` builtin, usym), through the process's mappings.

import * as fs from "node:fs";
import * as path from "node:path";
import type { FunctionParam, SymbolInfo, TargetInfo, UsdtSite } from "../dsl/host.js";
import { Binary, fileId, findLibraries, GuestFs, vmaFileOffset, type AddressSpace, type ElfImage } from "../engine/index.js";
import { dwarfParams } from "./dwarf-params.js";
import { BinaryTargetInfo } from "./target-info.js";

/** One probeable file: its display path (what files() lists), its identity (the MappedFile key) and its bytes. */
export interface ProbeableFile {
  readonly path: string;
  /** The file the path leads to (symlinks resolved), as ld.so opened it. */
  readonly realPath: string;
  readonly id: string;
  readonly bin: Binary;
  readonly info: BinaryTargetInfo;
}

/** A library, its symbols read only when a probe or a name lookup needs them (most runs probe none of libstdc++'s). */
class LibraryFile implements ProbeableFile {
  private b: Binary | undefined;
  private i: BinaryTargetInfo | undefined;

  constructor(
    readonly path: string,
    readonly realPath: string,
    readonly id: string,
    private readonly elf: ElfImage,
  ) {}

  get bin(): Binary {
    return (this.b ??= new Binary(this.path, this.elf.bytes, this.elf, 0));
  }

  get info(): BinaryTargetInfo {
    return (this.i ??= new BinaryTargetInfo(this.bin));
  }
}

export class ProcessTargetInfo implements TargetInfo {
  readonly parts: ProbeableFile[];
  private mm: AddressSpace | undefined;

  constructor(main: Binary, libraries: { path: string; realPath: string; elf: ElfImage }[] = []) {
    // the ids are the inodes the guest's mappings will have (fileId), so probes registered now key on them
    this.parts = [
      { path: main.path, realPath: main.path, id: fileId(main.path, "given"), bin: main, info: new BinaryTargetInfo(main) },
      ...libraries.map((l) => new LibraryFile(l.path, l.realPath, fileId(l.realPath, "library"), l.elf)),
    ];
  }

  /** The main binary and, if it is dynamically linked, the libraries it will load from the allowed directories. */
  static forExecutable(main: Binary, o: { libPath?: readonly string[]; env?: readonly string[] } = {}): ProcessTargetInfo {
    if (!main.elf.interp) return new ProcessTargetInfo(main);
    const fs = new GuestFs();
    fs.allowLibraryDirs(o.libPath, main.elf.bits);
    const ldPath = o.env?.find((e) => e.startsWith("LD_LIBRARY_PATH="))?.slice("LD_LIBRARY_PATH=".length);
    const libs = findLibraries(main.elf, main.path, ldPath, (real) => fs.allowsLibrary(real));
    return new ProcessTargetInfo(main, libs);
  }

  /** Name run-time addresses in libraries from now on (their load address is known only once ld.so has mapped them). */
  attachProcess(mm: AddressSpace): void {
    this.mm = mm;
  }

  get mainFile(): string {
    return this.parts[0]!.path;
  }

  files(): string[] {
    return this.parts.map((p) => p.path);
  }

  /** A path to one of the probeable files by another spelling (absolute, through /lib -> /usr/lib): compared by real path. */
  sameFile(written: string): string | undefined {
    const real = realPath(written);
    if (real === undefined) return undefined;
    return this.parts.find((p) => realPath(p.path) === real || realPath(p.realPath) === real)?.path;
  }

  /** The part a file name from the program means (exact display path; the DSL's matchFile has already chosen one). */
  part(file?: string): ProbeableFile | undefined {
    if (file === undefined) return this.parts[0];
    return this.parts.find((p) => p.path === file) ?? (path.resolve(file) === path.resolve(this.parts[0]!.path) ? this.parts[0] : undefined);
  }

  private readonly params = new Map<string, Map<string, FunctionParam[]> | undefined>();

  /** A function's parameters from its file's DWARF (read once per file, when `args` is first used). */
  functionParams(sym: SymbolInfo): FunctionParam[] | undefined {
    const p = this.part(sym.file);
    if (p === undefined) return undefined;
    if (!this.params.has(p.path)) this.params.set(p.path, dwarfParams(p.bin.elf));
    return this.params.get(p.path)?.get(sym.name);
  }

  lookupSymbol(name: string, file?: string): SymbolInfo | undefined {
    const p = this.part(file);
    return p?.info.lookupSymbol(name, p.bin.path);
  }

  lookupDemangled(name: string, file?: string): SymbolInfo[] {
    const p = this.part(file);
    return p ? p.info.lookupDemangled(name, p.bin.path) : [];
  }

  symbolNames(file?: string): string[] {
    const p = this.part(file);
    return p ? p.info.symbolNames(p.bin.path) : [];
  }

  symbolAt(addr: bigint, file?: string): SymbolInfo | undefined {
    if (file !== undefined) {
      const p = this.part(file);
      return p?.info.symbolAt(addr, p.bin.path);
    }
    const main = this.parts[0]!;
    const inMain = main.info.symbolAt(addr);
    if (inMain || !this.mm || this.parts.length === 1) return inMain;
    // a library address: through its mapping to (file, offset), then to the library's link-time address
    const v = this.mm.findVma(Number(addr));
    if (!v?.file) return undefined;
    const p = this.parts.find((q) => q.id === v.file!.path);
    if (!p || p === main) return undefined;
    const offset = vmaFileOffset(v, Number(addr));
    const link = p.bin.vaddrOfOffset(offset);
    if (link < 0) return undefined;
    const s = p.info.symbolAt(BigInt(link), p.bin.path);
    if (!s) return undefined;
    const delta = addr - BigInt(link);
    return { ...s, addr: s.addr + delta };
  }

  instructionOffsets(sym: SymbolInfo): number[] {
    const p = this.part(sym.file);
    return p ? p.info.instructionOffsets(sym) : [];
  }

  disassembleAt(addr: bigint, file?: string): string | undefined {
    const p = this.part(file);
    return p?.info.disassembleAt(addr, p.bin.path);
  }

  fileOffsetOf(addr: bigint, file?: string): number | undefined {
    const p = this.part(file);
    return p?.info.fileOffsetOf(addr, p.bin.path);
  }

  usdtProbes(file?: string): UsdtSite[] {
    const p = this.part(file);
    return p ? p.info.usdtProbes(p.bin.path) : [];
  }
}

/** A host path with its symlinks resolved, or undefined when it does not exist. */
function realPath(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}
