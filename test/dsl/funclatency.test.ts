// bcc funclatency output format, and the DSL program that reproduces it.
//
// The recorded bcc outputs (fixtures/funclatency-*.txt) are reproduced by
// running funclatencyProgram() on latencies chosen from the recorded rows'
// own bounds (`low -> high`), so the expected buckets never go through
// bccLog2Slot or the formatter under test.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bccLog2Slot, formatBccLog2Hist, funclatencyProgram } from "../../dsl/funclatency.js";
import { compileProgram, type LatencyUnit } from "../../dsl/index.js";
import { FakeCtx, FakeTarget, fixture, readExample } from "./helpers.js";


const NS_PER_UNIT: Record<LatencyUnit, bigint> = { nsecs: 1n, usecs: 1000n, msecs: 1000000n };

interface Row {
  low: bigint;
  high: bigint;
  count: number;
}

/** The histogram rows of a recorded bcc output, checked against bcc's bounds: row r is [2^r, 2^(r+1) - 1] (row 0: 0 -> 1). */
function rowsOf(text: string): Row[] {
  const rows = [...text.matchAll(/^\s+(\d+) -> (\d+)\s+: (\d+)/gm)].map((m) => ({ low: BigInt(m[1]!), high: BigInt(m[2]!), count: Number(m[3]) }));
  rows.forEach((r, i) => {
    assert.equal(r.low, i === 0 ? 0n : 1n << BigInt(i), `row ${i} low`);
    assert.equal(r.high, (1n << BigInt(i + 1)) - 1n, `row ${i} high`);
  });
  return rows;
}

/**
 * Latencies in ns whose histogram (in `unit`) is `rows` and whose sum is
 * `totalNs`: each starts at its row's low bound, and the rest of the total is
 * spread over the calls without leaving their rows.
 */
function latencies(rows: readonly Row[], unit: LatencyUnit, totalNs: bigint): bigint[] {
  const k = NS_PER_UNIT[unit];
  const out: bigint[] = [];
  const room: bigint[] = [];
  for (const r of rows) {
    for (let i = 0; i < r.count; i++) {
      out.push(r.low * k);
      room.push((r.high + 1n) * k - 1n - r.low * k);
    }
  }
  let rest = totalNs - out.reduce((a, b) => a + b, 0n);
  for (let i = 0; i < out.length && rest > 0n; i++) {
    const add = rest < room[i]! ? rest : room[i]!;
    out[i]! += add;
    rest -= add;
  }
  assert.equal(rest, 0n, "the total fits the recorded rows");
  return out;
}

/** Run funclatencyProgram() over the given latencies; returns everything it prints. */
function runFunclatency(pattern: string, unit: LatencyUnit, lat: readonly bigint[], pid: number): string {
  const p = compileProgram(funclatencyProgram(pattern, "test", unit), "funclatency", new FakeTarget());
  const entry = p.probes.find((x) => x.target.kind === "uprobe")!.handler;
  const ret = p.probes.find((x) => x.target.kind === "uretprobe")!.handler;
  const ctx = new FakeCtx();
  ctx.pid = pid;
  p.runBegin(ctx);
  for (const d of lat) {
    entry(ctx);
    ctx.now += d;
    ret(ctx);
    ctx.now += 100n;
  }
  p.runEnd(ctx);
  return p.output + p.printText();
}

/** bcc names an exited target `[unknown]`; we always know the function's name. */
/** The PID is the traced process's (bcc's tgid key): the test's FakeCtx carries the recording's. */
const knownName = (text: string): string => text.replace(/Function = \[unknown\] \[(\d+)\]/, "Function = test [$1]");

