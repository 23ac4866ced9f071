// Pass: collect every assigned global, map and per-thread variable.
//
// A variable's kind (an integer, a string, or one of the aggregations) and a
// map's key types are fixed by its first assignment in program order, as a
// bpftrace map's type is. This pass records them before anything is checked,
// so that a probe may read a variable another probe (later in the file)
// assigns, e.g. END printing what a retprobe measured. It reports nothing:
// type-check.ts judges every use against the table built here. (bpftrace's
// semantic_analyser gets the same effect by re-running until map types settle.)
//
// It also records, per item, the probe kinds its block runs in and its
// scratch ($) variables with their types.

import type { AssignStmt, Expr, IncDecStmt, IndexExpr, LValue } from "../ast.js";
import { walkStmts } from "../ast.js";
import { paramValue } from "./type-expr.js";
import { BUILTIN_VARS, FUNCTIONS, type Ty, type Where } from "../builtins.js";
import { constInt } from "../const-int.js";
import type { Span } from "../diagnostics.js";
import type { AggKind, LhistParams, ValueKind } from "../value.js";
import type { ItemInfo, PassContext, VarInfo } from "./context.js";
import { isAggCall, readType } from "./kinds.js";
import { noteScratch, placeValueType, quietScope } from "../struct-check.js";
import { noteTupleAssign, quietTupleScope, tupleElemType } from "../tuple-check.js";
import { eventArgs, targetArgs, type ArgSet } from "../probe-args.js";
import { whereOf } from "../probe-events.js";

export function collectVars(ctx: PassContext): void {
  for (const item of ctx.program.items) {
    if (item.kind === "config") continue;
    const where = new Set<Where>();
    if (item.kind === "probe") for (const t of item.targets) where.add(whereOf(t));
    else where.add("special");
    const info: ItemInfo = { where, scratch: new Map() };
    if (item.kind === "probe") {
      let sets: ArgSet[] | undefined;
      info.argSets = () =>
        (sets ??= item.targets.flatMap((t) => [...(ctx.events.get(t) ?? []).map(eventArgs), ...(ctx.resolved.get(t) ?? []).map((r) => targetArgs(r, ctx.target))]));
    }
    ctx.items.set(item, info);
    walkStmts(item.body, (s) => {
      if (s.kind === "assign") collectAssign(ctx, info, s);
      else if (s.kind === "incdec") collectIncDec(ctx, info, s);
    });
  }
}

function collectAssign(ctx: PassContext, info: ItemInfo, s: AssignStmt): void {
  if (s.op !== "=") {
    declare(ctx, info, s.target, "int", s);
    return;
  }
  if (!isAggCall(s.value)) {
    declare(ctx, info, s.target, quietType(ctx, info, s.value), s);
    if (s.target.kind === "var" && s.target.scope === "scratch") noteScratch(quietScope(ctx, info), s.target.name, s.value);
    noteTupleAssign(quietTupleScope(ctx, info), s.target, s.value, quietType(ctx, info, s.value), (x) => quietType(ctx, info, x));
    return;
  }
  let lh: LhistParams | undefined;
  if (s.value.name === "lhist" && s.value.args.length === 4) {
    const [, a, b, c] = s.value.args.map(constInt);
    if (a !== undefined && b !== undefined && c !== undefined) lh = { min: a, max: b, step: c };
  }
  declare(ctx, info, s.target, s.value.name as AggKind, s, lh);
}

function collectIncDec(ctx: PassContext, info: ItemInfo, s: IncDecStmt): void {
  declare(ctx, info, s.target, "int", s);
}

/** Record a variable at its first assignment; later ones are type-check's business. */
function declare(ctx: PassContext, info: ItemInfo, t: LValue, kind: ValueKind, span: Span, lhist?: LhistParams): void {
  const ref = t.kind === "index" ? t.target : t;
  if (ref.scope === "scratch") {
    if (!info.scratch.has(ref.name)) info.scratch.set(ref.name, kind === "string" || kind === "tuple" ? kind : "int");
    return;
  }
  if (ref.scope === "global" && BUILTIN_VARS[ref.name] !== undefined) return;
  if (ctx.vars.has(ref.name)) return;
  const keyed = t.kind === "index";
  const v: VarInfo = {
    name: ref.name,
    scope: ref.scope,
    kind,
    keyed,
    keyTypes: keyed ? (t as IndexExpr).keys.map((k) => quietType(ctx, info, k)) : [],
    span,
  };
  if (lhist !== undefined) v.lhist = lhist;
  ctx.vars.set(ref.name, v);
}

/** An expression's type without reporting anything (errors are type-check's). */
function quietType(ctx: PassContext, info: ItemInfo, e: Expr): Ty {
  switch (e.kind) {
    case "string":
      return "string";
    case "var": {
      if (e.scope === "scratch") return info.scratch.get(e.name) ?? "int";
      if (e.scope === "global" && BUILTIN_VARS[e.name] !== undefined) return BUILTIN_VARS[e.name]!.type;
      const v = ctx.vars.get(e.name);
      return v !== undefined ? readType(v.kind) ?? "int" : "int";
    }
    case "index": {
      const v = ctx.vars.get(e.target.name);
      return v !== undefined ? readType(v.kind) ?? "int" : "int";
    }
    case "call":
      return FUNCTIONS[e.name]?.ret ?? "int";
    case "ternary":
      return quietType(ctx, info, e.then);
    case "param":
      return typeof paramValue(ctx.flags.params, e.index) === "bigint" ? "int" : "string";
    case "tuple":
      return "tuple";
    case "field":
      if (/^\d+$/.test(e.name) || quietType(ctx, info, e.base) === "tuple") return tupleElemType(quietTupleScope(ctx, info), e, (x) => quietType(ctx, info, x)) ?? "int";
      return placeValueType(quietScope(ctx, info), e, (x) => quietType(ctx, info, x)) ?? "int";
    case "subscript":
      return placeValueType(quietScope(ctx, info), e, (x) => quietType(ctx, info, x)) ?? "int";
    default:
      return "int";
  }
}
