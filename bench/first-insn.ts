// A child process of bench/run.ts: the command line with Cpu.prototype.run
// wrapped, so the process reports on stderr when the first guest instruction
// is about to run:
//
//   BENCH_IMPORTED_MS=<ms> BENCH_FIRST_INSN_MS=<ms> BENCH_EXIT_MS=<ms> BENCH_CPU_MS=<ms> BENCH_ENTRY=<bundle|modules> BENCH_CACHE=<accepted|rejected|stale|none>
//
// (times since process start: the CLI loaded, the first guest instruction
// about to run, process exit; the main thread's CPU time at the first guest
// instruction, from schedstat where Linux has it (V8's background compile and
// GC threads vary with the load), else the process's). The CLI is loaded as bin/uprobe-lab loads it,
// through this tree's cli/launch.cjs: cli.bundle.cjs with its code cache
// when it is present and not older than cli/main.js (it exports its own copy
// of Cpu, which is the one wrapped), else cli/main.js and its modules.
//
// performance.now() counts from node's time origin, which is taken at the
// start of node's bootstrap.
//
//   node dist/bench/first-insn.js run -e 'probe main < exit() >' -- samples/bin/hello-O0

import * as fs from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type * as Launch from "../cli/launch.cjs";

const dist = fileURLToPath(new URL("..", import.meta.url));
const launch = createRequire(import.meta.url)("../cli/launch.cjs") as typeof Launch;

let first: number | undefined;
let firstCpu: number | undefined;
let loaded: number | undefined;
let entry = "?";
let cache = "?";
process.on("exit", () => {
  process.stderr.write(
    `BENCH_IMPORTED_MS=${loaded ?? -1} BENCH_FIRST_INSN_MS=${first ?? -1} BENCH_EXIT_MS=${performance.now()} BENCH_CPU_MS=${firstCpu ?? -1} BENCH_ENTRY=${entry} BENCH_CACHE=${cache}\n`,
  );
});

const SCHED = `/proc/self/task/${process.pid}/schedstat`;
function cpuMs(): number {
  try {
    return Number(fs.readFileSync(SCHED, "latin1").split(" ")[0]) / 1e6;
  } catch {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
}

function wrapRun(proto: object): void {
  const p = proto as Record<string, unknown>;
  const orig = p["run"] as (...a: unknown[]) => unknown;
  p["run"] = function (this: unknown, ...a: unknown[]) {
    if (first === undefined) {
      first = performance.now();
      firstCpu = cpuMs();
    }
    return orig.apply(this, a);
  };
}

// unbundled: the engine's Cpu is wrapped before the CLI's modules are imported
if (!launch.usesBundle(dist)) wrapRun((await import("../engine/cpu/cpu.js")).Cpu.prototype);
const l = await launch.loadCli(dist);
if (l.entry === "bundle") wrapRun(l.cli.Cpu!.prototype);
loaded = performance.now();
entry = l.entry;
cache = l.cache;
await l.cli.main(process.argv.slice(2));
