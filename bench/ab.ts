// Interleaved A/B comparison of compiled trees, in one process: before/after
// figures for a change on a noisy machine (bench/README.md, "The machine is
// noisy"). Each round runs every tree once, in turn, so that all of them see
// the same load; the figure is the best (and the median) over the rounds, of
// process CPU time (less sensitive to other jobs than wall time).
//
//   node dist/bench/ab.js [--reps N] KIND TREE...
//
//   npx tsc -p tsconfig.json --outDir .cache/before   # at the old commit
//   npx tsc -p tsconfig.json --outDir .cache/after
//   node .cache/after/bench/ab.js --reps 8 emu .cache/before .cache/after
//
// KIND `startup` runs each tree's bench/first-insn.js as a child process
// instead (`run -e 'probe main < exit() >' -- samples/bin/hello-O0`, as
// bench/run.ts section 3), in turn, and compares process start to the first
// guest instruction (wall) and the main thread's CPU time by then.
//
// KIND: emu, xol, xol2, nop5, ret (host ns per probe hit: a run with the probe
// minus a run without, as bench/run.ts section 2), or push, intloop, sieve,
// strings, threads, intloop-i386 (guest instructions per second, as section 1). The C workloads
// must have been built by bench/run.ts (.cache/bench/bin).

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { buildI386Workload, buildWorkload, ROOT } from "./lib.js";

interface RunResult {
  instructions: number;
}
interface MachineLike {
  run(): RunResult;
}
interface SessionLike {
  run(): RunResult;
  stats(): { probes: { hits: number }[] };
}
interface Tree {
  name: string;
  Machine: new (bin: unknown, o: { argv: string[]; io: unknown }) => MachineLike;
  Session: new (o: { binary: unknown; program: string; programName: string; args: string[]; io: unknown; emulation: boolean }) => SessionLike;
  BufferIo: new () => unknown;
  bin: { path: string };
  base: number[];
  probed: number[];
  hits: number;
  insns: number;
}

const PROBES: Record<string, { binary: string; program: string; emulation: boolean }> = {
  emu: { binary: "samples/bin/push-O0", program: "probe test:0 < count++ >", emulation: true },
  xol: { binary: "samples/bin/push-O0", program: "probe test:0 < count++ >", emulation: false },
  // two stepping probes that share XOL slot 1 in turn (each step rewrites it): ns per call, i.e. per pair of hits
  xol2: { binary: "samples/bin/push-O0", program: "probe test:0 < count++ > probe test:1 < count++ >", emulation: false },
  nop5: { binary: "nop5", program: "probe hit:0 < count++ >", emulation: true },
  ret: { binary: "samples/bin/push-O0", program: "retprobe test < count++ >", emulation: true },
};
const WORKLOADS: Record<string, { binary: string; args: string[] }> = {
  push: { binary: "samples/bin/push-O0", args: [] },
  intloop: { binary: "intloop", args: [] },
  sieve: { binary: "sieve", args: [] },
  strings: { binary: "strings", args: ["25000"] },
  threads: { binary: "threads", args: [] },
  "intloop-i386": { binary: "i386:intloop", args: [] }, // interpreted under every tier: the cost of the jit's checks on 32-bit code
};

const argv = process.argv.slice(2);
const repsAt = argv.indexOf("--reps");
const reps = repsAt >= 0 ? Math.max(1, Number(argv[repsAt + 1]) || 5) : 5;
if (repsAt >= 0) argv.splice(repsAt, 2);
const [kind, ...trees] = argv;
const probe = kind ? PROBES[kind] : undefined;
const workload = kind ? WORKLOADS[kind] : undefined;
if ((!probe && !workload && kind !== "startup") || trees.length === 0) {
  process.stderr.write(`usage: node dist/bench/ab.js [--reps N] (startup|${[...Object.keys(PROBES), ...Object.keys(WORKLOADS)].join("|")}) TREE...\n`);
  process.exit(2);
}
const min = (a: number[]): number => Math.min(...a);
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1]!;

if (kind === "startup") {
  const args = ["run", "-e", "probe main < exit() >", "--", path.join(ROOT, "samples", "bin", "hello-O0")];
  const runs = trees.map((t) => ({ name: path.relative(process.cwd(), path.resolve(t)) || t, script: path.resolve(t, "bench", "first-insn.js"), first: [] as number[], cpu: [] as number[], how: "" }));
  for (let i = 0; i < reps; i++) {
    for (const r of runs) {
      const p = spawnSync(process.execPath, [r.script, ...args], { encoding: "utf8" });
      const m = /BENCH_FIRST_INSN_MS=([\d.]+).*?(?:BENCH_CPU_MS=([\d.]+) )?BENCH_ENTRY=(\w+)(?: BENCH_CACHE=(\w+))?/.exec(p.stderr ?? "");
      if (!m) throw new Error(`${r.script}: no BENCH_ marks in its stderr:\n${p.stderr}`);
      r.first.push(Number(m[1]));
      if (m[2] !== undefined) r.cpu.push(Number(m[2]));
      r.how = m[3]! + (m[4] ? `, code cache ${m[4]}` : "");
    }
  }
  process.stdout.write(`startup: ${reps} interleaved rounds, process start to first guest instruction (best, median)\n`);
  for (const r of runs) {
    const cpu = r.cpu.length ? `; main-thread CPU ${min(r.cpu).toFixed(1)} ms (median ${median(r.cpu).toFixed(1)})` : "";
    process.stdout.write(`  ${r.name} (${r.how}): ${min(r.first).toFixed(1)} ms (median ${median(r.first).toFixed(1)})${cpu}\n`);
    process.stdout.write(`    rounds (ms): ${r.first.map((x) => x.toFixed(0)).join(" ")}\n`);
  }
  if (runs.length === 2) {
    const [a, b] = runs as [(typeof runs)[0], (typeof runs)[0]];
    process.stdout.write(`  ${b.name} sooner than ${a.name} in ${b.first.filter((x, i) => x < a.first[i]!).length} of ${reps} rounds\n`);
  }
  process.exit(0);
}

