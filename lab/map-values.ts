// A run's maps as typed data: what `-f json` printed, read with the kind of
// each variable (count, hist, stats...), so that a notebook asks for
// `r.map("@lat").buckets()` instead of digging in the JSON records.
//
// Keys: bpftrace's JSON joins a multi-part key with "," (no space), so a
// string part holding a comma cannot be split back from it: the run carries
// each key's parts (ProbeRun.mapKeys), and only a run recorded before that
// falls back to splitting at commas.

import type { ProbeRun } from "./probe-run.js";

export type MapKind = "int" | "string" | "tuple" | "count" | "sum" | "avg" | "min" | "max" | "stats" | "hist" | "lhist";

/** A hist() or lhist() bucket: [min, max] inclusive; an open end is -Infinity or Infinity. */
export interface MapBucket {
  min: number;
  max: number;
  count: number;
  /** As bpftrace prints it: [256, 512), [1K, 2K), (..., 0), [100, ...). */
  label: string;
}

/** stats(): bpftrace's count, average and total. */
export interface StatsValue {
  count: number;
  avg: number;
  sum: number;
}

export type MapEntryValue = number | string | StatsValue | MapBucket[];

export interface MapRow<V extends MapEntryValue = MapEntryValue> {
  /** The key as bpftrace's JSON writes it ("1000,push-O0"); "" for a variable without a key. */
  key: string;
  keys: string[];
  value: V;
}

export interface MapData {
  /** "@lat", or "count" for a global. */
  name: string;
  kind: MapKind;
  keyed: boolean;
  rows: MapRow[];
}

const NUMERIC: ReadonlySet<MapKind> = new Set(["int", "count", "sum", "avg", "min", "max"]);

export function isNumericKind(k: MapKind): boolean {
  return NUMERIC.has(k);
}

function size(n: number): string {
  for (const [u, m] of [["G", 2 ** 30], ["M", 2 ** 20], ["K", 2 ** 10]] as const) if (n >= m && n % m === 0) return `${n / m}${u}`;
  return String(n);
}

function bucket(b: { min?: number; max?: number; count: number }, log2: boolean): MapBucket {
  const min = b.min ?? -Infinity;
  const max = b.max ?? Infinity;
  const s = log2 ? size : String;
  const label = min === -Infinity ? `(..., ${s(max + 1)})` : max === Infinity ? `[${s(min)}, ...)` : min === max ? `[${s(min)}]` : `[${s(min)}, ${s(max + 1)})`;
  return { min, max, count: b.count, label };
}

/** Without the program's kinds (runs made before they were recorded): guess from the JSON. */
function guessKind(type: string, v: unknown): MapKind {
  if (type === "hist") {
    const bs = v as { min?: number; max?: number }[];
    const log2 = bs.every((b) => b.min === undefined || b.max === undefined || (b.min <= 1 ? b.max === b.min : b.max === 2 * b.min - 1));
    return log2 ? "hist" : "lhist";
  }
  if (type === "stats") return typeof v === "number" ? "avg" : "stats";
  if (Array.isArray(v)) return "tuple";
  return typeof v === "string" ? "string" : "int";
}

/** A tuple from -f json ([1,"a",[2,"b"]]) as bpftrace's text prints it: (1, a, (2, b)). */
function tupleText(v: unknown): string {
  return Array.isArray(v) ? `(${v.map(tupleText).join(", ")})` : String(v);
}

function entryValue(kind: MapKind, v: unknown): MapEntryValue {
  if (kind === "tuple") return tupleText(v);
  if (kind === "hist" || kind === "lhist") return (v as { min?: number; max?: number; count: number }[]).map((b) => bucket(b, kind === "hist"));
  if (kind === "stats") {
    const s = v as { count: number; average: number; total: number };
    return { count: s.count, avg: s.average, sum: s.total };
  }
  return kind === "string" ? String(v) : Number(v);
}

/** One stats() value ({count, average, total}), not a keyed map of them. */
function isStatsValue(v: object): boolean {
  return "count" in v && "average" in v && "total" in v && typeof (v as { count: unknown }).count === "number";
}

/** Every printed map of a run, in bpftrace's order (by name). */
export function readMaps(run: Pick<ProbeRun, "mapsJson" | "mapKinds" | "mapKeys">): MapData[] {
  const out: MapData[] = [];
  for (const rec of run.mapsJson) {
    if (rec.type !== "map" && rec.type !== "hist" && rec.type !== "stats") continue;
    for (const [name, v] of Object.entries(rec.data)) {
      const keyed = v !== null && typeof v === "object" && !Array.isArray(v) && !isStatsValue(v);
      const kind = (run.mapKinds?.[name] as MapKind | undefined) ?? guessKind(rec.type, keyed ? Object.values(v as object)[0] : v);
      const rows: MapRow[] = keyed
        ? Object.entries(v as Record<string, unknown>).map(([key, x]) => ({ key, keys: run.mapKeys?.[name]?.[key] ?? key.split(","), value: entryValue(kind, x) }))
        : [{ key: "", keys: [], value: entryValue(kind, v) }];
      out.push({ name, kind, keyed, rows });
    }
  }
  return out;
}
