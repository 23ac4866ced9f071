/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// A real Jupyter server and a real browser for the notebook tests: Debian's
// jupyter-notebook (Notebook 6) on 127.0.0.1 with its own Jupyter dirs, and
// headless Chromium driven by puppeteer-core. Everything is bounded by
// timeouts; stop() kills the server whatever happened.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { findPython } from "../../kernel/nbexec.js";
import { chromium } from "./helpers.js";

/** Jupyter's data, config and runtime dirs under `root` (the notebook secret that signs trust lives there). */
export function jupyterEnv(root: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const d of ["DATA", "CONFIG", "RUNTIME"]) {
    const p = path.join(root, d.toLowerCase());
    fs.mkdirSync(p, { recursive: true });
    env[`JUPYTER_${d}_DIR`] = p;
  }
  env.IPYTHONDIR = path.join(root, "ipython");
  return env;
}

/** Why the browser test cannot run (undefined when it can). */
export function missingBrowserTools(): string | undefined {
  const py = findPython();
  if (!py || spawnSync(py, ["-c", "import notebook"], { stdio: "ignore" }).status !== 0) return "Jupyter Notebook (apt-get install jupyter-notebook)";
  if (!chromiumPath()) return "chromium (apt-get install chromium)";
  return undefined;
}

function chromiumPath(): string | undefined {
  const name = chromium();
  if (!name) return undefined;
  const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  return r.stdout.trim() || undefined;
}

/** True when `python` has plotly, whose JupyterLab extension renders the plotly JSON. */
export function hasPlotlyRenderer(python: string): boolean {
  return spawnSync(python, ["-c", "import plotly"], { stdio: "ignore" }).status === 0;
}

/** Mark notebooks trusted, as `jupyter trust` does (signed with the secret under env's JUPYTER_DATA_DIR). */
export function trust(files: string[], env: NodeJS.ProcessEnv, python = findPython()!): void {
  const r = spawnSync(python, ["-c", "from nbformat.sign import TrustNotebookApp; TrustNotebookApp.launch_instance()", ...files], { env, encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`jupyter trust failed: ${r.stderr}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface NotebookServer {
  url(notebook: string): string;
  stop(): void;
  log(): string;
}

export interface ServerOptions {
  /** "notebook": Jupyter Notebook 6 (Debian's); "lab": JupyterLab 4 */
  app?: "notebook" | "lab";
  /** the python that has the app (default: the one with nbclient) */
  python?: string;
  timeoutMs?: number;
}

/** Start Jupyter Notebook (or JupyterLab) on a free port serving `dir`; resolves once its API answers. */
export async function startNotebookServer(dir: string, env: NodeJS.ProcessEnv, o: ServerOptions = {}): Promise<NotebookServer> {
  const timeoutMs = o.timeoutMs ?? 60_000;
  const lab = o.app === "lab";
  const port = await freePort();
  const token = "uplab" + process.pid;
  const app = lab
    ? ["-m", "jupyterlab", `--ServerApp.token=${token}`, `--ServerApp.root_dir=${dir}`]
    : ["-m", "notebook", `--NotebookApp.token=${token}`, `--notebook-dir=${dir}`, "--NotebookApp.open_browser=False"];
  if (lab) {
    // Lab 4 renders only the cells in view unless told otherwise: all of them, to check every chart
    const settings = path.join(env.JUPYTER_CONFIG_DIR ?? dir, "lab-settings");
    fs.mkdirSync(path.join(settings, "@jupyterlab", "notebook-extension"), { recursive: true });
    fs.writeFileSync(path.join(settings, "@jupyterlab", "notebook-extension", "tracker.jupyterlab-settings"), JSON.stringify({ windowingMode: "none" }));
    env = { ...env, JUPYTERLAB_SETTINGS_DIR: settings };
  }
  let out = "";
  const child: ChildProcess = spawn(
    o.python ?? findPython()!,
    [...app, "--no-browser", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=0", ...(process.getuid?.() === 0 ? ["--allow-root"] : [])],
    { env, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  child.stdout!.on("data", (b: Buffer) => void (out += b.toString()));
  child.stderr!.on("data", (b: Buffer) => void (out += b.toString()));
  const stop = (): void => {
    // the whole process group: the server and any kernel it started
    try {
      if (child.pid && child.exitCode === null) process.kill(-child.pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  };
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`jupyter notebook exited (${child.exitCode}):\n${out}`);
    try {
      const r = await fetch(`${base}/api/status?token=${token}`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      stop();
      throw new Error(`jupyter notebook did not answer within ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url: (nb) => lab ? `${base}/lab/tree/${encodeURIComponent(nb)}?reset&token=${token}` : `${base}/notebooks/${encodeURIComponent(nb)}?token=${token}`, stop, log: () => out };
}

export async function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath()!,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    protocolTimeout: 60_000,
  });
}

