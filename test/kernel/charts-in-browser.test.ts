// Charts wherever a notebook is read, checked in a real browser: the stored
// notebooks (and one executed here with plotly.js inlined) opened in a real
// Jupyter Notebook server, untrusted (as a fresh clone is) and trusted, and
// their nbconvert HTML exports, all in headless Chromium. Every chart must
// show drawn marks: the static SVG picture where no script runs or plotly.js
// is absent, the interactive plotly chart where it is there. Without a
// browser: every chart output of every stored notebook carries the static
// image, and the stored notebooks stay small.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser } from "puppeteer-core";
import { executeNotebook } from "../../kernel/nbexec.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { hasPlotlyRenderer, jupyterEnv, launchBrowser, missingBrowserTools, openCharts, startNotebookServer, trust, type ChartView, type NotebookServer, type ServerOptions } from "./browser.js";
import { nbconvertHtml, readNotebook, requireNotebookTools, tmpDir, type Notebook } from "./helpers.js";

const NOTEBOOKS = path.join(PROJECT_ROOT, "notebooks");
const STORED = fs.readdirSync(NOTEBOOKS).filter((f) => f.endsWith(".ipynb")).sort();
const PLOTLY = "application/vnd.plotly.v1+json";

/** The chart outputs of a notebook (those carrying a plotly figure). */
function chartOutputs(nb: Notebook): Record<string, unknown>[] {
  return nb.cells.flatMap((c) => (c.outputs ?? []).map((o) => o.data ?? {}).filter((d) => d[PLOTLY]));
}

const joined = (x: unknown): string => (Array.isArray(x) ? x.join("") : String(x ?? ""));

/** A static picture that is there and drawn: loaded, sized, and with coloured marks in it. */
function assertStatic(v: ChartView, where: string): void {
  assert.ok(v.img, `${where}: no static picture`);
  assert.ok(v.img.visible && v.img.naturalWidth > 0, `${where}: the picture did not load (${JSON.stringify(v.img)})`);
  assert.ok(v.img.width > 300 && v.img.height > 120, `${where}: the picture is ${v.img.width}x${v.img.height}`);
  assert.ok(v.img.ink > 0.01, `${where}: the picture has no drawn marks (ink ${v.img.ink})`);
}

/** An interactive chart plotly drew (in place of the picture, or from the JSON through Lab's plotly renderer). */
function assertLive(v: ChartView, where: string): void {
  assert.ok(v.live, `${where}: plotly did not draw`);
  assert.ok(v.live.width > 300 && v.live.height > 120, `${where}: the plotly chart is ${v.live.width}x${v.live.height}`);
  assert.ok(v.live.marks > 0, `${where}: the plotly chart has no marks`);
  assert.ok(!v.img?.visible, `${where}: the static picture is still shown next to the live chart`);
}

describe("stored notebooks: every chart carries its static image", () => {
  for (const name of STORED)
    test(name, () => {
      const file = path.join(NOTEBOOKS, name);
      const nb = readNotebook(file);
      const charts = chartOutputs(nb);
      assert.ok(charts.length > 0, "it has charts");
      for (const [i, d] of charts.entries()) {
        const svg = joined(d["image/svg+xml"]);
        assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, `chart ${i}: image/svg+xml`);
        assert.ok((svg.match(/<rect class="bar"|<path class="(line|mark)"|<circle class="mark"/g) ?? []).length > 0, `chart ${i}: marks in the SVG`);
        const html = joined(d["text/html"]);
        assert.match(html, /<img class="uprobe-lab-static" src="data:image\/svg\+xml;base64,/, `chart ${i}: the HTML shows the picture`);
        assert.ok(!/node_modules|https?:\/\/cdn|<script[^>]+src=/.test(html), `chart ${i}: nothing loaded from a path or a CDN`);
        assert.ok(joined(d["text/plain"]).length > 0);
      }
      // committed files: the static pictures and the plotly JSON, never plotly.js itself
      assert.ok(fs.statSync(file).size < 500_000, `${name} is ${fs.statSync(file).size} bytes`);
    });
});

