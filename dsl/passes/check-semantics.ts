// Pass: names, builtins, argument counts and types.
//
// The language has two value types, 64-bit integers and strings, and every
// global, map and per-thread variable has one *kind* fixed by its first
// assignment in program order (as a bpftrace map's type is): an integer, a
// string, or one of the aggregations count/sum/avg/min/max/stats/hist/lhist.
// Maps also fix the number and types of their keys at first use.
//
// The pass runs in two sweeps over the program:
//   1. collect: record every assigned name with its kind and key types, so
//      that a probe may read a variable another probe (later in the file)
//      assigns, e.g. END printing what a retprobe measured;
//   2. check: type every expression and statement against that table and the
//      builtin table (builtins.ts), reporting *all* errors, each with the span
//      of the offending node: unknown names and functions (with "did you
//      mean"), builtins used where they do not exist (`retval` outside a
//      retprobe, `arg0` in a retprobe), wrong argument counts, strings where
//      integers are needed, kind conflicts between assignments, printf formats
//      that do not match their arguments.
//
// The result is the variable table that code generation allocates storage
// from, plus the per-item facts it needs.

import type {
  AssignStmt, Block, CallExpr, Expr, IfStmt, IndexExpr, Item, LValue, Program, Stmt, VarRef,
} from "../ast.js";
import { walkStmts } from "../ast.js";
import { BUILTIN_VARS, FUNCTIONS, REGISTERS, whereName, type Ty, type Where } from "../builtins.js";
import { DiagnosticBag, SourceText, type Span } from "../diagnostics.js";
import { parseFormat } from "../printf.js";
import { didYouMean } from "../suggest.js";


export type AggKind = "count" | "sum" | "avg" | "min" | "max" | "stats" | "hist" | "lhist";
export type ValueKind = "int" | "string" | AggKind;

export const AGG_KINDS: ReadonlySet<string> = new Set(["count", "sum", "avg", "min", "max", "stats", "hist", "lhist"]);

export interface LhistParams {
  min: bigint;
  max: bigint;
  step: bigint;
}

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

export interface ItemInfo {
  /** Probe kinds the item's block runs in. */
  where: Set<Where>;
  /** Scratch ($) variables of the item and their types. */
  scratch: Map<string, Ty>;
}

export interface ProgramConfig {
  /** Print every global and map when the program ends (bpftrace's default). */
  printMapsOnExit: boolean;
}

export interface CheckedProgram {
  vars: Map<string, VarInfo>;
  items: Map<Item, ItemInfo>;
  config: ProgramConfig;
}

const CONFIG_KEYS = ["print_maps_on_exit"];

/** Kind name as bpftrace prints it in type errors. */
export function kindName(k: ValueKind | Ty): string {
  return k === "int" ? "int64" : k;
}

function readType(k: ValueKind): Ty | undefined {
  switch (k) {
    case "string":
      return "string";
    case "stats":
    case "hist":
    case "lhist":
      return undefined;
    default:
      return "int";
  }
}

/** Literal integer value of an expression (for lhist parameters etc.). */
export function constInt(e: Expr): bigint | undefined {
  if (e.kind === "number") return e.value;
  if (e.kind === "unary" && (e.op === "-" || e.op === "+")) {
    const v = constInt(e.operand);
    return v === undefined ? undefined : e.op === "-" ? BigInt.asIntN(64, -v) : v;
  }
  return undefined;
}

const isAggCall = (e: Expr): e is CallExpr => e.kind === "call" && FUNCTIONS[e.name]?.kind === "agg";

