// bcc funclatency output format, and the DSL script that reproduces it.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  bccLog2Slot,
  formatBccLog2Hist,
  formatFunclatencyOutput,
  LatencyCollector,
} from "../../dsl/funclatency.js";
import { compileProgram } from "../../dsl/index.js";
import { FakeCtx, FakeTarget, readExample, repoRoot } from "./helpers.js";

const fixture = (name: string): string => readFileSync(join(repoRoot(), "test", "dsl", "fixtures", name), "utf8");

/** Slot counts from a recorded bcc histogram. */
function slotsOf(text: string): number[] {
  const slots = new Array<number>(65).fill(0);
  for (const m of text.matchAll(/^\s+(\d+) -> (\d+)\s+: (\d+)/gm)) slots[bccLog2Slot(BigInt(m[2]!))] = Number(m[3]);
  return slots;
}

describe("bcc log2 histogram", () => {
  it("bpf_log2l slots", () => {
    assert.deepEqual([0n, 1n, 2n, 3n, 4n, 7n, 8n, 255n, 256n, 511n, 512n, 1n << 32n, (1n << 63n) + 5n].map(bccLog2Slot), [1, 1, 2, 2, 3, 3, 4, 8, 9, 9, 10, 33, 64]);
  });

  it("funclatency ./t:test, nsecs (§2.9)", () => {
    const want = fixture("funclatency-nsecs.txt");
    const got = formatFunclatencyOutput("./t:test", {
      unit: "nsecs",
      slots: slotsOf(want),
      totalNs: 574756881n,
      count: 1000000n,
      section: "[unknown] [13998]",
    });
    assert.equal(got, want);
  });

  it("funclatency -u, usecs (§2.9)", () => {
    const want = fixture("funclatency-usecs.txt");
    const got = formatFunclatencyOutput("./t:te*", {
      unit: "usecs",
      slots: slotsOf(want),
      totalNs: 967921412n,
      count: 1000000n,
      section: "[unknown] [14107]",
    });
    assert.equal(got, want);
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

  it("LatencyCollector buckets like funclatency's BPF side", () => {
    const c = new LatencyCollector("usecs");
    for (const d of [500n, 1500n, 2999n, 1_000_000n]) c.add(d);
    assert.equal(c.count, 4n);
    assert.equal(c.totalNs, 1_004_999n);
    assert.equal(c.slots[1], 2);
    assert.equal(c.slots[2], 1);
    assert.equal(c.slots[10], 1);
  });
});

describe("dsl/examples/funclatency.probe", () => {
  it("prints exactly what the funclatency formatter prints", () => {
    const p = compileProgram(readExample("funclatency.probe"), "funclatency.probe", new FakeTarget());
    const entry = p.probes.find((x) => x.target.kind === "uprobe")!.handler;
    const ret = p.probes.find((x) => x.target.kind === "uretprobe")!.handler;
    const ctx = new FakeCtx();
    const collector = new LatencyCollector("nsecs");
    p.runBegin(ctx);
    // Latencies derived from a deterministic schedule: 300..3300 ns plus outliers.
    for (let i = 0n; i < 5000n; i++) {
      const d = 300n + ((i * 7919n) % 3000n) + (i % 997n === 0n ? 1_000_000n : 0n);
      entry(ctx);
      ctx.now += d;
      ret(ctx);
      collector.add(d);
      ctx.now += 100n;
    }
    p.runEnd(ctx);
    const want = formatFunclatencyOutput("test", {
      unit: "nsecs",
      slots: collector.slots,
      totalNs: collector.totalNs,
      count: collector.count,
      section: `test [${ctx.pid}]`,
    });
    assert.equal(p.output + p.printText(), want);
  });

  it("with no calls: banner, blank line, Detaching...", () => {
    const p = compileProgram(readExample("funclatency.probe"), "funclatency.probe", new FakeTarget());
    p.runBegin(new FakeCtx());
    p.runEnd(new FakeCtx());
    assert.equal(
      p.output + p.printText(),
      formatFunclatencyOutput("test", { unit: "nsecs", slots: [], totalNs: 0n, count: 0n }),
    );
  });
});