describe("charts in a real browser, in headless Chromium", { ...requireNotebookTools(), timeout: 600_000 }, () => {
  const missing = missingBrowserTools();
  if (missing) throw new Error(`missing ${missing}`);
  const root = tmpDir("browser");
  const src = path.join(root, "src");
  const expected = new Map<string, number>();
  let browser: Browser | undefined;

  before(async () => {
    fs.mkdirSync(src, { recursive: true });
    for (const name of STORED) {
      fs.copyFileSync(path.join(NOTEBOOKS, name), path.join(src, name));
      expected.set(name, chartOutputs(readNotebook(path.join(src, name))).length);
    }
    // A notebook run live with plotly.js inlined: two cells, three charts;
    // plotly.js rides in the first chart of each cell, and the second chart of
    // the first cell relies on it.
    const bar = (t: string) => `charts.bar({ title: "${t}", x: ["a", "b", "c"], series: [{ name: "s", y: [1, 3, 2] }, { name: "t", y: [2, 1, 3] }] })`;
    const nb = {
      cells: [`plot(${bar("one")});\nplot(${bar("two")})`, `plot(${bar("three")})`].map((s) => ({ cell_type: "code", source: s, metadata: {}, outputs: [], execution_count: null })),
      metadata: { kernelspec: { name: "uprobe-lab", display_name: "uprobe-lab (TypeScript)", language: "typescript" } },
      nbformat: 4,
      nbformat_minor: 5,
    };
    const live = path.join(root, "live-src.ipynb");
    fs.writeFileSync(live, JSON.stringify(nb));
    const r = executeNotebook(live, path.join(src, "live.ipynb"), { env: { UPROBE_LAB_PLOTLY: "inline" }, cwd: root, cellTimeout: 120 });
    assert.ok(r.ok, r.stdout + r.stderr);
    expected.set("live.ipynb", 3);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  });

  test("plotly.js is inlined once per cell that draws a chart", () => {
    const nb = readNotebook(path.join(src, "live.ipynb"));
    const carries = nb.cells.map((c) => (c.outputs ?? []).map((o) => joined(o.data?.["text/html"]).includes("inlined by uprobe-lab")));
    assert.deepEqual(carries, [[true, false], [true]]);
  });

  /** The notebooks served by one Jupyter front end, untrusted then trusted (its own copies, its own Jupyter dirs). */
  function frontEnd(label: string, o: ServerOptions & { renderer?: boolean }): void {
    describe(label, () => {
      const dir = path.join(root, label.replace(/\W+/g, "-"));
      let env: NodeJS.ProcessEnv = {};
      let server: NotebookServer | undefined;
      before(async () => {
        fs.mkdirSync(dir, { recursive: true });
        for (const name of expected.keys()) fs.copyFileSync(path.join(src, name), path.join(dir, name));
        env = jupyterEnv(path.join(dir, ".jupyter"));
        server = await startNotebookServer(dir, env, o);
      });
      after(() => server?.stop());

      test("untrusted (a fresh clone): every chart is drawn: its static picture (or, with a plotly renderer, the JSON)", async () => {
        for (const [name, n] of expected) {
          const views = await openCharts(browser!, server!.url(name), n);
          assert.equal(views.length, n, `${name}: ${views.length} of ${n} chart pictures on the page\n${server!.log().slice(-2000)}`);
          // no script runs; a plotly renderer (JupyterLab's extension) still draws the JSON
          views.forEach((v, i) => (o.renderer ? assertLive(v, `${name} chart ${i}`) : assertStatic(v, `${name} chart ${i}`)));
          assert.ok(o.renderer || views.every((v) => !v.live), `${name}: no script ran`);
        }
      });

      test("trusted: the interactive chart where plotly.js is in the notebook, the picture elsewhere", async () => {
        trust([...expected.keys()].map((n) => path.join(dir, n)), env, o.python);
        for (const [name, n] of expected) {
          const live = o.renderer || name === "live.ipynb";
          const views = await openCharts(browser!, server!.url(name), n, { live });
          assert.equal(views.length, n, `${name}: ${views.length} of ${n} charts`);
          views.forEach((v, i) => (live ? assertLive(v, `${name} chart ${i} (trusted)`) : assertStatic(v, `${name} chart ${i} (trusted)`)));
        }
      });
    });
  }

  frontEnd("Jupyter Notebook 6", { app: "notebook" });

  // JupyterLab is not in Debian: the leg runs where a python with jupyterlab is
  // named (UPROBE_LAB_JUPYTERLAB_PYTHON=/path/to/venv/bin/python3).
  const labPython = process.env.UPROBE_LAB_JUPYTERLAB_PYTHON;
  if (labPython) {
    const renderer = hasPlotlyRenderer(labPython);
    frontEnd(`JupyterLab 4${renderer ? " with the plotly renderer" : ""}`, { app: "lab", python: labPython, timeoutMs: 120_000, renderer });
  }
  else test.skip("JupyterLab 4 (set UPROBE_LAB_JUPYTERLAB_PYTHON to a python that has jupyterlab)");

  test("nbconvert HTML exports: pictures offline, interactive charts where plotly.js was inlined", async () => {
    const out = path.join(root, "html");
    fs.mkdirSync(out);
    for (const [name, n] of expected) {
      const html = nbconvertHtml(path.join(src, name), out);
      const live = name === "live.ipynb";
      const views = await openCharts(browser!, `file://${html}`, n, { live, timeoutMs: 30_000 });
      assert.equal(views.length, n, `${name}: ${views.length} of ${n} charts in the export`);
      views.forEach((v, i) => (live ? assertLive(v, `${name}.html chart ${i}`) : assertStatic(v, `${name}.html chart ${i}`)));
    }
  });
});
