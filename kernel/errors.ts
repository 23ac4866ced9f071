// How a failed cell reads: the ename/evalue/traceback of its Jupyter `error`
// output and of its execute_reply, as IPython fills them (ename is the
// exception's class, evalue its message, traceback the lines to show).
//
//   - our errors for bad input (UserError and its kind: a bad path, a
//     misspelt function with its "did you mean"): the message, one line;
//   - DSL errors: the located message, with the source line and a caret;
//   - TypeScript errors: cell:LINE:COL, the source line and a caret;
//   - interrupts: one line, ename KeyboardInterrupt (IPython's);
//   - anything else (a genuine exception): NAME: message and the stack,
//     without the frames of tslab, node:vm and this kernel that run a cell.

import { UserError } from "../engine/index.js";
import { DslError } from "../dsl/index.js";
import { RunError } from "../lab/probe-run.js";

export interface Failure {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** The file name cells have in error messages (the DSL's %%probe errors say cell:LINE:COL too). */
const CELL = "cell";

const INTERRUPTED = "Interrupted: the cell was stopped (guest runs in progress stop at their next slice)";

/** tslab's executor: an await cut short by an interrupt; node:vm: a synchronous loop broken by SIGINT. */
function isInterrupt(e: Error): boolean {
  return e.message === "Interrupted asynchronously" || /^Script execution (was )?interrupted\b/.test(e.message);
}

/** A stack frame that belongs to the machinery running the cell, not to the cell or the API. */
function internalFrame(line: string): boolean {
  return /\((?:node:vm|node:internal)|at (?:node:vm|node:internal)|[/\\]tslab[/\\]dist[/\\]|[/\\]dist[/\\]kernel[/\\]main\.js|at sigintHandlersWrap /.test(line);
}

/** The stack of a genuine exception, from its NAME: message line, minus the internal frames. */
function cleanStack(e: Error): string[] {
  const head = `${e.name}: ${e.message}`;
  const lines = (e.stack ?? head).split("\n");
  // Node puts "file:LINE\n<source>\n^\n\n" before the stack of an error thrown in vm code: start at the frames
  const frames = lines.filter((l) => /^\s+at /.test(l) && !internalFrame(l)).map((l) => l.replace(/^\s+/, "    "));
  return [...head.split("\n"), ...frames];
}

/** The class a user should see: a RunError stands for what it wraps (a DslError, a UserError...). */
function className(e: Error): string {
  if (e instanceof RunError) {
    if (e.cause instanceof Error) return className(e.cause);
    return { dsl: "DslError", user: "UserError", interrupted: "KeyboardInterrupt", internal: "InternalError" }[e.kind];
  }
  const ctor = (e as { constructor?: { name?: unknown } }).constructor;
  return typeof ctor?.name === "string" && ctor.name !== "" ? ctor.name : e.name;
}

/** The failure of a cell that threw (or rejected with) `e`. */
export function failureOf(e: unknown): Failure {
  if (!(e instanceof Error)) {
    const text = typeof e === "string" ? e : JSON.stringify(e) ?? String(e);
    return { ename: "Error", evalue: text, traceback: [`Uncaught ${text}`] };
  }
  if (isInterrupt(e) || (e instanceof RunError && e.kind === "interrupted")) {
    const text = e instanceof RunError ? e.message : INTERRUPTED;
    return { ename: "KeyboardInterrupt", evalue: text, traceback: [text] };
  }
  if (e instanceof DslError) return located("DslError", e.format());
  if (e instanceof RunError && e.kind !== "internal") return located(className(e), e.message);
  if (e instanceof UserError) return { ename: className(e), evalue: e.message, traceback: [e.message] };
  return { ename: className(e), evalue: e.message, traceback: cleanStack(e) };
}

/** A message that may carry its own location lines (a DSL error's source line and caret). */
function located(ename: string, text: string): Failure {
  const lines = text.replace(/\n+$/, "").split("\n");
  return { ename, evalue: lines[0] ?? "", traceback: lines };
}

/** One TypeScript diagnostic of a cell, as tslab's executor reports it (1-based line and column). */
export interface TsDiagnostic {
  file?: string;
  line: number;
  col: number;
  message: string;
}

/** TypeScript errors: `cell:LINE:COL: error: message`, then the line and a caret under the column (as tsc --pretty). */
export function typeScriptFailure(diags: TsDiagnostic[], src: string): Failure {
  const lines = src.split("\n");
  const traceback: string[] = [];
  for (const d of diags) {
    traceback.push(`${d.file ?? CELL}:${d.line}:${d.col}: error: ${d.message}`);
    const text = d.file ? undefined : lines[d.line - 1];
    if (text !== undefined) traceback.push(text, " ".repeat(Math.max(0, d.col - 1)) + "^");
  }
  const first = diags[0];
  // ts-node's name for a cell that does not compile
  return { ename: "TSError", evalue: first ? `${first.line}:${first.col}: ${first.message}` : "TypeScript error", traceback };
}
