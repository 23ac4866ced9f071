// Type-check, calls: aggregations (`x = hist(v)`) and the statement
// functions (printf, print, print_log2, clear, zero, delete, exit): argument
// counts, literal arguments, map arguments, printf formats against their
// arguments (bpftrace's semantic_analyser visit(Call) for these functions).

import type { CallExpr, Expr, IndexExpr, VarRef } from "../ast.js";
import { BUILTIN_VARS, FUNCTIONS, SIGNALS, signalNumber } from "../builtins.js";
import { didYouMean } from "../suggest.js";
import { constInt } from "../const-int.js";
import { parseFormat, type FormatSpec } from "../printf.js";
import type { VarInfo } from "./context.js";
import { kindName } from "./kinds.js";
import { arity, checkKeys, checkWhere, expectInt, typeOf, unknownFunction, unknownName, type Scope } from "./type-expr.js";

export function checkAggCall(sc: Scope, call: CallExpr): void {
  const sig = FUNCTIONS[call.name]!;
  if (!arity(sc, call, sig.min, sig.max)) return;
  if (call.name === "lhist") {
    expectInt(sc, call.args[0]!, "lhist()");
    const names = ["min", "max", "step"];
    const vals = call.args.slice(1).map((a, i) => {
      const v = constInt(a);
      if (v === undefined) sc.bag.error(a, `lhist() ${names[i]} must be an integer literal`);
      return v;
    });
    const [mn, mx, st] = vals;
    if (mn !== undefined && mx !== undefined && st !== undefined) {
      if (st <= 0n) sc.bag.error(call.args[3]!, "lhist() step must be positive");
      else if (mx <= mn) sc.bag.error(call.args[2]!, "lhist() max must be greater than min");
      else if ((mx - mn) / st > 1000n) sc.bag.error(call.args[3]!, "lhist() has too many buckets (at most 1000: (max - min) / step)");
      else if (mn < -(1n << 31n) || mx >= 1n << 31n) sc.bag.error(call, "lhist() min and max must fit in 32 bits");
    }
    return;
  }
  for (const a of call.args) expectInt(sc, a, `${call.name}()`);
}

