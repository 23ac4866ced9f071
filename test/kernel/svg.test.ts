// The static SVG rendering of charts (present/svg.ts): deterministic bytes,
// drawn marks for each kind of chart, ticks on round values, well-formed XML.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { histogramChart, kernelHistoryChart, seedLatencyChart, seedTrapsChart, barChart } from "../../present/charts.js";
import { figureSvg, niceTicks } from "../../present/svg.js";
import type { SeedTable } from "../../lab/seed.js";
import type { ProbeRun } from "../../lab/probe-run.js";
import type { Figure } from "../../present/plot.js";

const seedTable = (kernel: string, cost: string, us: number[]): SeedTable => ({
  kernel,
  cost,
  rows: (["uprobe", "uretprobe"] as const).flatMap((kind, k) =>
    [true, false].map((on, j) => ({ kind, emulation: on, kernel, cost, us_per_call: us[k * 2 + j]!, traps_per_hit: 1 + k + (on ? 0 : 1), syscalls_per_hit: 0, trap_kinds: "int3 1", probe_ns_per_hit: 1, hits: 1e6, path: on ? "emulated" : "xol", seed_us: us[k * 2 + j]! })),
  ),
}) as unknown as SeedTable;

const count = (svg: string, re: RegExp): number => (svg.match(re) ?? []).length;
const bars = (svg: string): number => count(svg, /<rect class="bar" [^>]*height="(?!0")/g);

function run(kernel: string, status: number, traps: number[], us: number[]): ProbeRun {
  const probe = (name: string, i: number, sys: number) => ({
    probe: name,
    path: "emulated",
    hits: 1000,
    traps: { int3: 1000, single_step: 0, uret_trap: 0, uprobe_syscall: 0, uretprobe_syscall: 0 },
    traps_per_hit: traps[i]!,
    syscalls_per_hit: sys,
    ns_per_hit: us[i]! * 1000,
  });
  return { kernel, status, signal: status ? "SIGSEGV" : undefined, probes: [probe("probe a", 0, 0), probe("retprobe b", 1, 1)] } as unknown as ProbeRun;
}

describe("static SVG charts", () => {
  const seed = seedTable("4.16", "seed-2017-x86_64", [1.554, 3.105, 2.005, 3.555]);

  test("the same figure gives the same bytes; ids come from the figure", () => {
    const a = seedTrapsChart([seed]).toSvg();
    const b = seedTrapsChart([seedTable("4.16", "seed-2017-x86_64", [1.554, 3.105, 2.005, 3.555])]).toSvg();
    assert.equal(a, b);
    const id = /clipPath id="([^"]+)"/.exec(a)![1]!;
    assert.match(id, /^uplab-clip-[0-9a-f]{10}$/);
    assert.notEqual(/clipPath id="([^"]+)"/.exec(seedLatencyChart([seed]).toSvg())![1], id);
  });

  test("bars, text and a legend for a grouped bar chart", () => {
    const svg = seedTrapsChart([seed]).toSvg();
    assert.equal(bars(svg), 4, "2 probes x emulation on/off");
    assert.match(svg, />with push emulation</);
    assert.match(svg, /font-family="[^"]*sans-serif"/, "a generic font family to fall back on");
    assert.ok(!/<script/i.test(svg));
  });

  test("the seed's marks sit over their own bars", () => {
    const f = seedLatencyChart([seed]).figure;
    const svg = figureSvg(f);
    const rects = [...svg.matchAll(/<rect class="bar" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]) + Number(m[2]) / 2);
    const marks = [...svg.matchAll(/<path class="mark" d="M([\d.]+),[\d.]+H([\d.]+)/g)].map((m) => (Number(m[1]) + Number(m[2])) / 2);
    assert.equal(marks.length, 4);
    for (const x of marks) assert.ok(rects.some((c) => Math.abs(c - x) < 0.2), `mark at ${x} over a bar (${rects.join(", ")})`);
  });

  test("kernel history: bars, dotted lines on the right axis, round right ticks, shaded crash", () => {
    const runs = [run("3.14", 139, [2, 3], [1.2, 5.05]), run("3.15", 0, [1, 2], [0.8, 4.2]), run("4.16", 0, [1, 2], [0.7, 3.9])];
    const svg = kernelHistoryChart(runs).toSvg();
    assert.equal(bars(svg), 6);
    assert.equal(count(svg, /<path class="line"/g), 2);
    assert.equal(count(svg, /<rect class="shape"/g), 1);
    assert.match(svg, /class="annotation"[^>]*>killed by SIGSEGV</);
    const right = [...svg.matchAll(/<text x="([\d.]+)" y="[\d.]+" font-size="\d+" fill="#2a3f5f">([\d.]+)<\/text>/g)].map((m) => Number(m[2]));
    assert.ok(right.length >= 3);
    for (const v of right) assert.ok(Number.isInteger(v * 2), `right tick ${v} on a round step`);
  });

  test("histogram: every bucket on the axis, empty ones included", () => {
    const c = histogramChart([{ name: "a", buckets: [{ min: 512, max: 1023, count: 3 }, { min: 2048, max: 4095, count: 4 }] }], { title: "t", unit: "ns" });
    const svg = c.toSvg();
    assert.match(svg, />\[1K, 2K\)</);
    assert.equal(bars(svg), 2);
  });

  test("many categories: labels rotate rather than overlap; XML is well formed", () => {
    const x = Array.from({ length: 15 }, (_, i) => `category number ${i}`);
    const svg = barChart({ title: "a <b>title</b> & more", x, series: [{ name: "s", y: x.map((_, i) => i) }] }).toSvg();
    assert.match(svg, /rotate\(-45/);
    assert.match(svg, /a title &amp; more/);
    // every element closed: a tag count check in lieu of an XML parser
    const open = count(svg, /<(svg|g|defs|clipPath|title)[ >]/g);
    const close = count(svg, /<\/(svg|g|defs|clipPath|title)>/g);
    assert.equal(open, close);
  });

  test("lines on a numeric x axis, and nice ticks", () => {
    const f: Figure = { data: [{ type: "scatter", mode: "lines", name: "l", x: [1, 2, 3], y: [0.1, 0.4, 0.2] }], layout: { title: "n" } };
    const svg = figureSvg(f);
    assert.equal(count(svg, /<path class="line"/g), 1);
    assert.deepEqual(niceTicks(0, 5.05).ticks, [0, 2, 4, 6]);
    assert.deepEqual(niceTicks(0, 1, 5, 0.25).ticks, [0, 0.25, 0.5, 0.75, 1]);
  });

  test("nothing drawn is said, not left blank", () => {
    const empty: Figure = { data: [{ type: "bar", name: "e", x: ["a"], y: [null] }], layout: {} };
    assert.match(figureSvg(empty), />no data</);
    const odd = { data: [{ type: "heatmap", x: ["a"], y: [1] }], layout: {} } as unknown as Figure;
    assert.match(figureSvg(odd), />no static rendering for heatmap traces/);
  });
});
