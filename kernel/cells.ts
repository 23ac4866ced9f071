// The kernel's cell magics: %%probe (a probe program run on a binary) and
// %%c / %%cc / %%c++ / %%cpp (source compiled into a binary to probe). A
// cell either shows its outputs and succeeds, or writes one message (a DSL
// error with its caret, the compiler's located diagnostics, a bad first
// line) to stderr and fails; --help prints the usage and succeeds.

import { RunError } from "../lab/probe-run.js";
import { escapeHtml, htmlBundle } from "../present/mime.js";
import * as api from "./api.js";
import { isCompileCell, parseCompileCell } from "./c-magic.js";
import { display } from "./display.js";
import { isProbeCell, parseProbeCell, probeCellHelp } from "./magic.js";
import { probeCellOutputs } from "./probe-cell.js";

export function isMagicCell(src: string): boolean {
  return isProbeCell(src) || isCompileCell(src);
}

/** Where a cell's text goes: the cell's stdout and stderr (tests pass their own); `fail`, when
 * given, receives what went wrong instead of its message going to `err` (the kernel turns it into
 * an IPython error reply, kernel/errors.ts). */
export interface CellStreams {
  out(s: string): void;
  err(s: string): void;
  fail?(e: unknown): void;
}

const STDIO: CellStreams = { out: (s) => void process.stdout.write(s), err: (s) => console.error(s) };

/** Run a %%probe or compile cell: its outputs, or a one-line (DSL: positioned; compiler: as it prints) error on stderr. */
export async function runMagicCell(src: string, io: CellStreams = STDIO): Promise<boolean> {
  const say = (s: string): void => io.out(s.endsWith("\n") ? s : s + "\n");
  const fail = (e: unknown): false => {
    if (io.fail) io.fail(e);
    else io.err(e instanceof RunError || e instanceof Error ? e.message : String(e));
    return false;
  };
  return isCompileCell(src) ? runCompileCell(src, say, fail) : runProbeCell(src, say, fail);
}

async function runProbeCell(src: string, say: (s: string) => void, fail: (e: unknown) => false): Promise<boolean> {
  const help = probeCellHelp(src);
  if (help) return say(help), true;
  try {
    const { name, ...spec } = parseProbeCell(src);
    probeCellOutputs(await api.runOne(spec, false, name), say);
    return true;
  } catch (e) {
    return fail(e);
  }
}

async function runCompileCell(src: string, say: (s: string) => void, fail: (e: unknown) => false): Promise<boolean> {
  try {
    const cell = parseCompileCell(src);
    if ("help" in cell) return say(cell.help), true;
    const { request } = cell;
    // the kernel keeps serving while the compiler runs: an interrupt kills it (api.compileAsync)
    const bin = await api.compileAsync(request.name, request.source, { language: request.language, compiler: request.compiler, flags: request.flags });
    // warnings are part of the result, not a failure of the cell: shown, not on stderr
    if (bin.warnings) display(htmlBundle(`<pre style="color:#b45309">${escapeHtml(bin.warnings)}</pre>`, bin.warnings));
    say(`${bin.toString()}\n  built with: ${bin.command}`);
    return true;
  } catch (e) {
    return fail(e);
  }
}
