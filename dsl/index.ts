// Public API of the probe DSL.
//
//   const prog = compileProgram(source, "count.probe", targetInfo, { json: false, sink });
//   for (const p of prog.probes) engine.attach(p.target, p.handler);
//   prog.runBegin(ctx); ...run the guest...; prog.runEnd(ctx);
//   process.stdout.write(prog.printText());
//
// The pipeline: parse.ts (text -> AST, syntax errors), then the passes in
// the order passes/index.ts lists them (targets, config, variables, types,
// storage), then code generation (compile.ts: one JS function per attach
// point) into a Runtime that writes through the text or JSON printer. Only a
// DslError ever escapes for a bad program.

import { generate, type GeneratedEvent } from "./compile.js";
import { SourceText } from "./diagnostics.js";
import type { HitContext, OutputSink, ResolvedTarget, TargetInfo } from "./host.js";
import { jsonExit, jsonPrinter } from "./output-json.js";
import { textExit, textPrinter } from "./output-text.js";
import { parse } from "./parse.js";
import { runPasses } from "./passes/index.js";
import { NULL_CONTEXT, Runtime } from "./runtime.js";

export { DslError } from "./diagnostics.js";
export type { FunctionParam, HitContext, OutputSink, TargetInfo } from "./host.js";
export { jsonAttachedProbes } from "./output-json.js";
export type { LatencyUnit } from "./funclatency.js";
export { NULL_CONTEXT } from "./runtime.js";
export { listPatternFile, listProbes } from "./list-probes.js";
export { listEventProbes } from "./probe-events.js";
export { funccountProgram, stackcountProgram } from "./bcc-tools.js";
export { debugDump } from "./debug-dump.js";
export type { GeneratedEvent } from "./compile.js";

export interface CompileOptions {
  /** Let probes at offsets that are not instruction boundaries through (marked unsafe). */
  unsafe?: boolean;
  /** Positional parameters `$1`, `$2`, ... */
  params?: readonly string[];
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
  /** interval, profile and tracepoint probes (dsl/probe-events.ts): attached to the kernel's timers and syscall layer. */
  readonly events: readonly GeneratedEvent[];
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

/**
 * Compile a program against the binaries it probes. Throws DslError (exit
 * status 2) for any mistake in the program; never another exception for bad
 * input.
 */
export function compileProgram(source: string, fileName: string, target: TargetInfo, opts: CompileOptions = {}): CompiledProgram {
  const src = new SourceText(fileName, source);
  const checked = runPasses(parse(src), src, target, { unsafe: opts.unsafe === true, params: opts.params ?? [] });

  let output = "";
  const warnings: string[] = checked.warnings;
  const sink: OutputSink = opts.sink ?? { write: (t) => void (output += t) };
  const rt = new Runtime(checked.storage.metas, {
    sink,
    printer: opts.json === true ? jsonPrinter : textPrinter,
    source: src,
    target,
    onWarning: opts.onWarning ?? ((m) => void warnings.push(m)),
    maxMapKeys: checked.config.maxMapKeys,
  });
  const { probes, events, begins, ends } = generate(checked, rt);

  return {
    probes,
    events,
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
