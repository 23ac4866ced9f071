// Tree construction for the grammar's postprocessors.
//
// The grammar (grammar.ne) only says which tokens form which node; the work of
// turning tokens into nodes lives here so that it is typed and testable:
// spans from token offsets, number and string literal decoding, and operator
// precedence. Binary expressions are parsed flat by the grammar
// (`operand (op operand)*`, which keeps the Earley parser's work linear in the
// number of operators) and folded into a tree here by precedence climbing, in
// C's order:
//
//   10  * / %        6  == !=         3  |
//    9  + -          5  &             2  &&
//    8  << >>        4  ^             1  ||
//    7  < <= > >=
//
// All binary operators are left-associative; unary `! ~ - +` bind tighter
// than any of them, and `?:` (right-associative) looser.
//
// Postprocessors may run for partial parses that Earley later abandons, so
// nothing here throws or mutates its inputs: literal errors are recorded on
// the node and reported by the checker.

import type {
  CastExpr, ConfigItem, EventKeyword, FieldAccess, IntTypeName, Setting, StructDef, StructFieldDecl,
  AssignOp, BinaryExpr, BinaryOp, Block, CallExpr, Expr, IfStmt, IndexExpr, Item, LValue, NumberLit,
  ProbeItem, Program, SpecialItem, Stmt, StringLit, TargetAtom, TargetSpec, UnaryOp, VarRef,
} from "./ast.js";
import type { DslToken } from "./lexer.js";

type Tok = DslToken;

/** Event probe types and bpftrace's short aliases for them (`i:`, `p:`, `t:`). */
const EVENT_ALIASES: Readonly<Record<string, EventKeyword>> = {
  interval: "interval", i: "interval", profile: "profile", p: "profile", tracepoint: "tracepoint", t: "tracepoint",
};

const end = (t: Tok): number => t.offset + t.text.length;

const PRECEDENCE: Readonly<Record<BinaryOp, number>> = {
  "*": 10, "/": 10, "%": 10,
  "+": 9, "-": 9,
  "<<": 8, ">>": 8,
  "<": 7, "<=": 7, ">": 7, ">=": 7,
  "==": 6, "!=": 6,
  "&": 5,
  "^": 4,
  "|": 3,
  "&&": 2,
  "||": 1,
};

// ---- literals ------------------------------------------------------------

const U64_MAX = (1n << 64n) - 1n;

export function numberLit(t: Tok): NumberLit {
  const clean = t.text.replace(/_/g, "");
  let value: bigint;
  let error: string | undefined;
  if (/^0[0-7]+$/.test(clean)) value = BigInt("0o" + clean.slice(1));
  else if (/^0[0-9]+$/.test(clean)) {
    value = 0n;
    error = `invalid octal literal '${t.text}'`;
  } else value = BigInt(clean);
  if (value > U64_MAX) {
    error = `integer literal '${t.text}' does not fit in 64 bits`;
    value = 0n;
  }
  const node: NumberLit = { kind: "number", value: BigInt.asIntN(64, value), start: t.offset, end: end(t) };
  if (error !== undefined) node.error = error;
  return node;
}

/** Decode a C-style string literal body (without quotes). */
function unescape(body: string): { value: string; error?: string } {
  let out = "";
  let error: string | undefined;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const n = body[++i];
    switch (n) {
      case "n": out += "\n"; break;
      case "t": out += "\t"; break;
      case "r": out += "\r"; break;
      case "a": out += "\x07"; break;
      case "b": out += "\b"; break;
      case "f": out += "\f"; break;
      case "v": out += "\v"; break;
      case "e": out += "\x1b"; break;
      case "\\": out += "\\"; break;
      case '"': out += '"'; break;
      case "'": out += "'"; break;
      case "?": out += "?"; break;
      case "x": {
        const m = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 1));
        if (m === null) {
          error ??= "\\x used with no following hex digits";
          break;
        }
        out += String.fromCharCode(parseInt(m[0], 16));
        i += m[0].length;
        break;
      }
      default:
        if (n !== undefined && n >= "0" && n <= "7") {
          const m = /^[0-7]{1,3}/.exec(body.slice(i))!;
          out += String.fromCharCode(parseInt(m[0], 8) & 0xff);
          i += m[0].length - 1;
        } else {
          error ??= `unknown escape sequence '\\${n ?? ""}'`;
        }
    }
  }
  return error === undefined ? { value: out } : { value: out, error };
}

