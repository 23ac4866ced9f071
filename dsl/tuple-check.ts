// Tuples (bpftrace's Tuple type): `(1, "a", $x)`, read with `$t.0`, kept in
// scratch variables, globals and map values, printed as `(1, a)`.
//
// A tuple's shape (the types of its elements, which may be tuples) is known
// at compile time, as bpftrace's SizedType records it: it is taken from the
// literal and remembered for the variable it is assigned to, so that `$t.2`
// has the type of the third element. At run time a tuple is a frozen JS
// array. As in bpftrace 0.17, a tuple cannot be a map key ("tuple cannot be
// used as a map key") and an element index must be a literal in range
// ("Invalid tuple index").

import type { Expr, FieldAccess, LValue } from "./ast.js";
import type { Ty } from "./builtins.js";
import { DiagnosticBag } from "./diagnostics.js";
import type { ItemInfo, PassContext } from "./passes/context.js";

/** The element types of a tuple; an element that is a tuple has its own shape. */
type Shape = ReadonlyArray<Ty | Shape>;

interface TupleScope {
  readonly ctx: PassContext;
  readonly bag: DiagnosticBag;
  readonly info: ItemInfo;
  /** The collect pass's early look: its own table of scratch shapes, so that type-check sees assignments in order. */
  readonly quiet?: boolean;
}
type TypeOf = (e: Expr) => Ty | undefined;

/** Shapes of scratch variables, per item; of globals and maps, per program. */
const scratchShapes = new WeakMap<ItemInfo, Map<string, Shape>>();
const quietScratchShapes = new WeakMap<ItemInfo, Map<string, Shape>>();
const varShapes = new WeakMap<PassContext, Map<string, Shape>>();

function table<K extends object>(m: WeakMap<K, Map<string, Shape>>, k: K): Map<string, Shape> {
  let t = m.get(k);
  if (t === undefined) m.set(k, (t = new Map()));
  return t;
}

/** A scope whose errors go nowhere (the collect pass's early look). */
export function quietTupleScope(ctx: PassContext, info: ItemInfo): TupleScope {
  return { ctx, info, bag: new DiagnosticBag(ctx.src), quiet: true };
}

/** The shape of a tuple-valued expression (typeOf must already say "tuple"). */
function shapeOf(sc: TupleScope, e: Expr, typeOf: TypeOf): Shape | undefined {
  switch (e.kind) {
    case "tuple":
      return e.elems.map((x) => (typeOf(x) === "tuple" ? shapeOf(sc, x, typeOf) ?? "int" : typeOf(x) ?? "int"));
    case "var":
      return e.scope === "scratch" ? (sc.quiet === true ? quietScratchShapes : scratchShapes).get(sc.info)?.get(e.name) : varShapes.get(sc.ctx)?.get(e.name);
    case "index":
      return varShapes.get(sc.ctx)?.get(e.target.name);
    case "field": {
      const s = shapeOf(sc, e.base, typeOf);
      const el = s?.[Number(e.name)];
      return typeof el === "object" ? el : undefined;
    }
    case "ternary":
      return shapeOf(sc, e.then, typeOf);
    default:
      return undefined;
  }
}

/** `(a, b, ...)`: its type; no element may be a map value that is not readable (typeOf reports those). */
export function tupleType(e: Expr & { kind: "tuple" }, typeOf: TypeOf): Ty | undefined {
  let ok = true;
  for (const x of e.elems) if (typeOf(x) === undefined) ok = false;
  return ok ? "tuple" : undefined;
}

/** After `target = value` with a tuple value: remember its shape for `.N` reads. */
export function noteTupleAssign(sc: TupleScope, target: LValue, value: Expr, t: Ty | undefined, typeOf: TypeOf): void {
  if (t !== "tuple") return;
  const s = shapeOf(sc, value, typeOf);
  if (s === undefined) return;
  const ref = target.kind === "index" ? target.target : target;
  const shapes = ref.scope === "scratch" ? table(sc.quiet === true ? quietScratchShapes : scratchShapes, sc.info) : table(varShapes, sc.ctx);
  const before = shapes.get(ref.name);
  if (before !== undefined && !sameShape(before, s)) {
    sc.bag.error(value, `type mismatch for ${ref.name}: trying to assign a tuple of type '${showShape(s)}' when it already holds '${showShape(before)}'`);
    return;
  }
  shapes.set(ref.name, s);
}

function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((x, i) => (typeof x === "string" ? x === b[i] : typeof b[i] === "object" && sameShape(x, b[i] as Shape)));
}

function showShape(s: Shape): string {
  return `(${s.map((x) => (typeof x === "string" ? (x === "int" ? "int64" : x) : showShape(x))).join(", ")})`;
}

/** `t.N` on a tuple: N a literal index in range; the element's type. */
export function tupleElemType(sc: TupleScope, e: FieldAccess, typeOf: TypeOf): Ty | undefined {
  if (e.arrow) {
    sc.bag.error(e.opSpan, `'->' needs a pointer to a struct; a tuple's element is read with '.${/^\d+$/.test(e.name) ? e.name : "0"}'`);
    return undefined;
  }
  const bt = typeOf(e.base);
  if (bt === undefined) return undefined;
  if (bt !== "tuple") {
    sc.bag.error(e.opSpan, `Can not access index '${e.name}' on expression of type '${bt === "int" ? "int64" : bt}': it is not a tuple`);
    return undefined;
  }
  const s = shapeOf(sc, e.base, typeOf);
  if (!/^\d+$/.test(e.name)) {
    sc.bag.error(e.nameSpan, `a tuple's elements are numbered: '.0', '.1', ... (not '.${e.name}')`);
    return undefined;
  }
  if (s === undefined) return undefined;
  const i = Number(e.name);
  if (i >= s.length) {
    sc.bag.error(e, `Invalid tuple index: ${e.name}. Found ${s.length} elements in tuple.`);
    return undefined;
  }
  const el = s[i]!;
  const t: Ty = typeof el === "object" ? "tuple" : el;
  e.tuple = { index: i, elem: t };
  return t;
}

