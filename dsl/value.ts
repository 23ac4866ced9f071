// Values of the language and the states of its aggregations.
//
// Shared by the passes (kinds), the runtime (storage) and both printers
// (order and averages), so that none of them imports another: in bpftrace
// these are SizedType (src/types.h) and the map element readers of
// src/output.cpp.
//
// Integers are bigint, always normalized to signed 64 bits; strings are JS
// strings. Aggregation states, as in bpftrace:
//   count, sum, min, max   bigint
//   avg, stats             { n: count, t: total }; average = t / n truncated
//                          toward zero (int64 division), 0 when n = 0
//   hist                   number[65]: [0] negatives, [1] zero, [i] for
//                          2^(i-2) <= v < 2^(i-1)
//   lhist                  number[buckets + 2]: [0] below min, [1..buckets]
//                          [min + (i-1)*step, min + i*step), last: >= max

export type Value = bigint | string;

export type AggKind = "count" | "sum" | "avg" | "min" | "max" | "stats" | "hist" | "lhist";
/** What a global, map or per-thread variable holds, fixed by its first assignment. */
export type ValueKind = "int" | "string" | "tuple" | AggKind;

const AGG_KINDS: ReadonlySet<string> = new Set(["count", "sum", "avg", "min", "max", "stats", "hist", "lhist"]);

export interface LhistParams {
  min: bigint;
  max: bigint;
  step: bigint;
}

export interface Entry {
  /** Key values, for printing. */
  k: Value[];
  v: unknown;
}

export interface AvgState {
  n: bigint;
  t: bigint;
}

/** What the runtime (and the printers) know about a variable. */
export interface VarMeta {
  id: number;
  /** Printed name: `count`, `@count`. */
  name: string;
  scope: "global" | "map" | "self";
  kind: ValueKind;
  keyed: boolean;
  lhist?: LhistParams;
}

/** One printable element: key (undefined for an unkeyed variable) and state. */
export interface VarEntry {
  k: Value[] | undefined;
  v: unknown;
}

export const HIST_BUCKETS = 65;

/** bpftrace's log2 bucket of a signed value. */
export function histIndex(v: bigint): number {
  if (v < 0n) return 0;
  if (v === 0n) return 1;
  // 2 + floor(log2(v)) = 1 + bit length
  if (v <= 0xffffffffn) return 33 - Math.clz32(Number(v));
  return 65 - Math.clz32(Number(v >> 32n));
}

export function lhistBuckets(p: LhistParams): number {
  return Number((p.max - p.min) / p.step);
}

/** bpftrace's linear bucket of a value. */
export function lhistIndex(v: bigint, p: LhistParams): number {
  if (v < p.min) return 0;
  if (v > p.max) return lhistBuckets(p) + 1;
  return Number((v - p.min) / p.step) + 1;
}

export function avgValue(s: AvgState | undefined): bigint {
  if (s === undefined || s.n === 0n) return 0n;
  return BigInt.asIntN(64, s.t / s.n);
}

// ---- order ---------------------------------------------------------------------
//
// bpftrace sorts a map's elements by value before printing (text and JSON
// alike); ties are broken here by key ascending (integers numerically,
// strings by code unit), so identical runs print identical bytes, where
// bpftrace leaves ties in hash order.

/** Compare two values: integers numerically, strings by code unit. */
function compareValues(a: Value, b: Value): number {
  if (typeof a === "bigint" && typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function compareKeys(a: readonly Value[] | undefined, b: readonly Value[] | undefined): number {
  if (a === undefined || b === undefined) return 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareValues(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function total(counts: readonly number[]): number {
  let t = 0;
  for (const c of counts) t += c;
  return t;
}

/** The value bpftrace sorts a map's elements by (undefined: sort by key). */
function sortValue(meta: VarMeta, v: unknown): bigint | undefined {
  switch (meta.kind) {
    case "string":
    case "tuple":
      return undefined;
    case "avg":
    case "stats":
      return avgValue(v as AvgState);
    case "hist":
    case "lhist":
      return BigInt(total(v as number[]));
    default:
      return v as bigint;
  }
}

/** Elements in print order: value ascending, ties by key; then `top`. */
export function sortEntries(meta: VarMeta, entries: readonly VarEntry[], top = 0): VarEntry[] {
  const keyed = entries.map((e) => ({ e, s: sortValue(meta, e.v) }));
  keyed.sort((x, y) => {
    if (x.s !== undefined && y.s !== undefined && x.s !== y.s) return x.s < y.s ? -1 : 1;
    return compareKeys(x.e.k, y.e.k);
  });
  let out = keyed.map((x) => x.e);
  // bpftrace's `top` keeps the last N; for stats maps it applies only to avg.
  if (top > 0 && out.length > top && meta.kind !== "stats") out = out.slice(out.length - top);
  return out;
}
