// Helpers for bench/run.ts: paths, building the C workloads, timing child
// processes (hyperfine when present), callgrind instruction counts (cached),
// and plain-text tables.

import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BUNDLE_FILE, bundleIsFresh, CACHE_FILE } from "../cli/launch.cjs";

/** dist/bench (or wherever this file was compiled to). */
export const HERE = dirname(fileURLToPath(import.meta.url));
/** The compiled tree holding engine/, cli/, dsl/, bench/. */
export const DIST = resolve(HERE, "..");

/** The repository: the first ancestor of the compiled tree with uprobe-lab's package.json, else $UPROBE_LAB_ROOT, else cwd. */
export function findRepoRoot(): string {
  for (let d = DIST; ; d = dirname(d)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(join(d, "package.json"), "utf8")) as { name?: string };
      if (pkg.name === "uprobe-lab") return d;
    } catch {
      /* keep looking */
    }
    if (dirname(d) === d) break;
  }
  return resolve(process.env.UPROBE_LAB_ROOT ?? process.cwd());
}

export const ROOT = findRepoRoot();
export const CACHE = process.env.UPROBE_LAB_BENCH_CACHE ?? join(ROOT, ".cache", "bench");

export function which(cmd: string): string | undefined {
  for (const d of (process.env.PATH ?? "").split(":")) {
    const p = join(d || ".", cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

export function firstLine(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).split("\n")[0]!.trim();
  } catch {
    return "?";
  }
}

// ---- the compiled tree and the CLI ----

/**
 * A private copy of the compiled tree for the child processes, so that a
 * rebuild of dist/ during the bench (`npm run build` starts with rm -rf
 * dist) cannot break it or mix two versions. It lives under the cache, inside
 * the repository, so node still finds node_modules/ and package.json's
 * "type": "module". UPROBE_LAB_BENCH_SNAPSHOT=0 runs from the tree itself.
 */
export function snapshotDist(): string {
  if (process.env.UPROBE_LAB_BENCH_SNAPSHOT === "0") return DIST;
  const dir = join(CACHE, `dist-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  for (const sub of ["engine", "cli", "dsl", "lab", "kernel", "bench"]) {
    const from = join(DIST, sub);
    if (fs.existsSync(from)) fs.cpSync(from, join(dir, sub), { recursive: true, filter: (src) => !src.endsWith(".d.ts") });
  }
  // copied last, so that it is not older than the copy of cli/main.js (bin/uprobe-lab compares the two);
  // the code cache names the bundle's build, so a copy of both is still used
  if (bundleIsFresh(DIST)) {
    for (const f of [BUNDLE_FILE, CACHE_FILE]) if (fs.existsSync(join(DIST, f))) fs.cpSync(join(DIST, f), join(dir, f));
  }
  return dir;
}

export function removeSnapshot(dir: string): void {
  if (dir !== DIST && dir.startsWith(CACHE)) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * How to start the command line of the compiled tree `dist`: bin/uprobe-lab
 * when that is the repository's dist/, else an equivalent launcher (what
 * bin/uprobe-lab does: a CommonJS file that loads the CLI through the tree's
 * cli/launch.cjs).
 */
export function cliCommand(dist: string): string[] {
  const bin = join(ROOT, "bin", "uprobe-lab");
  if (resolve(ROOT, "dist") === dist && fs.existsSync(bin)) return [process.execPath, bin];
  fs.mkdirSync(dist, { recursive: true });
  const launcher = join(dist, "uprobe-lab-launcher.cjs");
  const launch = join(dist, "cli", "launch.cjs");
  fs.writeFileSync(launcher, `require(${JSON.stringify(launch)}).loadCli(${JSON.stringify(dist)}).then((l) => l.cli.main(process.argv.slice(2)));\n`);
  return [process.execPath, launcher];
}

// ---- workloads ----

export const MUSL_FLAGS = ["-static", "-fno-pie", "-no-pie", "-O2", "-g0", "-fno-stack-protector", "-fcf-protection=none", "-Wall", "-Wextra"];

/** Build bench/workloads/NAME.c with musl-gcc into the cache (keyed by source, flags and compiler); undefined without musl-gcc. */
export function buildWorkload(name: string): string | undefined {
  const cc = which("musl-gcc");
  if (!cc) return undefined;
  const src = join(ROOT, "bench", "workloads", `${name}.c`);
  const text = fs.readFileSync(src);
  const key = sha256(Buffer.concat([text, Buffer.from(MUSL_FLAGS.join(" ") + firstLine(cc, ["--version"]))])).slice(0, 12);
  const out = join(CACHE, "bin", `${name}-O2-${key}`);
  if (!fs.existsSync(out)) {
    fs.mkdirSync(dirname(out), { recursive: true });
    execFileSync(cc, [...MUSL_FLAGS, "-o", out + ".tmp", src], { stdio: ["ignore", "inherit", "inherit"] });
    fs.renameSync(out + ".tmp", out);
  }
  return out;
}

/** Build bench/workloads/NAME.c as a static 32-bit (i386) program, `gcc -m32 -static -O2` (cached); undefined without gcc-multilib. */
export function buildI386Workload(name: string): string | undefined {
  const src = join(ROOT, "bench", "workloads", `${name}.c`);
  const flags = ["-m32", "-static", "-O2", "-g0", "-fno-stack-protector", "-fcf-protection=none"];
  const key = sha256(Buffer.concat([fs.readFileSync(src), Buffer.from(flags.join(" ") + firstLine("gcc", ["--version"]))])).slice(0, 12);
  const out = join(CACHE, "bin", `${name}-m32-O2-${key}`);
  if (!fs.existsSync(out)) {
    fs.mkdirSync(dirname(out), { recursive: true });
    try {
      execFileSync("gcc", [...flags, "-o", out + ".tmp", src], { stdio: ["ignore", "ignore", "ignore"] });
    } catch {
      return undefined;
    }
    fs.renameSync(out + ".tmp", out);
  }
  return out;
}

/** Build bench/workloads/NAME.c or NAME.cpp with the system gcc/g++ and no -static: PIE, dynamically linked (cached). */
export function buildDynamic(name: string): string | undefined {
  const cpp = fs.existsSync(join(ROOT, "bench", "workloads", `${name}.cpp`));
  const cc = which(cpp ? "g++" : "gcc");
  if (!cc) return undefined;
  const src = join(ROOT, "bench", "workloads", `${name}.${cpp ? "cpp" : "c"}`);
  const key = sha256(Buffer.concat([fs.readFileSync(src), Buffer.from(firstLine(cc, ["--version"]))])).slice(0, 12);
  const out = join(CACHE, "bin", `${name}-${key}`);
  if (!fs.existsSync(out)) {
    fs.mkdirSync(dirname(out), { recursive: true });
    execFileSync(cc, ["-O2", "-o", out + ".tmp", src], { stdio: ["ignore", "inherit", "inherit"] });
    fs.renameSync(out + ".tmp", out);
  }
  return out;
}

// ---- callgrind ----

type IrCache = Record<string, number>;

/** Guest instructions of `binary args` counted by callgrind (Ir), cached per binary hash and arguments; undefined without valgrind. */
export function callgrindIr(binary: string, args: string[]): number | undefined {
  if (!which("valgrind")) return undefined;
  const file = join(CACHE, "callgrind-ir.json");
  let cache: IrCache = {};
  try {
    cache = JSON.parse(fs.readFileSync(file, "utf8")) as IrCache;
  } catch {
    /* empty */
  }
  const key = sha256(fs.readFileSync(binary)) + " " + JSON.stringify(args);
  if (cache[key] !== undefined) return cache[key];
  const r = spawnSync("valgrind", ["--tool=callgrind", "--callgrind-out-file=/dev/null", binary, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  const m = /Collected\s*:\s*(\d+)/.exec(r.stderr ?? "");
  if (!m) return undefined;
  cache[key] = Number(m[1]);
  fs.mkdirSync(CACHE, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(cache, null, 1) + "\n");
  return cache[key];
}

// ---- timing child processes ----

export interface Timing {
  /** Best (minimum) wall time, ms. */
  min: number;
  median: number;
  runs: number;
  /** Peak RSS of the best run, KiB (when measured with /usr/bin/time). */
  rssKb?: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

/** Wall time of a command, best of `runs` after `warmup` runs, with spawnSync (+ peak RSS through /usr/bin/time -f %M when present). */
export function timeSpawn(cmd: string[], runs: number, warmup = 0, opts: { rss?: boolean; stdin?: string; budgetMs?: number } = {}): Timing {
  const time = opts.rss && fs.existsSync("/usr/bin/time") ? ["/usr/bin/time", "-f", "BENCH_RSS_KB=%M"] : [];
  const full = [...time, ...cmd];
  const walls: number[] = [];
  const rss: number[] = [];
  const start = performance.now();
  for (let i = 0; i < warmup + runs; i++) {
    if (walls.length > 0 && opts.budgetMs !== undefined && performance.now() - start > opts.budgetMs) break;
    const t0 = process.hrtime.bigint();
    const r = spawnSync(full[0]!, full.slice(1), { encoding: "utf8", maxBuffer: 64 << 20, input: opts.stdin ?? "" });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`${cmd.join(" ")}: exit status ${r.status}: ${(r.stderr ?? "").slice(-400)}`);
    if (i < warmup) continue;
    walls.push(ms);
    const m = /BENCH_RSS_KB=(\d+)/.exec(r.stderr ?? "");
    rss.push(m ? Number(m[1]) : NaN);
  }
  const best = walls.indexOf(Math.min(...walls));
  const t: Timing = { min: walls[best]!, median: median(walls), runs: walls.length };
  if (time.length && Number.isFinite(rss[best])) t.rssKb = rss[best];
  return t;
}

/**
 * Wall times of several commands, best of `rounds` x `runs`: each round
 * runs every command (`runs` times, after `warmup` runs) with hyperfine -N
 * (no shell) when present, else with timeSpawn. Rounds interleave the
 * commands, so a workload and its baseline see the same background load.
 * Keys are the commands joined with spaces.
 */
export function timeMany(cmds: string[][], rounds: number, runs: number, warmup: number): { tool: string; times: Map<string, Timing> } {
  const all = new Map<string, number[]>();
  const medians = new Map<string, number[]>();
  const add = (k: string, t: Timing): void => {
    (all.get(k) ?? all.set(k, []).get(k)!).push(t.min);
    (medians.get(k) ?? medians.set(k, []).get(k)!).push(t.median);
  };
  let tool = `spawnSync, ${rounds} rounds x ${runs} runs after ${warmup} warm-up, best`;
  const hf = which("hyperfine");
  for (let round = 0; round < rounds; round++) {
    let done = false;
    if (hf) {
      fs.mkdirSync(CACHE, { recursive: true });
      const out = join(CACHE, `hyperfine-${process.pid}.json`);
      const r = spawnSync(
        hf,
        ["-N", "--style", "none", "--warmup", String(warmup), "--runs", String(runs), "--export-json", out, ...cmds.map((c) => c.join(" "))],
        { encoding: "utf8", maxBuffer: 64 << 20 },
      );
      if (r.status === 0) {
        const j = JSON.parse(fs.readFileSync(out, "utf8")) as { results: { command: string; min: number; median: number; times: number[] }[] };
        fs.rmSync(out, { force: true });
        for (const x of j.results) add(x.command, { min: x.min * 1000, median: x.median * 1000, runs: x.times.length });
        tool = `hyperfine -N, ${rounds} rounds x (${warmup} warm-up + ${runs} runs), best of ${rounds * runs}`;
        done = true;
      }
    }
    if (!done) for (const c of cmds) add(c.join(" "), timeSpawn(c, runs, warmup));
  }
  const times = new Map<string, Timing>();
  for (const [k, v] of all) times.set(k, { min: Math.min(...v), median: median(medians.get(k)!), runs: rounds * runs });
  return { tool, times };
}

// ---- formatting ----

export function fmtRate(perSec: number | undefined): string {
  if (perSec === undefined || !Number.isFinite(perSec) || perSec <= 0) return "-";
  if (perSec >= 1e9) return `${(perSec / 1e9).toFixed(2)} G`;
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(1)} M`;
  return `${(perSec / 1e3).toFixed(0)} k`;
}

export function fmtCount(n: number | undefined): string {
  if (n === undefined) return "-";
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return `${n}`;
}

export function fmtMs(ms: number | undefined, digits = 1): string {
  return ms === undefined || !Number.isFinite(ms) ? "-" : `${ms.toFixed(digits)} ms`;
}

/** A plain table: first row is the header; columns after the first `left` are right-aligned. */
export function table(rows: string[][], left = 1): string {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]): string => r.map((c, i) => (i < left ? (c ?? "").padEnd(w[i]!) : (c ?? "").padStart(w[i]!))).join("  ").trimEnd();
  return [line(rows[0]!), w.map((n) => "-".repeat(n)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

export function verdict(ok: boolean | undefined): string {
  return ok === undefined ? "n/a" : ok ? "PASS" : "MISS";
}
