// Plotly figures, offline. A chart is one output with three formats:
//   application/vnd.plotly.v1+json  the figure (JupyterLab with the plotly
//                                   extension, VS Code; no script needed)
//   text/html                       a <div> and a script drawing it with
//                                   window.Plotly (classic notebook, trusted
//                                   JupyterLab, nbconvert HTML, reports)
//   text/plain                      the data as a table (terminals, GitHub
//                                   diffs, tests)
// plotly.js itself never comes from a CDN: plotlyLoader() inlines
// node_modules/plotly.js-dist-min (or references that file by a relative
// path), once per notebook. A chart drawn before plotly.js is there waits
// in a queue that the loader flushes.
//
// Div ids are hashes of the figure, so the same figure gives the same
// output on every run.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { PROJECT_ROOT } from "../lab/paths.js";
import { formatTextTable, type Cell } from "../lab/text-table.js";
import type { Displayable, MimeBundle } from "./mime.js";

export interface Trace {
  type: "bar" | "scatter";
  name?: string;
  x: (string | number)[];
  y: (number | null)[];
  text?: string[];
  [key: string]: unknown;
}

export interface Figure {
  data: Trace[];
  layout: Record<string, unknown>;
}

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** Colours used for the same meaning across charts. */
export const COLORS = {
  emulated: "#2a9d8f",
  xol: "#e76f51",
  seed: "#264653",
  series: ["#2a9d8f", "#e76f51", "#457b9d", "#e9c46a", "#8d5a97", "#6a994e", "#bc4749", "#577590"],
  crash: "rgba(214, 40, 40, 0.12)",
};

const usedIds = new Map<string, number>();

/** A deterministic div id: a hash of the figure (a counter suffix if the same figure is shown twice). */
export function figureId(fig: Figure): string {
  const base = "uplab-" + createHash("sha256").update(JSON.stringify(fig)).digest("hex").slice(0, 12);
  const n = (usedIds.get(base) ?? 0) + 1;
  usedIds.set(base, n);
  return n === 1 ? base : `${base}-${n}`;
}

