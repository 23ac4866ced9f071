// Public API of the probe DSL.
//
//   const prog = compileProgram(source, "count.probe", targetInfo, { json: false, sink });
//   for (const p of prog.probes) engine.attach(p.target, p.handler);
//   prog.runBegin(ctx); ...run the guest...; prog.runEnd(ctx);
//   process.stdout.write(prog.printText());
//
// The pipeline, in order (each step one file; a step reports all of its
// errors before the pipeline stops):
//   1. parse.ts                      text -> AST (nearley + moo), syntax errors
//   2. passes/resolve-targets.ts     probe targets -> addresses, offset checks
//   3. passes/check-semantics.ts     names, builtins, arity, types, kinds
//   4. compile.ts                    one JS function per attach point
// Steps 2 and 3 are independent, so their errors are reported together,
// sorted by position. Only a DslError ever escapes for a bad program.

import type { Block, Expr, Item, Program } from "./ast.js";
import { CodeGen, type Handler } from "./compile.js";
import { DslError, formatDiagnostic, SourceText, type Diagnostic } from "./diagnostics.js";
import type { HitContext, OutputSink, ResolvedTarget, TargetInfo } from "./host.js";
import { jsonExit } from "./output-json.js";
import { textExit } from "./output-text.js";
import { parse } from "./parse.js";
import { checkSemantics, type CheckedProgram } from "./passes/check-semantics.js";
import { resolveTargets, type ResolvedTargets } from "./passes/resolve-targets.js";
import { NULL_CONTEXT, Runtime, type VarMeta } from "./runtime.js";

export { DslError, SourceText, formatDiagnostic } from "./diagnostics.js";
export type { Diagnostic, Span } from "./diagnostics.js";
export type { HitContext, OutputSink, ResolvedTarget, SymbolInfo, TargetInfo } from "./host.js";
export { parse, parseText } from "./parse.js";
export { sprintf } from "./printf.js";
export { jsonAttachedProbes } from "./output-json.js";
export {
  FUNCLATENCY_FOOTER,
  LatencyCollector,
  bccLog2Slot,
  formatBccLog2Hist,
  formatFunclatency,
  formatFunclatencyOutput,
  funclatencyBanner,
  type FunclatencyReport,
  type LatencyUnit,
} from "./funclatency.js";
export { NULL_CONTEXT } from "./runtime.js";

export interface CompileOptions {
  /** Let probes at offsets that are not instruction boundaries through (marked unsafe). */
  unsafe?: boolean;
  /** printf()/print() output as bpftrace `-f json` NDJSON lines. */
  json?: boolean;
  /** Where printf()/print() write while the guest runs (default: collected in `output`). */
  sink?: OutputSink;
  /** Runtime warnings (unreadable memory), `file:line:col: warning: ...` (default: collected in `warnings`). */
  onWarning?: (message: string) => void;
}

export interface CompiledProbe {
  /** Where to attach; a uretprobe's handler runs at the function's return. */
  readonly target: ResolvedTarget;
  /** Runs the probe: evaluates the filter, then the statements. */
  handler(ctx: HitContext): void;
  /** The `/ FILTER /` alone, when the probe has one. */
  readonly filter?: (ctx: HitContext) => boolean;
  /** Generated JavaScript of the handler body (for `--debug`-style dumps). */
  readonly source: string;
}

export interface CompiledProgram {
  readonly probes: readonly CompiledProbe[];
  readonly hasBegin: boolean;
  readonly hasEnd: boolean;
  /** Run every BEGIN block (before the guest starts). */
  runBegin(ctx?: HitContext): void;
  /** Run every END block (after the guest stopped). */
  runEnd(ctx?: HitContext): void;
  /** Set once a handler called exit(). */
  readonly exitRequested: boolean;
  readonly exitCode: number;
  /** bpftrace's exit-time output: "\n\n" then every global and map ("" with print_maps_on_exit = false). */
  printText(): string;
  /** The exit-time maps as NDJSON lines (no trailing newlines). */
  printJson(): string[];
  /** Output written so far when no sink was given. */
  readonly output: string;
  /** Runtime warnings so far when no onWarning was given. */
  readonly warnings: readonly string[];
  /** The state behind the handlers (tests, notebooks). */
  readonly runtime: Runtime;
}

function collect<T>(f: () => T, diags: Diagnostic[]): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof DslError) {
      diags.push(...e.diagnostics);
      return undefined;
    }
    throw e;
  }
}

/**
 * Compile a program against the binaries it probes. Throws DslError (exit
 * status 2) for any mistake in the program; never another exception for bad
 * input.
 */
