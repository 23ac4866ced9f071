// is_complete_request: may the console submit this cell, or does Enter
// continue it? The answers are IPython's: "complete", "incomplete" with the
// indent of the next line, or "invalid" (a syntax error more lines cannot
// fix: submitted, so that the error shows).
//
//   - A cell ending in a blank line is complete (tslab's rule, and
//     IPython's for cell magics): the way to force a submit.
//   - %%probe cells: the probe program is parsed by the DSL's parser.
//     Incomplete when it ends inside an open `<`/`{` block, a `( [`, a
//     string or a comment, or has no program yet; invalid on another
//     syntax error (or an unterminated quote in the %%probe line).
//   - Other cell magics (%%c ...): IPython's rule, complete once the last
//     line is blank.
//   - TypeScript: parsed (as tslab compiles cells, a .ts file). Incomplete
//     when a token is expected at the very end (a bracket, an expression:
//     tslab's test) or a string or template literal is still open; invalid
//     on any other syntax error. tslab itself answers complete for open
//     strings and for the DSL, which TypeScript cannot parse.

import { createRequire } from "node:module";
import { parseText } from "../dsl/parse.js";
import { isProbeCell, shellWords } from "./magic.js";

export type IsCompleteReply = { status: "complete" } | { status: "incomplete"; indent: string } | { status: "invalid" };

interface TsDiag {
  code: number;
  start?: number;
  length?: number;
  messageText: unknown;
}
interface Ts {
  ScriptTarget: { Latest: number };
  ScriptKind: { TS: number };
  createSourceFile(name: string, text: string, target: number, setParents: boolean, kind: number): { parseDiagnostics?: TsDiag[] };
}

let ts: Ts | undefined;
/** tslab's TypeScript (the one that compiles the cells). */
function typescript(): Ts {
  if (!ts) {
    const tslab = createRequire(createRequire(import.meta.url).resolve("tslab/package.json"));
    ts = tslab("@tslab/typescript-for-tslab") as Ts;
  }
  return ts;
}

const COMPLETE = { status: "complete" } as const;
const INVALID = { status: "invalid" } as const;
const incomplete = (indent: string): IsCompleteReply => ({ status: "incomplete", indent });

/** TypeScript's "Unterminated string literal." and "Unterminated template literal.". */
const UNTERMINATED_STRING = new Set([1002, 1160]);

export function isComplete(code: string): IsCompleteReply {
  if (/(^|\n)[ \t]*\n\s*$/.test(code)) return COMPLETE;
  if (isProbeCell(code)) return probeCellComplete(code);
  if (/^\s*%%/.test(code)) return /\n[ \t]*$/.test(code) ? COMPLETE : incomplete("");
  return typeScriptComplete(code);
}

function typeScriptComplete(code: string): IsCompleteReply {
  const t = typescript();
  const diags = t.createSourceFile("cell.ts", code, t.ScriptTarget.Latest, false, t.ScriptKind.TS).parseDiagnostics ?? [];
  if (diags.length === 0) return COMPLETE;
  const end = code.length;
  for (const d of diags) {
    const atEnd = d.start === end && (d.length ?? 0) === 0;
    if (atEnd && typeof d.messageText === "string" && d.messageText.endsWith(" expected.")) return incomplete(nextIndent(code));
    if (UNTERMINATED_STRING.has(d.code) && (d.start ?? 0) + (d.length ?? 0) >= end) return incomplete("");
  }
  return INVALID;
}

function probeCellComplete(code: string): IsCompleteReply {
  const lines = code.split("\n");
  const at = lines.findIndex((l) => l.trim() !== "");
  try {
    shellWords(lines[at]!.trim().slice("%%probe".length));
  } catch {
    return INVALID; // an unterminated quote on the %%probe line: the next line cannot close it
  }
  const body = lines.slice(at + 1).join("\n");
  if (body.trim() === "") return incomplete("");
  try {
    parseText(body, "cell");
    return COMPLETE;
  } catch (e) {
    const { message = "", end = 0 } = e as { message?: string; end?: number };
    if (message.startsWith("syntax error: unexpected end of input")) return incomplete(nextIndent(code));
    if (message.startsWith("unterminated") && end >= body.trimEnd().length) return incomplete("");
    return INVALID;
  }
}

/** The indent of the next line: the last line's, one step deeper after an opening bracket (tslab's indentOnEnter, simplified). */
function nextIndent(code: string): string {
  const line = code.slice(code.lastIndexOf("\n") + 1);
  const current = /^\s*/.exec(line)![0];
  return /[<{([]\s*$/.test(line) ? current + "  " : current;
}
