// The charts of the notebooks and the demo report, as plotly figures built
// from plain results (lab/seed.ts, lab/history.ts, histogram maps).

import type { ProbeRun } from "../lab/probe-run.js";
import type { SeedTable } from "../lab/seed.js";
import { Chart, COLORS, type Figure, type Trace } from "./plot.js";

const BASE_LAYOUT = {
  height: 420,
  margin: { l: 70, r: 30, t: 60, b: 60 },
  legend: { orientation: "h", y: -0.18 },
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
      x.push(tables.length > 1 ? `${kind} (${t.kernel}, ${t.cost})` : kind);
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
    }),
  };
  return new Chart(fig);
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
    });
    if (ps.some((p) => p && p.hits && p.syscalls_per_hit))
      data.push({
        type: "scatter",
        mode: "markers",
        name: `${name}: syscalls/hit`,
        x: kernels,
        y: ps.map((p) => (p && p.hits && p.syscalls_per_hit ? round(p.syscalls_per_hit) : null)),
        marker: { color, symbol: "x-thin-open", size: 12, line: { width: 2, color } },
        legendgroup: name,
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
  const fig: Figure = {
    data,
    layout: layout(title, {
      height: 500,
      barmode: "group",
      scattermode: "group",
      xaxis: { title: { text: "kernel generation" }, type: "category" },
      yaxis: { title: { text: "traps per hit (bars)" }, rangemode: "tozero", dtick: 1 },
      yaxis2: { title: { text: "virtual us per hit (lines)" }, overlaying: "y", side: "right", rangemode: "tozero", showgrid: false },
      annotations,
      shapes,
      legend: { orientation: "h", y: -0.22 },
      margin: { l: 70, r: 70, t: 90, b: 90 },
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

/** Log2 latency histograms, one bar series per histogram, on a shared bucket axis. */
export function histogramChart(series: { name: string; buckets: HistBucket[] }[], o: { title: string; unit: string }): Chart {
  const all = new Map<number, HistBucket>();
  for (const s of series) for (const b of s.buckets) all.set(b.min, b);
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
