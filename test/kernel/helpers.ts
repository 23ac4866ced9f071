// Helpers for the notebook-side tests: reading executed notebooks, and
// counting the plotly charts a headless Chromium draws in an HTML file.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { MimeBundle } from "../../present/mime.js";
import { findPython } from "../../kernel/nbexec.js";

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: MimeBundle;
}

export interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: Output[];
  metadata?: Record<string, unknown>;
  execution_count?: number | null;
}

export interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown>;
}

export function readNotebook(p: string): Notebook {
  return JSON.parse(fs.readFileSync(p, "utf8")) as Notebook;
}

const join = (x: string | string[] | undefined): string => (Array.isArray(x) ? x.join("") : x ?? "");

export function source(c: Cell): string {
  return join(c.source);
}

/** The text a reader sees of one output: stream text, or the text/plain of a display. */
function outputText(o: Output): string {
  if (o.output_type === "stream") return join(o.text);
  return join(o.data?.["text/plain"] as string | string[] | undefined);
}

export function cellText(c: Cell): string {
  return (c.outputs ?? []).map(outputText).join("\n");
}

/** The cell whose source contains `needle`. */
export function cellWith(nb: Notebook, needle: string): Cell {
  const c = nb.cells.find((x) => x.cell_type === "code" && source(x).includes(needle));
  if (!c) throw new Error(`no code cell containing ${JSON.stringify(needle)}`);
  return c;
}

export interface PlotlyFigure {
  data: { name?: string; x: (string | number)[]; y: (number | null)[]; text?: string[] }[];
  layout: { title?: { text?: string }; annotations?: { x?: string; text?: string }[] };
}

/** Every plotly figure in a notebook's outputs, in order. */
export function figures(nb: Notebook): PlotlyFigure[] {
  const out: PlotlyFigure[] = [];
  for (const c of nb.cells) for (const o of c.outputs ?? []) if (o.data?.["application/vnd.plotly.v1+json"]) out.push(o.data["application/vnd.plotly.v1+json"] as PlotlyFigure);
  return out;
}

export function trace(fig: PlotlyFigure, name: string): PlotlyFigure["data"][number] {
  const t = fig.data.find((d) => d.name === name);
  if (!t) throw new Error(`no trace '${name}' (traces: ${fig.data.map((d) => d.name).join(", ")})`);
  return t;
}

/** Why a tool the notebook tests need is missing (undefined when all are there). */
function missingTools(): string | undefined {
  if (!findPython()) return "python3 with nbclient (apt-get install python3-nbclient jupyter-nbconvert python3-ipykernel)";
  if (!chromium()) return "chromium (apt-get install chromium)";
  return undefined;
}

/** The notebook tests need Jupyter's client and Chromium: a missing tool is a failure that says what to install, never a skip. */
export function requireNotebookTools(): Record<string, never> {
  const m = missingTools();
  if (m) throw new Error(`missing ${m}`);
  return {};
}

export function chromium(): string | undefined {
  for (const c of ["chromium", "chromium-browser", "google-chrome"]) {
    if (spawnSync(c, ["--version"], { stdio: "ignore" }).status === 0) return c;
  }
  return undefined;
}

/** Load an HTML file in headless Chromium (offline) and count the plotly charts that were drawn. */
export function countDrawnPlots(htmlFile: string): { drawn: number; dom: string } {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "uprobe-lab-chromium-"));
  try {
    const r = spawnSync(
      chromium()!,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        `--user-data-dir=${profile}`,
        "--virtual-time-budget=10000",
        "--dump-dom",
        `file://${path.resolve(htmlFile)}`,
      ],
      { encoding: "utf8", maxBuffer: 256 << 20, timeout: 120_000 },
    );
    const dom = r.stdout ?? "";
    // a drawn chart: plotly adds js-plotly-plot to the div our script made for it (the static picture is its sibling)
    const drawn = (dom.match(/class="uprobe-lab-live js-plotly-plot"/g) ?? []).length;
    return { drawn, dom };
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** Export an executed notebook to HTML with nbconvert (the Debian package's). */
export function nbconvertHtml(ipynb: string, outDir: string): string {
  const py = findPython()!;
  const r = spawnSync(py, ["-m", "nbconvert", "--to", "html", "--output-dir", outDir, ipynb], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`nbconvert failed: ${r.stderr}`);
  return path.join(outDir, path.basename(ipynb).replace(/\.ipynb$/, ".html"));
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `uprobe-lab-${prefix}-`));
}
