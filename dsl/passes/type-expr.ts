// Type-check, expressions: the type of every expression, with an error
// for each misuse (bpftrace's semantic_analyser visits of Variable, Map,
// Call, Binop, Unop, Ternary).
//
// Integers and strings are the only types; `undefined` means "already
// reported", so that one mistake yields one message. Each check names what
// is wrong and where the variable's kind was fixed (the collect pass's
// first assignment): unknown names and functions get a "did you mean",
// builtins used where they do not exist (`retval` outside a retprobe, `arg0`
// in a retprobe) say why.

import type { CallExpr, DerefExpr, Expr, FieldAccess, IndexExpr, LValue, VarRef } from "../ast.js";
import { BUILTIN_VARS, FUNCTIONS, NOT_MODELLED, REGISTERS, whereName, type Ty, type Where } from "../builtins.js";
import { constInt } from "../const-int.js";
import type { DiagnosticBag, Span } from "../diagnostics.js";
import { probeArgType, isProbeArgs } from "../probe-args.js";
import { checkPlaceSize, placeValueType, structCastType, structSize } from "../struct-check.js";
import { tupleElemType, tupleType } from "../tuple-check.js";
import { didYouMean } from "../suggest.js";
import { STACK_MODES, UNWINDERS } from "../ustack.js";
import type { ItemInfo, PassContext, VarInfo } from "./context.js";
import { isAggCall, kindName, readType } from "./kinds.js";

/** The item being checked: its facts, and the scratch variables assigned so far (in statement order). */
export interface Scope {
  readonly ctx: PassContext;
  readonly bag: DiagnosticBag;
  readonly info: ItemInfo;
  readonly assignedScratch: Set<string>;
  /** How many while loops enclose the statement being checked (break/continue need one). */
  readonly loops: { depth: number };
}

export function typeOf(sc: Scope, e: Expr): Ty | undefined {
  switch (e.kind) {
    case "number":
      if (e.error !== undefined) sc.bag.error(e, e.error);
      return "int";
    case "string":
      if (e.error !== undefined) sc.bag.error(e, e.error);
      return "string";
    case "var":
      return varType(sc, e);
    case "index": {
      const ref = e.target;
      if (ref.scope === "global" && BUILTIN_VARS[ref.name] !== undefined) {
        sc.bag.error(e, `builtin '${ref.name}' cannot be indexed`);
        return undefined;
      }
      if (ref.scope === "scratch" || ref.scope === "self") {
        sc.bag.error(e, `'${ref.name}' cannot be indexed`);
        return undefined;
      }
      const v = sc.ctx.vars.get(ref.name);
      if (v === undefined) {
        unknownName(sc, ref);
        for (const k of e.keys) typeOf(sc, k);
        return undefined;
      }
      checkKeys(sc, v, e);
      return readable(sc, v, e);
    }
    case "call":
      return callType(sc, e);
    case "unary": {
      const t = typeOf(sc, e.operand);
      if (t === "string" || t === "tuple") {
        sc.bag.error(e.operand, `operator '${e.op}' needs an integer, got a ${t}`);
        return undefined;
      }
      return "int";
    }
    case "binary": {
      const l = typeOf(sc, e.left);
      const r = typeOf(sc, e.right);
      if (l === undefined || r === undefined) return l === undefined && r === undefined ? undefined : "int";
      if (e.op === "==" || e.op === "!=") {
        if (l !== r) sc.bag.error(e, `type mismatch for '${e.op}': comparing '${kindName(l)}' with '${kindName(r)}'`);
        else if (l === "tuple") sc.bag.error(e, `tuples cannot be compared with '${e.op}': compare their elements`);
        return "int";
      }
      if (l !== "int") sc.bag.error(e.left, `operator '${e.op}' needs integers, got a ${l}`);
      else if (r !== "int") sc.bag.error(e.right, `operator '${e.op}' needs integers, got a ${r}`);
      return "int";
    }
    case "cast":
      if (e.struct !== undefined) return structCastType(sc, e, (x) => typeOf(sc, x));
      {
        const t = typeOf(sc, e.operand);
        if (t === "string" || t === "tuple") sc.bag.error(e.operand, `a cast to ${e.type}${e.pointer ? " *" : ""} needs an integer, got a ${t}`);
      }
      return "int";
    case "deref":
      return derefType(sc, e);
    case "param": {
      const v = paramValue(sc.ctx.flags.params, e.index);
      return typeof v === "bigint" ? "int" : "string";
    }
    case "sizeof":
      if (e.struct !== undefined) e.structSize = structSize(sc, e.struct, e);
      if (e.operand !== undefined && (e.operand.kind === "subscript" || (e.operand.kind === "field" && !isProbeArgs(e.operand)))) {
        checkPlaceSize(sc, e.operand, (x) => typeOf(sc, x));
      } else if (e.operand !== undefined) typeOf(sc, e.operand);
      return "int";
    case "field":
      return fieldType(sc, e);
    case "tuple":
      return tupleType(e, (x) => typeOf(sc, x));
    case "subscript":
      return placeValueType(sc, e, (x) => typeOf(sc, x));
    case "ternary": {
      expectInt(sc, e.cond, "a condition");
      const a = typeOf(sc, e.then);
      const b = typeOf(sc, e.else);
      if (a !== undefined && b !== undefined && a !== b) {
        sc.bag.error(e, `the branches of '?:' have different types ('${kindName(a)}' and '${kindName(b)}')`);
        return undefined;
      }
      return a ?? b;
    }
  }
}

