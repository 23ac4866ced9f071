// compare(a, b): two runs side by side. One table (per probe: path, hits,
// traps, syscalls and virtual ns per hit; then every numeric map value and
// stats()), a chart of the virtual latency per hit labelled with the traps,
// and a chart of the map values when there are any. Displayed, it shows all
// three (outputs()); in a report, the same.

import { isNumericKind, readMaps, type MapData, type StatsValue } from "../lab/map-values.js";
import type { ProbeRun } from "../lab/probe-run.js";
import { compareLatencyChart, compareMapsChart } from "./map-charts.js";
import { Table } from "./mime.js";
import { TableView } from "./table-view.js";
import type { Chart } from "./plot.js";

type Named = ProbeRun & { name?: string };

/** A run's label in a comparison: its name, else what differs from the other run. */
function labels(a: Named, b: Named): [string, string] {
  if (a.name && b.name && a.name !== b.name) return [a.name, b.name];
  const parts = (r: ProbeRun, o: ProbeRun): string => {
    const p: string[] = [];
    if (r.binary !== o.binary) p.push(r.binary);
    if (r.kernel !== o.kernel) p.push(`kernel ${r.kernel}`);
    if (r.emulation !== o.emulation) p.push(`emulation ${r.emulation ? "on" : "off"}`);
    if (r.cost !== o.cost) p.push(r.cost);
    if (r.program !== o.program) p.push("program " + (r === a ? "A" : "B"));
    return p.join(", ");
  };
  const la = parts(a, b) || "A";
  const lb = parts(b, a) || "B";
  return la === lb ? ["A", "B"] : [la, lb];
}

function mapValues(ms: MapData[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of ms) {
    for (const r of m.rows) {
      const name = m.keyed ? `${m.name}[${r.key}]` : m.name;
      if (isNumericKind(m.kind)) out.set(name, r.value as number);
      else if (m.kind === "stats") {
        const s = r.value as StatsValue;
        out.set(`${name} count`, s.count);
        out.set(`${name} avg`, s.avg);
        out.set(`${name} sum`, s.sum);
      } else if (m.kind === "hist" || m.kind === "lhist") {
        const bs = r.value as { count: number }[];
        out.set(`${name} count`, bs.reduce((n, b) => n + b.count, 0));
      }
    }
  }
  return out;
}

/** Shown as its table; a notebook shows the charts too (outputs()). */
export class Comparison extends TableView {
  readonly names: [string, string];

  constructor(
    readonly a: Named,
    readonly b: Named,
  ) {
    super();
    this.names = labels(a, b);
  }

  /** One row per figure: what, A, B, B - A, B / A. */
  table(): Table {
    const rows: (string | number)[][] = [];
    const add = (what: string, x: number | undefined, y: number | undefined): void => {
      const d = x !== undefined && y !== undefined ? +(y - x).toFixed(3) : "";
      const ratio = x !== undefined && y !== undefined && x !== 0 ? +(y / x).toFixed(3) : "";
      rows.push([what, x === undefined ? "" : +x.toFixed(3), y === undefined ? "" : +y.toFixed(3), d, ratio]);
    };
    const probes = [...new Set([...this.a.probes, ...this.b.probes].map((p) => p.probe))];
    for (const name of probes) {
      const pa = this.a.probes.find((p) => p.probe === name);
      const pb = this.b.probes.find((p) => p.probe === name);
      rows.push([`${name}: path`, pa?.path ?? "", pb?.path ?? "", pa?.path === pb?.path ? "same" : "differs", ""]);
      add(`${name}: hits`, pa?.hits, pb?.hits);
      add(`${name}: traps/hit`, pa?.traps_per_hit, pb?.traps_per_hit);
      add(`${name}: syscalls/hit`, pa?.syscalls_per_hit, pb?.syscalls_per_hit);
      add(`${name}: virtual ns/hit`, pa?.ns_per_hit, pb?.ns_per_hit);
    }
    add("virtual ns (whole run)", this.a.virtual_ns, this.b.virtual_ns);
    const ma = mapValues(readMaps(this.a));
    const mb = mapValues(readMaps(this.b));
    for (const k of new Set([...ma.keys(), ...mb.keys()])) add(k, ma.get(k), mb.get(k));
    return new Table(["", this.names[0], this.names[1], "B - A", "B / A"], rows, { align: ["l", "r", "r", "r", "r"], maxRows: 100, caption: `A: ${this.names[0]}; B: ${this.names[1]}` });
  }

  /** Virtual latency per hit of each probe, the traps per hit as labels. */
  chart(title?: string): Chart {
    return compareLatencyChart(this.a, this.b, this.names, title);
  }

  /** The numeric map values side by side (undefined when neither run has any). */
  mapsChart(title?: string): Chart | undefined {
    return compareMapsChart(readMaps(this.a), readMaps(this.b), this.names, title);
  }

  /** What displaying it shows: the table, the latency chart, the maps chart. */
  outputs(): (Table | Chart)[] {
    const m = this.mapsChart();
    return m ? [this.table(), this.chart(), m] : [this.table(), this.chart()];
  }

  toJSON(): { names: [string, string]; rows: ReturnType<Table["toJSON"]> } {
    return { names: this.names, rows: this.table().toJSON() };
  }
}
