// Text output: bpftrace 0.17's exit-time map printing, byte for byte.
//
// Reproduces TextOutput in bpftrace's src/output.cpp (0.17 era):
//   - at exit: "\n\n", then every global/map in name order (byte order of
//     the printed name, so `@x` maps sort before bare globals);
//   - `name: value` per element; keyed `name[k1, k2]: value` (strings
//     unquoted), elements sorted by value ascending (avg/stats by average,
//     hist/lhist by total count, string maps by key);
//   - avg and stats maps end with one extra blank line; each hist/lhist
//     element prints `name: ` (0.17's trailing space), its rows, then a
//     blank line;
//   - hist rows: label left-aligned in 16 columns, count right-aligned in 8,
//     " |", a bar of `@` left-aligned in 52, "|"; the bar is
//     int(count / (float)max * 52) computed in single precision as the C++
//     does; rows run from the first to the last non-empty bucket;
//   - hist labels `(..., 0)`, `[0]`, `[1]`, `[2, 4)`, ..., `[512, 1K)` with
//     K/M/G/T suffixes (0.17 stops at T: 2^63 prints as `8388608T`); lhist
//     labels `(..., min)`, `[lo, hi)`, `[max, ...)` where a label divisible by
//     1024 (1048576) is written with K (M).
//
// The element order (value ascending, ties by key: this implementation's
// choice, documented in README) is value.ts's sortEntries.
//
// A map with no elements (never assigned at run time, or emptied by clear()
// or delete()) prints as 0.17 prints it: a bare newline (two for avg/stats),
// which is where the extra blank line after a latency histogram comes from
// when the script also had a `@start[tid]` map. `config = {
// print_maps_on_exit = false }` turns the whole exit-time output off.

import type { Printer } from "./printer.js";
import { isTuple, tupleText, type TupleValue } from "./tuple-value.js";
import { avgValue, sortEntries, type AvgState, type LhistParams, type Value, type VarEntry, type VarMeta } from "./value.js";

/**
 * bpftrace prints a stack in a map key with 4 spaces before each frame, where
 * printf shows it with 8 (output.cpp's map key formatting): a ustack value
 * (ustack.ts: a newline, then `        frame` lines) is re-indented here.
 */
function stackKey(v: string): string {
  return /^\n(?: {8}[^\n]*\n)+$/.test(v) ? v.replace(/\n {8}/g, "\n    ") : v;
}

function keyText(k: readonly Value[] | undefined): string {
  if (k === undefined) return "";
  return `[${k.map((v) => (typeof v === "bigint" ? v.toString(10) : stackKey(v))).join(", ")}]`;
}

// ---- histograms --------------------------------------------------------------

function histIndexLabel(power: number): string {
  let suffix = "";
  if (power >= 40) {
    suffix = "T";
    power -= 40;
  } else if (power >= 30) {
    suffix = "G";
    power -= 30;
  } else if (power >= 20) {
    suffix = "M";
    power -= 20;
  } else if (power >= 10) {
    suffix = "K";
    power -= 10;
  }
  return `${2 ** power}${suffix}`;
}

function histBucketLabel(i: number): string {
  if (i === 0) return "(..., 0)";
  if (i === 1) return "[0]";
  if (i === 2) return "[1]";
  return `[${histIndexLabel(i - 2)}, ${histIndexLabel(i - 1)})`;
}

function lhistIndexLabel(n: number): string {
  if (n === 0) return "0";
  if (n % 1048576 === 0) return `${n / 1048576}M`;
  if (n % 1024 === 0) return `${n / 1024}K`;
  return String(n);
}

function lhistBucketLabel(i: number, p: LhistParams): string {
  const min = Number(p.min);
  const max = Number(p.max);
  const step = Number(p.step);
  const buckets = Math.trunc((max - min) / step);
  if (i === 0) return `(..., ${lhistIndexLabel(min)})`;
  if (i === buckets + 1) return `[${lhistIndexLabel(max)}, ...)`;
  return `[${lhistIndexLabel((i - 1) * step + min)}, ${lhistIndexLabel(i * step + min)})`;
}

