// Parse driver: program text -> AST, or a located DslError.
//
// nearley's own failure report ("Syntax error at line L col C ... Unexpected
// X. Instead, I was expecting to see one of the following: <parse-state
// dump>") is both slow to build and unreadable for users, so the driver
// switches it off and rewords the failure itself from the token nearley
// stopped at and the terminals the last Earley column was waiting for:
//
//   prog.probe:1:25: error: syntax error: unexpected ';' (expected ')' or ',')
//
// A complete parse must be unique: zero results means the input ended early,
// more than one would be an ambiguity in grammar.ne (a bug, reported as such).

import nearley from "nearley";
import type { Program } from "./ast.js";
import { fail, SourceText, type Span } from "./diagnostics.js";
import grammar from "./grammar.generated.js";
import { lexer, type DslToken } from "./lexer.js";

const compiled = nearley.Grammar.fromCompiled(grammar as unknown as nearley.CompiledRules);

interface EarleyState {
  rule: { symbols: Array<string | { type?: string; literal?: string; test?: unknown }> };
  dot: number;
}
interface ParserInternals {
  table: Array<{ states: EarleyState[] } | undefined>;
  reportError: (t: unknown) => string;
  reportLexerError: (e: unknown) => string;
}

const TYPE_NAMES: Record<string, string> = {
  name: "name",
  number: "number",
  string: "string",
  sep: "newline",
  binop: "operator",
  assignop: "assignment",
  mapvar: "@map",
  scratch: "$variable",
  self: "self.variable",
  probe: "'probe'",
  alias: "'uprobe:'",
  tid: "symbol",
  tnum: "number",
  tpath: "path",
  tstr: "quoted file name",
  tcolon: "':'",
  tplus: "'+'",
};

function describe(t: DslToken): string {
  switch (t.type) {
    case "sep":
      return t.value === ";" ? "';'" : "newline";
    case "name":
      return `'${t.text}'`;
    case "number":
    case "tnum":
      return `number ${t.text}`;
    case "string":
    case "tstr":
      return "string";
    case "tid":
      return `symbol '${t.text}'`;
    case "tpath":
      return `path '${t.text}'`;
    default:
      return `'${t.text}'`;
  }
}

function expected(parser: ParserInternals, columnIndex: number): string[] {
  const col = parser.table[columnIndex];
  if (col === undefined) return [];
  const out = new Set<string>();
  for (const st of col.states) {
    const sym = st.rule.symbols[st.dot];
    if (sym === undefined || typeof sym === "string") continue;
    // the postfix `.` and `->` are operators too (one word for all of them keeps the list short)
    if (sym.literal === "." || sym.literal === "->") out.add("operator");
    else if (sym.literal !== undefined) out.add(`'${sym.literal}'`);
    else if (sym.type !== undefined) out.add(TYPE_NAMES[sym.type] ?? sym.type);
  }
  return [...out].sort();
}

function expectedText(list: string[]): string {
  if (list.length === 0 || list.length > 6) return "";
  const last = list[list.length - 1]!;
  return list.length === 1 ? ` (expected ${last})` : ` (expected ${list.slice(0, -1).join(", ")} or ${last})`;
}

const spanOf = (t: DslToken): Span => ({ start: t.offset, end: t.offset + Math.max(1, t.text.length) });

/**
 * Limits that keep the compiler's host cost bounded (the parse of an operator chain is quadratic in
 * nearley, and the passes recurse over the tree), as a C compiler bounds bracket depth (clang's
 * -fbracket-depth is 256): the program's size, its nesting (brackets, blocks, unary operators),
 * the binary operators of one statement (a chain nests as deep as it is long) and the elements of
 * its comma lists (the parse of a 20,000-element map key took 15 s and 2.9 GB).
 */
const DSL_LIMITS = { bytes: 64 * 1024, nesting: 256, operators: 256, elements: 256 } as const;

const UNARY = new Set(["!", "~", "-", "+"]);

const OPERAND_START_TYPES = new Set(["number", "string", "name", "param", "type"]);
const OPERAND_START_OPS = new Set(["(", "-", "!", "~", "+", "*"]);
const CONTROL = new Set(["if", "while", "unroll"]);

const endsOperand = (t: DslToken | undefined): boolean =>
  t !== undefined && (t.type === "number" || t.type === "string" || t.type === "name" || t.text === ")" || t.text === "]" || t.text === "++" || t.text === "--");
const startsOperand = (t: DslToken | undefined): boolean =>
  t !== undefined && (OPERAND_START_TYPES.has(t.type) || ((t.type === "op" || t.type === "binop") && OPERAND_START_OPS.has(t.text)));

