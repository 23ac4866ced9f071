// `uprobe-lab demo`: the main job. Reproduces the seed tables ("uprobes/x86:
// Emulate push insns", e7ed9d9bd037): x86_64 on the bundled push-O0, under the
// seed's profile (kernel 4.16) and today's (kernel 6.18 on KVM), and x86_32 on
// push-m32-O0 (an i386 kernel 4.16, seed-2017-x86_32), prints them,
// probes noncanon-O0 on every kernel generation, and writes a standalone
// HTML report with the charts (plotly.js inlined: it works offline).

import * as fs from "node:fs";
import * as path from "node:path";
import { HISTORY_BINARY, HISTORY_PROGRAM, formatSweep, sweepSpecs } from "../lab/history.js";
import { runMany } from "../lab/pool.js";
import type { ProbeRun } from "../lab/probe-run.js";
import { formatSeedTable, SEED_COMMIT, SEED_CONFIG_X86_32, SEED_CONFIGS, SEED_TITLE, seedDeviation, seedSpecs, seedTable, type SeedTable } from "../lab/seed.js";
import { kernelHistoryChart, seedLatencyChart, seedTrapsChart } from "../present/charts.js";
import { table } from "../present/mime.js";
import { plotlyVersion } from "../present/plot.js";
import { renderReport } from "../present/report.js";
import { LabRun, SeedResult } from "../present/views.js";
import { parseArgs } from "./args.js";

const DEMO_HELP = `usage: uprobe-lab demo [--out FILE.html] [--no-report] [--workers N]

Reproduce the x86_64 table of Linux ${SEED_COMMIT} "${SEED_TITLE}"
on samples/bin/push-O0 (1,000,000 calls of test(), whose first instruction
is push %rbp): uprobe and uretprobe, with and without push emulation, on the
seed's kernel 4.16 with its fitted cost profile, then on kernel 6.18 (KVM);
then its x86_32 table on samples/bin/push-m32-O0 (push %ebp) on an i386 4.16.
Then probe noncanon-O0 on every modelled kernel generation. Prints the tables
and writes a standalone HTML report with the charts (default:
out/seed-report.html; plotly.js is inlined, so it opens offline).

options:
  --out FILE      where to write the report
  --no-report     tables only
  --workers N     worker threads for the runs (default: cores, at most 4)
`;

export interface DemoResult {
  tables: SeedTable[];
  history: ProbeRun[];
}

export async function runDemo(o: { workers?: number; log?: (s: string) => void } = {}): Promise<DemoResult> {
  const log = o.log ?? (() => {});
  const configs = [...SEED_CONFIGS, SEED_CONFIG_X86_32];
  const seed = configs.flatMap((c) => seedSpecs(c.kernel, c.cost));
  const history = sweepSpecs({ binary: HISTORY_BINARY, program: HISTORY_PROGRAM, programName: "history" }, {});
  const specs = [...seed, ...history];
  const runs = await runMany(specs, { parallel: o.workers, onRun: (done, total) => log(`\r${done}/${total} runs done`) });
  log("\n");
  const tables = configs.map((_, i) => seedTable(runs.slice(i * 4, i * 4 + 4)));
  return { tables, history: runs.slice(seed.length) };
}

function demoText(r: DemoResult): string {
  const out: string[] = [`The seed: Linux ${SEED_COMMIT} "${SEED_TITLE}" (2017), x86_64 and x86_32 tables\n`];
  for (const t of r.tables) {
    out.push(formatSeedTable(t));
    if (t.rows.some((x) => x.seed_us !== undefined)) out.push(`largest deviation from the seed's figures: ${(seedDeviation(t) * 100).toFixed(2)} %\n`);
    out.push("");
  }
  out.push(`${HISTORY_BINARY} on every modelled kernel generation (path and traps per hit of each probe):\n`);
  out.push(formatSweep(r.history));
  return out.join("\n");
}

