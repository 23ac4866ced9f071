// The contract between the probe DSL and the engine.
//
// The DSL never imports the engine: the compiler resolves targets through a
// TargetInfo (built from the loaded ELF), and compiled handlers read the
// machine through a HitContext that the engine fills in on every probe hit.
// Data flows one way: DSL text -> compile(TargetInfo) -> consumers; the engine
// calls the consumers; the consumers update the Runtime; the Runtime prints.

/** A symbol of the probed binary (from .symtab/.dynsym). */
export interface SymbolInfo {
  name: string;
  /** Virtual address in the loaded process (load bias applied). */
  addr: bigint;
  /** Size in bytes from the symbol table (0 when unknown). */
  size: number;
  /** File offset of addr, the key the kernel's uprobe registry uses. */
  fileOffset: number;
  /** Path of the file the symbol lives in. */
  file: string;
  /** c++filt's spelling of a C++ symbol (`ns::f(int)`); absent for C names. */
  demangled?: string;
  /** An IFUNC symbol: its address is the resolver's (a probe there fires when ld.so binds it). */
  ifunc?: boolean;
}

/** A function parameter from DWARF (bpftrace's uprobe `args.NAME`). */
export interface FunctionParam {
  name: string;
  /** C spelling of its type: `int`, `const char *`, `size_t`. */
  type: string;
  bytes: number;
  signed: boolean;
  /** An integer, enum or pointer: passed in a general-purpose register. */
  integer: boolean;
}

/** Compile-time view of the binaries a program may probe. */
export interface TargetInfo {
  /** Path of the main binary (what `probe sym` refers to). */
  readonly mainFile: string;
  /** Every probeable file, main binary first (for the binary-qualified form). */
  files(): string[];
  /**
   * The probeable file a path names when it is not spelled as files() lists it
   * (an absolute path, a path through a symlink such as /lib -> /usr/lib): bpftrace
   * resolves both to the same file. Optional.
   */
  sameFile?(written: string): string | undefined;
  /** Function/object symbol by exact name in a file (default: main binary). */
  lookupSymbol(name: string, file?: string): SymbolInfo | undefined;
  /**
   * C++ functions by demangled name, one per address: with a parameter list
   * (`ns::f(int)`, `int ns::max<int>(int, int)`, spaces ignored) the one
   * overload with that signature; without one (`ns::f`, `ns::C::C`,
   * `ns::max<int>` or `ns::max`) every overload. Optional: a TargetInfo
   * without C++ support leaves it out.
   */
  lookupDemangled?(name: string, file?: string): SymbolInfo[];
  /** All symbol names of a file, for "did you mean" (C++ functions also by their demangled names). */
  symbolNames(file?: string): string[];
  /** The symbol containing addr, for absolute-address targets and `func`. */
  symbolAt(addr: bigint, file?: string): SymbolInfo | undefined;
  /**
   * Offsets (relative to sym.addr) of every instruction boundary inside
   * [sym.addr, sym.addr + sym.size), decoded from the file bytes.
   */
  instructionOffsets(sym: SymbolInfo): number[];
  /** Disassembly of the instruction at addr ("push rbp"), for messages. */
  disassembleAt(addr: bigint, file?: string): string | undefined;
  /** File offset of a virtual address in a file (undefined if unmapped). */
  fileOffsetOf(addr: bigint, file?: string): number | undefined;
  /** The USDT probe sites of a file (its `.note.stapsdt`), in note order. Optional: without it usdt probes find none. */
  usdtProbes?(file?: string): UsdtSite[];
  /** The parameters of a function from the file's DWARF (built with -g); undefined without. Optional. */
  functionParams?(sym: SymbolInfo): FunctionParam[] | undefined;
}

/** One USDT probe site (a note of `.note.stapsdt`), read by the engine. */
export interface UsdtSite {
  provider: string;
  name: string;
  file: string;
  /** Address of the probed `nop` (load bias applied, as SymbolInfo.addr). */
  addr: bigint;
  fileOffset: number;
  /** The semaphore: its address and file offset (the kernel's ref_ctr_offset); absent when the probe has none. */
  semaphore?: { addr: bigint; fileOffset: number };
  /** The argument specs as the note writes them (`-4@-20(%rbp) 8@%rax`). */
  argText: string;
  /** A reader per argument, or why the specs cannot be read (column into argText and reason). */
  args: UsdtArgReader[] | { column: number; message: string };
}

