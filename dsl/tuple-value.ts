// Tuple values at run time: frozen arrays of integers, strings and tuples,
// printed as bpftrace 0.17 prints them: `(1, a, (2, b))` in text (strings
// bare), `[1,"a",[2,"b"]]` in JSON (no spaces).

import type { Value } from "./value.js";

export type TupleValue = ReadonlyArray<Value | TupleValue>;

export function isTuple(v: unknown): v is TupleValue {
  return Array.isArray(v);
}

export function tupleText(t: TupleValue): string {
  return `(${t.map((x) => (isTuple(x) ? tupleText(x) : typeof x === "bigint" ? x.toString(10) : x)).join(", ")})`;
}

/** JSON, with the printer's own string escaping. */
export function tupleJson(t: TupleValue, str: (s: string) => string): string {
  return `[${t.map((x) => (isTuple(x) ? tupleJson(x, str) : typeof x === "bigint" ? x.toString(10) : str(x))).join(",")}]`;
}
