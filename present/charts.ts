// The charts of the notebooks and the demo report, as plotly figures built
// from plain results (lab/seed.ts, lab/history.ts, histogram maps).

import type { ProbeRun } from "../lab/probe-run.js";
import type { SeedTable } from "../lab/seed.js";
import { Chart, COLORS, type Figure, type Trace } from "./plot.js";

// The legend sits at the bottom of the figure (container coordinates), under
// the x axis title, with the bottom margin sized for both: in paper
// coordinates it moved with the plot height and overlapped the title.
const BASE_LAYOUT = {
  height: 440,
  margin: { l: 70, r: 30, t: 60, b: 105 },
  legend: { orientation: "h", x: 0, xanchor: "left", y: 0, yanchor: "bottom", yref: "container" },
  font: { family: "-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif", size: 13 },
  plot_bgcolor: "#fafafa",
};

function layout(title: string, extra: Record<string, unknown>): Record<string, unknown> {
  return { ...BASE_LAYOUT, title: { text: title, x: 0.02, xanchor: "left" }, ...extra };
}

function round(n: number, d = 3): number {
  const f = 10 ** d;
  return Math.round(n * f) / f;
}

function seedCategories(tables: SeedTable[]): { x: string[]; cell: (i: number, on: boolean) => SeedTable["rows"][number] } {
  const x: string[] = [];
  const cells: { t: SeedTable; kind: "uprobe" | "uretprobe" }[] = [];
  for (const t of tables)
    for (const kind of ["uprobe", "uretprobe"] as const) {
      // two lines: on one, four such labels do not fit side by side and plotly tilts them into the axis title
      x.push(tables.length > 1 ? `${kind}<br>${t.kernel}, ${t.cost}` : kind);
      cells.push({ t, kind });
    }
  return {
    x,
    cell: (i, on) => {
      const { t, kind } = cells[i]!;
      const r = t.rows.find((r) => r.kind === kind && r.emulation === on);
      if (!r) throw new Error(`seed table ${t.kernel} lacks ${kind}/${on ? "on" : "off"}`);
      return r;
    },
  };
}

/** Traps per hit, uprobe and uretprobe, with and without emulation. */
export function seedTrapsChart(tables: SeedTable[]): Chart {
  const { x, cell } = seedCategories(tables);
  const trace = (on: boolean): Trace => {
    const rows = x.map((_, i) => cell(i, on));
    return {
      type: "bar",
      name: on ? "with push emulation" : "without (single-step out of line)",
      x,
      y: rows.map((r) => round(r.traps_per_hit)),
      text: rows.map((r) => (r.syscalls_per_hit ? `${round(r.traps_per_hit)} + ${round(r.syscalls_per_hit)} syscall` : `${round(r.traps_per_hit)}`)),
      textposition: "outside",
      hovertext: rows.map((r) => r.trap_kinds),
      marker: { color: on ? COLORS.emulated : COLORS.xol },
    };
  };
  const fig: Figure = {
    data: [trace(true), trace(false)],
    layout: layout("Traps per hit: a probe on test() (push %rbp), push-O0 (labels add syscalls)", {
      barmode: "group",
      yaxis: { title: { text: "traps per hit" }, rangemode: "tozero", dtick: 1 },
      xaxis: { title: { text: "probe" } },
      margin: { ...BASE_LAYOUT.margin, b: 125 },
    }),
  };
  return new Chart(fig);
}

/** Virtual latency per call (the guest's own gettimeofday measurement), with the seed's figures as markers. */
export function seedLatencyChart(tables: SeedTable[]): Chart {
  const { x, cell } = seedCategories(tables);
  const data: Trace[] = [];
  for (const on of [true, false]) {
    const rows = x.map((_, i) => cell(i, on));
    data.push({
      type: "bar",
      name: on ? "with push emulation" : "without",
      x,
      y: rows.map((r) => round(r.us_per_call)),
      text: rows.map((r) => `${round(r.us_per_call, 2)} us`),
      textposition: "outside",
      marker: { color: on ? COLORS.emulated : COLORS.xol },
      offsetgroup: on ? "on" : "off",
    });
  }
  for (const on of [true, false]) {
    const rows = x.map((_, i) => cell(i, on));
    if (!rows.some((r) => r.seed_us !== undefined)) continue;
    data.push({
      type: "scatter",
      mode: "markers",
      name: on ? "seed e7ed9d9bd037, with" : "seed e7ed9d9bd037, without",
      x,
      y: rows.map((r) => r.seed_us ?? null),
      marker: { symbol: "line-ew-open", size: 34, color: COLORS.seed, line: { width: 3, color: COLORS.seed } },
      offsetgroup: on ? "on" : "off",
      legendgroup: "seed",
    });
  }
  const fig: Figure = {
    data,
    layout: layout("Virtual latency per call of test(): model (bars) vs the seed's table (marks)", {
      barmode: "group",
      scattermode: "group",
      yaxis: { title: { text: "us per call" }, rangemode: "tozero" },
      xaxis: { title: { text: "probe" } },
      margin: { ...BASE_LAYOUT.margin, b: 125 },
    }),
  };
  return new Chart(fig);
}

