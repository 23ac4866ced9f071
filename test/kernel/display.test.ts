// Display helpers without Jupyter: tables, progress, plotly bundles (JSON +
// HTML + text), the offline loader, the charts, the HTML report.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { display, Progress, setDisplaySink, type DisplaySink } from "../../kernel/display.js";
import { bucketLabel, histogramChart, kernelHistoryChart, seedLatencyChart, seedTrapsChart } from "../../present/charts.js";
import { escapeHtml, Table, table, type MimeBundle } from "../../present/mime.js";
import { Chart, figureHtml, figureId, figureText, PLOTLY_MIME, plotlyJsPath, scriptJson, withPlotly, type Figure } from "../../present/plot.js";
import { renderReport } from "../../present/report.js";
import { Disassembly } from "../../present/views.js";
import type { ProbeRun } from "../../lab/probe-run.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import type { SeedTable } from "../../lab/seed.js";

interface Shown {
  bundle: MimeBundle;
  id?: string;
  update?: boolean;
}

function recorder(rich = true): { sink: DisplaySink; shown: Shown[] } {
  const shown: Shown[] = [];
  return { shown, sink: { rich, show: (bundle, id, update) => void shown.push({ bundle, id, update }) } };
}

const seedTable = (kernel: string, cost: string, us: [number, number, number, number], sys = 0): SeedTable => ({
  kernel,
  cost,
  rows: [
    { kind: "uprobe", emulation: true, kernel, cost, us_per_call: us[0], traps_per_hit: 1, syscalls_per_hit: 0, trap_kinds: "int3 1", probe_ns_per_hit: 1, hits: 1e6, path: "emulated", ...(cost === "seed-2017-x86_64" ? { seed_us: 1.55 } : {}) },
    { kind: "uprobe", emulation: false, kernel, cost, us_per_call: us[1], traps_per_hit: 2, syscalls_per_hit: 0, trap_kinds: "int3 1, sstep 1", probe_ns_per_hit: 1, hits: 1e6, path: "xol", ...(cost === "seed-2017-x86_64" ? { seed_us: 3.1 } : {}) },
    { kind: "uretprobe", emulation: true, kernel, cost, us_per_call: us[2], traps_per_hit: 2 - sys, syscalls_per_hit: sys, trap_kinds: "int3 1", probe_ns_per_hit: 1, hits: 1e6, path: "emulated", ...(cost === "seed-2017-x86_64" ? { seed_us: 2.0 } : {}) },
    { kind: "uretprobe", emulation: false, kernel, cost, us_per_call: us[3], traps_per_hit: 3 - sys, syscalls_per_hit: sys, trap_kinds: "int3 1", probe_ns_per_hit: 1, hits: 1e6, path: "xol", ...(cost === "seed-2017-x86_64" ? { seed_us: 3.6 } : {}) },
  ],
});

function fakeRun(kernel: string, status: number, signal?: string): ProbeRun {
  const probe = (name: string, traps: number, sys = 0) => ({
    probe: name,
    kind: "uprobe" as const,
    symbol: name,
    offset: 0,
    address: "0x401000",
    hits: 4,
    path: "emulated" as const,
    traps: { int3: 4, single_step: 4 * (traps - 1), uret_trap: 0, uprobe_syscall: 0, uretprobe_syscall: 4 * sys },
    virtual_ns: 3200,
    traps_per_hit: traps,
    syscalls_per_hit: sys,
    ns_per_hit: 800,
  });
  const r: ProbeRun = {
    binary: "samples/bin/x",
    program: "",
    args: [],
    kernel,
    emulation: true,
    cost: "kvm-6.18",
    status,
    stdout: "",
    stderr: "",
    maps: "",
    mapsJson: [],
    rejections: [],
    warnings: [],
    instructions: 1,
    virtual_ns: 1,
    probes: [probe("probe a", 2), probe("retprobe b", 1, 1)],
    trace: [],
  };
  if (signal) r.signal = signal;
  return r;
}

