// Pass: type-check every probe, BEGIN and END block (bpftrace's
// semantic_analyser).
//
// Runs after collect-vars.ts has fixed each variable's kind and key types,
// and reports *all* errors, each with the span of the offending node: kind
// conflicts between assignments, wrong key counts and types, strings where
// integers are needed, unknown probe types. Expressions are typed by
// type-expr.ts, calls checked by check-calls.ts.

import { walkStmts, type AssignStmt, type Block, type IfStmt, type Item, type LValue, type Stmt, type UnrollStmt, type WhileStmt } from "../ast.js";
import { BUILTIN_VARS } from "../builtins.js";
import { constInt } from "../const-int.js";
import { didYouMean } from "../suggest.js";
import { checkAggCall, checkCallStmt } from "./check-calls.js";
import type { PassContext, VarInfo } from "./context.js";
import { isAggCall, kindName } from "./kinds.js";
import { checkKeys, expectInt, typeOf, type Scope } from "./type-expr.js";
import { noteScratch } from "../struct-check.js";
import { noteTupleAssign } from "../tuple-check.js";
import { noteU64 } from "../unsigned.js";

export function typeCheck(ctx: PassContext): void {
  for (const item of ctx.program.items) if (item.kind !== "config") checkItem(ctx, item);
}

function checkItem(ctx: PassContext, item: Exclude<Item, { kind: "config" }>): void {
  const sc: Scope = { ctx, bag: ctx.bag, info: ctx.items.get(item)!, assignedScratch: new Set(), loops: { depth: 0 } };
  if (item.kind === "special" && item.which !== "BEGIN" && item.which !== "END") {
    if (item.which === "probe" || item.which === "retprobe") {
      sc.bag.error(item.nameSpan, `expected a probe target after '${item.which}' (e.g. '${item.which} main')`);
    } else {
      sc.bag.error(item.nameSpan, `unknown probe type '${item.which}'${didYouMean(item.which, ["BEGIN", "END", "probe", "retprobe"])}`);
    }
  }
  if (item.kind === "probe" && item.filter !== undefined) expectInt(sc, item.filter, "a filter");
  checkBlock(sc, item.body);
}

function checkBlock(sc: Scope, b: Block): void {
  for (const s of b.body) checkStmt(sc, s);
}

function checkStmt(sc: Scope, s: Stmt): void {
  switch (s.kind) {
    case "assign":
      checkAssign(sc, s);
      break;
    case "incdec":
      checkIntTarget(sc, s.target, s.op);
      break;
    case "callstmt":
      checkCallStmt(sc, s.call);
      break;
    case "if":
      checkIf(sc, s);
      break;
    case "return":
      break;
    case "unroll":
      checkUnroll(sc, s);
      break;
    case "while":
      checkWhile(sc, s);
      break;
    case "break":
    case "continue":
      // bpftrace's wording (semantic_analyser visit(Jump))
      if (sc.loops.depth === 0) sc.bag.error(s, `${s.kind} used outside of a loop`);
      break;
  }
}

/** bpftrace: the count is a literal, 1 to 100. */
function checkUnroll(sc: Scope, s: UnrollStmt): void {
  const n = constInt(s.count);
  if (n === undefined) sc.bag.error(s.count, "unroll() needs an integer literal count, 1 to 100");
  else if (n > 100n) sc.bag.error(s, "unroll maximum value is 100");
  else if (n < 1n) sc.bag.error(s, "unroll minimum value is 1");
  checkBlock(sc, s.body); // bpftrace 0.17 allows no break in unroll: its body is copied N times
}

function checkWhile(sc: Scope, s: WhileStmt): void {
  expectInt(sc, s.cond, "a while condition");
  // `while (1)` with no way out: bpftrace's verifier rejects the program ("Error loading program")
  const c = constInt(s.cond);
  if (c !== undefined && c !== 0n && !leaves(s.body)) sc.bag.error(s, "this loop never ends (no break or return): bpftrace's BPF verifier would reject the program");
  sc.loops.depth++;
  checkBlock(sc, s.body);
  sc.loops.depth--;
}

/** Does a block contain a break or return (outside nested loops, for break)? */
function leaves(b: Block): boolean {
  let found = false;
  walkStmts(b, (s) => {
    if (s.kind === "break" || s.kind === "return") found = true;
  });
  return found;
}

function checkIf(sc: Scope, s: IfStmt): void {
  expectInt(sc, s.cond, "an if condition");
  checkBlock(sc, s.then);
  if (s.else !== undefined) {
    if (s.else.kind === "block") checkBlock(sc, s.else);
    else checkIf(sc, s.else);
  }
}

