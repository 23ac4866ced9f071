// The DSL's compile-time view of a binary (dsl/host.ts TargetInfo), backed by
// the engine's Binary: symbols with sizes, instruction boundaries decoded
// from the file, and file offsets (the uprobe registry key).

import * as path from "node:path";
import type { Binary, Sym } from "../engine/index.js";
import type { SymbolInfo, TargetInfo, UsdtSite } from "../dsl/host.js";
import { usdtSites } from "./usdt-sites.js";

function toInfo(b: Binary, s: Sym): SymbolInfo {
  const info: SymbolInfo = { name: s.name, addr: BigInt(s.addr), size: s.size, fileOffset: s.fileOffset, file: b.path };
  const d = b.demangled(s);
  if (d !== undefined) info.demangled = d;
  if (s.ifunc) info.ifunc = true;
  return info;
}

export class BinaryTargetInfo implements TargetInfo {
  constructor(private readonly bin: Binary) {}

  get mainFile(): string {
    return this.bin.path;
  }

  files(): string[] {
    return [this.bin.path];
  }

  /** Does a file named in the program (path, ./relative path or base name) mean this binary? */
  private ok(file?: string): boolean {
    if (file === undefined || file === this.bin.path || file === path.basename(this.bin.path)) return true;
    return path.resolve(file) === path.resolve(this.bin.path);
  }

  lookupSymbol(name: string, file?: string): SymbolInfo | undefined {
    if (!this.ok(file)) return undefined;
    const s = this.bin.lookup(name);
    return s && s.kind !== "other" ? toInfo(this.bin, s) : undefined;
  }

  lookupDemangled(name: string, file?: string): SymbolInfo[] {
    if (!this.ok(file)) return [];
    return this.bin.lookupDemangled(name).map((s) => toInfo(this.bin, s));
  }

  symbolNames(file?: string): string[] {
    if (!this.ok(file)) return [];
    const cpp = this.bin.cppSymbols();
    return this.bin.symbols
      .filter((s) => s.kind === "func")
      .flatMap((s) => {
        const d = cpp.get(s);
        return d === undefined ? [s.name] : [s.name, d.name, d.signature];
      });
  }

  /**
   * A PIE's address as the program wrote it: the run-time one (0x555555555139), or the ELF's own
   * virtual address that objdump and nm print (0x1139), which bpftrace's uprobe:BIN:ADDR takes.
   * The two ranges cannot overlap: the load bias is far above any link-time address.
   */
  private runtime(addr: bigint): number {
    const a = Number(addr);
    const bias = this.bin.bias;
    return bias > 0 && a < bias && this.bin.fileOffsetOf(a + bias) >= 0 ? a + bias : a;
  }

  symbolAt(addr: bigint, file?: string): SymbolInfo | undefined {
    if (!this.ok(file)) return undefined;
    const a = this.runtime(addr);
    const s = this.bin.symbolAt(a);
    if (!s) return undefined;
    const info = toInfo(this.bin, s);
    return a === Number(addr) ? info : { ...info, addr: info.addr - BigInt(a - Number(addr)) }; // in the caller's address space
  }

  instructionOffsets(sym: SymbolInfo): number[] {
    // By address too: local symbols of one name (two TUs' `(anonymous namespace)::f`) may repeat.
    // (the file's own symbols first: the merged table would read the detached debug file)
    const own = this.bin.lookup(sym.name);
    const s = own !== undefined && BigInt(own.addr) === sym.addr ? own : (this.bin.symbols.find((x) => x.name === sym.name && BigInt(x.addr) === sym.addr) ?? own);
    if (!s) return [];
    return this.bin.instructionOffsets(s);
  }

  disassembleAt(addr: bigint, file?: string): string | undefined {
    if (!this.ok(file)) return undefined;
    return this.bin.disassembleAt(this.runtime(addr));
  }

  usdtProbes(file?: string): UsdtSite[] {
    return this.ok(file) ? usdtSites(this.bin) : [];
  }

  fileOffsetOf(addr: bigint, file?: string): number | undefined {
    if (!this.ok(file)) return undefined;
    const off = this.bin.fileOffsetOf(this.runtime(addr));
    return off < 0 ? undefined : off;
  }
}
