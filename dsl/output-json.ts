// JSON output: bpftrace's `-f json` NDJSON, one object per line.
//
// Reproduces JsonOutput in bpftrace's src/output.cpp, including its spacing
// (`", "` and `": "` separators):
//   {"type": "printf", "data": "text\n"}
//   {"type": "value", "data": 5}
//   {"type": "map", "data": {"@count": 1000}}
//   {"type": "map", "data": {"@bykey": {"1": 333, "2": 333, "0": 334}}}
//   {"type": "hist", "data": {"@h": [{"min": 0, "max": 0, "count": 1}, ...]}}
//   {"type": "stats", "data": {"@avg": 499}}
//   {"type": "stats", "data": {"@stats": {"count": 1000, "average": 499, "total": 499500}}}
// Tuple keys are joined with "," (no space); string values are quoted; hist
// buckets carry min/max (the negative bucket only "max": -1, lhist's
// underflow only "max": min-1 and overflow only "min": max). Elements come
// in the same order as the text output. bpftrace also writes two bare
// newlines before the exit-time maps; `printJson()` returns only the JSON
// lines so that the stream stays strict NDJSON.

import { jsonLog2Line } from "./funclatency.js";
import type { Printer } from "./printer.js";
import { isTuple, tupleJson, type TupleValue } from "./tuple-value.js";
import { avgValue, lhistBuckets, sortEntries, type AvgState, type LhistParams, type Value, type VarEntry, type VarMeta } from "./value.js";

/** bpftrace's json_escape plus quotes. */
function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 0x22: out += '\\"'; break;
      case 0x5c: out += "\\\\"; break;
      case 0x0a: out += "\\n"; break;
      case 0x0d: out += "\\r"; break;
      case 0x09: out += "\\t"; break;
      default:
        out += c < 0x20 ? "\\u" + c.toString(16).padStart(4, "0") : s[i];
    }
  }
  return out + '"';
}

function jsonValue(v: Value | TupleValue): string {
  if (isTuple(v)) return tupleJson(v, jsonString);
  return typeof v === "bigint" ? v.toString(10) : jsonString(v);
}

function keyString(k: readonly Value[]): string {
  return jsonString(k.map((v) => (typeof v === "bigint" ? v.toString(10) : v)).join(","));
}

function histJson(counts: readonly number[], div = 1): string {
  let lo = -1;
  let hi = -1;
  counts.forEach((c, i) => {
    if (c > 0) {
      if (lo < 0) lo = i;
      hi = i;
    }
  });
  if (lo < 0) return "[]";
  const parts: string[] = [];
  for (let i = lo; i <= hi; i++) {
    let b: string;
    if (i === 0) b = '"max": -1, ';
    else if (i === 1) b = '"min": 0, "max": 0, ';
    else if (i === 2) b = '"min": 1, "max": 1, ';
    else b = `"min": ${1n << BigInt(i - 2)}, "max": ${(1n << BigInt(i - 1)) - 1n}, `;
    parts.push(`{${b}"count": ${Math.floor(counts[i]! / div)}}`);
  }
  return `[${parts.join(", ")}]`;
}

function lhistJson(counts: readonly number[], p: LhistParams): string {
  let lo = -1;
  let hi = -1;
  counts.forEach((c, i) => {
    if (c > 0) {
      if (lo < 0) lo = i;
      hi = i;
    }
  });
  if (lo < 0) return "[]";
  const buckets = lhistBuckets(p);
  const parts: string[] = [];
  for (let i = lo; i <= hi; i++) {
    let b: string;
    if (i === 0) b = `"max": ${p.min - 1n}, `;
    else if (i === buckets + 1) b = `"min": ${p.max}, `;
    else b = `"min": ${BigInt(i - 1) * p.step + p.min}, "max": ${BigInt(i) * p.step + p.min - 1n}, `;
    parts.push(`{${b}"count": ${counts[i]}}`);
  }
  return `[${parts.join(", ")}]`;
}

function valueJson(meta: VarMeta, v: unknown, div: number): string {
  switch (meta.kind) {
    case "string":
      return jsonString(v as string);
    case "tuple":
      return tupleJson(v as TupleValue, jsonString);
    case "avg":
      return (avgValue(v as AvgState) / BigInt(div)).toString(10);
    case "stats": {
      const s = v as AvgState;
      return `{"count": ${s.n}, "average": ${avgValue(s)}, "total": ${s.t}}`;
    }
    case "hist":
      return histJson(v as number[], div);
    case "lhist":
      return lhistJson(v as number[], meta.lhist!);
    default:
      return ((v as bigint) / BigInt(div)).toString(10);
  }
}

function typeOf(meta: VarMeta): string {
  switch (meta.kind) {
    case "hist":
    case "lhist":
      return "hist";
    case "avg":
    case "stats":
      return "stats";
    default:
      return "map";
  }
}

/** One variable as an NDJSON line (no newline), or undefined when empty. */
function jsonVar(meta: VarMeta, entries: readonly VarEntry[], top = 0, div = 1): string | undefined {
  if (entries.length === 0) return undefined;
  const d = div === 0 ? 1 : div;
  const sorted = sortEntries(meta, entries, top);
  let data: string;
  if (meta.keyed) data = `{${sorted.map((e) => `${keyString(e.k ?? [])}: ${valueJson(meta, e.v, d)}`).join(", ")}}`;
  else data = valueJson(meta, sorted[0]!.v, d);
  return `{"type": "${typeOf(meta)}", "data": {${jsonString(meta.name)}: ${data}}}`;
}

/** The exit-time lines, in name order. */
export function jsonExit(vars: readonly VarMeta[], entriesOf: (id: number) => VarEntry[]): string[] {
  const out: string[] = [];
  for (const v of vars) {
    const line = jsonVar(v, entriesOf(v.id));
    if (line !== undefined) out.push(line);
  }
  return out;
}

/** `{"type": "attached_probes", "data": {"probes": N}}` */
export function jsonAttachedProbes(n: number): string {
  return `{"type": "attached_probes", "data": {"probes": ${n}}}`;
}

/** bpftrace's JsonOutput: one NDJSON line per printf(), print(value) and print(map). */
export const jsonPrinter: Printer = {
  printf: (text) => `{"type": "printf", "data": ${jsonString(text)}}\n`,
  value: (v) => `{"type": "value", "data": ${jsonValue(v)}}\n`,
  variable(meta, entries, top, div) {
    const line = jsonVar(meta, entries, top, div);
    return line === undefined ? "" : line + "\n";
  },
  log2: (section, hist, unit) => jsonLog2Line(section, hist, unit) + "\n",
};
