// What the passes share: the program, its text, one diagnostic bag, and the
// facts each pass adds for the later ones and for code generation. bpftrace's
// passes hand each other the same kind of state through ast::PassContext
// (src/ast/pass_manager.h); here it is one explicit object, filled in the
// order of PASSES (passes/index.ts).

import type { Item, Program, TargetSpec } from "../ast.js";
import type { Ty, Where } from "../builtins.js";
import type { StructType } from "../ctypes.js";
import { DiagnosticBag, type SourceText, type Span } from "../diagnostics.js";
import type { ResolvedTarget, TargetInfo } from "../host.js";
import type { ArgSet } from "../probe-args.js";
import type { ResolvedEvent } from "../probe-events.js";
import type { LhistParams, ValueKind, VarMeta } from "../value.js";

/**
 * Resolved targets, keyed by the spec node they came from: one each, or one
 * per overload for a C++ name without parameters that names several.
 */
export type ResolvedTargets = Map<TargetSpec, ResolvedTarget[]>;

/** A global, map or per-thread variable, as the collect pass found it. */
export interface VarInfo {
  /** Spelling with sigil: `count`, `@count`, `self.start`. */
  name: string;
  scope: "global" | "map" | "self";
  kind: ValueKind;
  keyed: boolean;
  keyTypes: Ty[];
  lhist?: LhistParams;
  /** Where the kind was fixed (first assignment). */
  span: Span;
}

/** Facts about one probe, BEGIN or END item. */
export interface ItemInfo {
  /** Probe kinds the item's block runs in. */
  where: Set<Where>;
  /** Scratch ($) variables of the item and their types. */
  scratch: Map<string, Ty>;
  /** The args of each attach point of the item (tracepoint fields, DWARF parameters), computed on first use. */
  argSets?: () => ArgSet[];
}

/** bpftrace 0.17's default max_map_keys (BPFTRACE_MAP_KEYS_MAX). */
const DEFAULT_MAX_MAP_KEYS = 4096;

export interface ProgramConfig {
  /** Print every global and map when the program ends (bpftrace's default). */
  printMapsOnExit: boolean;
  /** Keys a map may hold (bpftrace's max_map_keys, default 4096): new keys past it are dropped, with one warning per map. */
  maxMapKeys: number;
}

/** Storage of the globals, maps and per-thread variables (resources pass). */
export interface Storage {
  /** Variable name -> runtime slot id. */
  ids: Map<string, number>;
  /** What the runtime and the printers know of each slot, by id. */
  metas: VarMeta[];
}

export interface CompileFlags {
  /** Let probes at offsets that are not instruction boundaries through. */
  unsafe: boolean;
  /** Positional parameters `$1`, `$2`, ... (the words after the script, as bpftrace takes them). */
  params: readonly string[];
}

export class PassContext {
  readonly bag: DiagnosticBag;
  /** resolve-targets: the addresses of each target spec. */
  readonly resolved: ResolvedTargets = new Map();
  /** resolve-targets: the event probes (interval, profile, tracepoint) of each spec. */
  readonly events = new Map<TargetSpec, ResolvedEvent[]>();
  /** config: the `config = { ... }` settings. */
  readonly config: ProgramConfig = { printMapsOnExit: true, maxMapKeys: DEFAULT_MAX_MAP_KEYS };
  /** structs: the script's struct definitions, laid out. */
  readonly structs = new Map<string, StructType>();
  /** collect: every assigned global, map and per-thread variable. */
  readonly vars = new Map<string, VarInfo>();
  /** collect: per item, where it runs and its scratch variables. */
  readonly items = new Map<Item, ItemInfo>();
  /** resources: runtime slots. */
  readonly storage: Storage = { ids: new Map(), metas: [] };
  /** Compile-time warnings, rendered (`file:line:col: warning: ...`). */
  readonly warnings: string[] = [];

  constructor(
    readonly program: Program,
    readonly src: SourceText,
    readonly target: TargetInfo,
    readonly flags: CompileFlags,
  ) {
    this.bag = new DiagnosticBag(src);
  }

  /** `line:col` of a span, for messages that point back at an earlier use. */
  pos(s: Span): string {
    const { line, col } = this.src.lineCol(s.start);
    return `${line}:${col}`;
  }
}