export function checkSemantics(program: Program, src: SourceText): CheckedProgram {
  const bag = new DiagnosticBag(src);
  const vars = new Map<string, VarInfo>();
  const items = new Map<Item, ItemInfo>();
  const config: ProgramConfig = { printMapsOnExit: true };

  // ---- sweep 1: collect ----------------------------------------------------

  const quietType = (e: Expr, info: ItemInfo): Ty => {
    switch (e.kind) {
      case "string":
        return "string";
      case "var": {
        if (e.scope === "scratch") return info.scratch.get(e.name) ?? "int";
        if (e.scope === "global" && BUILTIN_VARS[e.name] !== undefined) return BUILTIN_VARS[e.name]!.type;
        const v = vars.get(e.name);
        return v !== undefined ? readType(v.kind) ?? "int" : "int";
      }
      case "index": {
        const v = vars.get(e.target.name);
        return v !== undefined ? readType(v.kind) ?? "int" : "int";
      }
      case "call":
        return FUNCTIONS[e.name]?.ret ?? "int";
      case "ternary":
        return quietType(e.then, info);
      default:
        return "int";
    }
  };

  const declare = (t: LValue, kind: ValueKind, info: ItemInfo, span: Span, lhist?: LhistParams): void => {
    const ref = t.kind === "index" ? t.target : t;
    if (ref.scope === "scratch") {
      if (!info.scratch.has(ref.name)) info.scratch.set(ref.name, kind === "string" ? "string" : "int");
      return;
    }
    if (ref.scope === "global" && BUILTIN_VARS[ref.name] !== undefined) return;
    if (vars.has(ref.name)) return;
    const keyed = t.kind === "index";
    const v: VarInfo = {
      name: ref.name,
      scope: ref.scope,
      kind,
      keyed,
      keyTypes: keyed ? (t as IndexExpr).keys.map((k) => quietType(k, info)) : [],
      span,
    };
    if (lhist !== undefined) v.lhist = lhist;
    vars.set(ref.name, v);
  };

  for (const item of program.items) {
    if (item.kind === "config") continue;
    const where = new Set<Where>();
    if (item.kind === "probe") for (const t of item.targets) where.add(t.ret ? "return" : "entry");
    else where.add("special");
    const info: ItemInfo = { where, scratch: new Map() };
    items.set(item, info);
    walkStmts(item.body, (s) => {
      if (s.kind === "assign") {
        if (s.op === "=") {
          if (isAggCall(s.value)) {
            let lh: LhistParams | undefined;
            if (s.value.name === "lhist" && s.value.args.length === 4) {
              const [, a, b, c] = s.value.args.map(constInt);
              if (a !== undefined && b !== undefined && c !== undefined) lh = { min: a, max: b, step: c };
            }
            declare(s.target, s.value.name as AggKind, info, s, lh);
          } else declare(s.target, quietType(s.value, info), info, s);
        } else declare(s.target, "int", info, s);
      } else if (s.kind === "incdec") declare(s.target, "int", info, s);
    });
  }

  // ---- sweep 2: check --------------------------------------------------------

  for (const item of program.items) {
    if (item.kind === "config") {
      if (item.name !== "config") bag.error(item.nameSpan, `unknown top-level assignment to '${item.name}' (only 'config = { ... }' is allowed here)`);
      for (const st of item.settings) {
        if (st.name === "print_maps_on_exit") {
          const v = st.value.toLowerCase();
          if (v === "true" || v === "1") config.printMapsOnExit = true;
          else if (v === "false" || v === "0") config.printMapsOnExit = false;
          else bag.error(st.valueSpan, "print_maps_on_exit must be true or false");
        } else bag.error(st.nameSpan, `unknown config setting '${st.name}'${didYouMean(st.name, CONFIG_KEYS)}`);
      }
      continue;
    }
    const info = items.get(item)!;
    const assignedScratch = new Set<string>();

    if (item.kind === "special") {
      if (item.which !== "BEGIN" && item.which !== "END") {
        if (item.which === "probe" || item.which === "retprobe") {
          bag.error(item.nameSpan, `expected a probe target after '${item.which}' (e.g. '${item.which} main')`);
        } else {
          bag.error(item.nameSpan, `unknown probe type '${item.which}'${didYouMean(item.which, ["BEGIN", "END", "probe", "retprobe"])}`);
        }
      }
    }
    if (item.kind === "probe" && item.filter !== undefined) expectInt(item.filter, "a filter");
    checkBlock(item.body);

    function checkBlock(b: Block): void {
      for (const s of b.body) checkStmt(s);
    }

    function checkStmt(s: Stmt): void {
      switch (s.kind) {
        case "assign":
          checkAssign(s);
          break;
        case "incdec":
          checkIntTarget(s.target, s.op);
          break;
        case "callstmt":
          checkCallStmt(s.call);
          break;
        case "if":
          checkIf(s);
          break;
        case "return":
          break;
      }
    }

    function checkIf(s: IfStmt): void {
      expectInt(s.cond, "an if condition");
      checkBlock(s.then);
      if (s.else !== undefined) {
        if (s.else.kind === "block") checkBlock(s.else);
        else checkIf(s.else);
      }
    }

    /** Check an lvalue; returns its variable (undefined for scratch/errors). */
    function checkLValue(t: LValue): VarInfo | undefined {
      const ref = t.kind === "index" ? t.target : t;
      if (ref.scope === "global" && BUILTIN_VARS[ref.name] !== undefined) {
        bag.error(ref, `cannot assign to builtin '${ref.name}'`);
        return undefined;
      }
      if (ref.scope === "scratch") {
        if (t.kind === "index") bag.error(t, `scratch variable '${ref.name}' cannot be indexed`);
        return undefined;
      }
      if (ref.scope === "self" && t.kind === "index") {
        bag.error(t, `per-thread variable '${ref.name}' cannot be indexed (it is already keyed by thread)`);
        return undefined;
      }
      const v = vars.get(ref.name)!;
      checkKeys(v, t);
      return v;
    }

    function checkKeys(v: VarInfo, t: LValue | IndexExpr): void {
      if (t.kind === "index") {
        if (!v.keyed) {
          bag.error(t, `'${v.name}' is not a map (first assigned without a key at ${pos(v.span)}), so it cannot be indexed`);
          return;
        }
        if (t.keys.length !== v.keyTypes.length) {
          bag.error(t, `'${v.name}' has ${v.keyTypes.length} key${v.keyTypes.length === 1 ? "" : "s"} (since ${pos(v.span)}), not ${t.keys.length}`);
        }
        t.keys.forEach((k, i) => {
          const kt = typeOf(k);
          if (kt === undefined) return;
          const want = v.keyTypes[i];
          if (want !== undefined && kt !== want) {
            bag.error(k, `key ${i + 1} of '${v.name}' is ${kindName(want)} (since ${pos(v.span)}), not ${kindName(kt)}`);
          }
        });
      } else if (v.keyed) {
        bag.error(t, `'${v.name}' is a map (first used with a key at ${pos(v.span)}): use ${v.name}[...]`);
      }
    }

    function checkAssign(s: AssignStmt): void {
      const ref = s.target.kind === "index" ? s.target.target : s.target;
      if (s.op !== "=") {
        checkIntTarget(s.target, s.op);
        expectInt(s.value, `'${s.op}'`);
        return;
      }
      if (isAggCall(s.value)) {
        const call = s.value;
        checkAggCall(call);
        if (ref.scope === "scratch" || ref.scope === "self") {
          bag.error(call, `${call.name}() must be assigned to a global or a map, not to '${ref.name}'`);
          return;
        }
        const v = checkLValue(s.target);
        if (v === undefined) return;
        if (v.kind !== call.name) {
          bag.error(
            s.value,
            `type mismatch for ${v.name}: trying to assign value of type '${call.name}' when ${v.keyed ? "map" : "variable"} already contains a value of type '${kindName(v.kind)}' (since ${pos(v.span)})`,
          );
        } else if (call.name === "lhist" && v.lhist !== undefined && call.args.length === 4) {
          const [, a, b, c] = call.args.map(constInt);
          if (a !== v.lhist.min || b !== v.lhist.max || c !== v.lhist.step) {
            bag.error(call, `lhist parameters of ${v.name} differ from its first assignment at ${pos(v.span)}`);
          }
        }
        return;
      }
      const t = typeOf(s.value);
      if (ref.scope === "scratch") {
        const want = info.scratch.get(ref.name);
        if (s.target.kind === "index") bag.error(s.target, `scratch variable '${ref.name}' cannot be indexed`);
        else if (t !== undefined && want !== undefined && t !== want && assignedScratch.has(ref.name)) {
          bag.error(s.value, `type mismatch for ${ref.name}: trying to assign value of type '${kindName(t)}' when variable already contains a value of type '${kindName(want)}'`);
        }
        assignedScratch.add(ref.name);
        return;
      }
      const v = checkLValue(s.target);
      if (v === undefined || t === undefined) return;
      if (v.kind !== t) {
        bag.error(
          s.value,
          `type mismatch for ${v.name}: trying to assign value of type '${kindName(t)}' when ${v.keyed ? "map" : "variable"} already contains a value of type '${kindName(v.kind)}' (since ${pos(v.span)})`,
        );
      }
    }

    function checkIntTarget(t: LValue, op: string): void {
      const ref = t.kind === "index" ? t.target : t;
      if (ref.scope === "scratch") {
        if (t.kind === "index") bag.error(t, `scratch variable '${ref.name}' cannot be indexed`);
        else if (info.scratch.get(ref.name) === "string") bag.error(t, `'${op}' needs an integer, and ${ref.name} is a string`);
        assignedScratch.add(ref.name);
        return;
      }
      const v = checkLValue(t);
      if (v === undefined) return;
      if (v.kind !== "int") {
        bag.error(t, `'${op}' needs an integer variable, and ${v.name} holds ${kindName(v.kind)} (since ${pos(v.span)})`);
      }
    }

    function checkAggCall(call: CallExpr): void {
      const sig = FUNCTIONS[call.name]!;
      if (!arity(call, sig.min, sig.max)) return;
      if (call.name === "lhist") {
        expectInt(call.args[0]!, "lhist()");
        const names = ["min", "max", "step"];
        const vals = call.args.slice(1).map((a, i) => {
          const v = constInt(a);
          if (v === undefined) bag.error(a, `lhist() ${names[i]} must be an integer literal`);
          return v;
        });
        const [mn, mx, st] = vals;
        if (mn !== undefined && mx !== undefined && st !== undefined) {
          if (st <= 0n) bag.error(call.args[3]!, "lhist() step must be positive");
          else if (mx <= mn) bag.error(call.args[2]!, "lhist() max must be greater than min");
          else if ((mx - mn) / st > 1000n) bag.error(call.args[3]!, "lhist() has too many buckets (at most 1000: (max - min) / step)");
          else if (mn < -(1n << 31n) || mx >= 1n << 31n) bag.error(call, "lhist() min and max must fit in 32 bits");
        }
        return;
      }
      for (const a of call.args) expectInt(a, `${call.name}()`);
    }

    function checkCallStmt(call: CallExpr): void {
      const sig = FUNCTIONS[call.name];
      if (sig === undefined) {
        unknownFunction(call);
        return;
      }
      if (sig.kind === "agg") {
        bag.error(call, `${call.name}() must be assigned to a global or a map: x = ${call.name}(...)`);
        return;
      }
      if (sig.kind === "value") {
        typeOf(call);
        bag.error(call, `the value of ${call.name}() is not used`);
        return;
      }
      if (!arity(call, sig.min, sig.max)) return;
      const a = call.args;
      switch (call.name) {
        case "printf":
          checkPrintf(call);
          break;
        case "print":
          if (isVarName(a[0]!)) {
            mapArg(a[0]!, "print");
            for (const x of a.slice(1)) {
              const v = constInt(x);
              if (v === undefined || v < 0n) bag.error(x, "print() top and div must be non-negative integer literals");
            }
          } else {
            if (a.length > 1) bag.error(a[1]!, "print() of a value takes one argument");
            typeOf(a[0]!);
          }
          break;
        case "print_log2": {
          const v = mapArg(a[0]!, "print_log2");
          if (v !== undefined && v.kind !== "hist") bag.error(a[0]!, `print_log2() needs a hist() variable, and ${v.name} holds ${kindName(v.kind)}`);
          if (a[1] !== undefined && a[1].kind !== "string") bag.error(a[1], "print_log2() unit must be a string literal, e.g. \"nsecs\"");
          break;
        }
        case "clear":
          mapArg(a[0]!, "clear");
          break;
        case "zero": {
          const v = mapArg(a[0]!, "zero");
          if (v !== undefined && v.kind === "string") bag.error(a[0]!, `zero() needs a numeric variable, and ${v.name} holds a string`);
          break;
        }
        case "delete": {
          if (a.length === 1) {
            const e = a[0]!;
            if (e.kind !== "index") {
              bag.error(e, "delete() needs a map element: delete(m[key]) or delete(m, key)");
              break;
            }
            const v = mapArg(e.target, "delete");
            if (v !== undefined) checkKeys(v, e);
          } else {
            const v = mapArg(a[0]!, "delete");
            if (v !== undefined) {
              const fake: IndexExpr = { kind: "index", target: a[0] as VarRef, keys: a.slice(1), start: call.start, end: call.end };
              checkKeys(v, fake);
            }
          }
          break;
        }
        case "exit":
          if (a[0] !== undefined) expectInt(a[0], "exit()");
          break;
      }
    }

    function checkPrintf(call: CallExpr): void {
      const fmt = call.args[0]!;
      if (fmt.kind !== "string") {
        bag.error(fmt, "printf() format must be a string literal");
        for (const x of call.args.slice(1)) typeOf(x);
        return;
      }
      const p = parseFormat(fmt.value);
      if (!p.ok) {
        bag.error(fmt, p.message);
        return;
      }
      const args = call.args.slice(1);
      if (args.length !== p.specs.length) {
        bag.error(
          args.length > p.specs.length ? args[p.specs.length]! : call,
          `printf(): the format has ${p.specs.length} conversion${p.specs.length === 1 ? "" : "s"} but ${args.length} argument${args.length === 1 ? " was" : "s were"} given`,
        );
      }
      args.forEach((x, i) => {
        const t = typeOf(x);
        const spec = p.specs[i];
        if (t === undefined || spec === undefined) return;
        if (spec.arg !== t) bag.error(x, `printf(): ${spec.text} needs ${spec.arg === "int" ? "an integer" : "a string"}, got ${kindName(t)}`);
      });
    }

    /** A bare global/map name used as a whole-map argument. */
    function mapArg(e: Expr, fn: string): VarInfo | undefined {
      if (e.kind !== "var" || e.scope === "scratch" || e.scope === "self" || (e.scope === "global" && BUILTIN_VARS[e.name] !== undefined)) {
        bag.error(e, `${fn}() needs a global or map name`);
        return undefined;
      }
      const v = vars.get(e.name);
      if (v === undefined) {
        unknownName(e);
        return undefined;
      }
      return v;
    }

    function isVarName(e: Expr): boolean {
      return e.kind === "var" && (e.scope === "map" || (e.scope === "global" && BUILTIN_VARS[e.name] === undefined));
    }

    function arity(call: CallExpr, min: number, max: number): boolean {
      const n = call.args.length;
      if (n >= min && n <= max) return true;
      const want = min === max ? `${min} argument${min === 1 ? "" : "s"}` : max >= 64 ? `at least ${min} argument${min === 1 ? "" : "s"}` : `${min} to ${max} arguments`;
      bag.error(call, `${call.name}() requires ${want} (${n} provided)`);
      for (const a of call.args) if (!isAggCall(a)) typeOf(a);
      return false;
    }

    function expectInt(e: Expr, what: string): void {
      const t = typeOf(e);
      if (t === "string") bag.error(e, `${what} needs an integer, got a string`);
    }

    function checkWhere(span: Span, name: string, where: readonly Where[]): boolean {
      for (const w of info.where) {
        if (!where.includes(w)) {
          let hint = "";
          if (w === "return" && name.startsWith("arg")) hint = ` (the argument registers are gone by then: save it on entry, e.g. self.${name} = ${name})`;
          else if (name === "retval") hint = " (use a retprobe)";
          bag.error(span, `${name} is not available in ${whereName(w)}${hint}`);
          return false;
        }
      }
      return true;
    }

    function unknownName(e: VarRef): void {
      const names = [...vars.keys()];
      if (e.scope === "global") names.push(...Object.keys(BUILTIN_VARS));
      if (e.scope === "scratch") names.push(...info.scratch.keys());
      const what = e.scope === "map" ? "map" : e.scope === "self" ? "per-thread variable" : e.scope === "scratch" ? "variable" : "identifier";
      bag.error(e, `unknown ${what} '${e.name}'${didYouMean(e.name, names)}`);
    }

    function unknownFunction(call: CallExpr): void {
      bag.error(call.nameSpan, `unknown function '${call.name}'${didYouMean(call.name, Object.keys(FUNCTIONS))}`);
      for (const a of call.args) typeOf(a);
    }

    function typeOf(e: Expr): Ty | undefined {
      switch (e.kind) {
        case "number":
          if (e.error !== undefined) bag.error(e, e.error);
          return "int";
        case "string":
          if (e.error !== undefined) bag.error(e, e.error);
          return "string";
        case "var":
          return varType(e);
        case "index": {
          const ref = e.target;
          if (ref.scope === "global" && BUILTIN_VARS[ref.name] !== undefined) {
            bag.error(e, `builtin '${ref.name}' cannot be indexed`);
            return undefined;
          }
          if (ref.scope === "scratch" || ref.scope === "self") {
            bag.error(e, `'${ref.name}' cannot be indexed`);
            return undefined;
          }
          const v = vars.get(ref.name);
          if (v === undefined) {
            unknownName(ref);
            for (const k of e.keys) typeOf(k);
            return undefined;
          }
          checkKeys(v, e);
          return readable(v, e);
        }
        case "call":
          return callType(e);
        case "unary":
          if (typeOf(e.operand) === "string") {
            bag.error(e.operand, `operator '${e.op}' needs an integer, got a string`);
            return undefined;
          }
          return "int";
        case "binary": {
          const l = typeOf(e.left);
          const r = typeOf(e.right);
          if (l === undefined || r === undefined) return l === undefined && r === undefined ? undefined : "int";
          if (e.op === "==" || e.op === "!=") {
            if (l !== r) bag.error(e, `type mismatch for '${e.op}': comparing '${kindName(l)}' with '${kindName(r)}'`);
            return "int";
          }
          if (l === "string") bag.error(e.left, `operator '${e.op}' needs integers, got a string`);
          else if (r === "string") bag.error(e.right, `operator '${e.op}' needs integers, got a string`);
          return "int";
        }
        case "ternary": {
          expectInt(e.cond, "a condition");
          const a = typeOf(e.then);
          const b = typeOf(e.else);
          if (a !== undefined && b !== undefined && a !== b) {
            bag.error(e, `the branches of '?:' have different types ('${kindName(a)}' and '${kindName(b)}')`);
            return undefined;
          }
          return a ?? b;
        }
      }
    }

    function readable(v: VarInfo, span: Span): Ty | undefined {
      const t = readType(v.kind);
      if (t === undefined) bag.error(span, `${v.name} holds ${kindName(v.kind)}, which cannot be used as a value (print it with print(${v.name}))`);
      return t;
    }

    function varType(e: VarRef): Ty | undefined {
      if (e.scope === "scratch") {
        if (!assignedScratch.has(e.name)) {
          if (info.scratch.has(e.name)) bag.error(e, `variable '${e.name}' is used before it is assigned`);
          else unknownName(e);
          return undefined;
        }
        return info.scratch.get(e.name);
      }
      if (e.scope === "global") {
        const b = BUILTIN_VARS[e.name];
        if (b !== undefined) {
          checkWhere(e, e.name, b.where);
          return b.type;
        }
      }
      const v = vars.get(e.name);
      if (v === undefined) {
        unknownName(e);
        return undefined;
      }
      if (v.keyed) {
        bag.error(e, `'${v.name}' is a map (first used with a key at ${pos(v.span)}): use ${v.name}[...]`);
        return undefined;
      }
      return readable(v, e);
    }

    function callType(call: CallExpr): Ty | undefined {
      const sig = FUNCTIONS[call.name];
      if (sig === undefined) {
        unknownFunction(call);
        return undefined;
      }
      if (sig.kind === "agg") {
        bag.error(call, `${call.name}() must be assigned directly to a global or a map: x = ${call.name}(...)`);
        return undefined;
      }
      if (sig.kind === "stmt") {
        bag.error(call, `${call.name}() has no value`);
        return undefined;
      }
      if (!arity(call, sig.min, sig.max)) return sig.ret;
      if (sig.where !== undefined) checkWhere(call.nameSpan, `${call.name}()`, sig.where);
      if (call.name === "reg") {
        const a = call.args[0]!;
        if (a.kind !== "string") bag.error(a, 'reg() needs a register name as a string literal, e.g. reg("rax")');
        else if (REGISTERS[a.value] === undefined) {
          bag.error(a, `unknown register '${a.value}'${didYouMean(a.value, Object.keys(REGISTERS))}; registers: rax..r15, rip (or bpftrace's ax, di, ip, sp, ...)`);
        }
        return "int";
      }
      call.args.forEach((a, i) => expectInt(a, `argument ${i + 1} of ${call.name}()`));
      if (call.name === "str" && call.args[1] !== undefined) {
        const v = constInt(call.args[1]);
        if (v !== undefined && (v < 1n || v > 4096n)) bag.error(call.args[1], "str() length must be between 1 and 4096");
      }
      return sig.ret;
    }
  }

  bag.throwIfAny();
  return { vars, items, config };

  function pos(s: Span): string {
    const { line, col } = src.lineCol(s.start);
    return `${line}:${col}`;
  }
}