function demoReport(r: DemoResult): string {
  const parts = [
    {
      p: `<a href="https://git.kernel.org/linus/${SEED_COMMIT}">Linux ${SEED_COMMIT}</a> &ldquo;${SEED_TITLE}&rdquo; (2017) made the kernel emulate <code>push</code> instead of single-stepping it out of line. Its x86_64 table: a uprobe on a function starting with <code>push %rbp</code> cost 1.55&nbsp;us per call with the patch and 3.1&nbsp;us without; a uretprobe 2.0 / 3.6&nbsp;us. uprobe-lab runs the commit's own test program (<code>samples/bin/push-O0</code>: 1,000,000 calls of an empty <code>test()</code> between two <code>gettimeofday()</code> calls) in its emulator, with its model of the kernel's uprobes; the guest's clock is virtual, so the figures below are exact and the same on every machine.`,
    },
    { h2: "The seed table, reproduced (kernel 4.16, cost profile seed-2017-x86_64)" },
    new SeedResult(r.tables[0]!, []),
    { p: `Largest deviation from the seed's figures: ${(seedDeviation(r.tables[0]!) * 100).toFixed(2)}&nbsp;%. Traps per hit are exact counts: the uprobe takes 1 trap when the push is emulated and 2 when it is single-stepped (int3, then the single-step #DB); the uretprobe adds the return trampoline's trap.` },
    { h2: "The same today (kernel 6.18, cost profile kvm-6.18)" },
    new SeedResult(r.tables[1]!, []),
    { p: "Since 6.11 a uretprobe returns through the uretprobe syscall rather than an int3 trap (sys_uretprobe in the trap kinds)." },
    { h2: "The x86_32 table (an i386 kernel 4.16, cost profile seed-2017-x86_32)" },
    {
      p: `The commit's second table, for a 32-bit program: 1.41 / 3.5&nbsp;us for the uprobe on <code>push %ebp</code>, 1.75 / 4.0&nbsp;us for the uretprobe. <code>samples/bin/push-m32-O0</code> is <code>push.c</code> built <code>gcc -m32 -O0</code>. It was measured on an i386 kernel: on a 64-bit kernel before 5.3 the uprobe code pushed 8-byte words for a 32-bit task at trap time (9212ec7d8357 fixed it), which kills <code>push.c</code> at the first hit.`,
    },
    new SeedResult(r.tables[2]!, []),
    { p: `Largest deviation from the seed's x86_32 figures: ${(seedDeviation(r.tables[2]!) * 100).toFixed(2)}&nbsp;%. The trap counts are those of x86_64; a 32-bit task's uretprobe returns through the trampoline's int3 on every kernel (the uretprobe syscall is 64-bit only).` },
    { h2: "Traps per hit" },
    seedTrapsChart(r.tables.slice(0, 2)),
    { h2: "Virtual latency per call" },
    seedLatencyChart(r.tables.slice(0, 2)),
    { h2: "One program on every kernel generation" },
    {
      p: `<code>samples/bin/noncanon-O0</code> probed on every modelled generation (emulation on, cost kvm-6.18): a <code>call rel32</code> whose out-of-line copy would branch to a non-canonical address (the task dies of SIGSEGV until 3.15 emulates relative branches, 2014), a <code>jmp rel32</code>, a <code>push %rbp</code> (emulated from 4.16, the seed) and a uretprobe (from 3.10; returns through a syscall from 6.11).`,
    },
    { pre: HISTORY_PROGRAM },
    kernelHistoryChart(r.history, "noncanon-O0 on every modelled kernel generation (emulation on, cost kvm-6.18)"),
    table(
      r.history.map((x) => new LabRun(x)).map((x) => ({ kernel: x.kernel, ended: x.signal ?? (x.status === 0 ? "ok" : `exit ${x.status}`), ...Object.fromEntries(x.probes.map((p) => [p.probe, p.path === "rejected" ? "rejected" : p.hits ? `${p.path}, ${+p.traps_per_hit.toFixed(2)} traps/hit` : `${p.path}, no hits`])) })),
      undefined,
      { maxRows: 100 },
    ),
  ];
  return renderReport("uprobe-lab: the seed experiment", parts, `Written by <code>uprobe-lab demo</code> (plotly.js ${plotlyVersion()} inlined). Re-run it to reproduce: the figures are deterministic.`);
}

export async function demoCommand(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { "--out": { value: true }, "--no-report": {}, "--workers": { value: true }, "--help": {}, "-h": {} }, false, 0);
  if (p.opts.has("--help") || p.opts.has("-h")) {
    process.stdout.write(DEMO_HELP);
    return 0;
  }
  const workers = p.opts.has("--workers") ? Math.max(1, Number(p.opts.get("--workers")![0]) || 1) : undefined;
  const tty = process.stderr.isTTY;
  const r = await runDemo({ workers, log: tty ? (s) => void process.stderr.write(s) : undefined });
  process.stdout.write(demoText(r));
  if (!p.opts.has("--no-report")) {
    const out = path.resolve(p.opts.get("--out")?.[0] ?? path.join("out", "seed-report.html"));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, demoReport(r));
    process.stdout.write(`\nReport with the charts: ${path.relative(process.cwd(), out) || out} (open it in a browser; it works offline)\n`);
  }
  return 0;
}
