// Lexer: moo rules plus a small token filter that nearley reads through.
//
// moo does the character work in three states:
//
//   main         the language proper: numbers, strings, names, operators.
//   target       entered after `probe`/`retprobe` (or `uprobe:`/`uretprobe:`):
//                a probe target is lexed as atoms (path, "quoted string",
//                number, symbol) so that `./t:test+4` or `libc.so.6:malloc`
//                need no quoting, and symbol names may contain `.`, `@`, `$`.
//                A symbol may be a C++ qualified name, `ns::C::f` or
//                `ns::C::~C` (one atom); anything with spaces, parentheses or
//                template arguments is quoted: `"ns::f(int)"`, `"ns::max<int>"`.
//   target_rest  after the first atom: `:` and `+` continue the target; white
//                space, a newline, `/`, `<`, `{` or `,` end it.
//
// `probe` is a keyword only when followed, on the same line, by something that
// can start a target (`probe test`), so the builtin `probe` (the probe's name)
// stays usable in expressions: `printf("%s\n", probe)`.
//
// The filter between moo and nearley (class `DslLexer`) makes statements
// newline-separated without making the grammar whitespace-aware:
//   - blanks and comments are dropped;
//   - a newline or `;` becomes one `sep` token; runs of separators collapse;
//   - a newline is dropped inside ( ) and [ ], at the start of the program,
//     and after a token that cannot end a statement (a binary operator, `,`,
//     `(`, `=`, `?`, `:`, `else`, ...), so long expressions may wrap;
//   - `>>` that is followed by something that cannot start an operand is split
//     into two `>` (closing two `< >` blocks: `if (x) < n++ >>`).
// Lexical errors become a `lexerror` token that the grammar never accepts; the
// parse driver turns it into a located message.

import moo from "moo";

export interface DslToken {
  /** Token type seen by the grammar. Names are all `name`; see `sub`. */
  type: string;
  /** For `name` tokens: ident, mapvar, scratch or self. */
  sub?: string;
  /** Source text of the token. */
  text: string;
  value: string;
  offset: number;
  line: number;
  col: number;
  lineBreaks: number;
  /** For `lexerror` tokens: what went wrong. */
  message?: string;
}

