// Kernel history: one program probed on every modelled kernel generation.
//
// The default program probes samples/bin/noncanon-O0 (samples/noncanon.c):
// a `call rel32` (nc_call_site) and a `jmp rel32` (nc_jmp_site) whose
// out-of-line copies would branch to a non-canonical address, a function
// starting with `push %rbp` (rel32_at) and that function's return. Before
// 3.15 the kernel single-stepped the call out of line and the task died of
// SIGSEGV at the first hit; 3.15 emulates relative branches (the 2014 fix);
// 4.16 emulates the push (the seed commit); 3.10 brought uretprobes (with
// an int3 trampoline), 6.11 returns through the uretprobe syscall.

import { kernelVersions } from "../engine/index.js";
import type { ProbeRun } from "./probe-run.js";
import type { RunSpec } from "./run-spec.js";
import { formatTextTable } from "./text-table.js";

export const HISTORY_BINARY = "noncanon-O0";

export const HISTORY_PROGRAM = `probe nc_call_site < calls++ >
probe nc_jmp_site < jmps++ >
probe rel32_at < pushes++ >
retprobe rel32_at < returns++ >`;

export interface SweepAxes {
  /** Generations (default: every modelled one, oldest first). */
  kernels?: string[];
  /** Emulation settings (default [true]). */
  emulation?: boolean[];
  cost?: string;
}

/** One spec per kernel x emulation, labelled "4.16/on". */
export function sweepSpecs(base: Omit<RunSpec, "kernel" | "emulation" | "label">, axes: SweepAxes = {}): RunSpec[] {
  const specs: RunSpec[] = [];
  for (const emulation of axes.emulation ?? [true])
    for (const kernel of axes.kernels ?? kernelVersions()) specs.push({ ...base, cost: axes.cost ?? base.cost, kernel, emulation, label: `${kernel}/${emulation ? "on" : "off"}` });
  return specs;
}

/** One row per run and probe: the long format the charts and tables use. */
export interface SweepRow {
  kernel: string;
  emulation: boolean;
  cost: string;
  probe: string;
  kind: "uprobe" | "uretprobe";
  path: string;
  hits: number;
  traps_per_hit: number;
  syscalls_per_hit: number;
  ns_per_hit: number;
  int3: number;
  single_step: number;
  uret_trap: number;
  uprobe_syscall: number;
  uretprobe_syscall: number;
  /** The run's exit status, and its signal when it crashed. */
  status: number;
  signal?: string;
  report?: string;
  error?: string;
  /** A usdt probe's semaphore: who raised it (kernel from 4.20, tool before, nobody) and its value. */
  semaphore?: string;
}

export function sweepRows(runs: ProbeRun[]): SweepRow[] {
  const rows: SweepRow[] = [];
  for (const r of runs)
    for (const p of r.probes) {
      const row: SweepRow = {
        kernel: r.kernel,
        emulation: r.emulation,
        cost: r.cost,
        probe: p.probe,
        kind: p.kind,
        path: p.path,
        hits: p.hits,
        traps_per_hit: p.traps_per_hit,
        syscalls_per_hit: p.syscalls_per_hit,
        ns_per_hit: p.ns_per_hit,
        ...p.traps,
        status: r.status,
      };
      if (r.signal) row.signal = r.signal;
      if (r.report) row.report = r.report;
      if (p.error) row.error = p.error;
      if (p.semaphore) row.semaphore = semaphoreCell(p.semaphore);
      rows.push(row);
    }
  return rows;
}

/** `kernel=1`, `tool=1`, `nobody`: who raised a usdt probe's semaphore, and to what. */
function semaphoreCell(s: { raised_by: string; value?: number }): string {
  return s.value === undefined ? s.raised_by : `${s.raised_by}=${s.value}`;
}

/** Per generation: path and traps/hit of each probe ("+1s": and a syscall), and how the run ended. */
export function formatSweep(runs: ProbeRun[]): string {
  const probes = runs[0]?.probes.map((p) => p.probe) ?? [];
  const multiEmu = new Set(runs.map((r) => r.emulation)).size > 1;
  const headers = ["kernel", ...(multiEmu ? ["emulation"] : []), ...probes, "run"];
  const rows = runs.map((r) => [
    r.kernel,
    ...(multiEmu ? [r.emulation ? "on" : "off"] : []),
    ...r.probes.map((p) => (p.path === "rejected" ? "rejected" : p.hits ? `${p.path} ${+p.traps_per_hit.toFixed(2)}${p.syscalls_per_hit ? `+${+p.syscalls_per_hit.toFixed(2)}s` : ""}` : `${p.path} -`) + (p.semaphore ? ` sem:${semaphoreCell(p.semaphore)}` : "")),
    r.signal ? `${r.signal}` : r.status === 0 ? "ok" : `exit ${r.status}`,
  ]);
  return formatTextTable(headers, rows, { align: headers.map(() => "l") });
}
