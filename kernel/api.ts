// The notebook API: everything a notebook (or a script) needs, in one
// module. The uprobe-lab kernel preloads it, so its names are there in
// every cell, with types; a cell can also `import { ... } from "uprobe-lab"`.
//
//   const push = loadBinary("push-O0");
//   push.disasm("test", probe`probe test:0 < count++ >`)
//   const r = await probe`probe test:0 < count++ >`.run(push, { kernel: "4.16", emulation: false });
//   r.probe().traps_per_hit                       // 2
//   const sw = await sweep("noncanon-O0", HISTORY_PROGRAM, { emulation: [true, false] });
//   sw.chart()
//   compile("t", "int main(void) { return 0; }", { flags: ["-O2"] })   // what a %%c cell does
//   run("r416").map("@lat").buckets(); compare(run("r43"), run("r416"))
//   report("out/r.html", "title", ["text", cmp, run("r416")])
//
// Long runs show one progress line that updates in place, and stop at the
// next slice when the kernel is interrupted.

import * as fs from "node:fs";
import * as path from "node:path";
import { inspect } from "node:util";
import { compileProgram } from "../dsl/index.js";
import { closestNames } from "../dsl/suggest.js";
import { funclatencyProgram } from "../dsl/funclatency.js";
import { kernelVersions, UserError, type Binary } from "../engine/index.js";
import { compileSource, compileSourceAsync, type SourceLanguage } from "../lab/compile.js";
import { HISTORY_BINARY, HISTORY_PROGRAM, sweepSpecs, type SweepAxes } from "../lab/history.js";
import { runMany as runManyRaw } from "../lab/pool.js";
import { RunError, runSpec, toRunError, type ProbeRun } from "../lab/probe-run.js";
import { openRunBinary, type RunSpec } from "../lab/run-spec.js";
import { SEED_CONFIGS, seedBinary, seedSpecs, seedTable } from "../lab/seed.js";
import { BinaryTargetInfo } from "../lab/target-info.js";
import { thousands } from "../lab/text-table.js";
import { barChart, histogramChart, kernelHistoryChart, seedLatencyChart, seedTrapsChart } from "../present/charts.js";
import { Comparison } from "../present/compare.js";
import { escapeHtml, htmlBundle, type Displayable, type MimeBundle } from "../present/mime.js";
import { notebookReport, type MultiOutput, type NotebookReportPart } from "../present/report.js";
import { Chart, withPlotly, type PlotlyMode } from "../present/plot.js";
import { Disassembly, LabRun, SeedResult, Sweep } from "../present/views.js";
import { display, Progress } from "./display.js";

export { kernelVersions, DEFAULT_KERNEL, COST_PROFILES, DEFAULT_COST, KERNEL_GENERATIONS, FACT_SOURCES, type KernelGeneration } from "../engine/index.js";
export { Session, formatStatsTable } from "../lab/session.js";
export { samplePath, sampleNames, PROJECT_ROOT } from "../lab/paths.js";
export { RunError, type ProbeRun, type ProbeFigures } from "../lab/probe-run.js";
export type { RunSpec } from "../lab/run-spec.js";
export { HISTORY_BINARY, HISTORY_PROGRAM, sweepRows, type SweepRow, type SweepAxes } from "../lab/history.js";
export { SEED_PROGRAMS, SEED_PAPER, SEED_CONFIGS, SEED_BINARY, SEED_COMMIT, SEED_TITLE, formatSeedTable, seedDeviation, type SeedTable, type SeedRow } from "../lab/seed.js";
export { SEED_CONFIG_X86_32, SEED_PAPER_X86_32 } from "../lab/seed.js";
export { formatTextTable } from "../lab/text-table.js";
export { funclatencyProgram, funclatencyTool, type FunclatencyOptions } from "../dsl/funclatency.js";
// bcc's other tools as DSL programs, for runProbes(); their `interval` option is bcc's -i/-d (an interval probe)
export { funccountProgram, stackcountProgram } from "../dsl/bcc-tools.js";
export { parseTraceProbe, traceProgram } from "../dsl/bcc-trace.js";
export { FlameGraph, type FoldedStack } from "../present/flame-graph.js";
export { display, Progress, setDisplaySink, type DisplaySink } from "./display.js";
export { table, Table, type Displayable, type MimeBundle } from "../present/mime.js";
export { Chart, type Figure, type Trace, type PlotlyMode } from "../present/plot.js";
export { barChart, histogramChart, kernelHistoryChart, seedLatencyChart, seedTrapsChart, histBuckets, bucketLabel, type HistBucket } from "../present/charts.js";
export { LabRun, Sweep, SeedResult, Disassembly, probeTable, traceTable } from "../present/views.js";
export { RunMap, type MapKey } from "../present/map-view.js";
export { Comparison } from "../present/compare.js";
export type { MapData, MapKind, MapRow, MapBucket, StatsValue, MapEntryValue } from "../lab/map-values.js";
export type { NotebookReportPart, MultiOutput } from "../present/report.js";
export { CompileError, workDir, type SourceLanguage } from "../lab/compile.js";
export { labVersion } from "../lab/provenance.js";