/**
 * Ranges and ticks for a chart with two y axes: the left one on whole
 * numbers, the right one on round steps (1, 2, 2.5, 5 x 10^k) chosen so that
 * both have the same number of intervals and their ticks line up.
 */
function twinAxes(leftValues: (number | null)[], rightValues: (number | null)[]): { left: Record<string, unknown>; right: Record<string, unknown> } {
  const max = (vs: (number | null)[]): number => Math.max(0, ...vs.filter((v): v is number => typeof v === "number" && Number.isFinite(v)));
  const n = Math.max(2, Math.ceil(max(leftValues) * 1.08));
  const leftStep = n <= 8 ? 1 : niceStep(n / 6);
  const intervals = Math.ceil(n / leftStep);
  const rightStep = niceStep((max(rightValues) * 1.05) / intervals || 1);
  const axis = (step: number): Record<string, unknown> => ({ range: [0, step * intervals], tickmode: "linear", tick0: 0, dtick: step });
  return { left: axis(leftStep), right: axis(rightStep) };
}

/** The smallest of 1, 2, 2.5, 5 x 10^k that is at least x. */
function niceStep(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  return [1, 2, 2.5, 5, 10].map((m) => +(m * p).toPrecision(12)).find((v) => v >= x - 1e-12) ?? 10 * p;
}

/** Traps per hit (bars) and virtual ns per hit (lines) of each probe across kernel generations, crashes shaded. */
export function kernelHistoryChart(runs: ProbeRun[], title = "One program on every modelled kernel generation"): Chart {
  const kernels = runs.map((r) => r.kernel);
  const probes = runs[0]?.probes.map((p) => p.probe) ?? [];
  const data: Trace[] = [];
  probes.forEach((name, k) => {
    const color = COLORS.series[k % COLORS.series.length];
    const ps = runs.map((r) => r.probes.find((p) => p.probe === name));
    data.push({
      type: "bar",
      name: `${name}: traps/hit`,
      x: kernels,
      y: ps.map((p) => (p && p.hits ? round(p.traps_per_hit) : null)),
      hovertext: ps.map((p) => (p ? `${p.path}${p.error ? ": " + p.error : ""}` : "")),
      marker: { color },
      legendgroup: name,
      offsetgroup: name,
    });
    if (ps.some((p) => p && p.hits && p.syscalls_per_hit))
      data.push({
        type: "scatter",
        mode: "markers",
        name: `${name}: syscalls/hit`,
        x: kernels,
        y: ps.map((p) => (p && p.hits && p.syscalls_per_hit ? round(p.syscalls_per_hit) : null)),
        // dark: in the probe's colour it vanished into the bar beneath it
        marker: { color: COLORS.seed, symbol: "x-thin-open", size: 12, line: { width: 2, color: COLORS.seed } },
        legendgroup: name,
        // over this probe's own bar, not the group's centre
        offsetgroup: name,
      });
    data.push({
      type: "scatter",
      mode: "lines+markers",
      name: `${name}: us/hit`,
      x: kernels,
      y: ps.map((p) => (p && p.hits ? round(p.ns_per_hit / 1000) : null)),
      yaxis: "y2",
      line: { color, dash: "dot" },
      legendgroup: name,
      offsetgroup: name,
      // in the legend, the probe's bar stands for its group: ten entries wrapped
      // into five rows in a notebook-wide chart and ran over the axis
      showlegend: false,
    });
  });
  const annotations: Record<string, unknown>[] = [];
  const shapes: Record<string, unknown>[] = [];
  // One shaded span and one label per run of consecutive generations that ended the same bad way.
  const ending = (r: ProbeRun): string => (r.status === 0 ? "" : r.signal ? `killed by ${r.signal}` : `exit ${r.status}`);
  for (let i = 0; i < runs.length; ) {
    const what = ending(runs[i]!);
    let j = i;
    while (j + 1 < runs.length && ending(runs[j + 1]!) === what) j++;
    if (what) {
      // x by category index: a category name like "3.10" would be read as the number 3.1
      annotations.push({ x: (i + j) / 2, xref: "x", y: 1, yref: "paper", yanchor: "bottom", text: `<b>${what}</b>`, showarrow: false, font: { color: "#d62828" }, name: runs.slice(i, j + 1).map((r) => r.kernel).join(",") });
      shapes.push({ type: "rect", xref: "x", yref: "paper", x0: i - 0.5, x1: j + 0.5, y0: 0, y1: 1, fillcolor: COLORS.crash, line: { width: 0 }, layer: "below" });
    }
    i = j + 1;
  }
  const { left, right } = twinAxes(
    data.filter((t) => t.yaxis !== "y2").flatMap((t) => t.y),
    data.filter((t) => t.yaxis === "y2").flatMap((t) => t.y),
  );
  const fig: Figure = {
    data,
    layout: layout(title, {
      height: 520,
      barmode: "group",
      scattermode: "group",
      xaxis: { title: { text: "kernel generation" }, type: "category" },
      yaxis: { title: { text: "traps per hit (bars)" }, ...left },
      yaxis2: { title: { text: "virtual us per hit (dotted lines)" }, overlaying: "y", side: "right", showgrid: false, ...right },
      annotations,
      shapes,
      margin: { l: 70, r: 70, t: 90, b: 130 },
    }),
  };
  return new Chart(fig);
}