export function compileProgram(source: string, fileName: string, target: TargetInfo, opts: CompileOptions = {}): CompiledProgram {
  const src = new SourceText(fileName, source);
  const ast = parse(src);

  const diags: Diagnostic[] = [];
  const resolved = collect<ResolvedTargets>(() => resolveTargets(ast, src, target, { unsafe: opts.unsafe === true }), diags);
  const checked = collect<CheckedProgram>(() => checkSemantics(ast, src), diags);
  if (resolved === undefined || checked === undefined) {
    diags.sort((a, b) => a.span.start - b.span.start);
    throw new DslError(src, diags);
  }

  // Storage: one id per global, map and per-thread variable.
  const ids = new Map<string, number>();
  const metas: VarMeta[] = [];
  for (const v of checked.vars.values()) {
    const id = metas.length;
    ids.set(v.name, id);
    const m: VarMeta = { id, name: v.name, scope: v.scope, kind: v.kind, keyed: v.keyed };
    if (v.lhist !== undefined) m.lhist = v.lhist;
    metas.push(m);
  }

  let output = "";
  const warnings: string[] = ifuncWarnings(ast, src, resolved, target);
  const sink: OutputSink = opts.sink ?? { write: (t) => void (output += t) };
  const rt = new Runtime(metas, {
    sink,
    json: opts.json === true,
    source: src,
    target,
    onWarning: opts.onWarning ?? ((m) => void warnings.push(m)),
  });

  const gen = (item: Item, body: Block, filter: Expr | undefined, func: string, probe: string): { fn: Handler; source: string } =>
    new CodeGen(checked, ids, rt, checked.items.get(item)!, { func, probe }).build(body, filter);

  const probes: CompiledProbe[] = [];
  const begins: Handler[] = [];
  const ends: Handler[] = [];
  for (const item of ast.items) {
    if (item.kind === "config") continue;
    if (item.kind === "special") {
      const h = gen(item, item.body, undefined, "", item.which).fn;
      (item.which === "BEGIN" ? begins : ends).push(h);
      continue;
    }
    for (const t of item.targets.flatMap((spec) => resolved.get(spec)!)) {
      const func = t.demangled ?? t.symbol ?? `0x${t.addr.toString(16)}`;
      const { fn, source } = gen(item, item.body, item.filter, func, t.name);
      const probe: { target: ResolvedTarget; handler: Handler; source: string; filter?: (ctx: HitContext) => boolean } = {
        target: t,
        handler: fn,
        source,
      };
      if (item.filter !== undefined) {
        probe.filter = new CodeGen(checked, ids, rt, checked.items.get(item)!, { func, probe: t.name }).buildFilter(item.filter);
      }
      probes.push(probe);
    }
  }

  return {
    probes,
    hasBegin: begins.length > 0,
    hasEnd: ends.length > 0,
    runBegin(ctx?: HitContext): void {
      const c = ctx ?? NULL_CONTEXT;
      rt.startClock(c);
      for (const h of begins) h(c);
    },
    runEnd(ctx?: HitContext): void {
      const c = ctx ?? NULL_CONTEXT;
      for (const h of ends) h(c);
    },
    get exitRequested() {
      return rt.exitRequested;
    },
    get exitCode() {
      return rt.exitCode;
    },
    printText: () => (checked.config.printMapsOnExit ? textExit(rt.printable(), (id) => rt.entries(id)) : ""),
    printJson: () => (checked.config.printMapsOnExit ? jsonExit(rt.printable(), (id) => rt.entries(id)) : []),
    get output() {
      return output;
    },
    warnings,
    runtime: rt,
  };
}

/**
 * A probe at the entry of an IFUNC symbol (strlen, memcpy... in libc) sits on
 * its resolver, which ld.so runs once to bind it: the kernel fires it there,
 * not in the implementation callers reach. Say so, and name the candidates.
 */
function ifuncWarnings(ast: Program, src: SourceText, resolved: ResolvedTargets, target: TargetInfo): string[] {
  const out: string[] = [];
  for (const item of ast.items) {
    if (item.kind !== "probe") continue;
    for (const spec of item.targets) {
      for (const t of [resolved.get(spec) ?? []].flat()) {
        if (t.symbol === undefined || t.offset !== 0 || !target.lookupSymbol(t.symbol, t.file)?.ifunc) continue;
        const impls = target.symbolNames(t.file).filter((n) => n.startsWith(`__${t.symbol}_`) && n.includes("sse2"));
        const hint = impls.length ? `; with this CPU (SSE2, no AVX) glibc picks ${impls.sort()[0]}: probe that` : "";
        const message = `${t.symbol} in ${t.file} is an IFUNC: this probe is on its resolver, which ld.so runs once to bind it, not on the implementation callers reach${hint}`;
        out.push(formatDiagnostic(src, { severity: "warning", message, span: spec.textSpan }));
      }
    }
  }
  return out;
}
