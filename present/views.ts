// Notebook views of results: a run, a sweep, the seed table, a trace, a
// disassembly. Each one is the plain data plus toMimeBundle() (HTML with a
// text fallback) and toString() (the text), so it shows itself as the last
// expression of a cell, through display(), or in a terminal.

import { inspect } from "node:util";
import type { Binary, Sym } from "../engine/index.js";
import { UserError } from "../engine/index.js";
import { formatSweep, sweepRows, type SweepRow } from "../lab/history.js";
import { readMaps } from "../lab/map-values.js";
import type { ProbeFigures, ProbeRun } from "../lab/probe-run.js";
import { formatSeedTable, SEED_COMMIT, seedArch, seedBinary, seedCell, seedPaper, trapsText, type SeedTable } from "../lab/seed.js";
import { thousands } from "../lab/text-table.js";
import { FlameGraph, flameGraph, parseFolded } from "./flame-graph.js";
import { histBuckets, histogramChart, kernelHistoryChart, type HistBucket } from "./charts.js";
import { toCsv } from "./csv.js";
import { RunMap, type MapKey } from "./map-view.js";
import { escapeHtml, htmlBundle, Table, type Displayable, type MimeBundle } from "./mime.js";
import type { Chart } from "./plot.js";

function runHeader(r: ProbeRun): string {
  const n = r.probes.length;
  const ended = r.signal ? `killed by ${r.signal}` : r.status === 0 ? "exit 0" : `exit ${r.status}`;
  return `${r.binary}${r.args.length ? " " + r.args.join(" ") : ""}: ${n} probe${n === 1 ? "" : "s"}, kernel ${r.kernel}, emulation ${r.emulation ? "on" : "off"}, cost ${r.cost}; ${thousands(r.instructions)} instructions, ${thousands(r.virtual_ns)} ns virtual, ${ended}`;
}

/** The per-probe table: hits, path, traps by kind, traps and virtual ns per hit. */
export function probeTable(probes: ProbeFigures[]): Table {
  return new Table(
    ["probe", "path", "hits", "int3", "sstep", "uret int3", "sys_uprobe", "sys_uretprobe", "traps/hit", "syscalls/hit", "virtual ns/hit"],
    probes.map((p) => [
      p.probe,
      p.path,
      p.hits,
      p.traps.int3,
      p.traps.single_step,
      p.traps.uret_trap,
      p.traps.uprobe_syscall,
      p.traps.uretprobe_syscall,
      +p.traps_per_hit.toFixed(3),
      +p.syscalls_per_hit.toFixed(3),
      +p.ns_per_hit.toFixed(1),
    ]),
    { align: ["l", "l", "r", "r", "r", "r", "r", "r", "r", "r", "r"] },
  );
}

/**
 * The event trace of a run (its first traced hits), one row per step; with
 * `hit`, one hit's. Hits are numbered from 1, as the "hit" column and the
 * DSL's `hits` count them: a hit that is not in the trace is an error.
 */
export function traceTable(r: ProbeRun, hit?: number): Table {
  if (hit !== undefined && !r.trace.some((e) => e.hit === hit)) {
    const hits = [...new Set(r.trace.map((e) => e.hit))];
    const have = hits.length ? `this run traced hit${hits.length === 1 ? "" : "s"} ${hits.length === 1 ? hits[0] : `${hits[0]}-${hits[hits.length - 1]}`}` : "this run kept no trace (run it with --trace N, or traceHits: N)";
    throw new UserError(`no hit ${hit} in the trace: hits are numbered from 1, and ${have}`);
  }
  const events = r.trace.filter((e) => hit === undefined || e.hit === hit);
  // several threads or processes: name the task of each event
  const threaded = new Set(r.trace.map((e) => e.task)).size > 1;
  let prev: number | undefined;
  const rows = events.map((e) => {
    const d = prev === undefined ? 0 : e.ns - prev;
    prev = e.ns;
    return [e.hit, e.ns, d, e.event, e.addr ?? "", e.detail ?? "", ...(threaded ? [e.task ?? ""] : [])];
  });
  return new Table(["hit", "guest ns", "+ns", "event", "address", "detail", ...(threaded ? ["task"] : [])], rows, {
    align: ["r", "r", "r", "l", "l", "l", "l"],
    maxRows: 60,
    caption: `event trace: ${r.binary}, kernel ${r.kernel}, emulation ${r.emulation ? "on" : "off"}${hit !== undefined ? `, hit ${hit}` : ""}`,
  });
}

export interface LabRun extends ProbeRun {}

/** A finished probe run: the ProbeRun data, plus ways to look at it. */
export class LabRun implements Displayable {
  /** The name it was kept under (%%probe --name NAME, or runProbes(..., { name })). */
  declare name?: string;

