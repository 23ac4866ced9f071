// The seed experiment: the x86_64 and x86_32 tables of Linux commit
// e7ed9d9bd037 "uprobes/x86: Emulate push insns for uprobe on x86" (Yonghong
// Song, 2017), reproduced on samples/bin/push-O0 and, for x86_32, on
// samples/bin/push-m32-O0 (gcc -m32 -O0: test() starts with push %ebp) under
// an i386 kernel (--kernel 4.16-x86_32, FACT_SOURCES.seedX86_32: on a 64-bit
// kernel of that era a compat task's emulated push wrote 8 bytes and push.c
// died) (samples/push.README.md).
//
// push-O0 calls the empty test() 1,000,000 times between two gettimeofday()
// calls and prints the elapsed microseconds. Under the emulator that is
// virtual time, so printed / 1e6 is the cost of one call with the probe.
// The commit's table: uprobe on test (`push %rbp`) 1.55 us with push
// emulation, 3.1 us without; uretprobe 2.0 / 3.6 us.

import type { ProbeRun } from "./probe-run.js";
import type { RunSpec } from "./run-spec.js";
import { formatTextTable, thousands } from "./text-table.js";

export const SEED_COMMIT = "e7ed9d9bd037";
export const SEED_TITLE = "uprobes/x86: Emulate push insns for uprobe on x86";
export const SEED_BINARY = "push-O0";
/** The x86_32 table's program: push.c as `gcc -m32 -O0` builds it. */
const SEED_BINARY_X86_32 = "push-m32-O0";
const SEED_CALLS = 1_000_000;

export type SeedKind = "uprobe" | "uretprobe";

export const SEED_PROGRAMS: Record<SeedKind, string> = {
  uprobe: "probe test:0 < count++ >",
  uretprobe: "retprobe test < count++ >",
};

/** The commit's x86_64 figures, us per call. */
export const SEED_PAPER: Record<SeedKind, { on: number; off: number }> = {
  uprobe: { on: 1.55, off: 3.1 },
  uretprobe: { on: 2.0, off: 3.6 },
};

/** The commit's x86_32 figures, us per call (measured on an i386 kernel). */
export const SEED_PAPER_X86_32: Record<SeedKind, { on: number; off: number }> = {
  uprobe: { on: 1.41, off: 3.5 },
  uretprobe: { on: 1.75, off: 4.0 },
};

/** The kernel/cost pairs of the reproduction: the seed's era, and today's kernel on KVM. */
export const SEED_CONFIGS = [
  { kernel: "4.16", cost: "seed-2017-x86_64" },
  { kernel: "6.18", cost: "kvm-6.18" },
] as const;

/** The x86_32 table: an i386 4.16 kernel with the profile fitted to the commit's x86_32 figures. */
export const SEED_CONFIG_X86_32 = { kernel: "4.16-x86_32", cost: "seed-2017-x86_32" } as const;

/** The table's architecture: x86_32 for an i386 kernel or the x86_32 profile (push-m32-O0), x86_64 otherwise. */
export function seedArch(kernel: string, cost: string): "x86_64" | "x86_32" {
  return kernel.endsWith("-x86_32") || cost === "seed-2017-x86_32" ? "x86_32" : "x86_64";
}

/** The commit's figures for a table, when its cost profile is the one fitted to them. */
export function seedPaper(t: { cost: string }): Record<SeedKind, { on: number; off: number }> | undefined {
  return t.cost === "seed-2017-x86_64" ? SEED_PAPER : t.cost === "seed-2017-x86_32" ? SEED_PAPER_X86_32 : undefined;
}

/** The program a table runs: push-O0, or push-m32-O0 for x86_32. */
export function seedBinary(kernel: string, cost: string): string {
  return seedArch(kernel, cost) === "x86_32" ? SEED_BINARY_X86_32 : SEED_BINARY;
}

export interface SeedRow {
  kind: SeedKind;
  emulation: boolean;
  kernel: string;
  cost: string;
  /** The guest's own measurement: printed elapsed us / 1e6 calls. */
  us_per_call: number;
  traps_per_hit: number;
  /** uprobe/uretprobe syscalls per hit (6.11+: a uretprobe returns through a syscall, not a trap). */
  syscalls_per_hit: number;
  /** Non-zero trap kinds per hit, e.g. "int3 1, sstep 1". */
  trap_kinds: string;
  /** The probe's own virtual time per hit (traps, syscalls, handler), ns. */
  probe_ns_per_hit: number;
  hits: number;
  path: string;
  /** The commit's figure for this cell (only for the seed-2017 profile). */
  seed_us?: number;
}

export interface SeedTable {
  kernel: string;
  cost: string;
  rows: SeedRow[];
}