describe("tables", () => {
  test("text and HTML, numbers right-aligned, escaped", () => {
    const t = new Table(["name", "n"], [["<a&b>", 1.5], ["c", 20]]);
    assert.equal(t.toString(), "name     n\n<a&b>  1.5\nc       20\n");
    const h = t.toHtml();
    assert.match(h, /<td style="text-align:left">&lt;a&amp;b&gt;<\/td><td style="text-align:right">1.5<\/td>/);
    assert.deepEqual(Object.keys(t.toMimeBundle()).sort(), ["text/html", "text/plain"]);
  });

  test("long tables show their first rows and a count", () => {
    const t = new Table(["i"], Array.from({ length: 50 }, (_, i) => [i]), { maxRows: 10 });
    assert.match(t.toString(), /\.\.\. 40 more rows \(50 in all\)\n$/);
    assert.equal((t.toHtml().match(/<tr>/g) ?? []).length, 1 + 10 + 1);
  });

  test("table() from objects", () => {
    const t = table([{ a: 1, b: true, c: "x" }, { a: 2, b: false, c: undefined }]);
    assert.deepEqual(t.headers, ["a", "b", "c"]);
    assert.deepEqual(t.rows, [[1, "yes", "x"], [2, "no", ""]]);
  });

  test("escapeHtml", () => assert.equal(escapeHtml(`<"&>`), "&lt;&quot;&amp;&gt;"));
});

describe("display sinks and progress", () => {
  test("display() sends bundles to the sink", () => {
    const r = recorder();
    setDisplaySink(r.sink);
    try {
      display("hello");
      display({ "text/html": "<b>x</b>", "text/plain": "x" });
      display(new Table(["a"], [[1]]));
    } finally {
      setDisplaySink(undefined);
    }
    assert.deepEqual(r.shown[0]!.bundle, { "text/plain": "hello" });
    assert.equal(r.shown[1]!.bundle["text/html"], "<b>x</b>");
    assert.ok(String(r.shown[2]!.bundle["text/html"]).startsWith("<table"));
  });

  test("progress: one display, updated in place, ending on a line without host times", () => {
    const r = recorder();
    setDisplaySink(r.sink);
    try {
      const p = new Progress("start");
      p.update("first"); // throttled: at most 4 a second
      p.done("3 of 3 done");
    } finally {
      setDisplaySink(undefined);
    }
    const ids = new Set(r.shown.map((s) => s.id));
    assert.equal(ids.size, 1);
    assert.match([...ids][0]!, /^uprobe-lab-progress-\d+$/);
    assert.equal(r.shown[0]!.update, false);
    assert.ok(r.shown.slice(1).every((s) => s.update === true));
    assert.deepEqual(r.shown.at(-1)!.bundle, { "text/plain": "3 of 3 done" });
  });

  test("progress is silent outside notebooks", () => {
    const r = recorder(false);
    setDisplaySink(r.sink);
    try {
      new Progress("x").done("y");
    } finally {
      setDisplaySink(undefined);
    }
    assert.equal(r.shown.length, 0);
  });
});

