// A binary as the user sees it before running it: its symbols (with sizes),
// file offsets, and disassembly decoded from the file's own bytes.

import { X86Decoder } from "./cpu/decoder.js";
import { debugSymbols, mergeDebugSymbols } from "./debug-file.js";
import { demangleName, type DemangledName } from "./demangle.js";
import { UserError } from "./errors.js";
import { readHostFile } from "./host-file.js";
import { ElfError, parseElf, PT_LOAD, type ElfImage, type ElfSymbol } from "./os/elf.js";
import { execBias } from "./os/loader.js";

export interface Sym {
  name: string;
  /** Run-time address (load bias applied). */
  addr: number;
  size: number;
  kind: "func" | "object" | "other";
  /** File offset of addr (the uprobe key), or -1 if not backed by the file. */
  fileOffset: number;
  /** An IFUNC: the code at addr is the resolver, not the function callers end up in. */
  ifunc: boolean;
}

export interface DisasmLine {
  addr: number;
  /** Offset from the start of the symbol. */
  offset: number;
  bytes: Uint8Array;
  text: string;
}

export class Binary {
  readonly bias: number;
  /** The file's own symbols (.symtab/.dynsym). */
  private readonly own: Sym[];
  /** Own plus the detached debug file's, read on first need (engine/debug-file.ts). */
  private merged: Sym[] | undefined;
  private readonly byName = new Map<string, Sym>();
  private debugByName: Map<string, Sym> | undefined;
  private decoder: X86Decoder | undefined;

  constructor(
    readonly path: string,
    readonly bytes: Uint8Array,
    readonly elf: ElfImage,
    /** Load bias; default: where exec puts it (execBias: PIE_BASE, or 0x400000 for an i386 PIE). Shared libraries use 0: link-time addresses, as nm shows them. */
    bias?: number,
  ) {
    this.bias = bias ?? execBias(elf);
    this.own = elf.symbols.map((s) => this.toSym(s));
    indexByName(this.byName, this.own);
  }

  private toSym(s: ElfSymbol): Sym {
    return { name: s.name, addr: s.value + this.bias, size: s.size, kind: s.kind, ifunc: s.ifunc, fileOffset: this.fileOffsetOf(s.value + this.bias) };
  }

  /**
   * Every symbol, sorted by address: the file's own and those of its detached debug file (as bcc
   * merges them for bpftrace's wildcards, lookups and stacks). The debug file is read only here.
   */
  get symbols(): Sym[] {
    if (this.merged === undefined) {
      const extra = debugSymbols(this.elf, this.path);
      this.merged = extra.length === 0 ? this.own : mergeDebugSymbols(this.elf.symbols, extra).map((s) => this.toSym(s));
    }
    return this.merged;
  }

  /** By name: the file's own symbols first; the debug file is read only on a miss. */
  lookup(name: string): Sym | undefined {
    const s = this.byName.get(name);
    if (s !== undefined) return s;
    if (this.debugByName === undefined) indexByName((this.debugByName = new Map()), this.symbols);
    return this.debugByName.get(name);
  }

  // ---- C++ names -------------------------------------------------------------

  private cpp: Map<Sym, DemangledName> | undefined;

  /** Every C++ (`_Z`) symbol demangled, computed once on first use. */
  cppSymbols(): ReadonlyMap<Sym, DemangledName> {
    if (this.cpp === undefined) {
      this.cpp = new Map();
      for (const s of this.symbols) {
        if (!s.name.startsWith("_Z")) continue;
        const d = demangleName(s.name);
        if (d !== undefined) this.cpp.set(s, d);
      }
    }
    return this.cpp;
  }

  /** c++filt's spelling of a C++ symbol (`ns::f(int)`); undefined for C names. */
  demangled(s: Sym): string | undefined {
    if (!s.name.startsWith("_Z")) return undefined;
    return this.cpp !== undefined ? this.cpp.get(s)?.full : demangleName(s.name)?.full;
  }

  /**
   * C++ functions by demangled name, one per address (a constructor's C1 and
   * C2 symbols are one function), in address order. With a parameter list
   * (`ns::f(int)`, `int ns::max<int>(int, int)`, `ns::max<int>(int, int)`)
   * the function with that signature; without one (`ns::f`, `ns::C::~C`,
   * `ns::max<int>`, `ns::max`) every overload and template instance, clones
   * (`[clone .cold]`) left out. White space does not count.
   */
  lookupDemangled(name: string): Sym[] {
    const want = name.replace(/\s+/g, "");
    if (want.length === 0) return [];
    const sig = want.includes("(");
    const out: Sym[] = [];
    const seen = new Set<number>();
    for (const [s, d] of this.cppSymbols()) {
      if (s.kind !== "func" || !d.isFunction || seen.has(s.addr)) continue;
      const hit = sig
        ? squash(d.full) === want || squash(d.signature) === want
        : !d.clone && (squash(d.name) === want || (d.base !== undefined && squash(d.base) === want));
      if (hit) {
        seen.add(s.addr);
        out.push(s);
      }
    }
    return out;
  }

