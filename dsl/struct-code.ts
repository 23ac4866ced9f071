// Code generation for struct reads checked by struct-check.ts: the address
// of a field or element, then one read of user memory sized by its C type,
// through the runtime's reader (so an unmapped address gives 0 and a
// warning, as bpftrace's probe_read does). `char[N]` reads as a string of
// at most N characters, as bpftrace reads it.

import type { Expr, FieldAccess, SubscriptExpr } from "./ast.js";
import { isCharArray, sizeOf, type CType } from "./ctypes.js";
import type { Span } from "./diagnostics.js";

/** What struct reads need of the code generator. */
export interface StructCodeGen {
  expr(e: Expr): string;
  site(at: Span): number;
}

const placeType = (e: FieldAccess | SubscriptExpr): CType => (e.kind === "field" ? e.field!.type : e.elem!);

/** JS bigint expression: the address of the place a field, element or `*p` denotes. */
function addressOf(e: Expr, g: StructCodeGen): string {
  switch (e.kind) {
    case "field":
      return `(${e.arrow ? g.expr(e.base) : addressOf(e.base, g)} + ${e.field!.offset}n)`;
    case "subscript": {
      const base = e.base.kind === "field" || e.base.kind === "subscript" ? placeType(e.base) : undefined;
      const start = base !== undefined && base.k === "array" ? addressOf(e.base, g) : g.expr(e.base);
      return `(${start} + ${g.expr(e.index)} * ${sizeOf(e.elem!)}n)`;
    }
    case "deref":
      return g.expr(e.operand);
    default:
      throw new Error(`internal: no address for a ${e.kind} expression`);
  }
}

/** JS expression: the value of a field or element (type-check allowed only integers, pointers and char arrays). */
export function placeValueCode(e: FieldAccess | SubscriptExpr, g: StructCodeGen): string {
  const t = placeType(e);
  const addr = addressOf(e, g);
  const site = g.site(e);
  if (isCharArray(t)) return `R.rdStr(ctx, ${addr}, ${sizeOf(t)}n, ${site})`;
  if (t.k === "ptr") return `R.rd(ctx, 8, ${addr}, ${site})`;
  if (t.k !== "int") throw new Error("internal: a struct or array read as a value");
  const read = `R.rd(ctx, ${t.size}, ${addr}, ${site})`;
  if (t.size === 8) return t.signed ? read : `BigInt.asUintN(64, ${read})`; // uint64: unsigned.ts
  return t.signed ? `N(${t.size * 8}, ${read})` : `BigInt.asUintN(${t.size * 8}, ${read})`;
}
