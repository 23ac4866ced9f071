// Type-check of struct reads: `(struct pt *)p`, `p->x`, `(*p).x`, `p->a[i]`,
// `sizeof(struct pt)`, as bpftrace 0.17's semantic analyser types them
// (visit(FieldAccess), visit(ArrayAccess), visit(Cast)), with its messages
// where it has one. Each access that checks is annotated with its offset and
// C type for code generation (struct-code.ts).
//
// A scratch variable keeps the C type of its last assignment (`$p = (struct
// pt *)arg0`), as bpftrace's scratch variables keep their SizedType. A
// struct by value (`*(struct pt *)p` without a field) is not a value here:
// bpftrace prints whole structs, which is not modelled.

import type { CastExpr, Expr, FieldAccess, SubscriptExpr } from "./ast.js";
import type { Ty } from "./builtins.js";
import { constInt } from "./const-int.js";
import { isCharArray, showCType, sizeOf, type CType, type IntType, type StructType } from "./ctypes.js";
import { DiagnosticBag } from "./diagnostics.js";
import type { ItemInfo, PassContext } from "./passes/context.js";
import { didYouMean } from "./suggest.js";

/** What the struct checks need of the type checker's scope. */
export interface StructScope {
  readonly ctx: PassContext;
  readonly bag: DiagnosticBag;
  readonly info: ItemInfo;
}
type TypeOf = (e: Expr) => Ty | undefined;

/** A scope whose errors go nowhere: for the collect pass's early look at types (type-check reports them). */
export function quietScope(ctx: PassContext, info: ItemInfo): StructScope {
  return { ctx, info, bag: new DiagnosticBag(ctx.src) };
}

const INT64: IntType = { k: "int", size: 8, signed: true, name: "int64" };
const UINT64: IntType = { k: "int", size: 8, signed: false, name: "uint64" };

/** Per item: the C type of each scratch variable holding a pointer or a struct field's type. */
const scratchTypes = new WeakMap<ItemInfo, Map<string, CType>>();

/** After `$x = value`: remember what $x points at (or forget it). */
export function noteScratch(sc: StructScope, name: string, value: Expr): void {
  let m = scratchTypes.get(sc.info);
  if (m === undefined) scratchTypes.set(sc.info, (m = new Map()));
  const t = staticType(sc, value);
  if (t !== undefined && t.k === "ptr") m.set(name, t);
  else m.delete(name);
}

/** The C type an already-checked expression has, without reporting (undefined: a plain value). */
function staticType(sc: StructScope, e: Expr): CType | undefined {
  switch (e.kind) {
    case "cast":
      return e.struct !== undefined ? structPtr(sc, e) : undefined;
    case "field":
      return e.field?.type;
    case "subscript":
      return e.elem;
    case "var":
      return e.scope === "scratch" ? scratchTypes.get(sc.info)?.get(e.name) : undefined;
    default:
      return undefined;
  }
}

function structPtr(sc: StructScope, e: CastExpr): CType | undefined {
  const st = sc.ctx.structs.get(e.struct!);
  return st === undefined ? undefined : { k: "ptr", to: st };
}

/** `(struct NAME *)e`: the struct must be defined. */
export function structCastType(sc: StructScope, e: CastExpr, typeOf: TypeOf): Ty | undefined {
  if (typeOf(e.operand) === "string") sc.bag.error(e.operand, `a cast to struct ${e.struct} * needs an integer, got a string`);
  if (!sc.ctx.structs.has(e.struct!)) {
    sc.bag.error(e.typeSpan, `Unknown struct/union: 'struct ${e.struct}'${didYouMean(e.struct!, sc.ctx.structs.keys())}`);
    return undefined;
  }
  return "int";
}

/** `sizeof(struct NAME)`. */
export function structSize(sc: StructScope, name: string, at: Expr): number | undefined {
  const st = sc.ctx.structs.get(name);
  if (st === undefined) {
    sc.bag.error(at, `Unknown struct/union: 'struct ${name}'${didYouMean(name, sc.ctx.structs.keys())}`);
    return undefined;
  }
  return sizeOf(st);
}

/**
 * The C type of an expression used as the base of `.`, `->` or `[]`: a
 * struct place, a pointer, or (for anything else) the integer or string it
 * is. Reports and returns undefined on error.
 */
function baseType(sc: StructScope, e: Expr, typeOf: TypeOf): CType | "string" | undefined {
  switch (e.kind) {
    case "field":
      return fieldPlace(sc, e, typeOf);
    case "subscript":
      return subscriptPlace(sc, e, typeOf);
    case "deref": {
      // `(*p).x`: the struct p points at; `*(int32 *)p` is an integer
      if (e.operand.kind === "cast" && e.operand.struct === undefined) return typeOf(e) === undefined ? undefined : INT64;
      const p = baseType(sc, e.operand, typeOf);
      if (p === undefined) return undefined;
      if (p !== "string" && p.k === "ptr" && p.to.k === "struct") return p.to;
      sc.bag.error(e, `Can not dereference type '${show(p)}': cast it to a pointer first, e.g. *(struct pt *)arg0`);
      return undefined;
    }
    case "cast":
      if (e.struct !== undefined) return structCastType(sc, e, typeOf) === undefined ? undefined : structPtr(sc, e);
      break;
    case "var":
      if (e.scope === "scratch") {
        const t = typeOf(e);
        if (t === undefined) return undefined;
        return t === "string" ? "string" : scratchTypes.get(sc.info)?.get(e.name) ?? INT64;
      }
      break;
    default:
      break;
  }
  const t = typeOf(e);
  if (t === undefined) return undefined;
  return t === "string" ? "string" : e.kind === "var" && /^(arg[0-5]|retval|sarg[0-5])$/.test(e.name) ? UINT64 : INT64;
}