export function stringLit(t: Tok): StringLit {
  const { value, error } = unescape(t.text.slice(1, -1));
  const node: StringLit = { kind: "string", value, start: t.offset, end: end(t) };
  if (error !== undefined) node.error = error;
  return node;
}

// ---- names and expressions -------------------------------------------------

export function varRef(t: Tok): VarRef {
  const sub = t.sub ?? t.type;
  const scope = sub === "mapvar" ? "map" : sub === "scratch" ? "scratch" : sub === "self" ? "self" : "global";
  return { kind: "var", scope, name: t.text, start: t.offset, end: end(t) };
}

export function index(target: VarRef, keys: Expr[], close: Tok): IndexExpr {
  return { kind: "index", target, keys, start: target.start, end: end(close) };
}

export function call(name: Tok, args: Expr[], close: Tok): CallExpr {
  return { kind: "call", name: name.text, nameSpan: { start: name.offset, end: end(name) }, args, start: name.offset, end: end(close) };
}

export function unary(op: Tok, operand: Expr): Expr {
  return { kind: "unary", op: op.text as UnaryOp, operand, start: op.offset, end: operand.end };
}

export function paren(open: Tok, e: Expr, close: Tok): Expr {
  // Keep the inner node but widen nothing: spans of parenthesised
  // expressions point at the expression itself, as in C compilers.
  void open;
  void close;
  return e;
}

export function ternary(cond: Expr, then: Expr, els: Expr): Expr {
  return { kind: "ternary", cond, then, else: els, start: cond.start, end: els.end };
}

/** A flat operand/operator list: [e0, op1, e1, op2, e2, ...]. */
export type Flat = ReadonlyArray<Expr | Tok>;

export function seqStart(e: Expr): Flat {
  return [e];
}

export function seqMore(s: Flat, op: Tok, e: Expr): Flat {
  return [...s, op, e];
}

/** Fold a flat list by precedence climbing. */
export function fold(s: Flat): Expr {
  let pos = 0;
  const operand = (): Expr => s[pos++] as Expr;
  const climb = (minPrec: number): Expr => {
    let left = operand();
    while (pos < s.length) {
      const op = s[pos] as Tok;
      const prec = PRECEDENCE[op.text as BinaryOp];
      if (prec < minPrec) break;
      pos++;
      const right = climb(prec + 1);
      const node: BinaryExpr = {
        kind: "binary",
        op: op.text as BinaryOp,
        opSpan: { start: op.offset, end: end(op) },
        left,
        right,
        start: left.start,
        end: right.end,
      };
      left = node;
    }
    return left;
  };
  return climb(1);
}

// ---- statements ------------------------------------------------------------

export function assign(target: LValue, op: Tok, value: Expr): Stmt {
  return { kind: "assign", op: op.text as AssignOp, opSpan: { start: op.offset, end: end(op) }, target, value, start: target.start, end: value.end };
}

export function postIncDec(target: LValue, op: Tok): Stmt {
  return { kind: "incdec", op: op.text as "++" | "--", prefix: false, target, start: target.start, end: end(op) };
}

export function preIncDec(op: Tok, target: LValue): Stmt {
  return { kind: "incdec", op: op.text as "++" | "--", prefix: true, target, start: op.offset, end: target.end };
}

export function callStmt(c: CallExpr): Stmt {
  return { kind: "callstmt", call: c, start: c.start, end: c.end };
}

export function returnStmt(t: Tok): Stmt {
  return { kind: "return", start: t.offset, end: end(t) };
}