function varType(sc: Scope, e: VarRef): Ty | undefined {
  if (e.scope === "scratch") {
    if (!sc.assignedScratch.has(e.name)) {
      if (sc.info.scratch.has(e.name)) sc.bag.error(e, `variable '${e.name}' is used before it is assigned`);
      else unknownName(sc, e);
      return undefined;
    }
    return sc.info.scratch.get(e.name);
  }
  if (e.scope === "global") {
    const why = NOT_MODELLED[e.name];
    if (why !== undefined && !sc.ctx.vars.has(e.name)) {
      sc.bag.error(e, why);
      return undefined;
    }
    const b = BUILTIN_VARS[e.name];
    if (b !== undefined) {
      checkWhere(sc, e, e.name, b.where);
      return b.type;
    }
  }
  const v = sc.ctx.vars.get(e.name);
  if (v === undefined) {
    unknownName(sc, e);
    return undefined;
  }
  if (v.keyed) {
    sc.bag.error(e, `'${v.name}' is a map (first used with a key at ${sc.ctx.pos(v.span)}): use ${v.name}[...]`);
    return undefined;
  }
  return readable(sc, v, e);
}

function readable(sc: Scope, v: VarInfo, span: Span): Ty | undefined {
  const t = readType(v.kind);
  if (t === undefined) sc.bag.error(span, `${v.name} holds ${kindName(v.kind)}, which cannot be used as a value (print it with print(${v.name}))`);
  return t;
}

function callType(sc: Scope, call: CallExpr): Ty | undefined {
  const sig = FUNCTIONS[call.name];
  if (sig === undefined) {
    unknownFunction(sc, call);
    return undefined;
  }
  if (sig.kind === "agg") {
    sc.bag.error(call, `${call.name}() must be assigned directly to a global or a map: x = ${call.name}(...)`);
    return undefined;
  }
  if (sig.kind === "stmt") {
    sc.bag.error(call, `${call.name}() has no value`);
    return undefined;
  }
  if (!arity(sc, call, sig.min, sig.max)) return sig.ret;
  if (sig.where !== undefined) checkWhere(sc, call.nameSpan, `${call.name}()`, sig.where);
  if (call.name === "reg") {
    const a = call.args[0]!;
    if (a.kind !== "string") sc.bag.error(a, 'reg() needs a register name as a string literal, e.g. reg("rax")');
    else if (REGISTERS[a.value] === undefined) {
      sc.bag.error(a, `unknown register '${a.value}'${didYouMean(a.value, Object.keys(REGISTERS))}; registers: rax..r15, rip (or bpftrace's ax, di, ip, sp, ...)`);
    }
    return "int";
  }
  if (call.name === "ustack") return ustackArgs(sc, call);
  if (call.name === "uaddr") {
    const a = call.args[0]!;
    if (a.kind !== "string") sc.bag.error(a, 'uaddr() needs a symbol name as a string literal, e.g. uaddr("main")');
    else if (sc.ctx.target.lookupSymbol(a.value) === undefined) sc.bag.error(a, `unknown symbol '${a.value}'${didYouMean(a.value, sc.ctx.target.symbolNames())}`);
    return "int";
  }
  if (call.name === "strftime") {
    const [f, t] = call.args;
    if (f!.kind !== "string") sc.bag.error(f!, 'strftime() format must be a string literal, e.g. "%H:%M:%S"');
    expectInt(sc, t!, "argument 2 of strftime()");
    return "string";
  }
  if (call.name === "strncmp") {
    call.args.slice(0, 2).forEach((a, i) => {
      if (typeOf(sc, a) === "int") sc.bag.error(a, `argument ${i + 1} of strncmp() needs a string, got an integer`);
    });
    const n = constInt(call.args[2]!);
    if (n === undefined || n < 0n) sc.bag.error(call.args[2]!, "strncmp() length must be a non-negative integer literal");
    return "int";
  }
  // bpftrace's str($1): a positional parameter that is a string is its own value
  if (call.name === "str" && call.args[0]?.kind === "param" && typeOf(sc, call.args[0]) === "string") return "string";
  call.args.forEach((a, i) => expectInt(sc, a, `argument ${i + 1} of ${call.name}()`));
  if (call.name === "buf" && call.args[1] !== undefined) {
    const v = constInt(call.args[1]);
    if (v !== undefined && (v < 1n || v > 4096n)) sc.bag.error(call.args[1], "buf() length must be between 1 and 4096");
  }
  if (call.name === "str" && call.args[1] !== undefined) {
    const v = constInt(call.args[1]);
    if (v !== undefined && (v < 1n || v > 4096n)) sc.bag.error(call.args[1], "str() length must be between 1 and 4096");
  }
  return sig.ret;
}