export interface HistBucket {
  min: number;
  max: number;
  count: number;
}

/** bpftrace's bucket label: [256, 512), [1K, 2K)... */
export function bucketLabel(b: HistBucket): string {
  const s = (n: number): string => {
    for (const [u, m] of [["G", 1 << 30], ["M", 1 << 20], ["K", 1 << 10]] as const) if (n >= m && n % m === 0) return `${n / m}${u}`;
    return String(n);
  };
  return b.min === b.max ? `[${s(b.min)}]` : `[${s(b.min)}, ${s(b.max + 1)})`;
}

/** The buckets of a hist() map in a run's -f json records ("@lat", or the first hist). */
export function histBuckets(run: ProbeRun, map?: string): HistBucket[] {
  for (const rec of run.mapsJson) {
    if (rec.type !== "hist") continue;
    const entries = Object.entries(rec.data);
    const e = map ? entries.find(([k]) => k === map || k === "@" + map) : entries[0];
    if (e) return e[1] as HistBucket[];
  }
  throw new Error(`no hist() map${map ? " " + map : ""} in this run's maps`);
}

/**
 * The empty buckets between the first and the last one: a log2 axis that
 * skips [1K, 2K) between [512, 1K) and [2K, 4K) misreads as continuous.
 * Buckets are [0], [1], then [2^k, 2^(k+1)); anything else is left as is.
 */
function fillLog2Gaps(all: Map<number, HistBucket>): void {
  const mins = [...all.keys()];
  if (!mins.length || !mins.every((m) => m === 0 || (m > 0 && Number.isInteger(Math.log2(m))))) return;
  const last = Math.max(...mins);
  for (let m = Math.min(...mins); m < last; m = m === 0 ? 1 : m * 2) if (!all.has(m)) all.set(m, { min: m, max: m <= 1 ? m : 2 * m - 1, count: 0 });
}

/** Log2 latency histograms, one bar series per histogram, on a shared bucket axis. */
export function histogramChart(series: { name: string; buckets: HistBucket[] }[], o: { title: string; unit: string }): Chart {
  const all = new Map<number, HistBucket>();
  for (const s of series) for (const b of s.buckets) all.set(b.min, b);
  fillLog2Gaps(all);
  const mins = [...all.keys()].sort((a, b) => a - b);
  const labels = mins.map((m) => bucketLabel(all.get(m)!));
  const data: Trace[] = series.map((s, k) => ({
    type: "bar",
    name: s.name,
    x: labels,
    y: mins.map((m) => s.buckets.find((b) => b.min === m)?.count ?? 0),
    marker: { color: COLORS.series[k % COLORS.series.length] },
  }));
  return new Chart({
    data,
    layout: layout(o.title, {
      barmode: "group",
      bargap: 0.08,
      xaxis: { title: { text: `latency (${o.unit}), log2 buckets` }, type: "category" },
      yaxis: { title: { text: "calls" }, rangemode: "tozero" },
    }),
  });
}

/** A generic grouped bar chart. */
export function barChart(o: { title: string; x: string[]; series: { name: string; y: number[] }[]; xTitle?: string; yTitle?: string }): Chart {
  return new Chart({
    data: o.series.map((s, k) => ({ type: "bar", name: s.name, x: o.x, y: s.y.map((v) => round(v)), marker: { color: COLORS.series[k % COLORS.series.length] } })),
    layout: layout(o.title, {
      barmode: "group",
      xaxis: { title: { text: o.xTitle ?? "" }, type: "category" },
      yaxis: { title: { text: o.yTitle ?? "" }, rangemode: "tozero" },
    }),
  });
}