describe("bcc log2 histogram", () => {
  it("bpf_log2l slots", () => {
    assert.deepEqual([0n, 1n, 2n, 3n, 4n, 7n, 8n, 255n, 256n, 511n, 512n, 1n << 32n, (1n << 63n) + 5n].map(bccLog2Slot), [1, 1, 2, 2, 3, 3, 4, 8, 9, 9, 10, 33, 64]);
  });

  it("funclatency ./t:test, nsecs (§2.9): recorded bcc output", () => {
    const want = fixture("funclatency-nsecs.txt");
    const lat = latencies(rowsOf(want), "nsecs", 574756881n);
    assert.equal(lat.length, 1000000);
    assert.equal(runFunclatency("./t:test", "nsecs", lat, 13998), knownName(want));
  });

  it("funclatency -u, usecs (§2.9): recorded bcc output", () => {
    const want = fixture("funclatency-usecs.txt");
    const lat = latencies(rowsOf(want), "usecs", 967921412n);
    assert.equal(lat.length, 1000000);
    assert.equal(runFunclatency("./t:te*", "usecs", lat, 14107), knownName(want));
  });

  it("print_log2 puts bpftrace's [0] and [1], and negatives, where bcc's slots have them", () => {
    // 0 and 1 share bcc's `0 -> 1`; 2..3 is `2 -> 3`; a negative latency is
    // 2^64 - d unsigned for bcc: slot 64, the wide layout.
    const small = runFunclatency("t", "nsecs", [0n, 1n, 1n, 2n, 3n, 7n], 1);
    assert.match(small, /^ {9}0 -> 1 {10}: 3 {8}\|\*{40}\|$/m);
    assert.match(small, /^ {9}2 -> 3 {10}: 2 {8}\|\*{26} {14}\|$/m);
    assert.match(small, /^ {9}4 -> 7 {10}: 1 {8}\|\*{13} {27}\|$/m);
    const p = compileProgram("BEGIN < h = hist(-5); print_log2(h, \"nsecs\") >", "neg", new FakeTarget());
    p.runBegin(new FakeCtx());
    p.runEnd(new FakeCtx());
    const last = p.output.trimEnd().split("\n").at(-1)!;
    assert.equal(last, " 9223372036854775808 -> 18446744073709551615 : 1        |********************|");
  });

  it("wide layout above slot 32", () => {
    const vals = new Array<number>(65).fill(0);
    vals[3] = 2;
    vals[40] = 1;
    const text = formatBccLog2Hist(vals, "nsecs");
    const lines = text.split("\n");
    assert.equal(lines[0], "               nsecs                         : count     distribution");
    assert.equal(lines[3], "                   4 -> 7                    : 2        |********************|");
    assert.equal(lines[40], "        549755813888 -> 1099511627775        : 1        |**********          |");
    assert.equal(lines.length, 42);
  });

  it("nothing at all for an empty histogram", () => {
    assert.equal(formatBccLog2Hist(new Array<number>(65).fill(0), "nsecs"), "");
  });
});

describe("dsl/examples/funclatency.probe", () => {
  /** Program text without comment lines and blank lines (the example is commented and spaced out). */
  const code = (text: string): string[] =>
    text
      .split("\n")
      .filter((l) => l.trim() !== "" && !l.trimStart().startsWith("//"));

  it("is funclatencyProgram(\"test\", \"test\", \"nsecs\"): one program", () => {
    assert.deepEqual(code(readExample("funclatency.probe")), code(funclatencyProgram("test", "test", "nsecs")));
  });

  it("with no calls: banner, blank line, Detaching...", () => {
    const p = compileProgram(readExample("funclatency.probe"), "funclatency.probe", new FakeTarget());
    p.runBegin(new FakeCtx());
    p.runEnd(new FakeCtx());
    assert.equal(p.output + p.printText(), 'Tracing 1 functions for "test"... Hit Ctrl-C to end.\n\nDetaching...\n');
  });
});

describe("print_log2 with a section header (bcc's section_header)", () => {
  it("one histogram per key, headed by the keys; the header is checked against the keys at compile time", () => {
    const p = compileProgram('BEGIN < @h["a", 7] = hist(3); @h["b", 8] = hist(300); print_log2(@h, "nsecs", "\\nF = %s [%d]\\n") >', "sec", new FakeTarget());
    p.runBegin(new FakeCtx());
    assert.match(p.output, /^\nF = a \[7\]\n {5}nsecs {15}: count {5}distribution\n {9}0 -> 1 {10}: 0 {8}\|/);
    assert.match(p.output, /\nF = b \[8\]\n[^]*\n {7}256 -> 511 {8}: 1 {8}\|\*{40}\|\n$/);
    const bad = (src: string): string => {
      try {
        compileProgram(src, "sec", new FakeTarget());
      } catch (e) {
        return (e as Error).message;
      }
      return "";
    };
    assert.match(bad('BEGIN < @h["a"] = hist(3); print_log2(@h, "nsecs", "%s [%d]") >'), /the section header has 2 conversions, and @h has 1 key/);
    assert.match(bad('BEGIN < @h[1] = hist(3); print_log2(@h, "nsecs", "%s") >'), /%s is for key 1, which is an integer/);
    assert.match(bad('BEGIN < h = hist(3); print_log2(h, "nsecs", "%s") >'), /needs a hist with keys/);
    assert.match(bad('BEGIN < @h[1] = hist(3); print_log2(@h, "nsecs", "%e") >'), /%e/);
  });
});
