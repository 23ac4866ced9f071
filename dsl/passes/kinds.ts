// Kinds and types as the semantic passes see them (bpftrace's SizedType
// queries, src/types.h): what reading a variable of a kind yields, how a kind
// is named in messages, which calls are aggregations.

import type { CallExpr, Expr } from "../ast.js";
import { FUNCTIONS, type Ty } from "../builtins.js";
import type { ValueKind } from "../value.js";

/** Kind name as bpftrace prints it in type errors. */
export function kindName(k: ValueKind | Ty): string {
  return k === "int" ? "int64" : k;
}

/** The type reading a variable of this kind yields; undefined: not readable (print it). */
export function readType(k: ValueKind): Ty | undefined {
  switch (k) {
    case "string":
      return "string";
    case "tuple":
      return "tuple";
    case "stats":
    case "hist":
    case "lhist":
      return undefined;
    default:
      return "int";
  }
}

export const isAggCall = (e: Expr): e is CallExpr => e.kind === "call" && FUNCTIONS[e.name]?.kind === "agg";
