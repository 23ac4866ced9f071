// Run the command line in a child process and read its peak host memory
// (VmHWM from /proc/self/status, written by a preloaded exit hook), so the
// tests bound host memory without timing.

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../lab/paths.js";

const BIN = path.join(PROJECT_ROOT, "bin", "uprobe-lab");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "uprobe-lab-hwm-"));
const hook = path.join(dir, "hwm.cjs");
fs.writeFileSync(
  hook,
  `process.on("exit", () => { const m = /VmHWM:\\s+(\\d+) kB/.exec(require("fs").readFileSync("/proc/self/status", "utf8")); require("fs").writeFileSync(process.env.HWM_FILE, m ? m[1] : "0"); });\n`,
);

export interface Measured {
  status: number;
  stdout: string;
  stderr: string;
  /** Peak resident set of the child, MiB. */
  peakMiB: number;
  /** Host wall time, ms (reported, asserted only with wide margins). */
  ms: number;
}

let seq = 0;

/** Run `uprobe-lab ARGS`; stdout is discarded unless keepStdout (a guest may write gigabytes). */
export function runMeasured(args: string[], opts: { keepStdout?: boolean; input?: string } = {}): Measured {
  return nodeMeasured([BIN, ...args], opts);
}

/** Run a node script (a module of this suite, say) the same way. */
export function nodeMeasured(args: string[], opts: { keepStdout?: boolean; input?: string; timeoutMs?: number } = {}): Measured {
  const hwm = path.join(dir, `hwm-${process.pid}-${seq++}`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["--require", hook, ...args], {
    input: opts.input ?? "",
    stdio: ["pipe", opts.keepStdout ? "pipe" : "ignore", "pipe"],
    encoding: "utf8",
    env: { ...process.env, HWM_FILE: hwm },
    maxBuffer: 64 << 20,
    timeout: opts.timeoutMs,
  });
  const ms = performance.now() - t0;
  const kb = fs.existsSync(hwm) ? Number(fs.readFileSync(hwm, "utf8")) : NaN;
  // the figure the README quotes, in the test log (a diagnostic line of node's test runner)
  const what = args.map((a) => (a.includes("/") ? path.basename(a) : a)).join(" ");
  process.stdout.write(`# peak RSS ${Math.round(kb / 1024)} MiB in ${Math.round(ms)} ms: ${what.slice(0, 160)}\n`);
  return { status: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr, peakMiB: kb / 1024, ms };
}

/** The bound every memory test states: 4 x --max-mem + 300 MiB (node itself, the engine, the caches). */
export function memoryBoundMiB(maxMemMiB: number): number {
  return 4 * maxMemMiB + 300;
}
