// %%probe cells: the first line names the binary, its arguments and the
// run's options; the rest of the cell is a probe program.
//
//   %%probe BINARY [ARGS...] [--kernel V] [--no-emulation] [--cost P] [--lib-path DIR]
//           [--trace N] [--name NAME] [--unsafe] [--max-insns N] [--env K=V] [--stdin TEXT]
//   probe test:0 < count++ >
//
// `%%probe --help` prints PROBE_USAGE.
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

const PROBE_USAGE = `%%probe BINARY [ARGS...] [OPTIONS]
<the probe program, on the lines below>

Runs BINARY (a path, a bundled sample such as push-O0, or a %%c cell's NAME)
in the emulator with the program's probes attached, and shows the guest's
output, the maps, a table per probe and, with --trace, the event trace.
options (before or after BINARY; guest arguments that start with -- go after a --):
  --kernel V        modelled kernel generation (default 6.18; kernelVersions() lists them)
  --no-emulation    every hit single-steps out of line (no emulation, no nop5 optimization)
  --cost P          cost profile: kvm-6.18 (default), seed-2017-x86_64, instructions-only, or FILE.json
  --name NAME       keep the result as run("NAME") (lastRun is always the latest)
  --trace N         keep and show the event trace of the first N hits (numbered from 1)
  --lib-path DIR    a library directory for a dynamically linked binary (repeatable)
  --env KEY=VALUE   the guest's environment (repeatable)
  --stdin TEXT      the guest's standard input
  --max-insns N     stop the guest after N instructions
  --unsafe          allow probes at offsets that are not instruction boundaries
  --help            this text
example:
  %%probe push-O0 --kernel 4.16 --cost seed-2017-x86_64 --name r416
  probe test:0 < count++ >`;

/** A %%probe cell's run, and the name to keep its result under. */
export interface ProbeCellSpec extends RunSpec {
  name?: string;
}

const VALUE_OPTIONS = new Set(["--kernel", "--cost", "--trace", "--max-insns", "--env", "--stdin", "--lib-path", "--name"]);
const FLAG_OPTIONS = new Set(["--no-emulation", "--emulation", "--unsafe", "--help"]);

/** The usage text when the first line asks for it (--help or -h before any --), else undefined. */
export function probeCellHelp(src: string): string | undefined {
  const head = src.split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
  if (!head.startsWith(MAGIC)) return undefined;
  let words: string[];
  try {
    words = shellWords(head.slice(MAGIC.length));
  } catch {
    return undefined;
  }
  const end = words.indexOf("--");
  const opts = end < 0 ? words : words.slice(0, end);
  return opts.includes("--help") || opts.includes("-h") ? PROBE_USAGE : undefined;
}

function positiveInt(opt: string, v: string): number {
  const n = Number(v.replace(/_/g, ""));
  if (!Number.isInteger(n) || n < 0) throw new MagicError(`${MAGIC}: ${opt} needs a non-negative integer, not '${v}'`);
  return n;
}

/** Parse a %%probe cell into a run spec. Throws MagicError with a one-line message. */
export function parseProbeCell(src: string): ProbeCellSpec {
  const lines = src.split("\n");
  const at = lines.findIndex((l) => l.trim() !== "");
  const head = at >= 0 ? lines[at]!.trim() : "";
  if (!head.startsWith(MAGIC)) throw new MagicError(`not a ${MAGIC} cell`);
  const words = shellWords(head.slice(MAGIC.length));
  const spec: ProbeCellSpec = { binary: "", program: "", programName: CELL_PROGRAM_NAME, args: [] };
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
      else if (name === "--name") spec.name = v;
      else if (name === "--lib-path") spec.libPath = [...(spec.libPath ?? []), v];
      else {
        if (!v.includes("=")) throw new MagicError(`${MAGIC}: --env ${v}: expected KEY=VALUE`);
        env.push(v);
      }
      continue;
    }
    if (FLAG_OPTIONS.has(w)) {
      if (w === "--help") throw new MagicError(PROBE_USAGE);
      if (w === "--unsafe") spec.unsafe = true;
      else spec.emulation = w === "--emulation";
      continue;
    }
    if (w.startsWith("--")) throw new MagicError(`${MAGIC}: unknown option ${name} (options: ${[...VALUE_OPTIONS, ...FLAG_OPTIONS].join(", ")}; guest arguments that start with -- go after a --; %%probe --help explains them)`);
    if (binary === undefined) binary = w;
    else args.push(w);
  }
  if (!binary) throw new MagicError(`${MAGIC}: missing BINARY (usage: ${MAGIC} BINARY [ARGS...] [--kernel V] [--no-emulation] [--cost P], then the probe program on the next lines)`);
  if (spec.name !== undefined && !/^[A-Za-z_$][\w$.-]*$/.test(spec.name)) throw new MagicError(`${MAGIC}: --name ${spec.name}: a name is a word (letters, digits, _ . -)`);
  spec.binary = binary;
  spec.args = args;
  if (env.length) spec.env = env;
  // The program keeps the cell's line numbers: DSL errors say cell:LINE:COL of the cell.
  const body = lines.slice(at + 1);
  if (!body.some((l) => l.trim() !== "")) throw new MagicError(`${MAGIC}: no probe program: write it on the lines after the ${MAGIC} line (e.g. probe test:0 < count++ >)`);
  spec.program = "\n".repeat(at + 1) + body.join("\n");
  return spec;
}