  constructor(data: ProbeRun, name?: string) {
    Object.assign(this, data);
    if (name !== undefined) Object.defineProperty(this, "name", { value: name, enumerable: false, writable: true, configurable: true });
  }

  /** The names of the maps and variables the program printed ("@lat", "@calls"...). */
  mapNames(): string[] {
    return readMaps(this).map((m) => m.name);
  }

  /** One map, typed: "@lat" or "lat". */
  map(name: string): RunMap {
    const all = readMaps(this);
    const m = all.find((x) => x.name === name) ?? all.find((x) => x.name === "@" + name);
    if (!m) throw new UserError(`no map ${name} in this run (maps: ${all.map((x) => x.name).join(", ") || "none"})`);
    return new RunMap(m);
  }

  /** Every map, typed, by name. */
  allMaps(): Record<string, RunMap> {
    return Object.fromEntries(readMaps(this).map((m) => [m.name, new RunMap(m)]));
  }

  /** The number of a count/sum/avg/min/max map (of one key when keyed): r.value("@calls"). */
  value(name: string, key?: MapKey): number {
    return this.map(name).value(key);
  }

  /** A chart of any map: bars per key, buckets for hist() and lhist(), a flame graph for a map keyed by stacks. */
  chart(name: string, title?: string): Chart {
    const m = this.map(name);
    return m.chart(title ?? `${m.name}: ${this.binary}, kernel ${this.kernel}, emulation ${this.emulation ? "on" : "off"}`);
  }

  /**
   * A flame graph: of a map keyed by stacks (`@[ustack(cfi)] = count()`), or,
   * without a name, of the folded lines the run printed (stackcount -f).
   */
  flameGraph(name?: string, title?: string): FlameGraph {
    const t = title ?? `${name ?? "stacks"}: ${this.binary}, kernel ${this.kernel}`;
    if (name !== undefined) return flameGraph(this.map(name), t);
    const stacks = parseFolded(this.stdout);
    if (!stacks.length) throw new UserError("no folded stacks in this run's output (stackcount -f prints them): name a stack map, e.g. flameGraph(\"@\")");
    return new FlameGraph(stacks, t);
  }

  /** The per-probe table as CSV, each row with the run's binary, kernel, emulation and cost. */
  toCSV(): string {
    const t = this.table();
    return toCsv(["binary", "kernel", "emulation", "cost", ...t.headers], t.rows.map((r) => [this.binary, this.kernel, this.emulation, this.cost, ...r]));
  }

  /** One probe's figures, by name ("probe test:0"), kind ("uretprobe") or symbol. */
  probe(which?: string): ProbeFigures {
    const p = which === undefined ? this.probes[0] : this.probes.find((x) => x.probe === which) ?? this.probes.find((x) => x.kind === which) ?? this.probes.find((x) => x.symbol === which);
    if (!p) throw new Error(`no probe '${which}' in this run (probes: ${this.probes.map((x) => x.probe).join(", ")})`);
    return p;
  }

  /** True when the guest died of a signal. */
  get crashed(): boolean {
    return this.signal !== undefined;
  }

  table(): Table {
    return probeTable(this.probes);
  }

  traceTable(hit?: number): Table {
    return traceTable(this, hit);
  }

  /** The buckets of a hist() map. */
  hist(map?: string): HistBucket[] {
    return histBuckets(this, map);
  }

  /** A chart of a hist() map. */
  histChart(map?: string, title?: string, unit = "ns"): Chart {
    return histogramChart([{ name: map ?? "latency", buckets: this.hist(map) }], { title: title ?? `${map ?? "histogram"}: ${this.binary}, kernel ${this.kernel}`, unit });
  }

  header(): string {
    return runHeader(this);
  }

  toString(): string {
    const parts = [runHeader(this)];
    for (const x of this.rejections) parts.push(`refused: ${x}`);
    if (this.report) parts.push(this.report);
    const out = shownOutput(this);
    if (out) parts.push(out.trimEnd());
    if (this.maps.trim()) parts.push(this.maps.trim());
    parts.push(this.table().toString().trimEnd());
    return parts.join("\n") + "\n";
  }

  toHtml(): string {
    const pre = (s: string): string => `<pre style="margin:4px 0">${escapeHtml(s)}</pre>`;
    const h: string[] = [`<div class="uprobe-lab-run"><p style="margin:4px 0"><b>${escapeHtml(runHeader(this))}</b></p>`];
    for (const x of this.rejections) h.push(`<p style="margin:4px 0;color:#b45309">refused: ${escapeHtml(x)}</p>`);
    if (this.report) h.push(`<p style="margin:4px 0;color:#d62828"><b>${escapeHtml(this.report)}</b></p>`);
    if (this.stdout) h.push(pre(limitLines(this.stdout, 30)));
    const cut = outputCutNote(this);
    if (cut) h.push(`<p style="margin:4px 0;color:#6b7280">${escapeHtml(cut)}</p>`);
    if (this.maps.trim()) h.push(pre(this.maps.trim()));
    h.push(this.table().toHtml(), "</div>");
    return h.join("\n");
  }