export function checkCallStmt(sc: Scope, call: CallExpr): void {
  const sig = FUNCTIONS[call.name];
  if (sig === undefined) {
    unknownFunction(sc, call);
    return;
  }
  if (sig.kind === "agg") {
    sc.bag.error(call, `${call.name}() must be assigned to a global or a map: x = ${call.name}(...)`);
    return;
  }
  if (sig.kind === "value") {
    typeOf(sc, call);
    sc.bag.error(call, `the value of ${call.name}() is not used`);
    return;
  }
  if (!arity(sc, call, sig.min, sig.max)) return;
  if (sig.where !== undefined && !checkWhere(sc, call.nameSpan, `${call.name}()`, sig.where)) return; // signal() in BEGIN: no process to signal
  const a = call.args;
  switch (call.name) {
    case "printf":
      checkPrintf(sc, call);
      break;
    case "print":
      if (isVarName(a[0]!)) {
        mapArg(sc, a[0]!, "print");
        for (const x of a.slice(1)) {
          const v = constInt(x);
          if (v === undefined || v < 0n) sc.bag.error(x, "print() top and div must be non-negative integer literals");
        }
      } else {
        if (a.length > 1) sc.bag.error(a[1]!, "print() of a value takes one argument");
        typeOf(sc, a[0]!);
      }
      break;
    case "print_log2": {
      const v = mapArg(sc, a[0]!, "print_log2");
      if (v !== undefined && v.kind !== "hist") sc.bag.error(a[0]!, `print_log2() needs a hist() variable, and ${v.name} holds ${kindName(v.kind)}`);
      if (a[1] !== undefined && a[1].kind !== "string") sc.bag.error(a[1], "print_log2() unit must be a string literal, e.g. \"nsecs\"");
      if (a[2] !== undefined) checkLog2Section(sc, v, a[2]);
      break;
    }
    case "signal": {
      // bpftrace: "signal() is an unsafe function, use --unsafe"
      if (!sc.ctx.flags.unsafe) sc.bag.error(call, "signal() sends a signal to the traced process: it needs --unsafe, as in bpftrace");
      const s = a[0]!;
      const v = s.kind === "string" ? s.value : constInt(s);
      if (v === undefined) sc.bag.error(s, 'signal() needs a signal name or number literal: signal("SIGUSR1"), signal(10)');
      else if (signalNumber(v) === undefined) sc.bag.error(s, `unknown signal '${String(v)}'${typeof v === "string" ? didYouMean(v, Object.keys(SIGNALS)) : " (1 to 64)"}`);
      break;
    }
    case "join":
      expectInt(sc, a[0]!, "argument 1 of join()");
      if (a[1] !== undefined && a[1].kind !== "string") sc.bag.error(a[1], 'join() delimiter must be a string literal, e.g. ","');
      break;
    case "time":
      if (a[0] !== undefined && a[0].kind !== "string") sc.bag.error(a[0], 'time() format must be a string literal, e.g. "%H:%M:%S\\n"');
      break;
    case "print_rows":
      checkPrintRows(sc, a[0]!, a[1]!);
      break;
    case "clear":
      mapArg(sc, a[0]!, "clear");
      break;
    case "zero": {
      const v = mapArg(sc, a[0]!, "zero");
      if (v !== undefined && (v.kind === "string" || v.kind === "tuple")) sc.bag.error(a[0]!, `zero() needs a numeric variable, and ${v.name} holds a ${v.kind}`);
      break;
    }
    case "delete": {
      if (a.length === 1) {
        const e = a[0]!;
        if (e.kind !== "index") {
          sc.bag.error(e, "delete() needs a map element: delete(m[key]) or delete(m, key)");
          break;
        }
        const v = mapArg(sc, e.target, "delete");
        if (v !== undefined) checkKeys(sc, v, e);
      } else {
        const v = mapArg(sc, a[0]!, "delete");
        if (v !== undefined) {
          const fake: IndexExpr = { kind: "index", target: a[0] as VarRef, keys: a.slice(1), start: call.start, end: call.end };
          checkKeys(sc, v, fake);
        }
      }
      break;
    }
  }
}

function checkPrintf(sc: Scope, call: CallExpr): void {
  const fmt = call.args[0]!;
  if (fmt.kind !== "string") {
    sc.bag.error(fmt, "printf() format must be a string literal");
    for (const x of call.args.slice(1)) typeOf(sc, x);
    return;
  }
  const p = parseFormat(fmt.value, { bpftrace: true });
  if (!p.ok) {
    sc.bag.error(fmt, p.message);
    return;
  }
  const args = call.args.slice(1);
  if (literalIError(sc, fmt, p.literalI, p.specs)) return;
  if (args.length !== p.specs.length) {
    sc.bag.error(
      args.length > p.specs.length ? args[p.specs.length]! : call,
      `printf(): the format has ${p.specs.length} conversion${p.specs.length === 1 ? "" : "s"} but ${args.length} argument${args.length === 1 ? " was" : "s were"} given${p.literalI.length > 0 ? " (bpftrace 0.17 does not know %i: it is text there; use %d)" : ""}`,
    );
  }
  args.forEach((x, i) => {
    const t = typeOf(sc, x);
    const spec = p.specs[i];
    if (t === undefined || spec === undefined) return;
    if (spec.arg !== t) sc.bag.error(x, `printf(): ${spec.text} needs ${spec.arg === "int" ? "an integer" : "a string"}, got ${kindName(t)}`);
  });
}

/**
 * A `%i` before a conversion: bpftrace 0.17 passes that part of the format to
 * libc with the conversion's argument, so libc's %i takes it and the
 * conversion reads past the arguments (garbage, measured live). Refused here,
 * located at the %i; a %i after the last conversion is printed as written.
 */
