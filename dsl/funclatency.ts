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

/** The DSL program behind funclatency (see dsl/examples/funclatency.probe); `shown` is the function as bcc names it (the symbol, without its library). */
export function funclatencyProgram(pattern: string, func: string, unit: "nsecs" | "usecs" | "msecs", shown = func): string {
  const div = unit === "nsecs" ? "" : unit === "usecs" ? " / 1000" : " / 1000000";
  const q = JSON.stringify;
  return `config = { print_maps_on_exit = false }
BEGIN < printf("Tracing 1 functions for \\"%s\\"... Hit Ctrl-C to end.\\n", ${q(pattern)}) >
probe ${func} < self.start = nsecs >
retprobe ${func} / self.start / <
  $d = nsecs - self.start
  lat = hist($d${div})
  total = sum($d)
  n = count()
  self.start = 0
>
END <
  printf("\\n")
  if (n > 0) <
    printf("\\nFunction = %s [%d]\\n", ${q(shown)}, cpid)
    print_log2(lat, ${q(unit)})
    printf("\\navg = %ld ${unit}, total: %ld ${unit}, count: %ld\\n\\n", total${div} / n, total${div}, n)
  >
  printf("Detaching...\\n")
>
`;
}