export function checkKeys(sc: Scope, v: VarInfo, t: LValue | IndexExpr): void {
  if (t.kind === "index") {
    if (!v.keyed) {
      sc.bag.error(t, `'${v.name}' is not a map (first assigned without a key at ${sc.ctx.pos(v.span)}), so it cannot be indexed`);
      return;
    }
    if (t.keys.length !== v.keyTypes.length) {
      sc.bag.error(t, `'${v.name}' has ${v.keyTypes.length} key${v.keyTypes.length === 1 ? "" : "s"} (since ${sc.ctx.pos(v.span)}), not ${t.keys.length}`);
    }
    t.keys.forEach((k, i) => {
      const kt = typeOf(sc, k);
      if (kt === undefined) return;
      if (kt === "tuple") {
        // bpftrace 0.17's wording (semantic_analyser visit(Map))
        sc.bag.error(k, "tuple cannot be used as a map key. Try a multi-key associative array instead (eg `@map[$1, $2] = ...)`.");
        return;
      }
      const want = v.keyTypes[i];
      if (want !== undefined && kt !== want) {
        sc.bag.error(k, `key ${i + 1} of '${v.name}' is ${kindName(want)} (since ${sc.ctx.pos(v.span)}), not ${kindName(kt)}`);
      }
    });
  } else if (v.keyed) {
    sc.bag.error(t, `'${v.name}' is a map (first used with a key at ${sc.ctx.pos(v.span)}): use ${v.name}[...]`);
  }
}

export function arity(sc: Scope, call: CallExpr, min: number, max: number): boolean {
  const n = call.args.length;
  if (n >= min && n <= max) return true;
  // bpftrace's check_nargs wording for none
  const want = max === 0 ? "no arguments" : min === max ? `${min} argument${min === 1 ? "" : "s"}` : max >= 64 ? `at least ${min} argument${min === 1 ? "" : "s"}` : `${min} to ${max} arguments`;
  sc.bag.error(call, `${call.name}() requires ${want} (${n} provided)`);
  for (const a of call.args) if (!isAggCall(a)) typeOf(sc, a);
  return false;
}

export function expectInt(sc: Scope, e: Expr, what: string): void {
  const t = typeOf(sc, e);
  if (t === "string" || t === "tuple") sc.bag.error(e, `${what} needs an integer, got a ${t}`);
}

export function checkWhere(sc: Scope, span: Span, name: string, where: readonly Where[]): boolean {
  for (const w of sc.info.where) {
    if (!where.includes(w)) {
      let hint = "";
      if (w === "return" && name.startsWith("arg")) hint = ` (the argument registers are gone by then: save it on entry, e.g. self.${name} = ${name})`;
      else if (name === "retval") hint = " (use a retprobe)";
      sc.bag.error(span, `${name} is not available in ${whereName(w)}${hint}`);
      return false;
    }
  }
  return true;
}

export function unknownName(sc: Scope, e: VarRef): void {
  const names = [...sc.ctx.vars.keys()];
  if (e.scope === "global") names.push(...Object.keys(BUILTIN_VARS));
  if (e.scope === "scratch") names.push(...sc.info.scratch.keys());
  const what = e.scope === "map" ? "map" : e.scope === "self" ? "per-thread variable" : e.scope === "scratch" ? "variable" : "identifier";
  sc.bag.error(e, `unknown ${what} '${e.name}'${didYouMean(e.name, names)}`);
}