/** Check DSL_LIMITS on the token stream, before nearley sees it: the first limit passed in the text is the located error. */
function checkLimits(src: SourceText): void {
  const tooLarge = (): never => fail(src, { start: DSL_LIMITS.bytes, end: DSL_LIMITS.bytes + 1 }, `program too large: ${src.text.length} bytes (the limit is ${DSL_LIMITS.bytes})`);
  lexer.reset(src.text.length > DSL_LIMITS.bytes ? src.text.slice(0, DSL_LIMITS.bytes + 1) : src.text);
  let depth = 0;
  let unary = 0;
  let operators = 0;
  let commas = 0;
  let prev: DslToken | undefined;
  // `<` and `>` also delimit blocks (grammar.ne): a block's `<` follows no operand, or the `)` of an
  // if/while/unroll header; its `>` is followed by no operand (decided at the next token). Those are
  // statement boundaries and nesting, not operators.
  let headerAwaited = false;
  let headerDepth = -1;
  let afterHeader = false;
  let pendingGt: DslToken | undefined;
  const checkOperators = (at: DslToken): void => {
    if (operators > DSL_LIMITS.operators) fail(src, spanOf(at), `more than ${DSL_LIMITS.operators} operators in one statement`);
  };
  const checkNesting = (at: DslToken): void => {
    if (depth + unary > DSL_LIMITS.nesting) fail(src, spanOf(at), `nesting deeper than ${DSL_LIMITS.nesting} levels (brackets, blocks and unary operators)`);
  };
  for (let t = lexer.next(); t !== undefined; t = lexer.next()) {
    if (t.offset >= DSL_LIMITS.bytes) tooLarge();
    if (t.type === "lexerror") break; // parse() reports it
    const v = t.text;
    if (pendingGt !== undefined) {
      if (startsOperand(t)) {
        operators++; // a comparison
        checkOperators(pendingGt);
      } else {
        operators = commas = 0; // a block's end
        if (depth > 0) depth--;
      }
      pendingGt = undefined;
    }
    const headerEnd = afterHeader;
    afterHeader = false;
    if (t.type === "sep" || v === "{" || v === "}") operators = commas = 0; // a statement boundary
    if (v === ",") commas++;
    if (t.type === "kw" && CONTROL.has(v)) headerAwaited = true;
    if (v === "(" || v === "[" || v === "{") {
      depth++;
      if (v === "(" && headerAwaited) [headerDepth, headerAwaited] = [depth, false];
    } else if ((v === ")" || v === "]" || v === "}") && depth > 0) {
      if (v === ")" && depth === headerDepth) [afterHeader, headerDepth] = [true, -1];
      depth--;
    }
    // a prefix operator: after nothing, an operator or an opening bracket
    const operandBefore = endsOperand(prev);
    if (v === "<" && (!operandBefore || headerEnd)) {
      operators = commas = 0; // a block's start
      depth++;
    } else if (v === ">" && operandBefore) pendingGt = t;
    else if (v === ">") {
      operators = commas = 0; // a block's end after `<`, `return`, `break`...: no operand before it
      if (depth > 0) depth--;
    } else if (UNARY.has(v) && !operandBefore) unary++;
    else {
      if (unary > 0 && !UNARY.has(v)) unary = 0;
      if (t.type === "binop" || t.type === "assignop" || v === "?" || v === "=") operators++;
    }
    checkNesting(t);
    checkOperators(t);
    if (commas >= DSL_LIMITS.elements) fail(src, spanOf(t), `more than ${DSL_LIMITS.elements} comma-separated elements in one statement (arguments, map keys, attach points)`);
    prev = t;
  }
  if (src.text.length > DSL_LIMITS.bytes) tooLarge();
}

/** Parse a whole program. Throws DslError on any syntax error. */
export function parse(src: SourceText): Program {
  checkLimits(src);
  const parser = new nearley.Parser(compiled);
  const internals = parser as unknown as ParserInternals;
  internals.reportError = () => "";
  internals.reportLexerError = () => "";
  try {
    parser.feed(src.text);
  } catch (e) {
    const tok = (e as { token?: DslToken }).token ?? lexer.lastToken;
    if (tok === undefined) throw e;
    if (tok.type === "lexerror") fail(src, spanOf(tok), tok.message ?? "invalid token");
    const exp = expected(internals, internals.table.length - 2);
    fail(src, spanOf(tok), `syntax error: unexpected ${describe(tok)}${expectedText(exp)}`);
  }
  const results = parser.results as Program[];
  if (results.length === 0) {
    const last = lexer.lastToken;
    const at = last === undefined ? src.text.length : last.offset + last.text.length;
    const exp = expected(internals, internals.table.length - 1);
    fail(src, { start: at, end: at }, `syntax error: unexpected end of input${expectedText(exp)}`);
  }
  if (results.length > 1) {
    fail(src, { start: 0, end: src.text.length }, `internal error: the program parses in ${results.length} ways (grammar ambiguity)`);
  }
  return results[0]!;
}

/** Convenience for tests and tools. */
export function parseText(text: string, fileName = "<input>"): Program {
  return parse(new SourceText(fileName, text));
}