  toMimeBundle(): MimeBundle {
    return htmlBundle(this.toHtml(), this.toString());
  }

  [inspect.custom](): string {
    return this.toString();
  }

  /** Plain data (JSON.stringify(run)), with the name it was kept under. */
  toJSON(): ProbeRun & { name?: string } {
    return this.name === undefined ? { ...this } : { name: this.name, ...this };
  }
}

/** Lines of guest output a run's text/plain shows (its HTML shows 30): the full text is run.stdout. */
const TEXT_OUTPUT_LINES = 200;

function limitLines(s: string, n: number): string {
  const lines = s.trimEnd().split("\n");
  return lines.length <= n ? lines.join("\n") : `${lines.slice(0, n).join("\n")}\n... ${lines.length - n} more lines (all of them in .stdout)`;
}

/** The guest's stdout as a cell shows it: at most TEXT_OUTPUT_LINES lines, then what was cut and how to get it. */
export function shownOutput(r: ProbeRun): string {
  const parts = r.stdout ? [limitLines(r.stdout, TEXT_OUTPUT_LINES)] : [];
  const cut = outputCutNote(r);
  if (cut) parts.push(cut);
  return parts.length ? parts.join("\n") + "\n" : "";
}

/** What the run did not keep of the guest's output, and how to get all of it. */
function outputCutNote(r: ProbeRun): string | undefined {
  const c = r.output_cut;
  if (!c) return undefined;
  const parts = [c.stdout && `${thousands(c.stdout)} bytes of stdout`, c.stderr && `${thousands(c.stderr)} bytes of stderr`].filter(Boolean).join(" and ");
  return `[output cut: the first ${parts} were not kept (a run keeps the last 1 MiB of each stream); run it with outputFile: "out.txt" to write all of it to a file]`;
}

/** Runs of one program across kernels and/or emulation settings. */
export class Sweep implements Displayable {
  constructor(readonly runs: LabRun[]) {}

  /** One row per run and probe. */
  rows(): SweepRow[] {
    return sweepRows(this.runs);
  }

  run(kernel: string, emulation = true): LabRun {
    const r = this.runs.find((x) => x.kernel === kernel && x.emulation === emulation);
    if (!r) throw new Error(`no run for kernel ${kernel}, emulation ${emulation ? "on" : "off"} in this sweep`);
    return r;
  }

  /** Per generation: path and traps/hit of each probe, and how the run ended. */
  table(): Table {
    const text = formatSweep(this.runs).trimEnd().split("\n");
    const split = (l: string): string[] => l.split(/ {2,}/);
    return new Table(split(text[0]!), text.slice(1).map(split), { maxRows: 100 });
  }

  /** Traps per hit and virtual latency per generation (one emulation setting). */
  chart(emulation = true, title?: string): Chart {
    return kernelHistoryChart(
      this.runs.filter((r) => r.emulation === emulation),
      title ?? `${this.runs[0]?.binary ?? ""} on every kernel generation (emulation ${emulation ? "on" : "off"}, cost ${this.runs[0]?.cost ?? ""})`,
    );
  }

  toString(): string {
    return formatSweep(this.runs);
  }