/** One argument of a USDT probe: its spec and its value at a hit (sign- or zero-extended by its size; undefined when its memory is unreadable). */
export interface UsdtArgReader {
  text: string;
  read(ctx: HitContext): bigint | undefined;
}

/** Where a compiled probe attaches. */
export interface ResolvedTarget {
  kind: "uprobe" | "uretprobe";
  file: string;
  /** Virtual address of the probed instruction. */
  addr: bigint;
  /** File offset (the registry key). */
  fileOffset: number;
  /** Symbol the address falls in, if any. */
  symbol?: string;
  /** Its demangled name when it is a C++ symbol (what `func` shows). */
  demangled?: string;
  /** Offset from the symbol start. */
  offset: number;
  /** The probe's display name, e.g. "probe test:0" / "retprobe test". */
  name: string;
  /** True when --unsafe let an offset that is not an instruction boundary through. */
  unsafe: boolean;
  /** A usdt probe: the site, whose arguments argN reads and whose semaphore is raised while attached. */
  usdt?: UsdtSite;
}

/**
 * The machine state a handler may read at a hit. Values are 64-bit; the engine
 * passes them as bigint (unsigned two's complement, 0 <= v < 2^64).
 */
export interface HitContext {
  readonly pid: number;
  readonly tid: number;
  readonly comm: string;
  /** The virtual CPU of the hit (absent: 0). */
  readonly cpu?: number;
  /** The traced command's pid (absent: pid). */
  readonly cpid?: number;
  /** Virtual clock, nanoseconds. */
  nsecs(): bigint;
  /** General-purpose register by x86 number: 0 rax, 1 rcx, 2 rdx, 3 rbx, 4 rsp, 5 rbp, 6 rsi, 7 rdi, 8..15 r8..r15. */
  gpr(index: number): bigint;
  /** The task's word size (4 for a 32-bit program): the width of sarg0..sarg5; 8 when absent. */
  readonly wordSize?: 4 | 8;
  /** Instruction pointer as the consumer sees it (probe address; return address for uretprobes). */
  ip(): bigint;
  /** Guest memory reads; undefined when the address is not readable (a handler error, not a crash). */
  readU8(addr: bigint): number | undefined;
  readU16(addr: bigint): number | undefined;
  readU32(addr: bigint): number | undefined;
  readU64(addr: bigint): bigint | undefined;
  /** NUL-terminated string, at most max bytes. */
  readString(addr: bigint, max: number): string | undefined;
  /** This probe's hit count so far, including the current hit. */
  hits(): bigint;
  /** Traps (int3, single-step, trampoline int3) plus uprobe/uretprobe syscalls spent on this probe so far. */
  traps(): bigint;
  /** For uretprobes: the probed function's entry address (the kernel's `func`). */
  readonly funcAddr: bigint;
  /** uname release of the modelled kernel ("6.18.0-..."), where the stack walk depends on it; absent: the default generation. */
  readonly kernelRelease?: string;
  /**
   * Return addresses pending uretprobes replaced with the trampoline's (newest
   * first), for the 6.11 callchain fixup; optional (absent: none pending).
   */
  pendingReturns?(): { trampoline: bigint; returns: bigint[] } | undefined;
  /** The stack by the .eh_frame (CFI) unwinder, pc first, at most limit frames: ustack(cfi). Optional: without it, ustack(cfi) walks frame pointers. */
  cfiStack?(limit: number): bigint[];
  /** Send a signal to the traced process, as bpf_send_signal() does (bpftrace signal()); optional. */
  signal?(signo: number): void;
  /** A tracepoint's field i, raw (the record's 8-byte slot, or __syscall_nr): what `args->NAME` reads; tracepoint hits only. */
  tpArg?(i: number): bigint;
  /** Ask the engine to stop the guest after this handler (bpftrace exit()). */
  requestExit(code: number): void;
}

/** Where compiled programs write printf/print output while the guest runs. */
export interface OutputSink {
  /** Text mode: raw text. JSON mode: the runtime formats NDJSON itself. */
  write(text: string): void;
}
