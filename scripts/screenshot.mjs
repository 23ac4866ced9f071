// Regenerates docs/seed-latency.png, the chart shown in the README:
//   npm run build && node scripts/screenshot.mjs
// (runs the seed experiment, draws the latency chart alone on a page, and
// screenshots it with headless Chromium).
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runDemo } from "../dist/cli/demo.js";
import { seedLatencyChart } from "../dist/present/charts.js";
import { renderReport } from "../dist/present/report.js";

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const r = await runDemo();
const chart = seedLatencyChart(r.tables);
chart.figure.layout.height = 460;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "uprobe-lab-shot-"));
const html = path.join(dir, "chart.html");
fs.writeFileSync(html, renderReport("", [chart]).replace("<h1></h1>", "").replace("margin: 2em auto", "margin: 0 auto"));
const out = path.join(root, "docs", "seed-latency.png");
execFileSync("chromium", ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars", `--user-data-dir=${path.join(dir, "profile")}`, "--virtual-time-budget=10000", "--window-size=1000,500", `--screenshot=${out}`, `file://${html}`], { stdio: "ignore" });
fs.rmSync(dir, { recursive: true, force: true });
console.log(`wrote ${path.relative(process.cwd(), out)}`);