export function unknownFunction(sc: Scope, call: CallExpr): void {
  sc.bag.error(call.nameSpan, `unknown function '${call.name}'${didYouMean(call.name, Object.keys(FUNCTIONS))}`);
  for (const a of call.args) typeOf(sc, a);
}

/** `*e` reads through a pointer cast: `*(int32 *)arg0`, the type saying how many bytes. */
function derefType(sc: Scope, e: DerefExpr): Ty | undefined {
  const p = e.operand;
  if (p.kind === "cast" && p.struct !== undefined) {
    typeOf(sc, p);
    sc.bag.error(e, `struct ${p.struct} is a whole struct, which is not a value here: read one of its fields, (*p).x or p->x`);
    return undefined;
  }
  if (p.kind !== "cast" || !p.pointer) {
    typeOf(sc, p);
    sc.bag.error(e, "only a pointer can be dereferenced: cast it first, e.g. *(int32 *)arg0 (bpftrace: 'Can not dereference type')");
    return undefined;
  }
  typeOf(sc, p);
  return "int";
}

/**
 * The value of a positional parameter: an integer when it reads as one
 * (bpftrace), else the string; `$#` is their number. A missing one is 0 (or ""
 * where a string is needed), as in bpftrace.
 */
export function paramValue(params: readonly string[], index: number): bigint | string {
  if (index === 0) return BigInt(params.length);
  const v = params[index - 1];
  if (v === undefined) return 0n;
  return /^-?(?:0[xX][0-9a-fA-F]+|[0-9]+)$/.test(v) ? BigInt.asIntN(64, v.startsWith("-") ? -BigInt(v.slice(1)) : BigInt(v)) : v;
}

/**
 * ustack([unwinder,] [mode,] [limit]): mode `bpftrace` or `perf` (a bare
 * word), limit an integer literal, as bpftrace takes them; the unwinder `cfi`
 * (ours: the .eh_frame unwinder) may stand before or after the mode.
 */
function ustackArgs(sc: Scope, call: CallExpr): Ty {
  const word = (e: Expr): string | undefined => (e.kind === "var" && e.scope === "global" && constInt(e) === undefined ? e.name : undefined);
  const limitOk = (e: Expr): void => {
    const n = constInt(e);
    if (n === undefined || n < 1n || n > 1024n) sc.bag.error(e, "ustack() limit must be an integer literal, 1 to 1024");
  };
  let mode = false;
  let unwinder = false;
  let limit = false;
  for (const a of call.args) {
    const w = word(a);
    if (w !== undefined && UNWINDERS.includes(w)) {
      if (unwinder || limit) sc.bag.error(a, limit ? "ustack() takes the unwinder before the limit: ustack(cfi, N)" : "ustack() takes one unwinder");
      unwinder = true;
    } else if (w !== undefined && (STACK_MODES as readonly string[]).includes(w)) {
      if (mode || limit) sc.bag.error(a, limit ? "ustack() takes the mode first: ustack(perf, N)" : "ustack() takes one mode");
      mode = true;
    } else if (w !== undefined) {
      sc.bag.error(a, `unknown stack mode '${w}'${didYouMean(w, [...STACK_MODES, ...UNWINDERS])}: ustack(perf), ustack(bpftrace), ustack(N), ustack(perf, N) or ustack(cfi, ...) for the .eh_frame unwinder (bcc and folded are stackcount's)`);
    } else {
      if (limit) sc.bag.error(a, "ustack() takes one limit");
      else limitOk(a);
      limit = true;
    }
  }
  return "string";
}

/** `e.NAME` / `e->NAME`: a probe's args go to their hook; anything else is a struct field (struct-check.ts). */
function fieldType(sc: Scope, e: FieldAccess): Ty | undefined {
  if (isProbeArgs(e)) return probeArgType(sc.bag, e, sc.info);
  if (isTupleBase(sc, e)) return tupleElemType(sc, e, (x) => typeOf(sc, x));
  return placeValueType(sc, e, (x) => typeOf(sc, x));
}

/** A numbered element (`.0`), or a base that holds a tuple: a tuple read, not a struct field. */
function isTupleBase(sc: Scope, e: FieldAccess): boolean {
  const b = e.base;
  if (/^\d+$/.test(e.name) || b.kind === "tuple") return true;
  if (b.kind === "var" && b.scope === "scratch") return sc.info.scratch.get(b.name) === "tuple";
  const v = b.kind === "var" || b.kind === "index" ? sc.ctx.vars.get(b.kind === "var" ? b.name : b.target.name) : undefined;
  return v?.kind === "tuple";
}