function literalIError(sc: Scope, fmt: Expr, literalI: readonly number[], specs: readonly FormatSpec[]): boolean {
  const first = literalI[0];
  if (first === undefined || !specs.some((s) => s.offset > first)) return false;
  const raw = sc.bag.source.text.slice(fmt.start, fmt.end);
  const m = /%[-0+ #]*\d*(?:\.\d*)?(?:hh|h|ll|l|j|z|t)?i/.exec(raw);
  const at = m === null ? fmt : { start: fmt.start + m.index, end: fmt.start + m.index + m[0].length };
  sc.bag.error(at, "printf(): bpftrace 0.17 does not know %i: it would hand the next conversion's argument to it and print garbage; use %d");
  return true;
}

/** A bare global/map name used as a whole-map argument. */
function mapArg(sc: Scope, e: Expr, fn: string): VarInfo | undefined {
  if (e.kind !== "var" || e.scope === "scratch" || e.scope === "self" || (e.scope === "global" && BUILTIN_VARS[e.name] !== undefined)) {
    sc.bag.error(e, `${fn}() needs a global or map name`);
    return undefined;
  }
  const v = sc.ctx.vars.get(e.name);
  if (v === undefined) {
    unknownName(sc, e);
    return undefined;
  }
  return v;
}

function isVarName(e: Expr): boolean {
  return e.kind === "var" && (e.scope === "map" || (e.scope === "global" && BUILTIN_VARS[e.name] === undefined));
}

/** print_log2(@h, "unit", "section"): a keyed hist, and a section format with one conversion per key (bcc's section_header). */
function checkLog2Section(sc: Scope, v: ReturnType<typeof mapArg>, fmt: Expr): void {
  if (fmt.kind !== "string") {
    sc.bag.error(fmt, 'print_log2() section header must be a string literal, e.g. "\\nFunction = %s [%d]\\n"');
    return;
  }
  if (v === undefined || v.kind !== "hist") return;
  if (!v.keyed) {
    sc.bag.error(fmt, `print_log2(): a section header needs a hist with keys, and ${v.name} has none`);
    return;
  }
  const p = parseFormat(fmt.value);
  if (!p.ok) {
    sc.bag.error(fmt, p.message);
    return;
  }
  if (p.specs.length !== v.keyTypes.length) {
    sc.bag.error(fmt, `print_log2(): the section header has ${p.specs.length} conversion${p.specs.length === 1 ? "" : "s"}, and ${v.name} has ${v.keyTypes.length} key${v.keyTypes.length === 1 ? "" : "s"}`);
    return;
  }
  p.specs.forEach((spec, i) => {
    if (spec.arg !== v.keyTypes[i]) sc.bag.error(fmt, `print_log2(): ${spec.text} is for key ${i + 1}, which is ${v.keyTypes[i] === "int" ? "an integer" : "a string"}`);
  });
}

/** print_rows(@m, "fmt"): a keyed map of integers, and a format with one conversion per key and one for the value. */
function checkPrintRows(sc: Scope, m: Expr, fmt: Expr): void {
  const v = mapArg(sc, m, "print_rows");
  if (fmt.kind !== "string") {
    sc.bag.error(fmt, 'print_rows() format must be a string literal, e.g. "%-36s %8d\\n"');
    return;
  }
  if (v === undefined) return;
  if (!v.keyed || !["count", "sum", "int", "min", "max"].includes(v.kind)) {
    sc.bag.error(m, `print_rows() needs a map of integers with keys, and ${v.name} ${v.keyed ? `holds ${kindName(v.kind)}` : "has no keys"}`);
    return;
  }
  const p = parseFormat(fmt.value);
  if (!p.ok) {
    sc.bag.error(fmt, p.message);
    return;
  }
  const want = [...v.keyTypes, "int"];
  if (p.specs.length !== want.length) {
    sc.bag.error(fmt, `print_rows(): the format has ${p.specs.length} conversion${p.specs.length === 1 ? "" : "s"}, and ${v.name} needs ${want.length} (${v.keyTypes.length} key${v.keyTypes.length === 1 ? "" : "s"}, then the value)`);
    return;
  }
  p.specs.forEach((spec, i) => {
    if (spec.arg !== want[i]) sc.bag.error(fmt, `print_rows(): ${spec.text} is for ${i < v.keyTypes.length ? `key ${i + 1}` : "the value"}, which is ${want[i] === "int" ? "an integer" : "a string"}`);
  });
}
