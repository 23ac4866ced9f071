// Runtime: the state compiled handlers read and write, and its semantics.
//
// Storage, indexed by the variable id code generation assigns:
//   G[id]  a global or unkeyed map: its value, or undefined while unset
//   M[id]  a keyed map: JS Map from key to { k: key values, v: value }; a
//          single key is the Map key itself (bigint or string), a tuple key
//          is its parts joined with NUL (no value of the language contains
//          NUL: strings end at one)
//   S[id]  a per-thread `self.x`: JS Map from tid to value
//   K[id]  a counter slot's hits not yet in G[id] (counter-slots.ts): the
//          value is G[id] + K[id]; fold() adds them in before any read
//
// Values and aggregation states are laid out as value.ts describes. What
// printf()/print() write goes through the Printer the runtime is given
// (text or JSON), as bpftrace's BPFtrace holds an Output.
//
// Division by zero does not trap: x / 0 = 0 and x % 0 = x, the eBPF ISA's
// rule (what a bpftrace program does on Linux). Division is signed and
// truncates toward zero, like C (bpftrace 0.17 divides unsigned).
//
// Unreadable guest memory reads yield 0 (or "") and a warning, at most once
// per call site, like bpftrace's `-k` warnings; the handler goes on.

import { TOOL_PROCESS } from "./builtins.js";
import { CounterKind } from "./counter-slots.js";
import type { SourceText } from "./diagnostics.js";
import { formatLog2FromHist } from "./funclatency.js";
import type { HitContext, OutputSink, TargetInfo } from "./host.js";
import type { Printer } from "./printer.js";
import { sprintf } from "./printf.js";
import { virtualStrftime } from "./strftime.js";
import type { TupleValue } from "./tuple-value.js";
import { formatStack, userStack, type StackMode, type Unwinder } from "./ustack.js";
import {
  avgValue, HIST_BUCKETS, histIndex, lhistBuckets, lhistIndex, sortEntries, type AvgState, type Entry, type Value, type VarEntry, type VarMeta,
} from "./value.js";

export interface RuntimeOptions {
  sink: OutputSink;
  /** Text or JSON (output-text.ts, output-json.ts). */
  printer: Printer;
  source: SourceText;
  target: TargetInfo | undefined;
  onWarning: (message: string) => void;
  /** config max_map_keys (default DEFAULT_MAX_MAP_KEYS). */
  maxMapKeys?: number;
}

/** Fallback context for BEGIN/END when the engine passes none. */
/** What BEGIN and END run with: no hit, and the tool's own pid and comm (as bpftrace shows its own). */
export const NULL_CONTEXT: HitContext = {
  pid: TOOL_PROCESS.pid,
  tid: TOOL_PROCESS.pid,
  comm: TOOL_PROCESS.comm,
  nsecs: () => 0n,
  gpr: () => 0n,
  ip: () => 0n,
  readU8: () => undefined,
  readU16: () => undefined,
  readU32: () => undefined,
  readU64: () => undefined,
  readString: () => undefined,
  hits: () => 0n,
  traps: () => 0n,
  funcAddr: 0n,
  requestExit: () => {},
};

export class Runtime {
  readonly G: unknown[];
  readonly M: Array<Map<unknown, Entry>>;
  readonly S: Array<Map<number, Value>>;
  /** Counter slots' pending counts: exact integers while |K[id]| < COUNTER_FOLD_AT (a Float64Array: no allocation per store). */
  readonly K: Float64Array;
  /** CounterKind per slot (compile.ts sets it before generating code). */
  readonly counterKind: Uint8Array;
  exitRequested = false;
  exitCode = 0;
  /** Warning sites (spans) and how often each fired. */
  readonly warnSites: Array<{ start: number; end: number }> = [];
  readonly warnCounts: number[] = [];
  /** Keys a map may hold (bpftrace's max_map_keys). */
  readonly maxMapKeys: number;
  /** Updates dropped per full map, by slot id. */
  readonly droppedKeys = new Map<number, number>();
  private t0: bigint | undefined;
  private readonly usymCache = new Map<bigint, string>();
  /** ustack's frame lines by mode and address (ustack.ts formatStack). */
  private readonly frameCache = new Map<string, string>();

  constructor(
    readonly vars: readonly VarMeta[],
    readonly opts: RuntimeOptions,
  ) {
    this.G = new Array<unknown>(vars.length).fill(undefined);
    this.M = vars.map(() => new Map());
    this.S = vars.map(() => new Map());
    this.K = new Float64Array(vars.length);
    this.counterKind = new Uint8Array(vars.length);
    this.maxMapKeys = opts.maxMapKeys ?? 4096;
  }

  /**
   * A new key for a full map was dropped: warn once per map, in bpftrace's words for a
   * map_update_elem that failed with E2BIG, naming the map and the limit.
   */
  mapFull(id: number, site: number): void {
    const n = (this.droppedKeys.get(id) ?? 0) + 1;
    this.droppedKeys.set(id, n);
    if (n > 1) return;
    const span = this.warnSites[site]!;
    const { line, col } = this.opts.source.lineCol(span.start);
    this.opts.onWarning(
      `${this.opts.source.fileName}:${line}:${col}: WARNING: Map full; can't update element. Try increasing max_map_keys config ` +
        `(${this.vars[id]!.name} holds ${this.maxMapKeys} keys; further new keys are dropped, reported once per map)`,
    );
  }