/** What one chart output shows. */
export interface ChartView {
  /** the static picture: an <img> of our SVG, loaded, its size, and the share of coloured pixels (drawn marks) */
  img?: { visible: boolean; width: number; height: number; naturalWidth: number; ink: number };
  /** the interactive chart plotly drew: number of bar and point paths with a non-zero box */
  live?: { marks: number; width: number; height: number };
}

/** The static pictures and plotly charts on a page, in document order. */
async function chartViews(page: Page): Promise<ChartView[]> {
  return page.evaluate(async () => {
    const out: ChartView[] = [];
    // (JupyterLab keeps other tabs in the DOM, hidden: only the shown notebook counts)
    const imgs = [...document.querySelectorAll<HTMLImageElement>('img[src^="data:image/svg+xml"]')].filter((i) => !i.closest(".lm-mod-hidden"));
    await Promise.all(imgs.map((i) => (i.complete ? Promise.resolve() : new Promise((r) => ((i.onload = r), (i.onerror = r))))));
    for (const img of imgs) {
      const box = img.closest(".uprobe-lab-plot") ?? img.parentElement!;
      const r = img.getBoundingClientRect();
      // ink: the share of strongly coloured pixels (bars, lines, marks; not the grey axes or white paper)
      let ink = 0;
      if (img.naturalWidth) {
        const c = document.createElement("canvas");
        c.width = 480;
        c.height = Math.round((480 * img.naturalHeight) / img.naturalWidth);
        const g = c.getContext("2d")!;
        g.drawImage(img, 0, 0, c.width, c.height);
        const d = g.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (Math.max(d[i]!, d[i + 1]!, d[i + 2]!) - Math.min(d[i]!, d[i + 1]!, d[i + 2]!) > 60) n++;
        ink = n / (c.width * c.height);
      }
      const view: ChartView = { img: { visible: r.width > 0 && r.height > 0 && getComputedStyle(img).display !== "none", width: r.width, height: r.height, naturalWidth: img.naturalWidth, ink } };
      const svg = box.querySelector(".main-svg");
      if (svg) {
        const marks = [...box.querySelectorAll(".bars path, .scatterlayer .points path, .scatterlayer .js-line, .iciclelayer path.surface")].filter((p) => {
          const b = (p as SVGGraphicsElement).getBBox();
          return b.width > 0 || b.height > 0;
        }).length;
        const sr = svg.getBoundingClientRect();
        view.live = { marks, width: sr.width, height: sr.height };
      }
      out.push(view);
    }
    // JupyterLab with the plotly renderer draws the figure JSON itself: no picture, no script
    for (const el of document.querySelectorAll(".jp-RenderedPlotly")) {
      if (el.closest(".lm-mod-hidden")) continue;
      const marks = [...el.querySelectorAll(".bars path, .scatterlayer .points path, .scatterlayer .js-line, .iciclelayer path.surface")].filter((p) => {
        const b = (p as SVGGraphicsElement).getBBox();
        return b.width > 0 || b.height > 0;
      }).length;
      const r = el.getBoundingClientRect();
      out.push({ live: { marks, width: r.width, height: r.height } });
    }
    return out;
  });
}

/** Open a page and wait until `expected` chart pictures are there and loaded (or the timeout passes). */
export async function openCharts(browser: Browser, url: string, expected: number, o: { live?: boolean; timeoutMs?: number } = {}): Promise<ChartView[]> {
  const page = await browser.newPage();
  try {
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(url, { waitUntil: "load", timeout: o.timeoutMs ?? 60_000 });
    await page
      .waitForFunction(
        (n: number, live: boolean) => {
          const imgs = [...document.querySelectorAll<HTMLImageElement>('img[src^="data:image/svg+xml"]')].filter((i) => !i.closest(".lm-mod-hidden"));
          const rendered = [...document.querySelectorAll(".jp-RenderedPlotly .main-svg")].filter((e) => !e.closest(".lm-mod-hidden")).length;
          if (rendered >= n) return true;
          // the picture is hidden once plotly has drawn in its place
          const drawn = imgs.filter((i) => getComputedStyle(i).display === "none").length;
          return imgs.length >= n && imgs.every((i) => i.complete) && (!live || drawn >= n);
        },
        { timeout: o.timeoutMs ?? 60_000, polling: 250 },
        expected,
        o.live ?? false,
      )
      .catch(() => undefined); // the assertions say what is missing
    return await chartViews(page);
  } finally {
    await page.close();
  }
}
