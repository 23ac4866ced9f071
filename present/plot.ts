// Charts: plotly figures that show wherever a notebook is read. A chart is
// one output carrying four formats:
//   application/vnd.plotly.v1+json  the figure (JupyterLab with the plotly
//                                   renderer, VS Code: interactive, no script)
//   image/svg+xml                   a static rendering made here
//                                   (present/svg.ts): GitHub, nbviewer, any
//                                   viewer that runs no script
//   text/html                       the same picture as an <img> with a data:
//                                   URI (HTML sanitizers keep it; they strip
//                                   inline <svg>), and a script that swaps in
//                                   the interactive chart when window.Plotly is
//                                   there (classic notebook, trusted
//                                   JupyterLab, nbconvert HTML, reports)
//   text/plain                      the data as a table (terminals, diffs)
// So no chart is ever blank: without plotly.js the picture stays. plotly.js
// never comes from a CDN or a relative path: withPlotly() inlines it into an
// output (the kernel does so once per cell that draws a chart, so deleting or
// re-running any cell never strands the others); a chart drawn before
// plotly.js is on the page waits in a queue that the library's arrival flushes.
//
// Ids are hashes of the figure, so the same figure gives the same bytes on
// every run.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { figureSvg } from "./svg.js";
import { PROJECT_ROOT } from "../lab/paths.js";
import { formatTextTable, type Cell } from "../lab/text-table.js";
import { escapeHtml, type Displayable, type MimeBundle } from "./mime.js";

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

/** The HTML of a chart: the static picture, and the script that replaces it with the plotly chart once plotly.js is there. */
export function figureHtml(fig: Figure, id = figureId(fig), svg = figureSvg(fig)): string {
  const height = typeof fig.layout.height === "number" ? fig.layout.height : 420;
  const alt = escapeHtml(layoutTitle(fig) || "chart");
  const src = "data:image/svg+xml;base64," + Buffer.from(svg, "utf8").toString("base64");
  return (
    `<div id="${id}" class="uprobe-lab-plot" style="width:100%;max-width:960px">` +
    `<img class="uprobe-lab-static" src="${src}" alt="${alt}" width="960" height="${height}" style="width:100%;height:auto;max-width:960px">` +
    `</div>\n` +
    `<script type="text/javascript">(function () {\n` +
    `  var fig = ${scriptJson(fig)};\n` +
    `  function draw() {\n` +
    `    var box = document.getElementById(${JSON.stringify(id)});\n` +
    `    if (!box || !window.Plotly || box.getAttribute("data-live")) return;\n` +
    `    box.setAttribute("data-live", "1");\n` +
    `    var img = box.querySelector("img"), div = document.createElement("div");\n` +
    `    div.className = "uprobe-lab-live"; div.style.height = "${height}px"; box.appendChild(div);\n` +
    `    // the picture goes only once plotly has drawn: a failure leaves it in place\n` +
    `    new Promise(function (ok) { ok(window.Plotly.newPlot(div, fig.data, fig.layout, {displaylogo: false, responsive: true})); })\n` +
    `      .then(function () { if (img) img.style.display = "none"; }, function () { box.removeChild(div); });\n` +
    `  }\n` +
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
    String(x).replace(/<br\s*\/?>/gi, " ").replace(/<[^>]+>/g, ""),
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

/** A figure that displays itself as one output (plotly JSON + SVG + HTML + text). */
export class Chart implements Displayable {
  constructor(readonly figure: Figure) {}

  /** The static rendering (what viewers without scripts show). */
  toSvg(): string {
    return figureSvg(this.figure);
  }

  toMimeBundle(): MimeBundle {
    const svg = this.toSvg();
    return {
      [PLOTLY_MIME]: this.figure,
      "image/svg+xml": svg,
      "text/html": figureHtml(this.figure, figureId(this.figure), svg),
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

/**
 * How the kernel makes plotly.js available to the HTML of its charts:
 * "inline" puts the library (~4.8 MB) into the first chart output of each
 * cell that draws one, so every such cell works on its own, offline, in the
 * notebook and its nbconvert export; "none" never does (small notebooks: the
 * static picture, interactive only where a plotly renderer reads the JSON).
 */
export type PlotlyMode = "inline" | "none";

/** A chart bundle whose HTML also carries plotly.js, loaded before the chart's own script. */
export function withPlotly(bundle: MimeBundle): MimeBundle {
  const html = typeof bundle["text/html"] === "string" ? bundle["text/html"] : "";
  return {
    ...bundle,
    "text/html": `<script type="text/javascript">/* plotly.js ${plotlyVersion()}, inlined by uprobe-lab */\n${plotlyInlineSource()}\n</script>\n<script type="text/javascript">${FLUSH}</script>\n${html}`,
  };
}
