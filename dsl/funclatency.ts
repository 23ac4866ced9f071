// funclatency: bcc's log2 histogram report, byte for byte.
//
// Reproduces bcc's tools/funclatency.py and `_print_log2_hist` in
// src/python/bcc/table.py:
//
//   Tracing 1 functions for "./t:test"... Hit Ctrl-C to end.
//   <blank: print() when tracing ends>
//   <blank>                                  ("\n%s = %s" section header)
//   Function = test [4242]
//        nsecs               : count     distribution
//            0 -> 1          : 0        |                                        |
//          256 -> 511        : 133304   |******                                  |
//   <blank>
//   avg = 574 nsecs, total: 574756881 nsecs, count: 1000000
//   <blank>
//   Detaching...
//
// Slots are bcc's bpf_log2l: slot 1 holds 0 and 1, slot i holds
// [2^(i-1), 2^i - 1]; rows run from slot 1 to the last non-empty slot. The
// header and rows switch to the wide layout (20-digit columns, 20-star bars)
// when the last slot is above 32. Bars are `*`, 40 wide, floor(40 * n / max).
// With -u/-m the latency is divided by 1000/1000000 before bucketing (as the
// BPF side does) and the total by the same factor before printing; the
// average is total / count, truncated. bcc prints the function as
// `[unknown]` when the target has exited; we always know its name. The PID in
// brackets is the traced process's (cpid), as bcc keys its histogram by pid.
//
// `print_log2(h, "nsecs")` in the DSL prints a bpftrace-style hist() in this
// format (bpftrace's [0] and [1] buckets both fall in bcc's slot 1), which is
// how funclatencyProgram() below, the program behind `uprobe-lab
// funclatency` (and dsl/examples/funclatency.probe, the same program with
// the function and unit filled in), reproduces this output.

export type LatencyUnit = "nsecs" | "usecs" | "msecs";

const LOG2_SLOTS = 65;

/** bcc's bpf_log2l(v) for an unsigned 64-bit value. */
export function bccLog2Slot(v: bigint): number {
  const u = BigInt.asUintN(64, v);
  if (u <= 1n) return 1;
  return u.toString(2).length;
}

function stars(val: number, valMax: number, width: number): string {
  let text = "";
  let i = 0;
  for (;;) {
    if (i > (width * val) / valMax - 1 || i > width - 1) break;
    text += "*";
    i++;
  }
  if (val > valMax) text = text.slice(0, -1) + "+";
  return text;
}

function pyPad(s: string, width: number, left: boolean): string {
  return left ? s.padEnd(width) : s.padStart(width);
}

/** bcc's _print_log2_hist(vals, val_type) with strip_leading_zero unset. */
export function formatBccLog2Hist(vals: ReadonlyArray<number | bigint>, valType: string): string {
  let idxMax = -1;
  let valMax = 0;
  vals.forEach((x, i) => {
    const v = Number(x);
    if (v > 0) idxMax = i;
    if (v > valMax) valMax = v;
  });
  const wide = idxMax > 32;
  const starWidth = wide ? 20 : 40;
  const numWidth = wide ? 20 : 10;
  let out = "";
  if (idxMax > 0) out += wide ? `               ${pyPad(valType, 29, true)} : count     distribution\n` : `     ${pyPad(valType, 19, true)} : count     distribution\n`;
  for (let i = 1; i <= idxMax; i++) {
    let low = (1n << BigInt(i)) >> 1n;
    const high = (1n << BigInt(i)) - 1n;
    if (low === high) low -= 1n;
    const val = Number(vals[i] ?? 0);
    out += `${pyPad(low.toString(), numWidth, false)} -> ${pyPad(high.toString(), numWidth, true)} : ${pyPad(String(val), 8, true)} |${pyPad(stars(val, valMax, starWidth), starWidth, true)}|\n`;
  }
  return out;
}

/** The lowest value of a bpftrace hist bucket (value.ts layout); -1 stands for the negatives. */
function histBucketLow(i: number): bigint {
  return i === 0 ? -1n : i === 1 ? 0n : 1n << BigInt(i - 2);
}

/**
 * Convert a bpftrace hist into bcc log2 slots. Every value of a bpftrace
 * bucket falls in the same bcc slot, so the slot of its lowest value is the
 * bucket's: [0] and [1] both go to slot 1, [2^k, 2^(k+1)) to slot k+1, and the
 * negatives, unsigned for bcc, to slot 64.
 */
function histToBccSlots(hist: readonly number[]): number[] {
  const slots = new Array<number>(LOG2_SLOTS).fill(0);
  hist.forEach((c, i) => {
    if (c === 0) return;
    const slot = bccLog2Slot(histBucketLow(i));
    slots[slot] = slots[slot]! + c;
  });
  return slots;
}

/** print_log2(): a bpftrace hist printed as bcc's log2 histogram. */
export function formatLog2FromHist(hist: readonly number[], valType: string): string {
  return formatBccLog2Hist(histToBccSlots(hist), valType);
}

import { intervalProbe, type ToolInterval } from "./bcc-tools.js";

