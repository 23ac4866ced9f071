// AST of a probe program.
//
// Every node carries `start`/`end` character offsets into the program text
// (line and column are derived only for messages, see diagnostics.ts). The
// tree is plain data: passes walk it with `walkExpr`/`walkStmt` or a switch on
// `kind`, and record what they learn in side tables rather than on the nodes,
// except for the few annotations the checker leaves for code generation
// (marked "set by check").
//
// Names keep their sigil: a bare global is `count`, a bpftrace-style map is
// `@count`, a probe-local scratch variable is `$x`, a per-thread variable is
// `self.x`. A bare identifier may also be a builtin (`tid`, `arg0`); the
// checker decides.

import type { Ty } from "./builtins.js";
import type { CType } from "./ctypes.js";
import type { Span } from "./diagnostics.js";

interface NodeBase extends Span {}

// ---- expressions ---------------------------------------------------------

export interface NumberLit extends NodeBase {
  kind: "number";
  value: bigint;
  /** Set when the literal does not fit in 64 bits (reported by check). */
  error?: string;
}

export interface StringLit extends NodeBase {
  kind: "string";
  value: string;
  /** Set for a malformed escape (reported by check). */
  error?: string;
}

type VarScope = "global" | "map" | "scratch" | "self";

/** A bare name, `@map`, `$scratch` or `self.x`. */
export interface VarRef extends NodeBase {
  kind: "var";
  scope: VarScope;
  /** Full spelling including the sigil. */
  name: string;
}

/** `m[k1, k2]`. */
export interface IndexExpr extends NodeBase {
  kind: "index";
  target: VarRef;
  keys: Expr[];
}

export interface CallExpr extends NodeBase {
  kind: "call";
  name: string;
  nameSpan: Span;
  args: Expr[];
}

export type UnaryOp = "!" | "~" | "-" | "+";
interface UnaryExpr extends NodeBase {
  kind: "unary";
  op: UnaryOp;
  operand: Expr;
}

export type BinaryOp =
  | "||" | "&&" | "|" | "^" | "&" | "==" | "!=" | "<" | ">" | "<=" | ">="
  | "<<" | ">>" | "+" | "-" | "*" | "/" | "%";
export interface BinaryExpr extends NodeBase {
  kind: "binary";
  op: BinaryOp;
  opSpan: Span;
  left: Expr;
  right: Expr;
}

interface TernaryExpr extends NodeBase {
  kind: "ternary";
  cond: Expr;
  then: Expr;
  else: Expr;
}

/** bpftrace's integer types, as casts and pointer reads name them. */
export type IntTypeName = "int8" | "int16" | "int32" | "int64" | "uint8" | "uint16" | "uint32" | "uint64";

/** `(uint32)x` (an integer cast) or `(int32 *)x` (a pointer, only to be read through with `*`). */
export interface CastExpr extends NodeBase {
  kind: "cast";
  type: IntTypeName;
  pointer: boolean;
  /** `(struct pt *)x`: the struct's name (`type` is then uint64, `pointer` true). */
  struct?: string;
  typeSpan: Span;
  operand: Expr;
}

/** `*e`: a read of user memory through a pointer cast, `*(int32 *)arg0`. */
export interface DerefExpr extends NodeBase {
  kind: "deref";
  operand: Expr;
}

/** A positional parameter, `$1`, `$2`, ... (`$#`: how many there are), given after the script as bpftrace takes them. */
interface ParamExpr extends NodeBase {
  kind: "param";
  /** 1-based; 0 for `$#`. */
  index: number;
}

/** `sizeof(uint32)` or `sizeof(expr)`. */
interface SizeofExpr extends NodeBase {
  kind: "sizeof";
  type?: IntTypeName;
  /** `sizeof(struct pt)`: the struct's name. */
  struct?: string;
  /** Set by check: the struct's size. */
  structSize?: number;
  operand?: Expr;
}

/**
 * `e.NAME` or `e->NAME` (bpftrace's postfix field access), and `e.0` (a tuple
 * element, `name` is then the digits). The checker decides what the base is:
 * a struct, a pointer to one, a tuple, or a probe's `args`.
 */
export interface FieldAccess extends NodeBase {
  kind: "field";
  base: Expr;
  /** `->` rather than `.`. */
  arrow: boolean;
  name: string;
  nameSpan: Span;
  /** Span of the `.` or `->`. */
  opSpan: Span;
  /** Set by check for a struct field: where it is and its C type. */
  field?: { offset: number; type: CType };
  /** Set by check for a tuple element: which one, and its type. */
  tuple?: { index: number; elem: Ty };
}

/** `(a, b, ...)`: a tuple (two or more elements). */
interface TupleExpr extends NodeBase {
  kind: "tuple";
  elems: Expr[];
}

