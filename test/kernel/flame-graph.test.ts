// Flame graphs of stack maps (present/flame-graph.ts): which maps are stack
// maps (every ustack mode, with other key parts, stackcount's maps and its
// folded lines), the merged and sorted folded stacks, the chart's four
// formats (the icicle figure flipped upward, a static SVG with a rect per
// frame, HTML without any CDN, the folded text), byte-identical output on
// a second build, a non-stack map still as bars, and notebook 07 executed
// through Jupyter: frame pointers give `leaf` alone, ustack(cfi) and
// stackcount --unwind cfi give both chains.

import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { executeNotebook } from "../../kernel/nbexec.js";
import type { MapData } from "../../lab/map-values.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { FlameGraph, flameGraph, foldedStacks, isStackMap, parseFolded } from "../../present/flame-graph.js";
import { mapChart } from "../../present/map-charts.js";
import { PLOTLY_MIME } from "../../present/plot.js";
import { cellText, cellWith, figures, readNotebook, requireNotebookTools, tmpDir } from "./helpers.js";

const map = (keys: [string, number][], kind: MapData["kind"] = "count"): MapData => ({ name: "@s", kind, keyed: true, rows: keys.map(([key, value]) => ({ key, keys: key.split(","), value })) });

const BPFTRACE = (frames: string[]): string => "\n" + frames.map((f) => `        ${f}\n`).join("");

describe("stack maps and their folded stacks", () => {
  test("bpftrace's mode: leaf first as printed, root first when folded; offsets dropped, stacks merged by function", () => {
    const m = map([
      [BPFTRACE(["leaf+0", "mid+40", "top+24", "main+29"]), 2],
      [BPFTRACE(["leaf+0", "mid+40", "top+12", "main+29"]), 3],
      [BPFTRACE(["leaf+0", "cmp+14", "0x7ffff7e27b9d", "main+96"]), 1],
    ]);
    assert.ok(isStackMap(m));
    assert.deepEqual(foldedStacks(m), [
      { frames: ["main", "0x7ffff7e27b9d", "cmp", "leaf"], count: 1 },
      { frames: ["main", "top", "mid", "leaf"], count: 5 },
    ]);
  });
  test("perf's mode with a comm key, bcc's mode (stackcount) and folded keys: the other key parts above the root", () => {
    const perf = map([[`chain,\n\t401136 leaf+0 (/tmp/chain)\n\t40120a f(int, int)+26 (/tmp/chain)\n`, 4]]);
    assert.deepEqual(foldedStacks(perf), [{ frames: ["chain", "f(int, int)", "leaf"], count: 4 }]);
    const bcc = map([["  leaf\n  main\n,chain,1000", 7]]);
    assert.deepEqual(foldedStacks(bcc), [{ frames: ["chain, 1000", "main", "leaf"], count: 7 }]);
    const folded = map([["chain,main;top;leaf", 3]]);
    assert.deepEqual(foldedStacks(folded), [{ frames: ["chain", "main", "top", "leaf"], count: 3 }]);
  });
  test("not stack maps: plain string keys, hist values, an unkeyed count", () => {
    assert.ok(!isStackMap(map([["foo", 1], ["bar", 2]])));
    assert.ok(!isStackMap({ name: "@h", kind: "hist", keyed: true, rows: [{ key: BPFTRACE(["a+0"]), keys: [], value: [] }] }));
    assert.ok(!isStackMap({ name: "n", kind: "count", keyed: false, rows: [{ key: "", keys: [], value: 3 }] }));
    assert.equal(mapChart(map([["foo", 1], ["bar", 2]])).figure.data[0]!.type, "bar", "a plain map stays bars");
  });
  test("stackcount -f's output lines (guest output and banners skipped)", () => {
    const text = 'Tracing 1 functions for "chain:leaf"... Hit Ctrl-C to end.\n1152 0\n\nchain;_start;main;top;mid;leaf 48\nchain;_start;main;qsort_r;cmp;leaf 9\nDetaching...\n';
    assert.deepEqual(parseFolded(text), [
      { frames: ["chain", "_start", "main", "top", "mid", "leaf"], count: 48 },
      { frames: ["chain", "_start", "main", "qsort_r", "cmp", "leaf"], count: 9 },
    ]);
  });
});