/** Check an lvalue; returns its variable (undefined for scratch/errors). */
function checkLValue(sc: Scope, t: LValue): VarInfo | undefined {
  const ref = t.kind === "index" ? t.target : t;
  if (ref.scope === "global" && BUILTIN_VARS[ref.name] !== undefined) {
    sc.bag.error(ref, `cannot assign to builtin '${ref.name}'`);
    return undefined;
  }
  if (ref.scope === "scratch") {
    if (t.kind === "index") sc.bag.error(t, `scratch variable '${ref.name}' cannot be indexed`);
    return undefined;
  }
  if (ref.scope === "self" && t.kind === "index") {
    sc.bag.error(t, `per-thread variable '${ref.name}' cannot be indexed (it is already keyed by thread)`);
    return undefined;
  }
  const v = sc.ctx.vars.get(ref.name)!;
  checkKeys(sc, v, t);
  return v;
}

function checkAssign(sc: Scope, s: AssignStmt): void {
  const ref = s.target.kind === "index" ? s.target.target : s.target;
  if (s.op !== "=") {
    checkIntTarget(sc, s.target, s.op);
    expectInt(sc, s.value, `'${s.op}'`);
    return;
  }
  if (isAggCall(s.value)) {
    const call = s.value;
    checkAggCall(sc, call);
    if (ref.scope === "scratch" || ref.scope === "self") {
      sc.bag.error(call, `${call.name}() must be assigned to a global or a map, not to '${ref.name}'`);
      return;
    }
    const v = checkLValue(sc, s.target);
    if (v === undefined) return;
    if (call.name === "sum" && call.args[0] !== undefined) noteU64(sc, "other", v.name, call.args[0]);
    if (v.kind !== call.name) {
      sc.bag.error(
        s.value,
        `type mismatch for ${v.name}: trying to assign value of type '${call.name}' when ${v.keyed ? "map" : "variable"} already contains a value of type '${kindName(v.kind)}' (since ${sc.ctx.pos(v.span)})`,
      );
    } else if (call.name === "lhist" && v.lhist !== undefined && call.args.length === 4) {
      const [, a, b, c] = call.args.map(constInt);
      if (a !== v.lhist.min || b !== v.lhist.max || c !== v.lhist.step) {
        sc.bag.error(call, `lhist parameters of ${v.name} differ from its first assignment at ${sc.ctx.pos(v.span)}`);
      }
    }
    return;
  }
  const t = typeOf(sc, s.value);
  noteTupleAssign(sc, s.target, s.value, t, (x) => typeOf(sc, x));
  if (ref.scope === "scratch") {
    const want = sc.info.scratch.get(ref.name);
    if (s.target.kind === "index") sc.bag.error(s.target, `scratch variable '${ref.name}' cannot be indexed`);
    else if (t !== undefined && want !== undefined && t !== want && sc.assignedScratch.has(ref.name)) {
      sc.bag.error(s.value, `type mismatch for ${ref.name}: trying to assign value of type '${kindName(t)}' when variable already contains a value of type '${kindName(want)}'`);
    }
    if (!sc.assignedScratch.has(ref.name)) noteU64(sc, "scratch", ref.name, s.value);
    sc.assignedScratch.add(ref.name);
    noteScratch(sc, ref.name, s.value);
    return;
  }
  const v = checkLValue(sc, s.target);
  if (v === undefined || t === undefined) return;
  noteU64(sc, "other", v.name, s.value);
  if (v.kind !== t) {
    sc.bag.error(
      s.value,
      `type mismatch for ${v.name}: trying to assign value of type '${kindName(t)}' when ${v.keyed ? "map" : "variable"} already contains a value of type '${kindName(v.kind)}' (since ${sc.ctx.pos(v.span)})`,
    );
  }
}

function checkIntTarget(sc: Scope, t: LValue, op: string): void {
  const ref = t.kind === "index" ? t.target : t;
  if (ref.scope === "scratch") {
    if (t.kind === "index") sc.bag.error(t, `scratch variable '${ref.name}' cannot be indexed`);
    else if (sc.info.scratch.get(ref.name) === "string" || sc.info.scratch.get(ref.name) === "tuple") sc.bag.error(t, `'${op}' needs an integer, and ${ref.name} is a ${sc.info.scratch.get(ref.name)}`);
    sc.assignedScratch.add(ref.name);
    return;
  }
  const v = checkLValue(sc, t);
  if (v === undefined) return;
  if (v.kind !== "int") {
    sc.bag.error(t, `'${op}' needs an integer variable, and ${v.name} holds ${kindName(v.kind)} (since ${sc.ctx.pos(v.span)})`);
  }
}
