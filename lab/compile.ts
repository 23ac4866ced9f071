// Compiling a notebook's C or C++ into a binary to probe: the source is
// written to a per-process work directory (NAME.c or NAME.cpp) and built
// with the compiler and flags given; the binary is then known by NAME
// (lab/binary-names.ts). Diagnostics are the compiler's own, located as it
// prints them (NAME.c:LINE:COL); the caller pads the source with blank lines
// so that LINE is the line of the notebook cell.

import { spawnSync } from "node:child_process";
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

/** Compile and name the binary. Throws CompileError with the compiler's output (or one line). */
export function compileSource(req: CompileRequest): CompileResult {
  const bad = checkBinaryName(req.name);
  if (bad) throw new CompileError(bad);
  const compiler = req.compiler ?? (req.language === "c++" ? "g++" : "gcc");
  const wd = workDir();
  const src = `${req.name}.${req.language === "c++" ? "cpp" : "c"}`;
  fs.writeFileSync(path.join(wd, src), req.source);
  const tmp = `${req.name}.partial`;
  const args = [src, "-o", tmp, ...(req.flags ?? [])];
  const command = [compiler, ...args.map((a) => (a === tmp ? req.name : a))].map(quote).join(" ");
  // LC_ALL=C: plain quotes in diagnostics, the same text on every machine
  const r = spawnSync(compiler, args, { cwd: wd, encoding: "utf8", env: { ...process.env, LC_ALL: "C" }, timeout: 120_000, maxBuffer: 16 << 20 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new CompileError(`${compiler}: compiler not found${INSTALL[compiler] ? ` (${INSTALL[compiler]})` : ""}; --cc names another one`);
    if (code === "ETIMEDOUT") throw new CompileError(`${compiler}: gave up after 120 s`);
    throw new CompileError(`${compiler}: ${r.error.message}`);
  }
  const diag = (r.stderr + r.stdout).trimEnd();
  if (r.status !== 0) throw new CompileError(diag || `${command}: failed (exit ${r.status ?? r.signal})`);
  const out = path.join(wd, req.name);
  fs.renameSync(path.join(wd, tmp), out);
  nameBinary(req.name, out, command);
  return { name: req.name, path: out, command, warnings: diag };
}

function quote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}