/** int(count / (float)max * 52), in single precision as bpftrace computes it. */
function barWidth(count: number, max: number): number {
  const f = Math.fround(Math.fround(Math.fround(count) / Math.fround(max)) * 52);
  return Math.trunc(f);
}

function row(label: string, shown: number | bigint, count: number, max: number): string {
  const bar = "@".repeat(barWidth(count, max));
  return `${label.padEnd(16)}${String(shown).padStart(8)} |${bar.padEnd(52)}|\n`;
}

function nonEmptyRange(counts: readonly number[]): [number, number, number] | undefined {
  let lo = -1;
  let hi = -1;
  let max = 0;
  for (let i = 0; i < counts.length; i++) {
    const v = counts[i]!;
    if (v > 0) {
      if (lo < 0) lo = i;
      hi = i;
    }
    if (v > max) max = v;
  }
  return lo < 0 ? undefined : [lo, hi, max];
}

/** Rows of a log2 histogram (bpftrace hist_to_str); "" when empty. */
function histRows(counts: readonly number[], div = 1): string {
  const r = nonEmptyRange(counts);
  if (r === undefined) return "";
  const [lo, hi, max] = r;
  let out = "";
  for (let i = lo; i <= hi; i++) {
    const c = counts[i]!;
    out += row(histBucketLabel(i), div === 1 ? c : Math.floor(c / div), c, max);
  }
  return out;
}

/** Rows of a linear histogram (bpftrace lhist_to_str); "" when empty. */
function lhistRows(counts: readonly number[], p: LhistParams): string {
  const r = nonEmptyRange(counts);
  if (r === undefined) return "";
  const [lo, hi, max] = r;
  let out = "";
  for (let i = lo; i <= hi; i++) out += row(lhistBucketLabel(i, p), counts[i]!, counts[i]!, max);
  return out;
}

// ---- maps ----------------------------------------------------------------------

function scalarText(meta: VarMeta, v: unknown, div: number): string {
  switch (meta.kind) {
    case "string":
      return v as string;
    case "tuple":
      return tupleText(v as TupleValue);
    case "avg":
      return (avgValue(v as AvgState) / BigInt(div)).toString(10);
    case "stats": {
      const s = v as AvgState;
      return `count ${s.n}, average ${avgValue(s)}, total ${s.t}`;
    }
    default:
      return ((v as bigint) / BigInt(div)).toString(10);
  }
}

/** One variable in bpftrace's text format. */
function textVar(meta: VarMeta, entries: readonly VarEntry[], top = 0, div = 1): string {
  // measured on 0.17: an unkeyed count() never run prints its 0; every other empty map prints blank lines
  if (entries.length === 0 && meta.kind === "count" && !meta.keyed) return `${meta.name}: 0\n`;
  if (entries.length === 0) return meta.kind === "avg" || meta.kind === "stats" ? "\n\n" : "\n";
  const d = div === 0 ? 1 : div;
  const sorted = sortEntries(meta, entries, top);
  let out = "";
  if (meta.kind === "hist" || meta.kind === "lhist") {
    for (const e of sorted) {
      out += `${meta.name}${keyText(e.k)}: \n`;
      out += meta.kind === "hist" ? histRows(e.v as number[], d) : lhistRows(e.v as number[], meta.lhist!);
      out += "\n";
    }
    return out;
  }
  for (const e of sorted) out += `${meta.name}${keyText(e.k)}: ${scalarText(meta, e.v, d)}\n`;
  if (meta.kind === "avg" || meta.kind === "stats") out += "\n";
  return out;
}

/** What bpftrace prints at exit after the program's own output. */
export function textExit(vars: readonly VarMeta[], entriesOf: (id: number) => VarEntry[]): string {
  let out = "\n\n";
  for (const v of vars) out += textVar(v, entriesOf(v.id));
  return out;
}

/** bpftrace's TextOutput: what printf(), print(value) and print(map) write. */
export const textPrinter: Printer = {
  printf: (text) => text,
  value: (v) => `${isTuple(v) ? tupleText(v) : typeof v === "bigint" ? v.toString(10) : v}\n`,
  variable: textVar,
};