/** What funclatency was asked for (cli/funclatency.ts reads bcc's flags into it). */
export interface FunclatencyOptions {
  /** The pattern as typed: bcc's banner shows it. */
  pattern: string;
  /** DSL targets, each with wildcards or not (`./t:foo*`, `libc:strlen`). */
  targets: readonly string[];
  /** How many functions they match (bcc's "Tracing N functions"). */
  matched: number;
  unit: LatencyUnit;
  /** -l LEVEL: entries go on one LIFO of LEVEL slots (bcc's BPF_STACK), so nested and recursive calls are timed. */
  level?: number;
  /** -T: each report starts with the time, %H:%M:%S on the virtual clock. */
  timestamp?: boolean;
  /** -i/-d: a report every `every` seconds, the run stopped at `duration` (bcc-tools.ts ToolInterval). */
  interval?: ToolInterval;
}

const DIVISOR: Readonly<Record<LatencyUnit, string>> = { nsecs: "", usecs: " / 1000", msecs: " / 1000000" };

/**
 * Entry and return without -l, as bcc's start/ipaddr hashes keyed by thread:
 * a nested call overwrites the outer one's start, whose return is then missed.
 */
function perThreadProbes(targets: string, div: string): string {
  return `probe ${targets} < self.start = nsecs; self.fn = func >
retprobe ${targets} / self.start / <
  $d = nsecs - self.start
  total = sum($d)
  n = count()
  @lat[self.fn, pid] = hist($d${div})
  self.start = 0
  self.fn = ""
>`;
}

/**
 * Entry and return with -l LEVEL, as bcc's BPF_STACK(ipaddr, func_cache_t,
 * LEVEL): one LIFO for all threads; a push onto a full stack (BPF_EXIST)
 * drops the oldest entry, a return with the stack empty is not counted.
 */
function stackProbes(targets: string, div: string, level: number): string {
  return `probe ${targets} <
  if (depth == ${level}) <
    $i = 0
    while ($i < ${level - 1}) < @ts[$i] = @ts[$i + 1]; @fn[$i] = @fn[$i + 1]; $i++ >
    depth = ${level - 1}
  >
  @ts[depth] = nsecs
  @fn[depth] = func
  depth++
>
retprobe ${targets} / depth > 0 / <
  depth--
  $d = nsecs - @ts[depth]
  total = sum($d)
  n = count()
  @lat[@fn[depth], pid] = hist($d${div})
>`;
}

/**
 * The DSL program behind funclatency (dsl/examples/funclatency.probe is the
 * one-function case). Each report: a blank line, with -T the time, one
 * histogram per function and process (bcc keys user functions by ip and
 * tgid: "Function = foo [1000]"), then the avg line, which bcc never clears
 * (its `avg` array is cumulative across intervals), and at the end
 * "Detaching...".
 */
export function funclatencyTool(o: FunclatencyOptions): string {
  const div = DIVISOR[o.unit];
  const q = JSON.stringify;
  const targets = o.targets.join(", ");
  const report = `  printf("\\n")${o.timestamp === true ? '\n  time("%H:%M:%S\\n")' : ""}
  print_log2(@lat, ${q(o.unit)}, "\\nFunction = %s [%d]\\n")
  clear(@lat)
  if (n > 0) < printf("\\navg = %ld ${o.unit}, total: %ld ${o.unit}, count: %ld\\n\\n", total${div} / n, total${div}, n) >
`;
  return `config = { print_maps_on_exit = false }
BEGIN <
  printf("Tracing %d functions for \\"%s\\"... Hit Ctrl-C to end.\\n", ${o.matched}, ${q(o.pattern)})${o.level !== undefined ? '\n  depth = 0\n  @fn[0] = ""\n  @ts[0] = 0' : ""}
>
${o.level !== undefined ? stackProbes(targets, div, o.level) : perThreadProbes(targets, div)}
${intervalProbe(o.interval, report)}END <
${report}  printf("Detaching...\\n")
>
`;
}

/** funclatency of one target with bcc's defaults (notebooks, dsl/examples/funclatency.probe); `func` may hold wildcards. */
export function funclatencyProgram(pattern: string, func: string, unit: LatencyUnit): string {
  return funclatencyTool({ pattern, targets: [func], matched: 1, unit });
}

/**
 * print_log2() under --json: one NDJSON line per histogram, never text rows.
 * The buckets are bcc's _get_json_hist() ones (`interval-start`,
 * `interval-end`, `count`, slot 1 to the last non-empty slot); `section` is
 * the section header's text (trimmed), as bcc adds section_header's value.
 * bcc's `ts` (wall-clock time) is left out: output stays deterministic.
 */
export function jsonLog2Line(section: string | undefined, hist: readonly number[], unit: string): string {
  const slots = histToBccSlots(hist);
  let last = 0;
  slots.forEach((c, i) => {
    if (c > 0) last = i;
  });
  const buckets: string[] = [];
  for (let i = 1; i <= last; i++) buckets.push(`{"interval-start": ${i === 1 ? 0n : 1n << BigInt(i - 1)}, "interval-end": ${(1n << BigInt(i)) - 1n}, "count": ${slots[i]}}`);
  const head = section === undefined ? "" : `"section": ${JSON.stringify(section.trim())}, `;
  return `{"type": "log2_hist", "data": {${head}"val_type": ${JSON.stringify(unit)}, "buckets": [${buckets.join(", ")}]}}`;
}