export function ifStmt(kw: Tok, cond: Expr, then: Block, els?: Block | IfStmt): IfStmt {
  const node: IfStmt = { kind: "if", cond, then, start: kw.offset, end: (els ?? then).end };
  if (els !== undefined) node.else = els;
  return node;
}

export function block(open: Tok, body: Stmt[], close: Tok): Block {
  return { kind: "block", body, brace: open.text === "{", start: open.offset, end: end(close) };
}

// ---- probes ----------------------------------------------------------------

export function atom(t: Tok): TargetAtom {
  const kind = t.type === "tpath" ? "path" : t.type === "tstr" ? "string" : t.type === "tnum" ? "number" : "ident";
  const text = kind === "string" ? unescape(t.text.slice(1, -1)).value : t.text;
  return { kind, text, start: t.offset, end: end(t) };
}

export interface TargetParts {
  atoms: TargetAtom[];
  seps: Array<":" | "+">;
}

export function targetStart(a: TargetAtom): TargetParts {
  return { atoms: [a], seps: [] };
}

export function targetMore(p: TargetParts, sep: Tok, a: TargetAtom): TargetParts {
  return { atoms: [...p.atoms, a], seps: [...p.seps, sep.text as ":" | "+"] };
}

export function target(kw: Tok | undefined, like: TargetSpec | undefined, p: TargetParts, source: string): TargetSpec {
  const first = p.atoms[0]!;
  const last = p.atoms[p.atoms.length - 1]!;
  let keyword: TargetSpec["keyword"];
  if (kw !== undefined) {
    // bpftrace's short aliases name the same probe types (and its probe names spell them out)
    const k = kw.text.replace(/:$/, "");
    keyword = k === "retprobe" ? "retprobe" : k === "uprobe" || k === "u" ? "uprobe" : k === "uretprobe" || k === "ur" ? "uretprobe" : k === "usdt" || k === "U" ? "usdt" : (EVENT_ALIASES[k] ?? "probe");
  } else keyword = like!.keyword;
  const start = kw !== undefined ? kw.offset : first.start;
  return {
    kind: "target",
    keyword,
    ret: keyword === "retprobe" || keyword === "uretprobe",
    alias: keyword !== "probe" && keyword !== "retprobe",
    atoms: p.atoms,
    seps: p.seps,
    text: source.slice(first.start, last.end),
    textSpan: { start: first.start, end: last.end },
    start,
    end: last.end,
  };
}

export function probeItem(targets: TargetSpec[], filter: Expr | undefined, body: Block): ProbeItem {
  const node: ProbeItem = { kind: "probe", targets, body, start: targets[0]!.start, end: body.end };
  if (filter !== undefined) node.filter = filter;
  return node;
}

/**
 * `BEGIN < >`, `END < >`, or any other `name < >` at top level: the
 * checker accepts begin/end in either case and reports the rest.
 */
export function specialItem(t: Tok, body: Block): SpecialItem {
  const up = t.text.toUpperCase();
  return {
    kind: "special",
    which: up === "BEGIN" ? "BEGIN" : up === "END" ? "END" : t.text,
    nameSpan: { start: t.offset, end: end(t) },
    body,
    start: t.offset,
    end: body.end,
  };
}

export function setting(name: Tok, value: Tok): Setting {
  const valueKind = value.type === "number" ? "number" : value.type === "string" ? "string" : "ident";
  return {
    name: name.text,
    nameSpan: { start: name.offset, end: end(name) },
    value: valueKind === "string" ? unescape(value.text.slice(1, -1)).value : value.text,
    valueSpan: { start: value.offset, end: end(value) },
    valueKind,
    start: name.offset,
    end: end(value),
  };
}

export function configItem(name: Tok, settings: Setting[], close: Tok): ConfigItem {
  return { kind: "config", name: name.text, nameSpan: { start: name.offset, end: end(name) }, settings, start: name.offset, end: end(close) };
}

export function program(items: Array<Item | StructDef>, length: number): Program {
  const structs = items.filter((i): i is StructDef => i.kind === "struct");
  return { kind: "program", items: items.filter((i): i is Item => i.kind !== "struct"), structs, start: 0, end: length };
}