describe("the flame graph chart", () => {
  const m = map([
    [BPFTRACE(["leaf+0", "mid+40", "top+24", "main+29"]), 48],
    [BPFTRACE(["leaf+0", "cmp+14", "qsort_r+182", "main+96"]), 9],
  ]);
  test("an icicle trace flipped upward: ids, parents and values as a tree (branchvalues total), siblings in order", () => {
    const fig = (mapChart(m, "t") as FlameGraph).figure;
    const t = fig.data[0] as unknown as { type: string; ids: string[]; parents: string[]; values: number[]; labels: string[]; tiling: { orientation: string; flip: string } };
    assert.equal(t.type, "icicle");
    assert.deepEqual(t.tiling, { orientation: "v", flip: "y", pad: 0 });
    assert.deepEqual(t.labels, ["@s", "main", "qsort_r", "cmp", "leaf", "top", "mid", "leaf"]);
    assert.deepEqual(t.values, [57, 57, 9, 9, 9, 48, 48, 48]);
    assert.deepEqual(t.parents, ["", "all", "all;main", "all;main;qsort_r", "all;main;qsort_r;cmp", "all;main", "all;main;top", "all;main;top;mid"]);
  });
  test("four formats: figure, SVG (a rect per frame), HTML (the picture, nothing from a CDN), folded text; the same bytes twice", () => {
    const a = flameGraph(m, "leaf stacks").toMimeBundle();
    const b = flameGraph(m, "leaf stacks").toMimeBundle();
    const svg = String(a["image/svg+xml"]);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.equal((svg.match(/<rect class="bar"/g) ?? []).length, 8);
    assert.match(String(a["text/html"]), /<img class="uprobe-lab-static" src="data:image\/svg\+xml;base64,/);
    assert.ok(!/https?:\/\/cdn|<script[^>]+src=/.test(String(a["text/html"])));
    assert.equal(a["text/plain"], "leaf stacks\nmain;qsort_r;cmp;leaf 9\nmain;top;mid;leaf 48\n");
    assert.ok(a[PLOTLY_MIME]);
    assert.equal(JSON.stringify(a["image/svg+xml"]), JSON.stringify(b["image/svg+xml"]));
    assert.equal(JSON.stringify(a[PLOTLY_MIME]), JSON.stringify(b[PLOTLY_MIME]));
  });
});

describe("notebook 07: ustack against ustack(cfi), as flame graphs", { ...requireNotebookTools(), timeout: 600_000 }, () => {
  test("executed through Jupyter: frame pointers see leaf alone; the CFI stacks and stackcount's folded lines hold both chains", () => {
    const out = tmpDir("flame");
    const name = "07-flame-graphs.ipynb";
    const r = executeNotebook(path.join(PROJECT_ROOT, "notebooks", name), path.join(out, name), { env: { UPROBE_LAB_PLOTLY: "none" }, cellTimeout: 240 });
    assert.ok(r.ok, r.stderr);
    const nb = readNotebook(path.join(out, name));
    for (const c of nb.cells) for (const o of c.outputs ?? []) assert.ok(o.output_type !== "error" && !(o.output_type === "stream" && o.name === "stderr"), "an error or stderr output");
    assert.match(cellText(cellWith(nb, "--name fp")), /@stacks\[\n {4}leaf\+0\n\]: 83/);
    const cfi = cellText(cellWith(nb, "--name cfi"));
    assert.match(cfi, /leaf\+0\n {4}mid\+\d+\n {4}top\+\d+\n {4}main\+\d+/);
    assert.match(cfi, /leaf\+0\n {4}cmp\+\d+\n/);
    const figs = figures(nb);
    assert.equal(figs.length, 2);
    for (const f of figs) {
      const t = f.data[0] as unknown as { type: string; labels: string[]; values: number[] };
      assert.equal(t.type, "icicle");
      assert.equal(t.values[0], 83, "every hit under the root");
      for (const fn of ["main", "top", "mid", "qsort_r", "cmp", "leaf"]) assert.ok(t.labels.includes(fn), `${fn} in the flame graph`);
    }
    // libc's local frame is [unknown], or named from libc6-dbg's detached debug file where it is installed
    assert.match(cellText(cellWith(nb, "stackcountProgram")), /^chain;_start;__libc_start_main;(?:\[unknown\]|__libc_start_call_main);main;top;mid;leaf 48$/m);
  });
});