/** `e[i]` on an array field (`$p->vals[2]`), as C indexes. */
export interface SubscriptExpr extends NodeBase {
  kind: "subscript";
  base: Expr;
  index: Expr;
  /** Set by check: the element's C type. */
  elem?: CType;
}

export type Expr =
  | NumberLit | StringLit | VarRef | IndexExpr | CallExpr | UnaryExpr | BinaryExpr | TernaryExpr
  | CastExpr | DerefExpr | ParamExpr | SizeofExpr | FieldAccess | SubscriptExpr | TupleExpr;
export type LValue = VarRef | IndexExpr;

// ---- statements ----------------------------------------------------------

export type AssignOp = "=" | "+=" | "-=" | "*=" | "/=" | "%=" | "&=" | "|=" | "^=" | "<<=" | ">>=";
export interface AssignStmt extends NodeBase {
  kind: "assign";
  op: AssignOp;
  opSpan: Span;
  target: LValue;
  value: Expr;
}

export interface IncDecStmt extends NodeBase {
  kind: "incdec";
  op: "++" | "--";
  prefix: boolean;
  target: LValue;
}

interface CallStmt extends NodeBase {
  kind: "callstmt";
  call: CallExpr;
}

export interface IfStmt extends NodeBase {
  kind: "if";
  cond: Expr;
  then: Block;
  else?: Block | IfStmt;
}

interface ReturnStmt extends NodeBase {
  kind: "return";
}

/** `unroll(N) { ... }`: the block N times (bpftrace: 1 <= N <= 100, a literal). */
export interface UnrollStmt extends NodeBase {
  kind: "unroll";
  count: Expr;
  body: Block;
}

/** `while (cond) { ... }`, bounded at run time as the BPF verifier bounds bpftrace's loops. */
export interface WhileStmt extends NodeBase {
  kind: "while";
  cond: Expr;
  body: Block;
}

/** `break` or `continue` (inside a while loop). */
interface JumpStmt extends NodeBase {
  kind: "break" | "continue";
}

export type Stmt = AssignStmt | IncDecStmt | CallStmt | IfStmt | ReturnStmt | UnrollStmt | WhileStmt | JumpStmt;

export interface Block extends NodeBase {
  kind: "block";
  body: Stmt[];
  /** `<` or `{`: which delimiters the block used. */
  brace: boolean;
}

// ---- probes --------------------------------------------------------------

export interface TargetAtom extends NodeBase {
  kind: "path" | "string" | "number" | "ident";
  /** Source text (for strings: the unquoted value). */
  text: string;
}

/** Probe types that fire on events, not at an address: the virtual clock's timers, the syscall layer's tracepoints. */
export type EventKeyword = "interval" | "profile" | "tracepoint";

/** One attach point as written: `probe test:4`, `uretprobe:./t:test`. */
export interface TargetSpec extends NodeBase {
  kind: "target";
  /** Spelling of the keyword: probe, retprobe, uprobe, uretprobe, usdt (`U:` is usdt); or an event probe type (dsl/probe-events.ts). */
  keyword: "probe" | "retprobe" | "uprobe" | "uretprobe" | "usdt" | EventKeyword;
  ret: boolean;
  /** bpftrace spelling (`uprobe:FILE:SYM`): the first atom is always the file. */
  alias: boolean;
  atoms: TargetAtom[];
  /** Separators between atoms (`:` or `+`), atoms.length - 1 of them. */
  seps: Array<":" | "+">;
  /** The target text as written, e.g. `test:4`. */
  text: string;
  /** Span of the target text (without the keyword). */
  textSpan: Span;
}

export interface ProbeItem extends NodeBase {
  kind: "probe";
  targets: TargetSpec[];
  filter?: Expr;
  body: Block;
}

export interface SpecialItem extends NodeBase {
  kind: "special";
  /** "BEGIN", "END", or (an error the checker reports) any other name. */
  which: string;
  nameSpan: Span;
  body: Block;
}

export interface Setting extends NodeBase {
  name: string;
  nameSpan: Span;
  /** Source text of the value (number, identifier, or string literal). */
  value: string;
  valueSpan: Span;
  valueKind: "number" | "ident" | "string";
}

/** `config = { print_maps_on_exit = false }` (bpftrace's config block). */
export interface ConfigItem extends NodeBase {
  kind: "config";
  /** The word before `=`; the checker requires `config`. */
  name: string;
  nameSpan: Span;
  settings: Setting[];
}

export type Item = ProbeItem | SpecialItem | ConfigItem;

/** One field of a struct definition: `unsigned long z`, `struct pt *next`, `char name[16]`. */
export interface StructFieldDecl extends NodeBase {
  /** The type's words as written: ["unsigned", "long"], ["struct", "pt"]. */
  typeWords: string[];
  typeSpan: Span;
  /** How many `*`. */
  stars: number;
  name: string;
  nameSpan: Span;
  /** Array dimensions, outermost first. */
  dims: NumberLit[];
}