  // ---- counter slots (counter-slots.ts) ----------------------------------------

  /**
   * Add K[id] and d to G[id] as the BigInt code would have, step by step: int64 wrap for `x++`
   * (reducing once mod 2^64 equals reducing at every step), none for count(). Called by a
   * handler when the number path cannot go on (unset slot, |K| at the limit) and before reads.
   */
  bump(id: number, d: number): void {
    const sum = ((this.G[id] as bigint | undefined) ?? 0n) + BigInt(this.K[id]!) + BigInt(d);
    this.G[id] = this.counterKind[id] === CounterKind.Wrap ? BigInt.asIntN(64, sum) : sum;
    this.K[id] = 0;
  }

  /** A counter slot's pending counts into G[id] (readers call it first). */
  fold(id: number): void {
    if (this.K[id] !== 0) this.bump(id, 0);
  }

  // ---- arithmetic ------------------------------------------------------------

  div(a: bigint, b: bigint): bigint {
    return b === 0n ? 0n : BigInt.asIntN(64, a / b);
  }

  mod(a: bigint, b: bigint): bigint {
    return b === 0n ? a : a % b;
  }

  // ---- aggregations ----------------------------------------------------------

  newHist(): number[] {
    return new Array<number>(HIST_BUCKETS).fill(0);
  }

  hist(h: number[], v: bigint): void {
    h[histIndex(v)]!++;
  }

  newLhist(id: number): number[] {
    return new Array<number>(lhistBuckets(this.vars[id]!.lhist!) + 2).fill(0);
  }

  lhist(h: number[], v: bigint, id: number): void {
    h[lhistIndex(v, this.vars[id]!.lhist!)]!++;
  }

  avg(s: AvgState, v: bigint): void {
    s.n++;
    s.t = BigInt.asIntN(64, s.t + v);
  }

  avgOf(s: AvgState | undefined): bigint {
    return avgValue(s);
  }

  // ---- builtins --------------------------------------------------------------

  elapsed(ctx: HitContext): bigint {
    const now = BigInt.asIntN(64, ctx.nsecs());
    if (this.t0 === undefined) this.t0 = now;
    return now - this.t0;
  }

  startClock(ctx: HitContext): void {
    if (this.t0 === undefined) this.t0 = BigInt.asIntN(64, ctx.nsecs());
  }

  rd(ctx: HitContext, bytes: 1 | 2 | 4 | 8, addr: bigint, site: number): bigint {
    const a = BigInt.asUintN(64, addr);
    let v: number | bigint | undefined;
    switch (bytes) {
      case 1: v = ctx.readU8(a); break;
      case 2: v = ctx.readU16(a); break;
      case 4: v = ctx.readU32(a); break;
      default: v = ctx.readU64(a);
    }
    if (v === undefined) {
      this.warn(site, `failed to read ${bytes} byte${bytes === 1 ? "" : "s"} of user memory at 0x${a.toString(16)}`);
      return 0n;
    }
    return BigInt.asIntN(64, BigInt(v));
  }

  /** A while loop ran past its bound: it stops there (bpftrace's verifier would have refused an unbounded loop). */
  loopLimit(site: number, limit: number): void {
    this.warn(site, `loop stopped after ${limit} iterations (bpftrace's BPF verifier bounds loops)`);
  }

  rdStr(ctx: HitContext, addr: bigint, max: bigint, site: number): string {
    const a = BigInt.asUintN(64, addr);
    // bpftrace 0.17's str(p, n) keeps n characters (str(p) keeps 63: its 64-byte buffer holds the NUL).
    const n = Number(max);
    const s = ctx.readString(a, n);
    if (s === undefined) {
      this.warn(site, `failed to read a string of user memory at 0x${a.toString(16)}`);
      return "";
    }
    const nul = s.indexOf("\0");
    const t = nul >= 0 ? s.slice(0, nul) : s;
    return t.length > n ? t.slice(0, n) : t;
  }

  /** ustack at this hit, formatted as bpftrace prints it. */
  ustack(ctx: HitContext, limit: number, mode: StackMode, entryProbe: boolean, unwinder: Unwinder = "fp"): string {
    return formatStack(this.opts.target, userStack(ctx, limit, entryProbe, unwinder), mode, this.frameCache);
  }

  /** buf(p, n): n bytes as they are (NULs too), for %r; an unreadable byte ends it, with a warning. */
  rdBuf(ctx: HitContext, addr: bigint, n: bigint, site: number): string {
    const a = BigInt.asUintN(64, addr);
    const len = Math.min(Math.max(Number(n), 0), 4096);
    let out = "";
    for (let i = 0; i < len; i++) {
      const b = ctx.readU8(a + BigInt(i));
      if (b === undefined) {
        this.warn(site, `failed to read ${len} bytes of user memory at 0x${a.toString(16)}`);
        break;
      }
      out += String.fromCharCode(b);
    }
    return out;
  }