// ---- interrupts ----

let controller = new AbortController();

/** Stop the runs in progress at their next slice (the kernel calls this on SIGINT). */
export function interruptRuns(): void {
  controller.abort();
}

/** A fresh interrupt scope (the kernel calls this before each cell). */
export function resetInterrupt(): void {
  if (controller.signal.aborted) controller = new AbortController();
  // a new cell: its first chart carries plotly.js again (see plot())
  plotlyInCell = false;
}

// ---- the last run ----

/** The result of the last %%probe cell or runProbes() call. */
export let lastRun: LabRun | undefined;
const lastRunListeners: ((r: LabRun) => void)[] = [];

/** Called with every new lastRun (the kernel uses it to update the cells' `lastRun`). */
export function onLastRun(f: (r: LabRun) => void): void {
  lastRunListeners.push(f);
}

export function setLastRun(r: LabRun): void {
  lastRun = r;
  for (const f of lastRunListeners) f(r);
}

// ---- named runs ----

const named = new Map<string, LabRun>();

/** Keep a run under a name (what %%probe --name NAME and the `name` run option do). */
export function keepRun(name: string, r: LabRun): LabRun {
  // not enumerable: the run's data (and its JSON from toJSON) stays as it came
  Object.defineProperty(r, "name", { value: name, enumerable: false, writable: true, configurable: true });
  named.set(name, r);
  return r;
}

/** A run kept under a name: run("r416"). An unknown name is a one-line error listing the known ones. */
export function run(name: string): LabRun {
  const r = named.get(name);
  if (!r) throw new UserError(`no run named '${name}' (${named.size ? `named runs: ${[...named.keys()].join(", ")}` : "no named runs yet"}; name one with %%probe --name NAME or runProbes(..., { name: "NAME" }))`);
  return r;
}

/** The names of the kept runs, oldest first. */
export function runNames(): string[] {
  return [...named.keys()];
}

/** Two runs side by side (by value or by name): a table, a latency/traps chart and a map-values chart. */
export function compare(a: LabRun | string, b: LabRun | string): Comparison {
  return new Comparison(typeof a === "string" ? run(a) : a, typeof b === "string" ? run(b) : b);
}

// ---- plotly ----

let plotlyMode: PlotlyMode | undefined;
let plotlyInCell = false;

/**
 * Choose how charts get plotly.js for their interactive HTML: "inline" (the
 * default) carries the library in the first chart of each cell that draws
 * one; "none" keeps notebooks small (every chart still shows its static
 * picture, and is interactive where a plotly renderer reads its JSON).
 * UPROBE_LAB_PLOTLY=inline|none sets the default.
 */
export function initPlotly(mode?: PlotlyMode): void {
  plotlyMode = mode ?? (process.env.UPROBE_LAB_PLOTLY === "none" ? "none" : "inline");
}

/** Display a chart: one output (plotly JSON, SVG, HTML, text); plotly.js rides along once per cell. */
export function plot(chart: Chart): void {
  if (!plotlyMode) initPlotly();
  if (plotlyMode === "inline" && !plotlyInCell) {
    plotlyInCell = true;
    display(withPlotly(chart.toMimeBundle()));
  } else display(chart);
}

/** Show anything displayable: charts through plot() (plotly.js first), several outputs (compare()) each in turn, the rest through display(). */
export function show(x: Displayable | MimeBundle | string | MultiOutput): void {
  if (x instanceof Chart) plot(x);
  else if (typeof x === "object" && typeof (x as MultiOutput).outputs === "function") for (const o of (x as MultiOutput).outputs()) show(o);
  else display(x as Displayable | MimeBundle | string);
}