describe("plotly bundles", () => {
  const fig: Figure = { data: [{ type: "bar", name: "s</script>", x: ["a", "b"], y: [1, 2.25] }], layout: { title: { text: "T" }, xaxis: { title: { text: "X" } } } };

  test("one output: plotly JSON, a static SVG, HTML showing that SVG, and text", () => {
    const b = new Chart(fig).toMimeBundle();
    assert.deepEqual(Object.keys(b).sort(), ["application/vnd.plotly.v1+json", "image/svg+xml", "text/html", "text/plain"]);
    const svg = String(b["image/svg+xml"]);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    // the HTML shows the same picture as an <img> (sanitizers strip inline <svg>, keep data: images)
    const src = /<img class="uprobe-lab-static" src="data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)"/.exec(String(b["text/html"]));
    assert.ok(src, "an <img> with the SVG");
    assert.equal(Buffer.from(src[1]!, "base64").toString("utf8"), svg);
    assert.ok(!String(b["text/html"]).includes("node_modules"), "no path into node_modules");
    assert.deepEqual(b[PLOTLY_MIME], fig);
    assert.equal(b["text/plain"], "T\nX  s</script>\na           1\nb        2.25\n");
  });

  test("deterministic div ids from the content; a repeat gets a suffix", () => {
    const f2 = structuredClone(fig);
    f2.layout.title = { text: "unique-" + Math.PI };
    const a = figureId(f2), b = figureId(f2);
    assert.match(a, /^uplab-[0-9a-f]{12}$/);
    assert.equal(b, a + "-2");
    const f3 = structuredClone(f2);
    assert.equal(figureHtml(f3, "fixed"), figureHtml(structuredClone(f2), "fixed"));
  });

  test("the figure is safe inside <script>", () => {
    const html = figureHtml(fig, "id1");
    assert.ok(!html.includes("s</script>"));
    assert.equal((html.match(/<\/script>/g) ?? []).length, 1);
    assert.equal(scriptJson({ a: "</script><!--\u2028" }), '{"a":"\\u003c/script\\u003e\\u003c!--\\u2028"}');
    assert.match(html, /if \(window\.Plotly\) draw\(\); else \(window\.__uprobeLabPlots/);
  });

  test("figure text lists annotations", () => {
    const f: Figure = { data: [{ type: "bar", x: ["3.14"], y: [null] }], layout: { annotations: [{ x: "3.14", text: "<b>SIGSEGV</b>" }] } };
    assert.match(figureText(f), /notes: 3\.14: SIGSEGV/);
  });

  test("withPlotly: plotly.js inlined (escaped) before the chart, which stays one output", () => {
    const b = withPlotly(new Chart(fig).toMimeBundle());
    const html = String(b["text/html"]);
    assert.ok(html.length > 3_000_000, "plotly.min.js is inlined");
    assert.equal((html.match(/<\/script/gi) ?? []).length, 3, "only our own closing tags");
    assert.ok(!html.includes("<!--"));
    assert.ok(html.indexOf("inlined by uprobe-lab") < html.indexOf('class="uprobe-lab-plot"'));
    assert.deepEqual(Object.keys(b).sort(), ["application/vnd.plotly.v1+json", "image/svg+xml", "text/html", "text/plain"]);
    assert.ok(fs.existsSync(plotlyJsPath()));
  });
});

describe("charts", () => {
  const seed = seedTable("4.16", "seed-2017-x86_64", [1.554, 3.105, 2.005, 3.555]);
  const kvm = seedTable("6.18", "kvm-6.18", [0.804, 4.304, 1.007, 4.508], 1);

  test("traps per hit, emulation on vs off", () => {
    const f = seedTrapsChart([seed, kvm]).figure;
    assert.deepEqual(f.data.map((d) => d.name), ["with push emulation", "without (single-step out of line)"]);
    assert.deepEqual(f.data[0]!.x, ["uprobe<br>4.16, seed-2017-x86_64", "uretprobe<br>4.16, seed-2017-x86_64", "uprobe<br>6.18, kvm-6.18", "uretprobe<br>6.18, kvm-6.18"]);
    assert.deepEqual(f.data[0]!.y, [1, 2, 1, 1]);
    assert.deepEqual(f.data[1]!.y, [2, 3, 2, 2]);
    assert.equal(f.data[0]!.text![3], "1 + 1 syscall");
  });

  test("latency per call with the seed's figures as marks", () => {
    const f = seedLatencyChart([seed, kvm]).figure;
    assert.deepEqual(f.data[0]!.y, [1.554, 2.005, 0.804, 1.007]);
    assert.deepEqual(f.data[1]!.y, [3.105, 3.555, 4.304, 4.508]);
    assert.deepEqual(f.data[2]!.y, [1.55, 2.0, null, null]);
    assert.deepEqual(f.data[3]!.y, [3.1, 3.6, null, null]);
    const one = seedLatencyChart([seed]).figure;
    assert.deepEqual(one.data[0]!.x, ["uprobe", "uretprobe"]);
  });

  test("kernel generations: bars, lines on a second axis, crashes marked", () => {
    const f = kernelHistoryChart([fakeRun("3.14", 139, "SIGSEGV"), fakeRun("3.15", 0)]).figure;
    assert.deepEqual(f.data.map((d) => d.name), ["probe a: traps/hit", "probe a: us/hit", "retprobe b: traps/hit", "retprobe b: syscalls/hit", "retprobe b: us/hit"]);
    assert.deepEqual(f.data[0]!.y, [2, 2]);
    assert.equal(f.data[1]!.yaxis, "y2");
    assert.deepEqual(f.data[1]!.y, [0.8, 0.8]);
    assert.deepEqual(f.data[3]!.y, [1, 1]);
    const ann = f.layout.annotations as { x: number; name: string; text: string }[];
    assert.deepEqual(ann.map((a) => [a.x, a.name, a.text]), [[0, "3.14", "<b>killed by SIGSEGV</b>"]]);
    assert.match(new Chart(f).toString(), /notes: 3\.14: killed by SIGSEGV/);
    const three = kernelHistoryChart([fakeRun("3.5", 139, "SIGSEGV"), fakeRun("3.10", 139, "SIGSEGV"), fakeRun("3.15", 0)]).figure;
    assert.deepEqual((three.layout.annotations as { x: number; name: string }[]).map((a) => [a.x, a.name]), [[0.5, "3.5,3.10"]]);
    assert.deepEqual((three.layout.shapes as { x0: number; x1: number }[]).map((s) => [s.x0, s.x1]), [[-0.5, 1.5]]);
    assert.equal((f.layout.shapes as unknown[]).length, 1);
    // each probe's markers and line sit over its own bar of the group
    assert.deepEqual(f.data.map((d) => d.offsetgroup), ["probe a", "probe a", "retprobe b", "retprobe b", "retprobe b"]);
    // both axes tick on round steps, with as many intervals (ticks line up)
    const y = f.layout.yaxis as { range: number[]; dtick: number }, y2 = f.layout.yaxis2 as { range: number[]; dtick: number };
    assert.equal(y.dtick, 1);
    assert.equal(y.range[1]! / y.dtick, y2.range[1]! / y2.dtick);
    assert.ok([1, 2, 2.5, 5].some((m) => Math.abs(y2.dtick / 10 ** Math.floor(Math.log10(y2.dtick)) - m) < 1e-9), String(y2.dtick));
  });

  test("latency histograms: bpftrace bucket labels, series aligned", () => {
    assert.equal(bucketLabel({ min: 256, max: 511, count: 1 }), "[256, 512)");
    assert.equal(bucketLabel({ min: 1024, max: 2047, count: 1 }), "[1K, 2K)");
    assert.equal(bucketLabel({ min: 1 << 20, max: (2 << 20) - 1, count: 1 }), "[1M, 2M)");
    assert.equal(bucketLabel({ min: 0, max: 0, count: 1 }), "[0]");
    const f = histogramChart(
      [
        { name: "a", buckets: [{ min: 256, max: 511, count: 3 }] },
        { name: "b", buckets: [{ min: 512, max: 1023, count: 5 }] },
      ],
      { title: "t", unit: "ns" },
    ).figure;
    assert.deepEqual(f.data[0]!.x, ["[256, 512)", "[512, 1K)"]);
    assert.deepEqual(f.data[0]!.y, [3, 0]);
    assert.deepEqual(f.data[1]!.y, [0, 5]);
    // an empty bucket between two others stays on the axis, with 0
    const gap = histogramChart([{ name: "a", buckets: [{ min: 512, max: 1023, count: 3 }, { min: 2048, max: 4095, count: 4 }] }], { title: "t", unit: "ns" }).figure;
    assert.deepEqual(gap.data[0]!.x, ["[512, 1K)", "[1K, 2K)", "[2K, 4K)"]);
    assert.deepEqual(gap.data[0]!.y, [3, 0, 4]);
    const low = histogramChart([{ name: "a", buckets: [{ min: 0, max: 0, count: 1 }, { min: 4, max: 7, count: 2 }] }], { title: "t", unit: "ns" }).figure;
    assert.deepEqual(low.data[0]!.x, ["[0]", "[1]", "[2, 4)", "[4, 8)"]);
    // the legend is below the x axis title, in the bottom margin (it overlapped the title)
    assert.deepEqual(f.layout.legend, { orientation: "h", x: 0, xanchor: "left", y: 0, yanchor: "bottom", yref: "container" });
  });

  test("the standalone report inlines plotly.js once and draws each chart", () => {
    const html = renderReport("R <1>", [{ h2: "a" }, { p: "para" }, seedTrapsChart([seed]), new Table(["x"], [[1]]), { pre: "<pre>" }]);
    assert.match(html, /^<!DOCTYPE html>/);
    assert.equal((html.match(/plotly\.js 4\.1\.2, inlined/g) ?? []).length, 1);
    assert.equal((html.match(/class="uprobe-lab-plot"/g) ?? []).length, 1);
    assert.match(html, /<title>R &lt;1&gt;<\/title>/);
    assert.match(html, /&lt;pre&gt;/);
    assert.ok(!/\d{4}-\d\d-\d\dT\d\d:/.test(html.slice(html.indexOf("</head>"))), "no timestamps");
  });
});

describe("disassembly table", () => {
  test("address, bytes, instruction and probes are left-aligned; code padded to one width", () => {
    const sym = { name: "test", addr: 0x401139, size: 3 } as ConstructorParameters<typeof Disassembly>[1];
    const d = new Disassembly("push-O0", sym, [
      { addr: 0x401139, offset: 0, bytes: "55", text: "push %rbp", marks: ["probe test:0"] },
      { addr: 0x40113a, offset: 1, bytes: "48 89 e5", text: "mov %rsp,%rbp", marks: [] },
    ]);
    const html = d.toHtml();
    const row = html.split("\n").find((l) => l.includes("push %rbp"))!;
    const cells = [...row.matchAll(/<td([^>]*)>/g)].map((m) => m[1]);
    assert.deepEqual(cells, ["", ' style="text-align:left"', ' style="text-align:right"', ' style="text-align:left"', ' style="text-align:left"', ' style="text-align:left"']);
    // where a sanitizer drops the style (classic Notebook, untrusted), equal widths keep the code aligned
    assert.match(row, /<code>55&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;<\/code>/);
    assert.match(row, /<code>push %rbp&nbsp;&nbsp;&nbsp;&nbsp;<\/code>/);
  });
});