function binaryPath(name: string): string {
  if (name.includes("/")) return path.join(ROOT, name);
  if (name.startsWith("i386:")) {
    const p = buildI386Workload(name.slice(5));
    if (!p) throw new Error(`cannot build bench/workloads/${name.slice(5)}.c with gcc -m32 (gcc-multilib missing)`);
    return p;
  }
  const p = buildWorkload(name);
  if (!p) throw new Error(`cannot build bench/workloads/${name}.c (musl-gcc missing)`);
  return p;
}

async function load(dir: string, binary: string): Promise<Tree> {
  const abs = path.resolve(dir);
  const imp = async (rel: string): Promise<Record<string, unknown>> => (await import(pathToFileURL(path.join(abs, rel)).href)) as Record<string, unknown>;
  const loadBinary = (await imp("engine/binary.js"))["loadBinary"] as (p: string) => { path: string };
  return {
    name: path.relative(process.cwd(), abs) || abs,
    Machine: (await imp("engine/machine.js"))["Machine"] as Tree["Machine"],
    Session: (await imp("lab/session.js"))["Session"] as Tree["Session"],
    BufferIo: (await imp("engine/os/host-io.js"))["BufferIo"] as Tree["BufferIo"],
    bin: loadBinary(binary),
    base: [],
    probed: [],
    hits: 0,
    insns: 0,
  };
}

// The main thread's CPU time from schedstat (ns) where Linux has it: V8's background compiler and GC threads,
// which process.cpuUsage counts too, vary a lot between rounds on a loaded machine; else process CPU time.
const SCHED = `/proc/self/task/${process.pid}/schedstat`;
const hasSched = fs.existsSync(SCHED);
function threadMs(): number {
  return hasSched ? Number(fs.readFileSync(SCHED, "utf8").split(" ")[0]) / 1e6 : process.cpuUsage().user / 1000;
}

function cpuMs<T>(f: () => T): [number, T] {
  const c0 = threadMs();
  const r = f();
  return [threadMs() - c0, r];
}

const binary = binaryPath((probe ?? workload)!.binary);
const args = workload?.args ?? [];
const loaded: Tree[] = [];
for (const t of trees) loaded.push(await load(t, binary));
for (let i = 0; i < reps; i++) {
  for (const t of loaded) {
    const [ms, r] = cpuMs(() => new t.Machine(t.bin, { argv: [t.bin.path, ...args], io: new t.BufferIo() }).run());
    t.base.push(ms);
    t.insns = r.instructions;
    if (probe) {
      const s = new t.Session({ binary: t.bin, program: probe.program, programName: "ab", args, io: new t.BufferIo(), emulation: probe.emulation });
      const [pms] = cpuMs(() => s.run());
      t.probed.push(pms);
      t.hits = s.stats().probes[0]?.hits ?? 0;
    }
  }
}

process.stdout.write(`${kind}: ${reps} interleaved rounds, ${hasSched ? "main-thread" : "process"} CPU time (best, median)\n`);
for (const t of loaded) {
  if (probe) {
    const ns = (f: (a: number[]) => number): string => (((f(t.probed) - f(t.base)) * 1e6) / t.hits).toFixed(0);
    process.stdout.write(`  ${t.name}: host ns/hit ${ns(min)} (median ${ns(median)}); without the probe ${min(t.base).toFixed(0)} ms, with ${min(t.probed).toFixed(0)} ms, ${t.hits} hits\n`);
  } else {
    process.stdout.write(`  ${t.name}: ${(t.insns / min(t.base) / 1000).toFixed(1)} M instr/s (median ${(t.insns / median(t.base) / 1000).toFixed(1)}); ${min(t.base).toFixed(0)} ms for ${t.insns} instructions\n`);
    // every round, in order: a bimodal spread (V8 tiering luck) shows here, not in best and median
    process.stdout.write(`    rounds (ms): ${t.base.map((x) => x.toFixed(0)).join(" ")}\n`);
  }
}
// rounds are paired (each tree ran once per round, in turn): a sign test that the load's drift does not blur
if (!probe && loaded.length === 2) {
  const [a, b] = loaded as [Tree, Tree];
  const wins = b.base.filter((x, i) => x < a.base[i]!).length;
  process.stdout.write(`  ${b.name} faster than ${a.name} in ${wins} of ${reps} rounds\n`);
}