/** JSON that is safe inside a <script> element. */
export function scriptJson(x: unknown): string {
  return JSON.stringify(x)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

const QUEUE = "__uprobeLabPlots";

/** The HTML of a chart: a div and the script that draws it (now, or once plotly.js is loaded). */
export function figureHtml(fig: Figure, id = figureId(fig)): string {
  const height = typeof fig.layout.height === "number" ? fig.layout.height : 420;
  return (
    `<div id="${id}" class="uprobe-lab-plot" style="width:100%;max-width:960px;height:${height}px"></div>\n` +
    `<script type="text/javascript">(function () {\n` +
    `  var fig = ${scriptJson(fig)};\n` +
    `  function draw() { window.Plotly.newPlot(${JSON.stringify(id)}, fig.data, fig.layout, {displaylogo: false, responsive: true}); }\n` +
    `  if (window.Plotly) draw(); else (window.${QUEUE} = window.${QUEUE} || []).push(draw);\n` +
    `})();</script>`
  );
}

/** The data of a figure as a text table (x and one column per trace). */
export function figureText(fig: Figure): string {
  const title = layoutTitle(fig);
  const lines: string[] = [];
  if (title) lines.push(title);
  // Group traces by axis, so a twin-axis chart reads as two tables.
  const xs: (string | number)[] = [];
  for (const t of fig.data) for (const x of t.x) if (!xs.includes(x)) xs.push(x);
  const headers = [String(axisTitle(fig.layout.xaxis) || "x"), ...fig.data.map((t, i) => t.name ?? `trace ${i}`)];
  const rows: Cell[][] = xs.map((x) => [
    String(x),
    ...fig.data.map((t) => {
      const i = t.x.indexOf(x);
      const y = i >= 0 ? t.y[i] : null;
      return y === null || y === undefined ? "" : +y.toFixed(3);
    }),
  ]);
  lines.push(formatTextTable(headers, rows, { align: headers.map((_, i) => (i ? "r" : "l")) }).trimEnd());
  const notes = ((fig.layout.annotations as { text?: string; x?: unknown; name?: string }[] | undefined) ?? []).map((a) => {
    const where = a.name?.replace(/,/g, ", ") ?? (typeof a.x === "number" && fig.data[0]?.x[a.x] !== undefined ? fig.data[0].x[a.x] : a.x);
    return `${where !== undefined ? where + ": " : ""}${String(a.text ?? "").replace(/<[^>]+>/g, "")}`;
  });
  if (notes.length) lines.push("notes: " + notes.join("; "));
  return lines.join("\n") + "\n";
}

function layoutTitle(fig: Figure): string {
  const t = fig.layout.title as { text?: string } | string | undefined;
  return (typeof t === "string" ? t : t?.text ?? "").replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();
}

function axisTitle(a: unknown): string {
  const t = (a as { title?: { text?: string } | string } | undefined)?.title;
  return typeof t === "string" ? t : t?.text ?? "";
}

/** A figure that displays itself as one output (plotly JSON + HTML + text). */
export class Chart implements Displayable {
  constructor(readonly figure: Figure) {}

  toMimeBundle(): MimeBundle {
    return {
      [PLOTLY_MIME]: this.figure,
      "text/html": figureHtml(this.figure),
      "text/plain": figureText(this.figure),
    };
  }

  toString(): string {
    return figureText(this.figure);
  }
}

// ---- plotly.js, offline ----

const req = createRequire(import.meta.url);

/** Absolute path of node_modules/plotly.js-dist-min/plotly.min.js (the project's own copy when there is one). */
export function plotlyJsPath(): string {
  const own = path.join(PROJECT_ROOT, "node_modules", "plotly.js-dist-min", "plotly.min.js");
  return fs.existsSync(own) ? own : req.resolve("plotly.js-dist-min/plotly.min.js");
}

export function plotlyVersion(): string {
  return (req("plotly.js-dist-min/package.json") as { version: string }).version;
}

let plotlySource: string | undefined;

/** plotly.min.js, made safe to inline in a <script> element. */
export function plotlyInlineSource(): string {
  return (plotlySource ??= fs.readFileSync(plotlyJsPath(), "utf8").replace(/<\/script/gi, "<\\/script").replace(/<!--/g, "<\\!--"));
}

const FLUSH = `(function () { var q = window.${QUEUE} || []; window.${QUEUE} = []; for (var i = 0; i < q.length; i++) q[i](); })();`;

export type PlotlyMode = "inline" | "reference";

/**
 * The output that makes plotly.js available to the charts after it:
 * "inline" puts the whole library (~4.8 MB) in the output, so the notebook
 * and its HTML export work anywhere offline; "reference" loads the file from
 * node_modules by a path relative to `fromDir` (the notebook's folder), which
 * keeps the notebook small and works for exports kept next to the notebook.
 */
export function plotlyLoader(mode: PlotlyMode = "inline", fromDir = process.cwd()): MimeBundle {
  const v = plotlyVersion();
  if (mode === "reference") {
    const rel = path.relative(fromDir, plotlyJsPath()).split(path.sep).join("/");
    return {
      "text/html": `<script type="text/javascript" src="${rel}"></script>\n<script type="text/javascript">${FLUSH}</script>`,
      "text/plain": `plotly.js ${v}: loaded from ${rel.replace(/^(\.\.\/)+/, "")} (offline)`,
    };
  }
  return {
    "text/html": `<script type="text/javascript">/* plotly.js ${v}, inlined by uprobe-lab */\n${plotlyInlineSource()}\n</script>\n<script type="text/javascript">${FLUSH}</script>`,
    "text/plain": `plotly.js ${v}: inlined (offline)`,
  };
}
