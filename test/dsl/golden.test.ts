// Golden tests: the text and JSON outputs recorded from bpftrace 0.17 in
// shared/docs/dsl-anchors.md (copied to test/dsl/fixtures/), reproduced
// byte for byte from the same inputs.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileProgram } from "../../dsl/index.js";
import { FakeCtx, FakeTarget, fixture } from "./helpers.js";

const T = new FakeTarget();

// agg.bt from §2.4, less `@bystr[comm, func]` (0.17 printed func as a raw
// address there; see the last test) and the printf probes.
const AGG = `uprobe:./t:test {
  @count = count();
  @sum = sum(arg0);
  @avg = avg(arg0);
  @min = min(arg0);
  @max = max(arg0);
  @stats = stats(arg0);
  @h = hist(arg0);
  @lh = lhist(arg0, 0, 1000, 100);
  @bykey[arg0 % 3] = count();
}`;

function runArgs(src: string, values: Iterable<bigint>) {
  const p = compileProgram(src, "agg.bt", T);
  const ctx = new FakeCtx();
  for (const v of values) {
    ctx.arg0 = v;
    for (const pr of p.probes) pr.handler(ctx);
  }
  return p;
}

function* range(n: number): Generator<bigint> {
  for (let i = 0; i < n; i++) yield BigInt(i);
}

describe("bpftrace 0.17 text format", () => {
  it("count/sum/avg/min/max/stats/hist/lhist/keyed map, arg0 = 0..999 (§2.4)", () => {
    assert.equal(runArgs(AGG, range(1000)).printText(), fixture("agg.txt"));
  });

  it("negative values: (..., 0) buckets, lhist overflow, string keys (§2.4)", () => {
    const src = 'uprobe:./t:test { @lh = lhist(arg0 - 100, 0, 500, 100); @h = hist(arg0 - 500); @k[arg0 % 2 == 0 ? "even" : "odd"] = sum(arg0); }';
    assert.equal(runArgs(src, range(1000)).printText(), fixture("neg.txt"));
  });

  it("latency hist with K/M labels, and the empty @start map's newline (§2.3)", () => {
    const want = fixture("lat.txt");
    // Replay the recorded bucket counts as latencies at each bucket's lower bound.
    const rows = [...want.matchAll(/^\[(\d+)([KM]?), \S+\)\s+(\d+) \|/gm)].map((m) => {
      const mult = m[2] === "K" ? 1024n : m[2] === "M" ? 1048576n : 1n;
      return { low: BigInt(m[1]!) * mult, count: Number(m[3]) };
    });
    assert.equal(rows.length, 15);
    const p = compileProgram(
      "uprobe:./t:test { @start[tid] = nsecs; }\nuretprobe:./t:test /@start[tid]/ { @ns = hist(nsecs - @start[tid]); delete(@start[tid]); }",
      "lat.bt",
      T,
    );
    const [entry, ret] = [p.probes[0]!.handler, p.probes[1]!.handler];
    const ctx = new FakeCtx();
    for (const r of rows) {
      for (let i = 0; i < r.count; i++) {
        entry(ctx);
        ctx.now += r.low;
        ret(ctx);
        ctx.now += 1000n;
      }
    }
    assert.equal(p.printText(), want);
  });
});

describe("bpftrace -f json", () => {
  it("maps, hists and stats (§2.4)", () => {
    assert.equal(runArgs(AGG, range(1000)).printJson().join("\n") + "\n", fixture("agg.json"));
  });

  it("a latency hist with an empty bucket in the middle (§2.3)", () => {
    const want = fixture("lat.json");
    const buckets = [...want.matchAll(/\{"min": (\d+), "max": \d+, "count": (\d+)\}/g)].map((m) => ({ low: BigInt(m[1]!), count: Number(m[2]) }));
    const p = compileProgram("uprobe:./t:test { @ns = hist(arg0); }", "lat.bt", T);
    const ctx = new FakeCtx();
    for (const b of buckets) {
      ctx.arg0 = b.low;
      for (let i = 0; i < b.count; i++) p.probes[0]!.handler(ctx);
    }
    assert.equal(p.printJson().join("\n") + "\n", want);
  });

  it("negative hist and lhist buckets carry only max / only min", () => {
    const p = runArgs("uprobe:./t:test { @lh = lhist(arg0 - 100, 0, 500, 100); @h = hist(arg0 - 500); }", range(1000));
    const [h, lh] = p.printJson();
    assert.ok(h!.startsWith('{"type": "hist", "data": {"@h": [{"max": -1, "count": 500}, {"min": 0, "max": 0, "count": 1}, '));
    assert.ok(lh!.startsWith('{"type": "hist", "data": {"@lh": [{"max": -1, "count": 100}, {"min": 0, "max": 99, "count": 100}, '));
    assert.ok(lh!.endsWith('{"min": 500, "count": 400}]}}'));
  });
});

describe("printf and per-probe builtins (§2.4 uretprobe line)", () => {
  const SRC =
    'uretprobe:./t:test /retval > 1990/ { printf("pid=%d tid=%d comm=%s func=%s probe=%s retval=%d ip=0x%lx\\n", pid, tid, comm, func, probe, retval, reg("ip")); }';
  // 0.17 printed func=main here (the caller); upstream (PR #2645) and this
  // implementation print the probed function.
  const lines = [1992, 1994, 1996, 1998].map(
    (r) => `pid=10304 tid=10304 comm=t2 func=test probe=uretprobe:./t:test retval=${r} ip=0x5573da20a16a\n`,
  );
  function drive(json: boolean): string {
    const p = compileProgram(SRC, "agg.bt", T, { json });
    const ctx = new FakeCtx();
    ctx.pid = ctx.tid = 10304;
    ctx.rip = 0x5573da20a16an;
    for (let i = 0n; i < 1000n; i++) {
      ctx.rax = 2n * i;
      p.probes[0]!.handler(ctx);
    }
    return p.output;
  }
  it("text", () => assert.equal(drive(false), lines.join("")));
  it("json", () =>
    assert.equal(drive(true), lines.map((l) => `{"type": "printf", "data": ${JSON.stringify(l).replace(/\\n/g, "\\n")}}\n`).join("")));
  it("tuple keys with strings (@bystr[comm, func])", () => {
    const p = runArgs("uprobe:./t:test { @bystr[comm, func] = count(); }", range(1000));
    assert.equal(p.printText(), "\n\n@bystr[t2, test]: 1000\n");
    assert.deepEqual(p.printJson(), ['{"type": "map", "data": {"@bystr": {"t2,test": 1000}}}']);
  });
});