const TARGET_START = String.raw`(?=[ \t]+(?:[A-Za-z_0-9"*]|\.{0,2}/))`;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/;
const NUMBER = /0[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*|0[bB][01](?:_?[01])*|[0-9](?:_?[0-9])*/;
const TNUMBER = /0[xX][0-9a-fA-F]+|[0-9]+/;
/** A library named with '+' in it, right before the ':' that ends a file name: `libstdc++:f`, `uprobe:libstdc++.so.6:f`. */
const LIBNAME_PLUS = /[A-Za-z_][A-Za-z0-9_.-]*\+[A-Za-z0-9_.+-]*(?=:)/;
// `::` joins name parts (`ns::f`, `C::~C`); a single `:` separates atoms.
// `*` is bpftrace's wildcard (`foo*`, `*_add`, `*`), in symbols and library names alike.
const TIDENT = /(?:[A-Za-z_*][A-Za-z0-9_.@$*]*)(?:::~?[A-Za-z_*][A-Za-z0-9_.@$*]*)*/;
/**
 * bpftrace's probe types and their short aliases (`u:`, `ur:`; the event probes
 * `interval:`/`i:`, `profile:`/`p:`, `tracepoint:`/`t:`, dsl/probe-events.ts).
 * The short ones are keywords only where an item can start (not after `?`,
 * where `c?u:v` is a ternary on a variable `u`).
 */
const ALIAS = /(?:uretprobe|uprobe|usdt|interval|profile|tracepoint):|(?<![?][ \t]*)(?:ur|u|U|i|p|t):(?=[A-Za-z0-9_"*.\/])/;
/** After a comma in a probe list, `t:4` or `p:f` stay targets (a file `t`): the event types there only by their full names. */
const LIST_ALIAS = /(?:uretprobe|uprobe|usdt|interval|profile|tracepoint):|(?:ur|u|U):(?=[A-Za-z0-9_"*.\/])/;
const STRING = /"(?:[^"\\\n]|\\.)*"/;

const OPS = [
  "<<=", ">>=",
  "==", "!=", "<=", ">=", "&&", "||", "++", "--", "<<", ">>",
  "->",
  "<", ">", "=", "!", "~", "+", "-", "*", "/", "%", "&", "|", "^", "?", ":",
  "(", ")", "[", "]", "{", "}", ",", ".",
];
const ASSIGN_OPS = ["+=", "-=", "*=", "/=", "%=", "&=", "|=", "^="];

const comments = {
  comment: /\/\/[^\n]*/,
  mlcomment: { match: /\/\*[^]*?\*\//, lineBreaks: true },
  badcomment: { match: /\/\*[^]*/, lineBreaks: true },
};

/**
 * bpftrace probe types this project does not model, each with the reason:
 * lexed as one token so that `kprobe:vfs_read { }` gets one clear located
 * line instead of a syntax error.
 */
const UNMODELLED: Readonly<Record<string, string>> = {
  kprobe: "kprobe probes are not modelled here: the emulator runs user space only, there are no kernel functions to probe",
  kretprobe: "kretprobe probes are not modelled here: the emulator runs user space only, there are no kernel functions to probe",
  kfunc: "kfunc probes are not modelled here: the emulator runs user space only, there are no kernel functions to probe",
  kretfunc: "kretfunc probes are not modelled here: the emulator runs user space only, there are no kernel functions to probe",
  fentry: "fentry probes are not modelled here: the emulator runs user space only, there are no kernel functions to probe",
  fexit: "fexit probes are not modelled here: the emulator runs user space only, there are no kernel functions to probe",
  rawtracepoint: "rawtracepoint probes are not modelled here: the emulator has no kernel tracepoints",
  software: "software probes are not modelled here: there are no perf events in the emulator",
  hardware: "hardware probes are not modelled here: there are no perf events in the emulator",
  watchpoint: "watchpoint probes are not supported yet",
  iter: "iter probes are not modelled here: the emulator has no kernel objects to iterate",
};
/** Their names, and the short aliases that cannot be mistaken for a ternary's branch (`k:`, `kr:`). */
const UNMODELLED_TYPE = new RegExp(`(?<![?][ \\t]*)(?:${Object.keys(UNMODELLED).join("|")}|kr|k):(?=[A-Za-z0-9_*./"])`);
const SHORT_NAMES: Readonly<Record<string, string>> = { k: "kprobe", kr: "kretprobe" };

const mooLexer = moo.states({
  main: {
    ws: /[ \t\r\f\v]+/,
    ...comments,
    nl: { match: /\n/, lineBreaks: true },
    semi: ";",
    probe: { match: new RegExp(`(?:retprobe|probe)${TARGET_START}`), next: "target" },
    alias: { match: ALIAS, next: "target" },
    unmodelled: UNMODELLED_TYPE,
    string: STRING,
    badstring: /"(?:[^"\\\n]|\\.)*\\?/,
    number: NUMBER,
    self: /self\.[A-Za-z_][A-Za-z0-9_]*/,
    mapvar: /@[A-Za-z_][A-Za-z0-9_]*|@/,
    scratch: /\$[A-Za-z_][A-Za-z0-9_]*/,
    param: /\$[0-9]+|\$#/,
    ident: {
      match: IDENT,
      type: moo.keywords({
        kw: ["if", "else", "BEGIN", "END", "return", "while", "unroll", "break", "continue", "sizeof", "struct"],
        type: ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"],
      }),
    },
    shiftassign: ["<<=", ">>="],
    assignop: ASSIGN_OPS,
    op: OPS.filter((o) => o !== "<<=" && o !== ">>="),
    error: moo.error,
  },
  target: {
    ws: /[ \t\r\f\v]+/,
    ...comments,
    nl: { match: /\n/, lineBreaks: true },
    tpath: [
      { match: /(?:\.\.?)?\/[^\s:<>{},;]*|[A-Za-z0-9_.-]+\/(?=[A-Za-z0-9_.-])[^\s:<>{},;]*/, next: "target_rest" },
      // a file name with '+' before its ':' (libstdc++:f): not an offset, since one follows a symbol
      { match: LIBNAME_PLUS, next: "target_rest" },
    ],
    tstr: { match: STRING, next: "target_rest" },
    tnum: { match: TNUMBER, next: "target_rest" },
    tid: { match: TIDENT, next: "target_rest" },
    error: moo.error,
  },
  target_rest: {
    tcolon: ":",
    tplus: "+",
    tnum: TNUMBER,
    tid: TIDENT,
    tstr: STRING,
    ws: { match: /[ \t\r\f\v]+/, next: "main" },
    comment: { match: /\/\/[^\n]*/, next: "main" },
    mlcomment: { match: /\/\*[^]*?\*\//, lineBreaks: true, next: "main" },
    nl: { match: /\n/, lineBreaks: true, next: "main" },
    semi: { match: ";", next: "main" },
    comma: { match: ",", next: "target_list" },
    exit: { match: ["/", "<", "{"], next: "main" },
    error: moo.error,
  },
  target_list: {
    ws: /[ \t\r\f\v]+/,
    ...comments,
    nl: { match: /\n/, lineBreaks: true },
    probe: { match: new RegExp(`(?:retprobe|probe)${TARGET_START}`), next: "target" },
    alias: { match: LIST_ALIAS, next: "target" },
    tpath: [
      { match: /(?:\.\.?)?\/[^\s:<>{},;]*|[A-Za-z0-9_.-]+\/(?=[A-Za-z0-9_.-])[^\s:<>{},;]*/, next: "target_rest" },
      // a file name with '+' before its ':' (libstdc++:f): not an offset, since one follows a symbol
      { match: LIBNAME_PLUS, next: "target_rest" },
    ],
    tstr: { match: STRING, next: "target_rest" },
    tnum: { match: TNUMBER, next: "target_rest" },
    tid: { match: TIDENT, next: "target_rest" },
    error: moo.error,
  },
});

/** Tokens after which a newline does not end a statement. */
const CONTINUES = new Set([
  "==", "!=", "<=", ">=", "&&", "||", "<<", ">>", "<", "=", "!", "~", "+", "-", "*", "/", "%",
  "&", "|", "^", "?", ":", "(", "[", "{", ",", "<<=", ">>=", ...ASSIGN_OPS,
  ".", "->",
]);
const BINOPS = new Set([
  "||", "&&", "|", "^", "&", "==", "!=", "<", ">", "<=", ">=", "<<", ">>", "+", "-", "*", "/", "%",
]);
const NAME_TYPES = new Set(["ident", "mapvar", "scratch", "self"]);
const OPERAND_START_TYPES = new Set(["number", "string", "name", "param", "type"]);
const OPERAND_START_OPS = new Set(["(", "-", "!", "~", "+", "*"]);

function toToken(t: moo.Token): DslToken {
  let type = t.type ?? "op";
  if (type === "semi") type = "sep";
  else if (type === "shiftassign") type = "assignop";
  else if (type === "comma" || type === "exit") type = "op";
  if ((type === "op" || type === "exit") && BINOPS.has(t.text)) type = "binop";
  if (NAME_TYPES.has(type)) return { type: "name", sub: type, text: t.text, value: t.value, offset: t.offset, line: t.line, col: t.col, lineBreaks: t.lineBreaks };
  return { type, text: t.text, value: t.value, offset: t.offset, line: t.line, col: t.col, lineBreaks: t.lineBreaks };
}

function lexError(t: DslToken, message: string): DslToken {
  return { ...t, type: "lexerror", message };
}

/** The nearley-facing lexer (nearley's Lexer interface). */
class DslLexer {
  private buf: DslToken[] = [];
  private prev: DslToken | undefined;
  private depth = 0;
  private failed = false;
  /** Every significant token handed to the parser, for error reporting. */
  lastToken: DslToken | undefined;
  /** The text being lexed (postprocessors slice target text from it). */
  text = "";

  reset(chunk: string, _state?: unknown): void {
    mooLexer.reset(chunk);
    this.text = chunk;
    this.buf = [];
    this.prev = undefined;
    this.depth = 0;
    this.failed = false;
    this.lastToken = undefined;
  }

  save(): Record<string, never> {
    return {};
  }

  has(_type: string): boolean {
    return true;
  }

  formatError(token: DslToken, message?: string): string {
    return `${message ?? "error"} at offset ${token.offset}`;
  }

  /** Next raw token from moo, with blanks and comments removed. */
  private raw(): DslToken | undefined {
    if (this.buf.length > 0) return this.buf.shift();
    for (;;) {
      const t = mooLexer.next();
      if (t === undefined) return undefined;
      switch (t.type) {
        case "ws":
        case "comment":
        case "mlcomment":
          continue;
        case "badcomment":
          return lexError(toToken(t), "unterminated comment");
        case "badstring":
          return lexError(toToken(t), "unterminated string");
        case "unmodelled": {
          const name = t.text.slice(0, -1);
          return lexError(toToken(t), UNMODELLED[SHORT_NAMES[name] ?? name]!);
        }
        case "error": {
          const tok = toToken(t);
          const ch = t.text.length > 0 ? t.text.codePointAt(0)! : 0;
          const shown = ch >= 0x20 && ch < 0x7f ? `'${String.fromCodePoint(ch)}'` : `U+${ch.toString(16).toUpperCase().padStart(4, "0")}`;
          return lexError({ ...tok, text: String.fromCodePoint(ch) }, `unexpected character ${shown}`);
        }
        default:
          return toToken(t);
      }
    }
  }

  private peek(): DslToken | undefined {
    const t = this.raw();
    if (t !== undefined) this.buf.unshift(t);
    return t;
  }

  next(): DslToken | undefined {
    if (this.failed) return undefined;
    for (;;) {
      const t = this.raw();
      if (t === undefined) return undefined;
      if (t.type === "lexerror") {
        this.failed = true;
        return this.emit(t);
      }
      if (t.type === "nl" || t.type === "sep") {
        const isNl = t.type === "nl";
        if (isNl && (this.depth > 0 || this.prev === undefined || this.prev.type === "sep" || continues(this.prev))) continue;
        if (!isNl && this.depth === 0 && this.prev !== undefined && this.prev.type === "sep") continue;
        return this.emit({ ...t, type: "sep", value: isNl ? "\n" : ";" });
      }
      if (t.type === "op") {
        if (t.text === "(" || t.text === "[") this.depth++;
        else if ((t.text === ")" || t.text === "]") && this.depth > 0) this.depth--;
      } else if (t.type === "binop" && t.text === ">>") {
        {
          const n = this.peek();
          const operand =
            n !== undefined &&
            (OPERAND_START_TYPES.has(n.type) || ((n.type === "op" || n.type === "binop") && OPERAND_START_OPS.has(n.text)));
          if (!operand) {
            const second: DslToken = { ...t, text: ">", value: ">", offset: t.offset + 1, col: t.col + 1 };
            this.buf.unshift(second);
            return this.emit({ ...t, text: ">", value: ">" });
          }
        }
      }
      return this.emit(t);
    }
  }

  private emit(t: DslToken): DslToken {
    this.prev = t;
    this.lastToken = t;
    return t;
  }
}

function continues(t: DslToken): boolean {
  switch (t.type) {
    case "op":
    case "binop":
    case "assignop":
      return CONTINUES.has(t.text);
    case "kw":
      return t.text === "else";
    case "probe":
    case "alias":
    case "tcolon":
    case "tplus":
      return true;
    default:
      return false;
  }
}

/** One lexer instance is shared by the generated grammar. */
export const lexer = new DslLexer();

/** Tokenize a whole program (tests and tools); stops at the first lexical error. */
export function tokenize(text: string): DslToken[] {
  const l = new DslLexer();
  l.reset(text);
  const out: DslToken[] = [];
  for (let t = l.next(); t !== undefined; t = l.next()) out.push(t);
  return out;
}
