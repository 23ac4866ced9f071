// Charts of any map, not only hist(): a keyed count or sum as bars per key,
// stats() as the average per key (the count in the hover text), hist() and
// lhist() as buckets (one series per key); and the charts of compare(): two
// runs' virtual latency and traps per probe, and their map values.
// Built on plot.ts's Chart and Figure, as present/charts.ts is.

import { isNumericKind, type MapBucket, type MapData, type StatsValue } from "../lab/map-values.js";
import type { ProbeRun } from "../lab/probe-run.js";
import { flameGraph, isStackMap } from "./flame-graph.js";
import { Chart, COLORS, type Figure, type Trace } from "./plot.js";

function layout(title: string, x: string, y: string, extra: Record<string, unknown> = {}): Figure["layout"] {
  return {
    height: 400,
    margin: { l: 70, r: 30, t: 60, b: 90 },
    legend: { orientation: "h", y: -0.25 },
    font: { family: "-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif", size: 13 },
    plot_bgcolor: "#fafafa",
    title: { text: title, x: 0.02, xanchor: "left" },
    barmode: "group",
    xaxis: { title: { text: x }, type: "category", automargin: true },
    yaxis: { title: { text: y }, rangemode: "tozero" },
    ...extra,
  };
}

const color = (k: number): string => COLORS.series[k % COLORS.series.length]!;
const round = (n: number): number => Math.round(n * 1000) / 1000;

/** The x label of one row: its key, or the map's name when it has none. */
const rowLabel = (m: MapData, key: string): string => (m.keyed ? key.split(",").join(", ") : m.name);

/** A chart of one map (any kind but string); a map keyed by stacks (ustack, stackcount) as a flame graph. */
export function mapChart(m: MapData, title = `${m.name} (${m.kind})`): Chart {
  if (isStackMap(m)) return flameGraph(m, title);
  if (m.kind === "string") throw new Error(`${m.name} holds strings: nothing to chart (its table shows them)`);
  if (m.kind === "hist" || m.kind === "lhist") {
    // every bucket any series has, in order, so that an empty bucket in between stays on the axis
    const all = new Map<number, MapBucket>();
    for (const r of m.rows) for (const b of r.value as MapBucket[]) all.set(b.min, b);
    const mins = [...all.keys()].sort((a, b) => a - b);
    const data: Trace[] = m.rows.map((r, k) => {
      const bs = r.value as MapBucket[];
      return { type: "bar", name: m.keyed ? rowLabel(m, r.key) : m.name, x: mins.map((x) => all.get(x)!.label), y: mins.map((x) => bs.find((b) => b.min === x)?.count ?? 0), marker: { color: color(k) } };
    });
    return new Chart({ data, layout: layout(title, `${m.kind === "hist" ? "log2" : "linear"} buckets`, "count", { bargap: 0.08 }) });
  }
  const x = m.rows.map((r) => rowLabel(m, r.key));
  if (m.kind === "stats") {
    const s = m.rows.map((r) => r.value as StatsValue);
    return new Chart({
      data: [{ type: "bar", name: `${m.name}: average`, x, y: s.map((v) => v.avg), hovertext: s.map((v) => `count ${v.count}, total ${v.sum}`), marker: { color: color(0) } }],
      layout: layout(title, m.keyed ? "key" : "", "average"),
    });
  }
  return new Chart({
    data: [{ type: "bar", name: m.name, x, y: m.rows.map((r) => r.value as number), marker: { color: color(0) } }],
    layout: layout(title, m.keyed ? "key" : "", m.kind),
  });
}

/** Virtual us per hit of each probe in two runs (bars), labelled with traps per hit. */
export function compareLatencyChart(a: ProbeRun, b: ProbeRun, names: [string, string], title?: string): Chart {
  const probes = [...new Set([...a.probes, ...b.probes].map((p) => p.probe))];
  const trace = (r: ProbeRun, name: string, k: number): Trace => {
    const ps = probes.map((n) => r.probes.find((p) => p.probe === n));
    return {
      type: "bar",
      name,
      x: probes,
      y: ps.map((p) => (p && p.hits ? round(p.ns_per_hit / 1000) : null)),
      text: ps.map((p) => (p && p.hits ? `${round(p.traps_per_hit)} trap${p.traps_per_hit === 1 ? "" : "s"}${p.syscalls_per_hit ? ` + ${round(p.syscalls_per_hit)} syscall` : ""}` : "")),
      textposition: "outside",
      hovertext: ps.map((p) => (p ? p.path : "")),
      marker: { color: color(k) },
    };
  };
  return new Chart({
    data: [trace(a, names[0], 0), trace(b, names[1], 1)],
    layout: layout(title ?? `Virtual latency per hit: ${names[0]} vs ${names[1]} (labels: traps per hit)`, "probe", "virtual us per hit"),
  });
}

/** The numeric map values of two runs side by side (counts, sums, averages; stats() as its average). */
export function compareMapsChart(a: MapData[], b: MapData[], names: [string, string], title?: string): Chart | undefined {
  const values = (ms: MapData[]): Map<string, number> => {
    const out = new Map<string, number>();
    for (const m of ms) {
      if (!isNumericKind(m.kind) && m.kind !== "stats") continue;
      for (const r of m.rows) out.set(m.keyed ? `${m.name}[${r.key}]` : m.name, m.kind === "stats" ? (r.value as StatsValue).avg : (r.value as number));
    }
    return out;
  };
  const va = values(a);
  const vb = values(b);
  const x = [...new Set([...va.keys(), ...vb.keys()])];
  if (!x.length) return undefined;
  return new Chart({
    data: [va, vb].map((v, k) => ({ type: "bar", name: names[k]!, x, y: x.map((n) => v.get(n) ?? null), marker: { color: color(k) } })),
    layout: layout(title ?? `Map values: ${names[0]} vs ${names[1]}`, "map", "value"),
  });
}
