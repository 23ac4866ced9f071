// %%probe cells: the first line names the binary, its arguments and the
// run's options; the rest of the cell is a probe program.
//
//   %%probe BINARY [ARGS...] [--kernel V] [--no-emulation] [--cost P] [--lib-path DIR]
//           [--trace N] [--unsafe] [--max-insns N] [--env K=V] [--stdin TEXT]
//   probe test:0 < count++ >
//
// Options may come before or after the binary; `--` ends them (what follows
// is the guest's argv, even if it starts with --; before it, an unknown --x
// is an error rather than a guest argument, so typos do not go unnoticed). Words are split as a
// shell would: quotes group, a backslash escapes. BINARY is a path or the
// name of a bundled sample (push-O0).

import { UserError } from "../engine/index.js";
import type { RunSpec } from "../lab/run-spec.js";

const MAGIC = "%%probe";

/** The DSL name of a cell's program, as it appears in error messages (cell:LINE:COL). */
export const CELL_PROGRAM_NAME = "cell";

export class MagicError extends UserError {}

/** True when the cell's first non-blank line starts with %%probe. */
export function isProbeCell(src: string): boolean {
  const first = src.split("\n").find((l) => l.trim() !== "");
  return first !== undefined && /^\s*%%probe(\s|$)/.test(first);
}

/** Split a command line like a POSIX shell (quotes, backslashes; no expansion). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = "";
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new MagicError(`${MAGIC}: unterminated ' quote`);
      cur += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      i++;
      for (; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === "\\" && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) i++;
        cur += line[i];
      }
      if (i >= line.length) throw new MagicError(`${MAGIC}: unterminated " quote`);
      inWord = true;
    } else if (c === "\\") {
      if (i + 1 < line.length) cur += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = "";
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

const VALUE_OPTIONS = new Set(["--kernel", "--cost", "--trace", "--max-insns", "--env", "--stdin", "--lib-path"]);
const FLAG_OPTIONS = new Set(["--no-emulation", "--emulation", "--unsafe"]);

function positiveInt(opt: string, v: string): number {
  const n = Number(v.replace(/_/g, ""));
  if (!Number.isInteger(n) || n < 0) throw new MagicError(`${MAGIC}: ${opt} needs a non-negative integer, not '${v}'`);
  return n;
}

/** Parse a %%probe cell into a run spec. Throws MagicError with a one-line message. */
export function parseProbeCell(src: string): RunSpec {
  const lines = src.split("\n");
  const at = lines.findIndex((l) => l.trim() !== "");
  const head = at >= 0 ? lines[at]!.trim() : "";
  if (!head.startsWith(MAGIC)) throw new MagicError(`not a ${MAGIC} cell`);
  const words = shellWords(head.slice(MAGIC.length));
  const spec: RunSpec = { binary: "", program: "", programName: CELL_PROGRAM_NAME, args: [] };
  const env: string[] = [];
  let binary: string | undefined;
  const args: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === "--") {
      if (binary === undefined) {
        binary = words[i + 1];
        i++;
      }
      args.push(...words.slice(i + 1));
      break;
    }
    const eq = w.indexOf("=");
    const name = w.startsWith("--") && eq > 0 ? w.slice(0, eq) : w;
    if (VALUE_OPTIONS.has(name)) {
      const v = eq > 0 && w.startsWith("--") ? w.slice(eq + 1) : words[++i];
      if (v === undefined) throw new MagicError(`${MAGIC}: option ${name} needs a value`);
      if (name === "--kernel") spec.kernel = v;
      else if (name === "--cost") spec.cost = v;
      else if (name === "--trace") spec.traceHits = positiveInt(name, v);
      else if (name === "--max-insns") spec.maxInsns = positiveInt(name, v);
      else if (name === "--stdin") spec.stdin = v;
      else if (name === "--lib-path") spec.libPath = [...(spec.libPath ?? []), v];
      else {
        if (!v.includes("=")) throw new MagicError(`${MAGIC}: --env ${v}: expected KEY=VALUE`);
        env.push(v);
      }
      continue;
    }
    if (FLAG_OPTIONS.has(w)) {
      if (w === "--unsafe") spec.unsafe = true;
      else spec.emulation = w === "--emulation";
      continue;
    }
    if (w.startsWith("--")) throw new MagicError(`${MAGIC}: unknown option ${name} (options: ${[...VALUE_OPTIONS, ...FLAG_OPTIONS].join(", ")}; guest arguments that start with -- go after a --)`);
    if (binary === undefined) binary = w;
    else args.push(w);
  }
  if (!binary) throw new MagicError(`${MAGIC}: missing BINARY (usage: ${MAGIC} BINARY [ARGS...] [--kernel V] [--no-emulation] [--cost P], then the probe program on the next lines)`);
  spec.binary = binary;
  spec.args = args;
  if (env.length) spec.env = env;
  // The program keeps the cell's line numbers: DSL errors say cell:LINE:COL of the cell.
  const body = lines.slice(at + 1);
  if (!body.some((l) => l.trim() !== "")) throw new MagicError(`${MAGIC}: no probe program: write it on the lines after the ${MAGIC} line (e.g. probe test:0 < count++ >)`);
  spec.program = "\n".repeat(at + 1) + body.join("\n");
  return spec;
}
