// Compiling a notebook's C or C++ into a binary to probe: the source is
// written to a per-process work directory (NAME.c or NAME.cpp) and built
// with the compiler and flags given; the binary is then known by NAME
// (lab/binary-names.ts). Diagnostics are the compiler's own, located as it
// prints them (NAME.c:LINE:COL); the caller pads the source with blank lines
// so that LINE is the line of the notebook cell.

import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { UserError } from "../engine/index.js";
import { checkBinaryName, nameBinary } from "./binary-names.js";

export type SourceLanguage = "c" | "c++";

export interface CompileRequest {
  /** What the binary is called afterwards (loadBinary("NAME"), %%probe NAME). */
  name: string;
  source: string;
  language: SourceLanguage;
  /** gcc for C, g++ for C++ by default; any gcc-like driver (musl-gcc, clang, cc). */
  compiler?: string;
  /** Passed after the source file, so that -lm and friends link. */
  flags?: string[];
}

export interface CompileResult {
  name: string;
  /** Absolute path of the binary in the work directory. */
  path: string;
  /** The command, as run in the work directory. */
  command: string;
  /** The compiler's warnings (empty when it said nothing). */
  warnings: string;
}

/** A compilation that failed: the compiler's diagnostics, or why it could not run. */
export class CompileError extends UserError {}

let dir: string | undefined;

/** This process's work directory (created on first use, removed at exit). */
export function workDir(): string {
  if (!dir) {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), "uprobe-lab-cells-"));
    dir = d;
    process.on("exit", () => fs.rmSync(d, { recursive: true, force: true }));
  }
  return dir;
}

const INSTALL: Record<string, string> = { gcc: "apt-get install gcc", "g++": "apt-get install g++", "musl-gcc": "apt-get install musl-tools", clang: "apt-get install clang" };

interface Build {
  compiler: string;
  args: string[];
  command: string;
  wd: string;
  tmp: string;
}

/** Write the source into the work directory and make the compiler's command line. */
function prepareBuild(req: CompileRequest): Build {
  const bad = checkBinaryName(req.name);
  if (bad) throw new CompileError(bad);
  const compiler = req.compiler ?? (req.language === "c++" ? "g++" : "gcc");
  const wd = workDir();
  const src = `${req.name}.${req.language === "c++" ? "cpp" : "c"}`;
  fs.writeFileSync(path.join(wd, src), req.source);
  const tmp = `${req.name}.partial`;
  const args = [src, "-o", tmp, ...(req.flags ?? [])];
  const command = [compiler, ...args.map((a) => (a === tmp ? req.name : a))].map(quote).join(" ");
  return { compiler, args, command, wd, tmp };
}

function spawnFailure(compiler: string, e: Error): CompileError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return new CompileError(`${compiler}: compiler not found${INSTALL[compiler] ? ` (${INSTALL[compiler]})` : ""}; --cc names another one`);
  if (code === "ETIMEDOUT") return new CompileError(`${compiler}: gave up after 120 s`);
  return new CompileError(`${compiler}: ${e.message}`);
}

/** The compiler has exited: name the binary, or throw its diagnostics. */
function finishBuild(req: CompileRequest, b: Build, status: number | null, signal: string | null, output: string): CompileResult {
  const diag = output.trimEnd();
  if (status !== 0) throw new CompileError(diag || `${b.command}: failed (exit ${status ?? signal})`);
  const out = path.join(b.wd, req.name);
  fs.renameSync(path.join(b.wd, b.tmp), out);
  nameBinary(req.name, out, b.command);
  return { name: req.name, path: out, command: b.command, warnings: diag };
}

// LC_ALL=C: plain quotes in diagnostics, the same text on every machine
const compilerEnv = (): NodeJS.ProcessEnv => ({ ...process.env, LC_ALL: "C" });

/** Compile and name the binary. Throws CompileError with the compiler's output (or one line). */
export function compileSource(req: CompileRequest): CompileResult {
  const b = prepareBuild(req);
  const r = spawnSync(b.compiler, b.args, { cwd: b.wd, encoding: "utf8", env: compilerEnv(), timeout: 120_000, maxBuffer: 16 << 20 });
  if (r.error) throw spawnFailure(b.compiler, r.error);
  return finishBuild(req, b, r.status, r.signal, r.stderr + r.stdout);
}

/**
 * compileSource without blocking the event loop, stopped by `signal`: the compiler runs in its own
 * process group (gcc starts cc1, as, collect2, ld), which an abort kills whole; then `onAbort()` is thrown.
 */
export function compileSourceAsync(req: CompileRequest, signal: AbortSignal, onAbort: () => Error): Promise<CompileResult> {
  const b = prepareBuild(req);
  return new Promise((resolve, reject) => {
    const child = spawn(b.compiler, b.args, { cwd: b.wd, env: compilerEnv(), detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => void (stdout.length < 16 << 20 && (stdout += d)));
    child.stderr.setEncoding("utf8").on("data", (d: string) => void (stderr.length < 16 << 20 && (stderr += d)));
    const killGroup = (): void => {
      if (child.pid !== undefined && child.exitCode === null) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    };
    const timer = setTimeout(killGroup, 120_000);
    let aborted = false;
    const abort = (): void => {
      aborted = true;
      killGroup();
    };
    if (signal.aborted) abort();
    else signal.addEventListener("abort", abort, { once: true });
    child.on("error", (e) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", abort);
      reject(spawnFailure(b.compiler, e));
    });
    child.on("close", (status, sig) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", abort);
      if (aborted) return reject(onAbort());
      if (sig === "SIGKILL" && status === null) return reject(new CompileError(`${b.compiler}: gave up after 120 s`));
      try {
        resolve(finishBuild(req, b, status, sig, stderr + stdout));
      } catch (e) {
        reject(e);
      }
    });
  });
}

function quote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}