  toMimeBundle(): MimeBundle {
    return this.table().toMimeBundle();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** The seed table of one kernel/cost pair, with its four runs. */
export class SeedResult implements Displayable {
  constructor(
    readonly table: SeedTable,
    readonly runs: LabRun[],
  ) {}

  cell(kind: "uprobe" | "uretprobe", emulation: boolean): SeedTable["rows"][number] {
    return seedCell(this.table, kind, emulation);
  }

  toString(): string {
    return formatSeedTable(this.table);
  }

  toHtml(): string {
    const t = this.table;
    const paper = seedPaper(t);
    const withSeed = paper !== undefined && t.rows.some((r) => r.seed_us !== undefined);
    const arch = seedArch(t.kernel, t.cost);
    const cell = (kind: "uprobe" | "uretprobe", on: boolean): string => {
      const r = seedCell(t, kind, on);
      return `<td style="text-align:right">${r.us_per_call.toFixed(3)} us</td><td style="text-align:right">${escapeHtml(trapsText(r))}</td><td style="text-align:left">${escapeHtml(r.trap_kinds)}</td>`;
    };
    const rows = (["uprobe", "uretprobe"] as const)
      .map(
        (k) =>
          `<tr><th style="text-align:left">${k}</th>${cell(k, true)}${cell(k, false)}${withSeed ? `<td style="text-align:right">${paper[k].on} / ${paper[k].off} us</td>` : ""}</tr>`,
      )
      .join("\n");
    const sub = `<th>us per call</th><th>traps/hit</th><th>trap kinds per hit</th>`;
    return (
      `<table class="uprobe-lab-table uprobe-lab-seed"><caption style="caption-side:top;text-align:left">kernel ${escapeHtml(t.kernel)}, cost profile ${escapeHtml(t.cost)}: ${seedBinary(t.kernel, t.cost)}, 1,000,000 calls of test() (${arch === "x86_32" ? "push %ebp" : "push %rbp"})</caption>\n` +
      `<thead><tr><th rowspan="2">${arch}</th><th colspan="3">with push emulation</th><th colspan="3">without push emulation</th>${withSeed ? `<th rowspan="2">seed ${SEED_COMMIT}<br>(with / without)</th>` : ""}</tr>\n<tr>${sub}${sub}</tr></thead>\n<tbody>\n${rows}\n</tbody></table>`
    );
  }

  toMimeBundle(): MimeBundle {
    return htmlBundle(this.toHtml(), this.toString());
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** A function's disassembly with its probed instructions marked. */
export interface DisasmLine {
  addr: number;
  offset: number;
  bytes: string;
  text: string;
  marks: string[];
}

export class Disassembly implements Displayable {
  constructor(
    readonly binary: string,
    readonly symbol: Sym,
    readonly lines: DisasmLine[],
  ) {}

  static of(bin: Binary, sym: Sym, marks: Map<number, string[]>): Disassembly {
    const lines = bin.disassemble(sym).map((l) => ({
      addr: l.addr,
      offset: l.offset,
      bytes: [...l.bytes].map((b) => b.toString(16).padStart(2, "0")).join(" "),
      text: l.text,
      marks: marks.get(l.addr) ?? [],
    }));
    return new Disassembly(bin.path, sym, lines);
  }

  toString(): string {
    const bw = Math.max(...this.lines.map((l) => l.bytes.length), 0);
    const tw = Math.max(...this.lines.map((l) => l.text.length), 0);
    const head = `${this.symbol.name} in ${this.binary} (${this.symbol.size} bytes at 0x${this.symbol.addr.toString(16)}):`;
    const body = this.lines.map((l) => {
      const m = l.marks.length ? "=>" : "  ";
      const tail = l.marks.length ? `  <- ${l.marks.join("; ")}` : "";
      return `${m} 0x${l.addr.toString(16)} <+${l.offset}>:`.padEnd(24) + `  ${l.bytes.padEnd(bw)}  ${l.text.padEnd(tw)}${tail}`.trimEnd();
    });
    return [head, ...body].join("\n") + "\n";
  }

  toHtml(): string {
    // Code reads left to right: Jupyter's table CSS right-aligns cells unless
    // told. Classic Notebook strips style attributes from untrusted HTML, so
    // the code columns are also padded to one width with no-break spaces (in
    // a monospace font, right- and left-aligned then look the same).
    const L = ' style="text-align:left"';
    const pad = (s: string, w: number): string => escapeHtml(s) + "&nbsp;".repeat(Math.max(0, w - s.length));
    const bw = Math.max(0, ...this.lines.map((l) => l.bytes.length));
    const tw = Math.max(0, ...this.lines.map((l) => l.text.length));
    const rows = this.lines
      .map((l) => {
        const hot = l.marks.length > 0;
        const style = hot ? ' style="background:#fff3cd;font-weight:bold"' : "";
        return `<tr${style}><td>${hot ? "&#9654;" : ""}</td><td${L}><code>0x${l.addr.toString(16)}</code></td><td style="text-align:right"><code>+${l.offset}</code></td><td${L}><code>${pad(l.bytes, bw)}</code></td><td${L}><code>${pad(l.text, tw)}</code></td><td${L}>${escapeHtml(l.marks.join("; "))}</td></tr>`;
      })
      .join("\n");
    return `<table class="uprobe-lab-table uprobe-lab-disasm"><caption style="caption-side:top;text-align:left"><code>${escapeHtml(this.symbol.name)}</code> in ${escapeHtml(this.binary)}</caption><thead><tr><th></th><th${L}>address</th><th style="text-align:right">offset</th><th${L}>bytes</th><th${L}>instruction</th><th${L}>probes</th></tr></thead>\n<tbody>\n${rows}\n</tbody></table>`;
  }

  toMimeBundle(): MimeBundle {
    return htmlBundle(this.toHtml(), this.toString());
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