  /**
   * join(arr, delim): bpftrace 0.17 reads up to 16 pointers of a NULL-terminated
   * char* array and up to 63 characters of each string, and prints them joined
   * with a newline.
   */
  join(ctx: HitContext, addr: bigint, delim: string, site: number): void {
    const parts: string[] = [];
    const a = BigInt.asUintN(64, addr);
    for (let i = 0; i < 16; i++) {
      const p = ctx.readU64(a + BigInt(8 * i));
      if (p === undefined) {
        this.warn(site, `failed to read the array at 0x${a.toString(16)}`);
        break;
      }
      if (p === 0n) break;
      const s = ctx.readString(p, 63);
      if (s === undefined) break;
      parts.push(s);
    }
    this.printf(parts.join(delim) + "\n");
  }

  /** strftime()/time() on the virtual clock (strftime.ts). */
  strftime(fmt: string, nsecs: bigint): string {
    return virtualStrftime(fmt, nsecs);
  }

  /** print_rows(): bcc's tables, ascending by value, zeros skipped (funccount, stackcount). */
  printRows(id: number, fmt: string): void {
    const meta = this.vars[id]!;
    for (const e of sortEntries(meta, this.entries(id))) {
      if (e.v === 0n) continue;
      this.opts.sink.write(sprintf(fmt, ...(e.k ?? []), e.v as bigint));
    }
  }

  usym(addr: bigint): string {
    const a = BigInt.asUintN(64, addr);
    let s = this.usymCache.get(a);
    if (s === undefined) {
      const sym = this.opts.target?.symbolAt(a);
      if (sym === undefined) s = "0x" + a.toString(16);
      else {
        // C++ symbols demangled, as bpftrace's usym() (cpp_demangle) shows them.
        const name = sym.demangled ?? sym.name;
        const off = a - sym.addr;
        s = off === 0n ? name : `${name}+${off}`;
      }
      this.usymCache.set(a, s);
    }
    return s;
  }

  warn(site: number, message: string): void {
    const n = (this.warnCounts[site] ?? 0) + 1;
    this.warnCounts[site] = n;
    if (n > 1) return;
    const span = this.warnSites[site];
    const src = this.opts.source;
    if (span === undefined) {
      this.opts.onWarning(`${src.fileName}: warning: ${message}`);
      return;
    }
    const { line, col } = src.lineCol(span.start);
    this.opts.onWarning(`${src.fileName}:${line}:${col}: warning: ${message} (reported once for this call)`);
  }

  // ---- statements ------------------------------------------------------------

  /** exit(): bpftrace stops with status 0 after this handler (from BEGIN: before the guest runs). */
  exit(ctx: HitContext): void {
    this.exitRequested = true;
    ctx.requestExit(this.exitCode);
  }

  printf(text: string): void {
    this.opts.sink.write(this.opts.printer.printf(text));
  }

  printValue(v: Value | TupleValue): void {
    this.opts.sink.write(this.opts.printer.value(v));
  }

  printVar(id: number, top: number, div: number): void {
    // An empty JSON map prints nothing at all (not even an empty write).
    const out = this.opts.printer.variable(this.vars[id]!, this.entries(id), top, div);
    if (out !== "") this.opts.sink.write(out);
  }

  /** print_log2(): bcc's log2 histogram; a keyed map gets one section per key, headed by sprintf(section, ...keys) (bcc's section_header). */
  printLog2(id: number, unit: string, section?: string): void {
    for (const e of this.entries(id)) {
      const head = section === undefined || e.k === undefined ? undefined : sprintf(section, ...e.k);
      if (this.opts.printer.log2 !== undefined) this.opts.sink.write(this.opts.printer.log2(head, e.v as number[], unit));
      else this.opts.sink.write((head ?? "") + formatLog2FromHist(e.v as number[], unit));
    }
  }

  clear(id: number): void {
    this.G[id] = undefined;
    this.K[id] = 0;
    this.M[id]!.clear();
  }

  zero(id: number): void {
    const meta = this.vars[id]!;
    const z = (v: unknown): unknown => {
      switch (meta.kind) {
        case "avg":
        case "stats":
          return { n: 0n, t: 0n };
        case "hist":
        case "lhist":
          return (v as number[]).map(() => 0);
        case "string":
          return "";
        default:
          return 0n;
      }
    };
    this.K[id] = 0;
    if (this.G[id] !== undefined) this.G[id] = z(this.G[id]);
    for (const e of this.M[id]!.values()) e.v = z(e.v);
  }

  /** Printable elements of a variable, unsorted. */
  entries(id: number): VarEntry[] {
    const meta = this.vars[id]!;
    if (meta.scope === "self") return [];
    if (meta.keyed) return [...this.M[id]!.values()].map((e) => ({ k: e.k, v: e.v }));
    this.fold(id);
    const v = this.G[id];
    return v === undefined ? [] : [{ k: undefined, v }];
  }

  /** Variables printed at exit: globals and maps, in bpftrace's name order. */
  printable(): VarMeta[] {
    return this.vars.filter((v) => v.scope !== "self").sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}
