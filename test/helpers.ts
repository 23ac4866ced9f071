// Shared test helpers: building C programs with musl-gcc (cached by source
// hash), and running a binary natively or in the emulator. The repository's
// paths come from lab/paths.ts (PROJECT_ROOT, samplePath).

import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadBinary } from "../engine/binary.js";
import { Machine, type MachineOptions } from "../engine/machine.js";
import { BufferIo } from "../engine/os/host-io.js";
import { PROJECT_ROOT } from "../lab/paths.js";

export { samplePath } from "../lab/paths.js";

const BIN = path.join(PROJECT_ROOT, "bin", "uprobe-lab");

const CACHE = path.join(os.tmpdir(), "uprobe-lab-test-build");

/** musl-gcc must be installed for tests that compile C (.ci/run installs musl-tools). */
export function requireMusl(): void {
  const r = spawnSync("musl-gcc", ["--version"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error("musl-gcc is not installed (apt-get install musl-tools)");
}

/** Build a C source (file or text) with musl-gcc -static and flags; returns the binary path (cached). */
export function buildC(source: string, flags: string[], name = "prog", compiler = "musl-gcc"): string {
  return buildWith(compiler, source, ["-static", ...flags], name);
}

/**
 * Build a source (file or text) with a compiler and exactly these flags (no -static added:
 * `buildWith("gcc", src, ["-O2"])` is what a user's plain gcc makes, PIE and dynamically linked).
 * Cached by source, compiler and flags.
 */
export function buildWith(compiler: string, source: string, flags: string[], name = "prog"): string {
  const text = fs.existsSync(source) ? fs.readFileSync(source, "utf8") : source;
  const key = createHash("sha256").update(text).update("\0" + compiler + " " + flags.join(" ")).digest("hex").slice(0, 16);
  fs.mkdirSync(CACHE, { recursive: true });
  const out = path.join(CACHE, `${name}-${key}`);
  if (fs.existsSync(out)) return out;
  const ext = compiler.includes("++") ? ".cpp" : ".c";
  const src = path.join(CACHE, `${name}-${key}${ext}`);
  fs.writeFileSync(src, text);
  const tmp = `${out}.tmp${process.pid}`;
  execFileSync(compiler, [...flags, "-o", tmp, src], { stdio: ["ignore", "ignore", "pipe"] });
  fs.renameSync(tmp, out);
  return out;
}

/** One case of test/corpus/cases.json (test/corpus/README.md). */
export interface CorpusCase {
  id: string;
  name: string;
  args: string[];
  stdin: string;
  expectExit: number;
  env?: Record<string, string>;
}

export function corpusCases(): CorpusCase[] {
  return JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "test", "corpus", "cases.json"), "utf8")) as CorpusCase[];
}

export interface RunOutcome {
  stdout: string;
  stderr: string;
  status: number;
}

/** Run natively with an exact environment and stdin, capturing output through pipes. */
export function runNative(bin: string, args: string[], stdin = "", env: Record<string, string> = {}): RunOutcome {
  const r = spawnSync(bin, args, { input: stdin, env, encoding: "utf8", maxBuffer: 64 << 20 });
  const status = r.status ?? 128 + (os.constants.signals[r.signal as keyof typeof os.constants.signals] ?? 0);
  return { stdout: r.stdout, stderr: r.stderr, status };
}

/** What test/uprobes/native-count.c measured: executions per address, and how the program ended. */
export interface NativeCounts {
  counts: Map<number, number>;
  status: number;
  /** "hw-breakpoints N" (N runs, 4 addresses each) or "single-step". */
  method: string;
}

/**
 * How many times the host CPU executes each instruction at `addrs` in a run of the static,
 * non-PIE binary `bin` (argv[0] = bin, empty environment): counted by the kernel's hardware
 * instruction breakpoints, without the emulator.
 */
export function nativeExecCounts(bin: string, addrs: readonly number[], args: string[] = []): NativeCounts {
  const counter = buildWith("gcc", path.join(PROJECT_ROOT, "test", "uprobes", "native-count.c"), ["-O2", "-Wall"], "native-count");
  const out = execFileSync(counter, [bin, ...addrs.map((a) => a.toString(16)), "--", ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  const counts = new Map<number, number>();
  let status = -1;
  let method = "";
  for (const line of out.trimEnd().split("\n")) {
    const [k, v, ...rest] = line.split(" ");
    if (k === "status") status = Number(v);
    else if (k === "method") method = [v, ...rest].join(" ");
    else counts.set(parseInt(k!, 16), Number(v));
  }
  if (counts.size !== new Set(addrs).size || status < 0) throw new Error(`native-count: unexpected output:\n${out}`);
  return { counts, status, method };
}

/** Run in the emulator, in-process. argv[0] is the binary path, like the native run. */
export function runEmulated(bin: string, args: string[], stdin = "", env: Record<string, string> = {}, opts: MachineOptions = {}): RunOutcome & { machine: Machine } {
  const io = new BufferIo(new TextEncoder().encode(stdin));
  const m = new Machine(loadBinary(bin), { argv: [bin, ...args], env: Object.entries(env).map(([k, v]) => `${k}=${v}`), io, ...opts });
  const r = m.run();
  return { stdout: io.text(1), stderr: io.text(2), status: r.status, machine: m };
}

/** Run the command line, as a user would. */
export function runCli(args: string[], input = ""): RunOutcome {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: "utf8", maxBuffer: 64 << 20 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
}