/** The four runs of one table (uprobe/uretprobe x emulation on/off), labelled "kind/on|off". */
export function seedSpecs(kernel: string, cost: string): RunSpec[] {
  const specs: RunSpec[] = [];
  for (const kind of ["uprobe", "uretprobe"] as const)
    for (const emulation of [true, false])
      specs.push({ binary: seedBinary(kernel, cost), program: SEED_PROGRAMS[kind], programName: kind, kernel, cost, emulation, label: `${kind}/${emulation ? "on" : "off"}` });
  return specs;
}

const KIND_NAMES: Record<string, string> = { int3: "int3", single_step: "sstep", uret_trap: "uret int3", uprobe_syscall: "sys_uprobe", uretprobe_syscall: "sys_uretprobe" };

function trapKinds(traps: Record<string, number>, hits: number): string {
  if (!hits) return "-";
  return Object.entries(traps)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${KIND_NAMES[k] ?? k} ${+(n / hits).toFixed(3)}`)
    .join(", ");
}

/** Rows of a table from its four runs (any order; matched by label or by program and emulation). */
export function seedTable(runs: ProbeRun[]): SeedTable {
  if (!runs.length) throw new Error("seedTable: no runs");
  const rows: SeedRow[] = runs.map((r) => {
    const kind: SeedKind = r.probes[0]?.kind === "uretprobe" ? "uretprobe" : "uprobe";
    const p = r.probes[0];
    if (!p) throw new Error("seedTable: a run without probes");
    if (r.status !== 0) throw new Error(`seedTable: ${seedBinary(r.kernel, r.cost)} ${kind} run failed: ${r.report ?? "status " + r.status}`);
    const printed = Number(r.stdout.trim().split("\n").pop());
    const row: SeedRow = {
      kind,
      emulation: r.emulation,
      kernel: r.kernel,
      cost: r.cost,
      us_per_call: printed / SEED_CALLS,
      traps_per_hit: p.traps_per_hit,
      syscalls_per_hit: p.syscalls_per_hit,
      trap_kinds: trapKinds(p.traps, p.hits),
      probe_ns_per_hit: p.ns_per_hit,
      hits: p.hits,
      path: p.path,
    };
    const paper = seedPaper(r);
    if (paper) row.seed_us = paper[kind][r.emulation ? "on" : "off"];
    return row;
  });
  rows.sort((a, b) => (a.kind === b.kind ? Number(b.emulation) - Number(a.emulation) : a.kind < b.kind ? -1 : 1));
  return { kernel: rows[0]!.kernel, cost: rows[0]!.cost, rows };
}

/** "2", or "1 + 1 syscall" when the probe also makes syscalls. */
export function trapsText(r: { traps_per_hit: number; syscalls_per_hit: number }): string {
  const t = `${+r.traps_per_hit.toFixed(3)}`;
  return r.syscalls_per_hit ? `${t} + ${+r.syscalls_per_hit.toFixed(3)} syscall` : t;
}

export function seedCell(t: SeedTable, kind: SeedKind, emulation: boolean): SeedRow {
  const r = t.rows.find((x) => x.kind === kind && x.emulation === emulation);
  if (!r) throw new Error(`seed table has no ${kind} row with emulation ${emulation ? "on" : "off"}`);
  return r;
}

/** The table in the commit's layout: one row per probe kind, with and without push emulation. */
export function formatSeedTable(t: SeedTable): string {
  const arch = seedArch(t.kernel, t.cost);
  const head = `kernel ${t.kernel}, cost profile ${t.cost}: ${seedBinary(t.kernel, t.cost)}, ${thousands(SEED_CALLS)} calls of test() (${arch === "x86_32" ? "push %ebp" : "push %rbp"})\n`;
  const paper = seedPaper(t);
  const withSeed = paper !== undefined && t.rows.some((r) => r.seed_us !== undefined);
  const rows = (["uprobe", "uretprobe"] as const).map((kind) => {
    const on = seedCell(t, kind, true), off = seedCell(t, kind, false);
    const cells = [kind, `${on.us_per_call.toFixed(3)} us/call`, trapsText(on), `${off.us_per_call.toFixed(3)} us/call`, trapsText(off)];
    if (withSeed) cells.push(`${paper[kind].on} / ${paper[kind].off} us`);
    return cells;
  });
  const headers = [arch, "with push emulation", "traps/hit", "without", "traps/hit"];
  if (withSeed) headers.push(`seed (${SEED_COMMIT})`);
  return head + formatTextTable(headers, rows, { align: ["l", "r", "r", "r", "r", "r"] });
}

/** Largest relative deviation of the model from the commit's figures (seed profile only), e.g. 0.0032. */
export function seedDeviation(t: SeedTable): number {
  let worst = 0;
  for (const r of t.rows) if (r.seed_us !== undefined) worst = Math.max(worst, Math.abs(r.us_per_call - r.seed_us) / r.seed_us);
  return worst;
}