// ---- bpftrace's types, memory reads, parameters and loops ---------------------

export function cast(open: Tok, type: Tok, pointer: boolean, operand: Expr): CastExpr {
  return { kind: "cast", type: type.text as IntTypeName, pointer, typeSpan: { start: type.offset, end: end(type) }, operand, start: open.offset, end: operand.end };
}

export function deref(star: Tok, operand: Expr): Expr {
  return { kind: "deref", operand, start: star.offset, end: operand.end };
}

export function param(t: Tok): Expr {
  return { kind: "param", index: t.text === "$#" ? 0 : Number(t.text.slice(1)), start: t.offset, end: end(t) };
}

export function sizeofType(kw: Tok, type: Tok, close: Tok): Expr {
  return { kind: "sizeof", type: type.text as IntTypeName, start: kw.offset, end: end(close) };
}

export function sizeofExpr(kw: Tok, operand: Expr, close: Tok): Expr {
  return { kind: "sizeof", operand, start: kw.offset, end: end(close) };
}

export function unrollStmt(kw: Tok, count: Expr, body: Block): Stmt {
  return { kind: "unroll", count, body, start: kw.offset, end: body.end };
}

export function whileStmt(kw: Tok, cond: Expr, body: Block): Stmt {
  return { kind: "while", cond, body, start: kw.offset, end: body.end };
}

export function jumpStmt(t: Tok): Stmt {
  return { kind: t.text as "break" | "continue", start: t.offset, end: end(t) };
}

/** `base.NAME`, `base->NAME` or `base.0`. */
export function field(base: Expr, op: Tok, name: Tok): FieldAccess {
  return {
    kind: "field", base, arrow: op.text === "->", name: name.text,
    nameSpan: { start: name.offset, end: end(name) }, opSpan: { start: op.offset, end: end(op) },
    start: base.start, end: end(name),
  };
}

/** `(a, b, ...)`. */
export function tuple(open: Tok, first: Expr, rest: Expr[], close: Tok): Expr {
  return { kind: "tuple", elems: [first, ...rest], start: open.offset, end: end(close) };
}

/** `base[index]` on something that is not a map (an array field). */
export function subscript(base: Expr, index: Expr, close: Tok): Expr {
  return { kind: "subscript", base, index, start: base.start, end: end(close) };
}

/** `(struct NAME *)operand`: a pointer to a struct, held as a 64-bit address. */
export function structCast(open: Tok, name: Tok, operand: Expr): CastExpr {
  return { kind: "cast", type: "uint64", pointer: true, struct: name.text, typeSpan: { start: open.offset + 1, end: end(name) }, operand, start: open.offset, end: operand.end };
}

export function sizeofStruct(kw: Tok, name: Tok, close: Tok): Expr {
  return { kind: "sizeof", struct: name.text, start: kw.offset, end: end(close) };
}

/** A field's type words (`unsigned long`, `struct pt`), with their span. */
export interface TypeWords {
  toks: Tok[];
  words: string[];
  span: { start: number; end: number };
}

export function typeWords(toks: Tok[]): TypeWords {
  return { toks, words: toks.map((w) => w.text), span: { start: toks[0]!.offset, end: end(toks[toks.length - 1]!) } };
}

export function structField(type: TypeWords, stars: Tok[], name: Tok, dims: NumberLit[]): StructFieldDecl {
  const last = dims.length > 0 ? dims[dims.length - 1]!.end + 1 : end(name);
  return { typeWords: type.words, typeSpan: type.span, stars: stars.length, name: name.text, nameSpan: { start: name.offset, end: end(name) }, dims, start: type.span.start, end: last };
}

export function structDef(kw: Tok, name: Tok, fields: StructFieldDecl[], close: Tok): StructDef {
  return { kind: "struct", name: name.text, nameSpan: { start: name.offset, end: end(name) }, fields, start: kw.offset, end: end(close) };
}