/** `struct NAME { fields }` before the probes (bpftrace hands these to clang). */
export interface StructDef extends NodeBase {
  kind: "struct";
  name: string;
  nameSpan: Span;
  fields: StructFieldDecl[];
}

export interface Program extends NodeBase {
  kind: "program";
  items: Item[];
  /** The script's struct definitions, in order. */
  structs: StructDef[];
}

// ---- walking -------------------------------------------------------------

/** Visit an expression tree in evaluation order (pre-order). */
function walkExpr(e: Expr, f: (e: Expr) => void): void {
  f(e);
  switch (e.kind) {
    case "index":
      walkExpr(e.target, f);
      for (const k of e.keys) walkExpr(k, f);
      break;
    case "call":
      for (const a of e.args) walkExpr(a, f);
      break;
    case "unary":
      walkExpr(e.operand, f);
      break;
    case "binary":
      walkExpr(e.left, f);
      walkExpr(e.right, f);
      break;
    case "ternary":
      walkExpr(e.cond, f);
      walkExpr(e.then, f);
      walkExpr(e.else, f);
      break;
    case "cast":
    case "deref":
      walkExpr(e.operand, f);
      break;
    case "field":
      walkExpr(e.base, f);
      break;
    case "subscript":
      walkExpr(e.base, f);
      walkExpr(e.index, f);
      break;
    case "tuple":
      for (const x of e.elems) walkExpr(x, f);
      break;
    default:
      break;
  }
}

/** Visit every statement of a block, recursing into if/else. */
export function walkStmts(b: Block, f: (s: Stmt) => void): void {
  for (const s of b.body) {
    f(s);
    if (s.kind === "unroll" || s.kind === "while") walkStmts(s.body, f);
    if (s.kind === "if") {
      walkStmts(s.then, f);
      let e = s.else;
      while (e !== undefined) {
        if (e.kind === "block") {
          walkStmts(e, f);
          break;
        }
        f(e);
        walkStmts(e.then, f);
        e = e.else;
      }
    }
  }
}

/** A compact S-expression rendering, for tests and `-d ast`-style dumps. */
export function showExpr(e: Expr): string {
  switch (e.kind) {
    case "number":
      return e.value.toString();
    case "string":
      return JSON.stringify(e.value);
    case "var":
      return e.name;
    case "index":
      return `${e.target.name}[${e.keys.map(showExpr).join(", ")}]`;
    case "call":
      return `${e.name}(${e.args.map(showExpr).join(", ")})`;
    case "unary":
      return `(${e.op}${showExpr(e.operand)})`;
    case "binary":
      return `(${showExpr(e.left)} ${e.op} ${showExpr(e.right)})`;
    case "ternary":
      return `(${showExpr(e.cond)} ? ${showExpr(e.then)} : ${showExpr(e.else)})`;
    case "cast":
      return `(${e.struct !== undefined ? `struct ${e.struct}` : e.type}${e.pointer ? " *" : ""})${showExpr(e.operand)}`;
    case "deref":
      return `*${showExpr(e.operand)}`;
    case "param":
      return e.index === 0 ? "$#" : `$${e.index}`;
    case "sizeof":
      return `sizeof(${e.struct !== undefined ? `struct ${e.struct}` : e.type ?? showExpr(e.operand!)})`;
    case "field":
      return `${showExpr(e.base)}${e.arrow ? "->" : "."}${e.name}`;
    case "subscript":
      return `${showExpr(e.base)}[${showExpr(e.index)}]`;
    case "tuple":
      return `(${e.elems.map(showExpr).join(", ")})`;
  }
}

function showStmt(s: Stmt): string {
  switch (s.kind) {
    case "assign":
      return `${showExpr(s.target)} ${s.op} ${showExpr(s.value)}`;
    case "incdec":
      return s.prefix ? `${s.op}${showExpr(s.target)}` : `${showExpr(s.target)}${s.op}`;
    case "callstmt":
      return showExpr(s.call);
    case "return":
    case "break":
    case "continue":
      return s.kind;
    case "unroll":
      return `unroll(${showExpr(s.count)}) ${showBlock(s.body)}`;
    case "while":
      return `while ${showExpr(s.cond)} ${showBlock(s.body)}`;
    case "if": {
      let out = `if ${showExpr(s.cond)} ${showBlock(s.then)}`;
      if (s.else !== undefined) out += ` else ${s.else.kind === "block" ? showBlock(s.else) : showStmt(s.else)}`;
      return out;
    }
  }
}

export function showBlock(b: Block): string {
  return `{ ${b.body.map(showStmt).join("; ")} }`;
}