// ---- binaries and disassembly ----

/** What to mark in a disassembly: a run's probes, a program's probes (text or probe`...`), or offsets. */
export type ProbeMarks = ProbeRun | ProbeProgram | string | number[];

/** A binary to probe, by path or bundled sample name. */
export class LabBinary {
  constructor(readonly binary: Binary) {}

  get path(): string {
    return this.binary.path;
  }

  /** Function names, in address order. */
  functions(): string[] {
    return this.binary.functions().map((s) => s.name);
  }

  /** The function's instructions with the probed ones marked. */
  disasm(func: string, marks?: ProbeMarks): Disassembly {
    return disasm(this, func, marks);
  }

  toString(): string {
    const elf = this.binary.elf;
    const kind = elf.interp ? `dynamically linked (${elf.dynamic.needed.join(", ")})` : elf.type === 3 ? "static-PIE" : "static";
    return `${this.path}: ${kind} ${elf.bits === 32 ? "i386" : "x86-64"} ELF, ${this.binary.functions().length} functions`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** A binary a %%c cell (or compile()) built, with how. */
export class CompiledBinary extends LabBinary {
  constructor(
    binary: Binary,
    readonly name: string,
    /** The compiler command, as run in the work directory. */
    readonly command: string,
    /** The compiler's warnings ("" when none). */
    readonly warnings: string,
  ) {
    super(binary);
  }
}

export interface CompileOptions {
  /** "c" (default) or "c++". */
  language?: SourceLanguage;
  /** gcc (C) or g++ (C++) by default; musl-gcc, clang... */
  compiler?: string;
  /** Compiler flags, after the source file: -O2, -static, -lm. */
  flags?: string[];
}

/** Compile C or C++ source into a binary known afterwards by `name` (loadBinary(name), %%probe name). Throws CompileError. */
export function compile(name: string, source: string, o: CompileOptions = {}): CompiledBinary {
  const r = compileSource({ name, source, language: o.language ?? "c", compiler: o.compiler, flags: o.flags });
  return new CompiledBinary(loadBinary(name).binary, name, r.command, r.warnings);
}

/** compile() without blocking the kernel: a Jupyter interrupt kills the compiler and rejects with an "interrupted" RunError (what %%c cells use). */
export async function compileAsync(name: string, source: string, o: CompileOptions = {}): Promise<CompiledBinary> {
  const req = { name, source, language: o.language ?? "c", compiler: o.compiler, flags: o.flags };
  const r = await compileSourceAsync(req, controller.signal, () => new RunError("interrupted", `interrupted: ${req.compiler ?? (req.language === "c++" ? "g++" : "gcc")} was stopped, ${name} was not built`));
  return new CompiledBinary(loadBinary(name).binary, name, r.command, r.warnings);
}

/** Load a binary: a path, a bundled sample name (push-O0, noncanon-O0, callsite-O0...), or a %%c cell's name. */
export function loadBinary(nameOrPath: string): LabBinary {
  try {
    return new LabBinary(openRunBinary(nameOrPath));
  } catch (e) {
    throw friendly(e);
  }
}

function asBinary(b: LabBinary | string): LabBinary {
  return typeof b === "string" ? loadBinary(b) : b;
}

/** Disassemble a function of a binary, marking the instructions the probes attach to. */
export function disasm(bin: LabBinary | string, func: string, marks?: ProbeMarks): Disassembly {
  const b = asBinary(bin).binary;
  const sym = b.lookup(func);
  if (!sym || sym.kind !== "func") {
    const near = closestNames(func, b.functions().map((s) => s.name));
    throw new UserError(`${b.path}: no function '${func}'${near.length ? ` (did you mean ${near.join(", ")}?)` : ""}`);
  }
  const m = new Map<number, string[]>();
  const add = (addr: number, what: string): void => void m.set(addr, [...(m.get(addr) ?? []), what]);
  if (Array.isArray(marks)) for (const off of marks) add(sym.addr + off, `probe ${func}:${off}`);
  else if (marks && typeof marks === "object" && "probes" in marks && "status" in marks) {
    for (const p of marks.probes) add(Number(p.address), `${p.probe} (${p.path}${p.hits ? `, ${+p.traps_per_hit.toFixed(2)} traps/hit` : ""})`);
  } else if (marks !== undefined) {
    const text = typeof marks === "string" ? marks : marks.text;
    try {
      const prog = compileProgram(text, "marks", new BinaryTargetInfo(b));
      for (const p of prog.probes) add(Number(p.target.addr), p.target.kind === "uretprobe" ? `${p.target.name} (entry: return hijacked)` : p.target.name);
    } catch (e) {
      throw friendly(e);
    }
  }
  return Disassembly.of(b, sym, m);
}

// ---- running probes ----

export interface RunOptions {
  kernel?: string;
  emulation?: boolean;
  cost?: string;
  args?: string[];
  env?: string[];
  stdin?: string;
  /** Keep the event trace of the first N hits. */
  traceHits?: number;
  maxInsns?: number;
  unsafe?: boolean;
  /** No progress line. */
  quiet?: boolean;
  /** Keep the result as run(name) too. */
  name?: string;
}

/** Errors of the API as RunErrors with readable messages (DSL errors with line:col and the source line). */
function friendly(e: unknown): Error {
  return toRunError(e);
}

function describe(spec: RunSpec): string {
  return `${spec.binary}: kernel ${spec.kernel ?? "6.18"}, emulation ${spec.emulation === false ? "off" : "on"}${spec.cost ? `, cost ${typeof spec.cost === "string" ? spec.cost : spec.cost.name}` : ""}`;
}

/** Run one spec with a progress line (shown once the program compiled), kept as run(name) when named; rejects with RunError. */
export async function runOne(spec: RunSpec, quiet = false, name?: string): Promise<LabRun> {
  let progress: Progress | undefined;
  try {
    const run = new LabRun(
      await runSpec(spec, {
        signal: controller.signal,
        onStart: () => void (progress = quiet ? undefined : new Progress(`${describe(spec)}: starting`)),
        onProgress: (p) => progress?.update(`${describe(spec)}: ${thousands(p.instructions)} instructions, ${thousands(p.hits)} hits so far`),
      }),
    );
    progress?.done(`${run.binary}: kernel ${run.kernel}, emulation ${run.emulation ? "on" : "off"}, cost ${run.cost}: ${thousands(run.instructions)} instructions, ${thousands(run.probes.reduce((n, p) => n + p.hits, 0))} hits${run.signal ? `, killed by ${run.signal}` : ""}`);
    if (name !== undefined) keepRun(name, run);
    setLastRun(run);
    return run;
  } catch (e) {
    const err = friendly(e);
    progress?.done(`${describe(spec)}: ${err instanceof RunError && err.kind === "interrupted" ? err.message : "failed"}`);
    throw err;
  }
}

/** Run a probe program on a binary. */
export function runProbes(binary: LabBinary | string, program: string | ProbeProgram, opts: RunOptions = {}): Promise<LabRun> {
  const { quiet, name, ...rest } = opts;
  const text = typeof program === "string" ? program : program.text;
  return runOne({ binary: typeof binary === "string" ? binary : binary.path, program: text, programName: "program", ...rest }, quiet, name);
}

/** Run many specs (on worker threads when there are several cores) with one progress line. */
export async function runAll(specs: RunSpec[], what = "runs"): Promise<LabRun[]> {
  const total = specs.length;
  const progress = new Progress(`${what}: 0 of ${total} done`);
  try {
    const runs = await runManyRaw(specs, {
      signal: controller.signal,
      onRun: (done) => progress.update(`${what}: ${done} of ${total} done`),
      onProgress: (running, done) => progress.update(`${what}: ${done} of ${total} done; running: ${[...running.entries()].map(([i, n]) => `${specs[i]!.label ?? i} ${(n / 1e6).toFixed(0)}M insns`).join(", ")}`),
    });
    progress.done(`${what}: ${total} of ${total} done`);
    return runs.map((r) => new LabRun(r));
  } catch (e) {
    progress.done(`${what}: ${e instanceof RunError && e.kind === "interrupted" ? "interrupted" : "failed"}`);
    throw friendly(e);
  }
}

export interface SweepOptions extends SweepAxes {
  args?: string[];
  traceHits?: number;
  maxInsns?: number;
}

/** Run one program across kernel generations (default: all) and emulation settings (default: on). */
export async function sweep(binary: LabBinary | string, program: string | ProbeProgram, o: SweepOptions = {}): Promise<Sweep> {
  const { kernels, emulation, cost, ...rest } = o;
  const specs = sweepSpecs({ binary: typeof binary === "string" ? binary : binary.path, program: typeof program === "string" ? program : program.text, programName: "program", ...rest }, { kernels, emulation, cost });
  const n = (kernels ?? kernelVersions()).length;
  return new Sweep(await runAll(specs, `sweep of ${n} kernel generation${n === 1 ? "" : "s"} x ${(emulation ?? [true]).length} emulation setting${(emulation ?? [true]).length === 1 ? "" : "s"}`));
}

/** A probe program written with the probe`...` tag: run it, sweep it, mark it in a disassembly. */
export class ProbeProgram {
  constructor(readonly text: string) {}

  run(binary: LabBinary | string, opts: RunOptions = {}): Promise<LabRun> {
    return runProbes(binary, this, opts);
  }

  sweep(binary: LabBinary | string, o: SweepOptions = {}): Promise<Sweep> {
    return sweep(binary, this, o);
  }

  toString(): string {
    return this.text;
  }

  [inspect.custom](): string {
    return this.text;
  }
}

/** probe`probe ${fn}:0 < count++ >`: a DSL program; interpolated values are inserted as text. */
export function probe(strings: TemplateStringsArray, ...values: unknown[]): ProbeProgram {
  let text = strings[0] ?? "";
  values.forEach((v, i) => (text += String(v) + (strings[i + 1] ?? "")));
  return new ProbeProgram(text);
}

// ---- experiments ----

/** The seed table(s): uprobe/uretprobe x push emulation on/off on push-O0, for each kernel/cost pair. */
export async function seedExperiment(configs: readonly { kernel: string; cost: string }[] = SEED_CONFIGS): Promise<SeedResult[]> {
  const specs = configs.flatMap((c) => seedSpecs(c.kernel, c.cost));
  const runs = await runAll(specs, `seed experiment (${specs.length} runs of ${[...new Set(configs.map((c) => seedBinary(c.kernel, c.cost)))].join(", ")}, 1,000,000 probe hits each)`);
  return configs.map((_, i) => {
    const mine = runs.slice(i * 4, i * 4 + 4);
    return new SeedResult(seedTable(mine), mine);
  });
}

/** The kernel-history sweep: HISTORY_PROGRAM on noncanon-O0 on every generation. */
export function kernelHistory(o: SweepOptions = {}): Promise<Sweep> {
  return sweep(HISTORY_BINARY, HISTORY_PROGRAM, o);
}

// ---- reports ----

/** What report() wrote. */
export class ReportFile implements Displayable {
  constructor(
    readonly path: string,
    readonly bytes: number,
  ) {}

  toString(): string {
    return `report written: ${this.path} (${(this.bytes / 1e6).toFixed(1)} MB, standalone: plotly.js inlined)`;
  }

  toMimeBundle(): MimeBundle {
    return htmlBundle(`<p>report written: <a href="${escapeHtml(this.path)}" target="_blank">${escapeHtml(this.path)}</a> (${(this.bytes / 1e6).toFixed(1)} MB, standalone: plotly.js inlined)</p>`, this.toString());
  }
}

/**
 * Write a standalone HTML report: the parts in order (a string is a
 * paragraph; {h2: "..."} a heading; runs, tables, charts and compare()
 * results show as in the notebook), then the provenance of every run in it
 * (uprobe-lab version, binary SHA-256, kernel, cost profile, command).
 * plotly.js is inlined: the file draws its charts offline.
 */
export function report(file: string, title: string, parts: NotebookReportPart[], o: { runs?: LabRun[] } = {}): ReportFile {
  const html = notebookReport(title, parts, o);
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, html);
  } catch (e) {
    throw new UserError(`report: cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return new ReportFile(file, Buffer.byteLength(html));
}

/** Charts by name, for discoverability: charts.seedTraps(results)... */
export const charts = {
  seedTraps: (r: SeedResult[]) => seedTrapsChart(r.map((x) => x.table)),
  seedLatency: (r: SeedResult[]) => seedLatencyChart(r.map((x) => x.table)),
  kernelHistory: kernelHistoryChart,
  histogram: histogramChart,
  bar: barChart,
  /** Any map of a run: bars per key, buckets for hist() and lhist(). */
  map: (r: LabRun, name: string, title?: string) => r.chart(name, title),
  /** Two runs' virtual latency per hit, traps per hit as labels. */
  compare: (a: LabRun | string, b: LabRun | string, title?: string) => compare(a, b).chart(title),
};