const show = (t: CType | "string"): string => (t === "string" ? "string" : t.k === "int" && t.size === 8 && !t.signed && t.name === "uint64" ? "unsigned int64" : showCType(t));

/** `e.NAME` / `e->NAME` on a struct: annotates e.field; the field's C type. */
function fieldPlace(sc: StructScope, e: FieldAccess, typeOf: TypeOf): CType | undefined {
  const base = baseType(sc, e.base, typeOf);
  if (base === undefined) return undefined;
  let st: StructType | undefined;
  if (e.arrow) {
    if (base !== "string" && base.k === "ptr" && base.to.k === "struct") st = base.to;
    else if (base !== "string" && base.k === "struct") {
      sc.bag.error(e.opSpan, `Can not dereference struct/union of type '${show(base)}'. It is not a pointer. (use '.')`);
      return undefined;
    } else {
      sc.bag.error(e.opSpan, `Can not access field '${e.name}' on expression of type '${show(base)}': '->' needs a pointer to a struct`);
      return undefined;
    }
  } else if (base !== "string" && base.k === "struct") st = base;
  else if (base !== "string" && base.k === "ptr" && base.to.k === "struct") {
    sc.bag.error(e.opSpan, `Can not access field '${e.name}' on type '${show(base)}'. Try dereferencing it first, or using '->'`);
    return undefined;
  } else {
    sc.bag.error(e.opSpan, `Can not access field '${e.name}' on expression of type '${show(base)}'`);
    return undefined;
  }
  if (st.layout === undefined) {
    sc.bag.error(e.opSpan, `'struct ${st.name}' is declared but not defined, so it has no fields`);
    return undefined;
  }
  const f = st.layout.fields.find((x) => x.name === e.name);
  if (f === undefined) {
    sc.bag.error(e.nameSpan, `Struct/union of type 'struct ${st.name}' does not contain a field named '${e.name}'${didYouMean(e.name, st.layout.fields.map((x) => x.name))}`);
    return undefined;
  }
  e.field = { offset: f.offset, type: f.type };
  return f.type;
}

/** `e[i]` on an array or a pointer (bpftrace: not on a char array, which is a string). */
function subscriptPlace(sc: StructScope, e: SubscriptExpr, typeOf: TypeOf): CType | undefined {
  const base = baseType(sc, e.base, typeOf);
  const it = typeOf(e.index);
  if (it === "string") sc.bag.error(e.index, "an array index needs an integer, got a string");
  if (base === undefined) return undefined;
  if (base === "string" || isCharArray(base) || (base.k !== "array" && base.k !== "ptr")) {
    sc.bag.error(e, `The array index operator [] can only be used on arrays and pointers, found ${base !== "string" && base.k !== "array" ? show(base) : "string"}.`);
    return undefined;
  }
  const elem = base.k === "array" ? base.elem : base.to;
  const i = constInt(e.index);
  if (base.k === "array" && i !== undefined && (i < 0n || i >= BigInt(base.n))) {
    sc.bag.error(e.index, `the index ${i} is out of bounds for array of size ${base.n}`);
    return undefined;
  }
  if (elem.k === "void" || (elem.k === "struct" && elem.layout === undefined)) {
    sc.bag.error(e, `can not index a pointer to ${show(elem)}`);
    return undefined;
  }
  e.elem = elem;
  return elem;
}

/** A field or element used as a value: integers and pointers are integers, char arrays strings. */
export function placeValueType(sc: StructScope, e: FieldAccess | SubscriptExpr, typeOf: TypeOf): Ty | undefined {
  const t = e.kind === "field" ? fieldPlace(sc, e, typeOf) : subscriptPlace(sc, e, typeOf);
  if (t === undefined) return undefined;
  if (t.k === "int" || t.k === "ptr") return "int";
  if (isCharArray(t)) return "string";
  const what = t.k === "struct" ? "a whole struct" : t.k === "array" ? "a whole array (index it: [i])" : "void";
  sc.bag.error(e, `${show(t)} is ${what}, which is not a value here: read one of its fields`);
  return undefined;
}

/** sizeof(field or element): checks it as a place (a whole struct or array is fine here); its C size. */
export function checkPlaceSize(sc: StructScope, e: FieldAccess | SubscriptExpr, typeOf: TypeOf): void {
  if (e.kind === "field") fieldPlace(sc, e, typeOf);
  else subscriptPlace(sc, e, typeOf);
}

/** sizeof(e) of a field or element: its C size. */
export function placeSize(e: Expr): number | undefined {
  if (e.kind === "field" && e.field !== undefined) return sizeOf(e.field.type);
  if (e.kind === "subscript" && e.elem !== undefined) return sizeOf(e.elem);
  return undefined;
}
