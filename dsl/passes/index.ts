// The pass list: the order in which a parsed program is analysed, in one
// place, as bpftrace's PassManager (src/ast/pass_manager.h) holds its passes.
//
// Every pass reads and extends one PassContext (context.ts). The analysis
// passes all run even when an earlier one reported errors, so that a program
// gets every mistake at once (sorted by position); the passes after them need
// a correct program and run only then. Code generation (compile.ts) follows.

import type { Program } from "../ast.js";
import type { SourceText } from "../diagnostics.js";
import type { TargetInfo } from "../host.js";
import { analyseConfig } from "./config-analyser.js";
import { collectVars } from "./collect-vars.js";
import { PassContext, type CompileFlags } from "./context.js";
import { ifuncWarnings } from "./ifunc-warnings.js";
import { checkUsdtArgs } from "./usdt-args.js";
import { resolveTargets } from "./resolve-targets.js";
import { allocateStorage } from "./resources.js";
import { typeCheck } from "./type-check.js";
import { defineStructs } from "../struct-defs.js";

interface Pass {
  readonly name: string;
  /** An analysis pass runs even after errors, and adds its own to the report. */
  readonly analysis: boolean;
  run(ctx: PassContext): void;
}

const PASSES: readonly Pass[] = [
  // Probe targets -> addresses, offsets checked against instruction
  // boundaries, "did you mean" (bpftrace: attachpoint_passes, probe matching).
  { name: "resolve-targets", analysis: true, run: resolveTargets },
  // `config = { ... }` settings (bpftrace: config_analyser).
  { name: "config", analysis: true, run: analyseConfig },
  // The script's struct definitions and their C layout (bpftrace: clang_parser).
  { name: "structs", analysis: true, run: (ctx) => defineStructs(ctx.program.structs, ctx.bag, ctx.structs) },
  // Every assigned global/map/self variable with its kind and key types, each
  // item's scratch variables (bpftrace: semantic_analyser's map type pass).
  { name: "collect-vars", analysis: true, run: collectVars },
  // Names, builtins, arity, types, kinds of every block (bpftrace: semantic_analyser).
  { name: "type-check", analysis: true, run: typeCheck },
  // argN of a usdt probe against its note's argument specs.
  { name: "usdt-args", analysis: true, run: checkUsdtArgs },
  // Runtime slot per variable (bpftrace: resource_analyser).
  { name: "resources", analysis: false, run: allocateStorage },
  // Warnings for probes on IFUNC resolvers.
  { name: "ifunc-warnings", analysis: false, run: ifuncWarnings },
];

/** Run PASSES over a parsed program; throws one DslError with every error found. */
export function runPasses(program: Program, src: SourceText, target: TargetInfo, flags: CompileFlags, afterPass?: (name: string, ctx: PassContext) => void): PassContext {
  const ctx = new PassContext(program, src, target, flags);
  for (const pass of PASSES) {
    if (!pass.analysis) ctx.bag.throwIfAny();
    pass.run(ctx);
    afterPass?.(pass.name, ctx);
  }
  ctx.bag.throwIfAny();
  return ctx;
}