  /** Function symbols, sorted by address. */
  functions(): Sym[] {
    return this.symbols.filter((s) => s.kind === "func");
  }

  /**
   * The function (or object) whose [addr, addr+size) contains a: by the file's own symbols, so an
   * address keeps the name the file exports (`__libc_start_main`, not the debug file's versioned
   * `__libc_start_main@GLIBC_2.2.5` at the same address); the debug file's names fill the gaps
   * (libc's local functions).
   */
  symbolAt(a: number): Sym | undefined {
    return coveringSymbol(this.own, a) ?? (this.symbols === this.own ? undefined : coveringSymbol(this.symbols, a));
  }

  /** File offset of a run-time address, or -1. */
  fileOffsetOf(a: number): number {
    const v = a - this.bias;
    for (const ph of this.elf.phdrs) {
      if (ph.type === PT_LOAD && v >= ph.vaddr && v < ph.vaddr + ph.filesz) return ph.offset + (v - ph.vaddr);
    }
    return -1;
  }

  /** The address (load bias applied) that a file offset is loaded at, or -1. */
  vaddrOfOffset(off: number): number {
    for (const ph of this.elf.phdrs) {
      if (ph.type === PT_LOAD && off >= ph.offset && off < ph.offset + ph.filesz) return this.bias + ph.vaddr + (off - ph.offset);
    }
    return -1;
  }

  /** Bytes of the file at a run-time address (fewer near the end of the segment). */
  bytesAt(a: number, n: number): Uint8Array {
    const off = this.fileOffsetOf(a);
    if (off < 0) return new Uint8Array(0);
    return this.bytes.subarray(off, Math.min(off + n, this.bytes.length));
  }

  private dec(): X86Decoder {
    return (this.decoder ??= new X86Decoder(this.elf.bits));
  }

  /** Decode a function from the file bytes: one line per instruction. */
  disassemble(sym: Sym): DisasmLine[] {
    const size = sym.size || 64;
    const code = this.bytesAt(sym.addr, size);
    const lines: DisasmLine[] = [];
    let off = 0;
    while (off < code.length) {
      const window = code.subarray(off, Math.min(code.length, off + 15));
      const insn = this.dec().decodeOne(sym.addr + off, window);
      if (!insn) {
        lines.push({ addr: sym.addr + off, offset: off, bytes: code.subarray(off, off + 1), text: "(bad)" });
        off += 1;
        continue;
      }
      lines.push({ addr: sym.addr + off, offset: off, bytes: insn.bytes, text: this.dec().format(sym.addr + off, window) });
      off += insn.len;
    }
    return lines;
  }

  /** Instruction boundaries of a function, as offsets from its start. */
  instructionOffsets(sym: Sym): number[] {
    return this.disassemble(sym).map((l) => l.offset);
  }

  /** One instruction at a run-time address, formatted ("push %rbp"). */
  disassembleAt(a: number): string | undefined {
    const b = this.bytesAt(a, 15);
    if (!b.length) return undefined;
    return this.dec().format(a, b);
  }
}

/** Prefer functions, then the first (global before local in address order) when names repeat. */
function indexByName(map: Map<string, Sym>, syms: readonly Sym[]): void {
  for (const s of syms) {
    const cur = map.get(s.name);
    if (!cur || (cur.kind !== "func" && s.kind === "func")) map.set(s.name, s);
  }
}

const squash = (t: string): string => t.replace(/\s+/g, "");

/** Parse an ELF from bytes; errors become one-line UserErrors. */
export function openBinary(path: string, bytes: Uint8Array): Binary {
  try {
    return new Binary(path, bytes, parseElf(path, bytes));
  } catch (e) {
    if (e instanceof ElfError) throw new UserError(e.message);
    throw e;
  }
}

/** Read and parse a binary from the host file system (a regular file, at most MAX_HOST_FILE_BYTES). */
export function loadBinary(path: string): Binary {
  let bytes: Uint8Array;
  try {
    bytes = readHostFile(path, path);
  } catch (e) {
    if (e instanceof UserError && / is a directory/.test(e.message)) throw new UserError(`${path}: is a directory, not an ELF executable`);
    throw e;
  }
  return openBinary(path, bytes);
}

/** The last function (else object) of syms whose [addr, addr+size) contains a. */
function coveringSymbol(syms: readonly Sym[], a: number): Sym | undefined {
  let best: Sym | undefined;
  for (const s of syms) {
    if (s.kind === "other") continue;
    if (a >= s.addr && a < s.addr + Math.max(s.size, 1) && (!best || s.kind === "func")) best = s;
  }
  return best;
}
