// An Itanium C++ ABI demangler whose output is c++filt's, character for
// character.
//
// c++filt (binutils) prints what libiberty's cp-demangle.c prints with the
// options DMGL_PARAMS | DMGL_ANSI | DMGL_VERBOSE; this file follows that
// implementation's structure: a parser that builds a tree of components
// (names, types, template arguments, a table of substitution candidates), and
// a printer that walks the tree with a stack of pending "modifiers", which is
// what puts a declarator in the middle of its type (`int (*)(char)`,
// `int const (&) [3]`, `void (A::*)() const`) and the cv-qualifiers of a
// member function after its parameters.
//
// Covered: nested and local names, namespaces, the std:: abbreviations (St Sa
// Sb Ss Si So Sd), substitutions (S_, S0_, ...), template arguments and
// template parameters (T_, T0_), argument packs and pack expansions, literals
// (`5u`, `(char)97`, `true`), cv- and ref-qualifiers, pointers, references,
// arrays, functions, pointers to members, vector/complex types, builtin types
// (including char8_t, _Float16, decimal64, ...), operators (`operator<<`,
// `operator()`, conversions, `operator new`), constructors and destructors
// (C1 C2 C3 CI1 D0 D1 D2), ABI tags (`[abi:cxx11]`), lambdas and unnamed types,
// anonymous namespaces, clone suffixes (`[clone .cold]`), the special names
// (vtable, VTT, typeinfo, typeinfo name, construction vtable, guard variable,
// thunks, TLS init/wrapper functions, transaction clones, reference
// temporaries) and the common expressions of decltype() and template
// arguments. Not covered (the demangler then returns undefined): C++20 module
// names, requires-clauses, lambda template heads, `new` expressions, fold
// expressions and a few other rare expression forms.
//
// demangle() never throws: anything it cannot parse gives undefined.

// ---- components --------------------------------------------------------------

type Kind =
  | "name" | "qual" | "local" | "typed" | "template" | "tparam" | "fparam"
  | "ctor" | "dtor" | "special" | "cvtable" | "reftemp" | "sub"
  | "restrict" | "volatile" | "const"
  | "restrict_this" | "volatile_this" | "const_this" | "ref_this" | "rref_this"
  | "tx_safe" | "noexcept" | "throw_spec"
  | "vendor_qual" | "pointer" | "ref" | "rref" | "complex" | "imaginary"
  | "builtin" | "ext_builtin" | "vendor_type" | "function" | "array" | "ptrmem" | "vector"
  | "arglist" | "targlist" | "init_list" | "operator" | "ext_operator" | "cast" | "conversion"
  | "nullary" | "unary" | "binary" | "binary_args" | "trinary" | "trinary_arg1" | "trinary_arg2"
  | "literal" | "literal_neg" | "number" | "decltype" | "pack_expansion"
  | "lambda" | "unnamed" | "default_arg" | "tagged" | "clone" | "global_cd";

interface Op {
  code: string;
  name: string;
  args: number;
}

const enum Pr {
  Default,
  Int,
  Unsigned,
  Long,
  UnsignedLong,
  LongLong,
  UnsignedLongLong,
  Bool,
  Float,
  Void,
}

interface Builtin {
  name: string;
  print: Pr;
}

interface Node {
  k: Kind;
  l?: Node | undefined;
  r?: Node | undefined;
  /** Text of names, std abbreviations, literals, special-name prefixes. */
  s?: string;
  /** Template parameter / function parameter index, lambda or unnamed-type number, ctor/dtor kind. */
  n?: number;
  op?: Op;
  bt?: Builtin;
  /** Re-entrancy count while printing (a substitution may refer back into itself). */
  printing?: number;
}

const BUILTINS: Record<string, Builtin> = {
  a: { name: "signed char", print: Pr.Default },
  b: { name: "bool", print: Pr.Bool },
  c: { name: "char", print: Pr.Default },
  d: { name: "double", print: Pr.Float },
  e: { name: "long double", print: Pr.Float },
  f: { name: "float", print: Pr.Float },
  g: { name: "__float128", print: Pr.Float },
  h: { name: "unsigned char", print: Pr.Default },
  i: { name: "int", print: Pr.Int },
  j: { name: "unsigned int", print: Pr.Unsigned },
  l: { name: "long", print: Pr.Long },
  m: { name: "unsigned long", print: Pr.UnsignedLong },
  n: { name: "__int128", print: Pr.Default },
  o: { name: "unsigned __int128", print: Pr.Default },
  s: { name: "short", print: Pr.Default },
  t: { name: "unsigned short", print: Pr.Default },
  v: { name: "void", print: Pr.Void },
  w: { name: "wchar_t", print: Pr.Default },
  x: { name: "long long", print: Pr.LongLong },
  y: { name: "unsigned long long", print: Pr.UnsignedLongLong },
  z: { name: "...", print: Pr.Default },
};
// The D-prefixed builtins (Df Dd De Dh Du Ds Di Dn), and DF<N>_ / DF16b.
const D_BUILTINS: Record<string, Builtin> = {
  f: { name: "decimal32", print: Pr.Default },
  d: { name: "decimal64", print: Pr.Default },
  e: { name: "decimal128", print: Pr.Default },
  h: { name: "half", print: Pr.Float },
  u: { name: "char8_t", print: Pr.Default },
  s: { name: "char16_t", print: Pr.Default },
  i: { name: "char32_t", print: Pr.Default },
  n: { name: "decltype(nullptr)", print: Pr.Default },
};
const FLOATN: Builtin = { name: "_Float", print: Pr.Float };
const BFLOAT16: Builtin = { name: "std::bfloat16_t", print: Pr.Float };

const OPERATORS: Op[] = [
  ["aN", "&=", 2], ["aS", "=", 2], ["aa", "&&", 2], ["ad", "&", 1], ["an", "&", 2],
  ["at", "alignof ", 1], ["aw", "co_await ", 1], ["az", "alignof ", 1], ["cc", "const_cast", 2],
  ["cl", "()", 2], ["cm", ",", 2], ["co", "~", 1], ["dV", "/=", 2], ["dX", "[...]=", 3],
  ["da", "delete[] ", 1], ["dc", "dynamic_cast", 2], ["de", "*", 1], ["di", "=", 2],
  ["dl", "delete ", 1], ["ds", ".*", 2], ["dt", ".", 2], ["dv", "/", 2], ["dx", "]=", 2],
  ["eO", "^=", 2], ["eo", "^", 2], ["eq", "==", 2], ["fL", "...", 3], ["fR", "...", 3],
  ["fl", "...", 2], ["fr", "...", 2], ["ge", ">=", 2], ["gs", "::", 1], ["gt", ">", 2],
  ["ix", "[]", 2], ["lS", "<<=", 2], ["le", "<=", 2], ["li", 'operator"" ', 1], ["ls", "<<", 2],
  ["lt", "<", 2], ["mI", "-=", 2], ["mL", "*=", 2], ["mi", "-", 2], ["ml", "*", 2],
  ["mm", "--", 1], ["na", "new[]", 3], ["ne", "!=", 2], ["ng", "-", 1], ["nt", "!", 1],
  ["nw", "new", 3], ["nx", "noexcept", 1], ["oR", "|=", 2], ["oo", "||", 2], ["or", "|", 2],
  ["pL", "+=", 2], ["pl", "+", 2], ["pm", "->*", 2], ["pp", "++", 1], ["ps", "+", 1],
  ["pt", "->", 2], ["qu", "?", 3], ["rM", "%=", 2], ["rS", ">>=", 2], ["rc", "reinterpret_cast", 2],
  ["rm", "%", 2], ["rs", ">>", 2], ["sP", "sizeof...", 1], ["sZ", "sizeof...", 1],
  ["sc", "static_cast", 2], ["ss", "<=>", 2], ["st", "sizeof ", 1], ["sz", "sizeof ", 1],
  ["tr", "throw", 0], ["tw", "throw ", 1],
].map(([code, name, args]) => ({ code: code as string, name: name as string, args: args as number }));
const OP_BY_CODE = new Map(OPERATORS.map((o) => [o.code, o]));

// c++filt uses DMGL_VERBOSE: the full expansion of each abbreviation.
const STD_SUBS: Record<string, { simple: string; full: string; last?: string }> = {
  t: { simple: "std", full: "std" },
  a: { simple: "std::allocator", full: "std::allocator", last: "allocator" },
  b: { simple: "std::basic_string", full: "std::basic_string", last: "basic_string" },
  s: { simple: "std::string", full: "std::basic_string<char, std::char_traits<char>, std::allocator<char> >", last: "basic_string" },
  i: { simple: "std::istream", full: "std::basic_istream<char, std::char_traits<char> >", last: "basic_istream" },
  o: { simple: "std::ostream", full: "std::basic_ostream<char, std::char_traits<char> >", last: "basic_ostream" },
  d: { simple: "std::iostream", full: "std::basic_iostream<char, std::char_traits<char> >", last: "basic_iostream" },
};

const FNQUAL = new Set<Kind>(["restrict_this", "volatile_this", "const_this", "ref_this", "rref_this", "tx_safe", "noexcept", "throw_spec"]);
const isFnQual = (n: Node): boolean => FNQUAL.has(n.k);
const isCv = (k: Kind): boolean => k === "restrict" || k === "volatile" || k === "const";

const isDigit = (c: string): boolean => c >= "0" && c <= "9";
const isLower = (c: string): boolean => c >= "a" && c <= "z";
const isUpper = (c: string): boolean => c >= "A" && c <= "Z";

class Fail extends Error {}
const MAX_DEPTH = 512;

function mk(k: Kind, l?: Node, r?: Node): Node {
  return { k, l, r };
}
function nameNode(s: string): Node {
  return { k: "name", s };
}

// ---- parser ------------------------------------------------------------------

class Parser {
  p = 0;
  subs: Node[] = [];
  lastName: Node | undefined;
  isExpression = false;
  isConversion = false;
  /** 1: try the newer unresolved-name reading; -1: it was tried; 0: use the older one. */
  unresolvedState = 1;
  private depth = 0;

  constructor(
    readonly s: string,
    start = 0,
  ) {
    this.p = start;
  }

  peek(o = 0): string {
    return this.s[this.p + o] ?? "";
  }
  next(): string {
    const c = this.s[this.p] ?? "";
    if (c) this.p++;
    return c;
  }
  check(c: string): boolean {
    if (this.s[this.p] === c) {
      this.p++;
      return true;
    }
    return false;
  }
  need(c: string): void {
    if (!this.check(c)) throw new Fail();
  }
  enter(): void {
    if (++this.depth > MAX_DEPTH) throw new Fail();
  }
  leave(): void {
    this.depth--;
  }
  addSub(n: Node | undefined): void {
    if (n === undefined) throw new Fail();
    this.subs.push(n);
  }

  /** <mangled-name> ::= _Z <encoding> [clone suffixes] */
  mangledName(topLevel: boolean): Node {
    // libiberty tolerates a missing '_' below the top level (an old g++ bug).
    if (!this.check("_") && topLevel) throw new Fail();
    this.need("Z");
    let p = this.encoding(topLevel);
    if (topLevel) {
      while (this.peek() === "." && (isLower(this.peek(1)) || this.peek(1) === "_" || isDigit(this.peek(1)))) p = this.cloneSuffix(p);
    }
    return p;
  }

  private cloneSuffix(enc: Node): Node {
    const start = this.p;
    let e = this.p;
    const s = this.s;
    const lowerDigit_ = (c: string | undefined): boolean => c !== undefined && (isLower(c) || isDigit(c) || c === "_");
    if (s[e] === "." && lowerDigit_(s[e + 1])) {
      e += 2;
      while (lowerDigit_(s[e])) e++;
    }
    while (s[e] === "." && s[e + 1] !== undefined && isDigit(s[e + 1]!)) {
      e += 2;
      while (s[e] !== undefined && isDigit(s[e]!)) e++;
    }
    this.p = e;
    return mk("clone", enc, nameNode(s.slice(start, e)));
  }

  encoding(topLevel: boolean): Node {
    const c = this.peek();
    if (c === "G" || c === "T") return this.specialName();
    let dc = this.name();
    const c2 = this.peek();
    if (c2 !== "" && c2 !== "E") {
      const ftype = this.bareFunctionType(hasReturnType(dc));
      if (!topLevel && dc.k === "local" && ftype.k === "function") ftype.l = undefined;
      dc = mk("typed", dc, ftype);
    }
    return dc;
  }

  private specialName(): Node {
    const sp = (s: string, l: Node): Node => ({ k: "special", s, l });
    if (this.check("T")) {
      const c = this.next();
      switch (c) {
        case "V":
          return sp("vtable for ", this.type());
        case "T":
          return sp("VTT for ", this.type());
        case "I":
          return sp("typeinfo for ", this.type());
        case "S":
          return sp("typeinfo name for ", this.type());
        case "F":
          return sp("typeinfo fn for ", this.type());
        case "J":
          return sp("java Class for ", this.type());
        case "h":
          this.callOffset("h");
          return sp("non-virtual thunk to ", this.encoding(false));
        case "v":
          this.callOffset("v");
          return sp("virtual thunk to ", this.encoding(false));
        case "c":
          this.callOffset("");
          this.callOffset("");
          return sp("covariant return thunk to ", this.encoding(false));
        case "C": {
          const derived = this.type();
          if (this.number() < 0) throw new Fail();
          this.need("_");
          const base = this.type();
          return mk("cvtable", base, derived);
        }
        case "H":
          return sp("TLS init function for ", this.name());
        case "W":
          return sp("TLS wrapper function for ", this.name());
        case "A":
          return sp("template parameter object for ", this.templateArg());
        default:
          throw new Fail();
      }
    }
    if (this.check("G")) {
      const c = this.next();
      switch (c) {
        case "V":
          return sp("guard variable for ", this.name());
        case "R": {
          const name = this.name();
          return mk("reftemp", name, this.numberNode());
        }
        case "A":
          return sp("hidden alias for ", this.encoding(false));
        case "T":
          return this.next() === "n"
            ? sp("non-transaction clone for ", this.encoding(false))
            : sp("transaction clone for ", this.encoding(false));
        default:
          throw new Fail();
      }
    }
    throw new Fail();
  }

  private callOffset(c: string): void {
    if (c === "") c = this.next();
    if (c === "h") this.number();
    else if (c === "v") {
      this.number();
      this.need("_");
      this.number();
    } else throw new Fail();
    this.need("_");
  }

  /** <number> ::= [n] <decimal> ; -1 when absent/invalid (as d_number's callers test). */
  number(): number {
    let neg = false;
    if (this.peek() === "n") {
      neg = true;
      this.p++;
    }
    if (!isDigit(this.peek())) return 0;
    let v = 0;
    while (isDigit(this.peek())) {
      v = v * 10 + (this.next().charCodeAt(0) - 48);
      if (v > 0x7fffffff) throw new Fail();
    }
    return neg ? -v : v;
  }

  private numberNode(): Node {
    return { k: "number", n: this.number() };
  }

  /** <compact number> ::= _ | <number> _  (0, or number + 1) */
  compactNumber(): number {
    let num: number;
    if (this.peek() === "_") num = 0;
    else if (this.peek() === "n") throw new Fail();
    else num = this.number() + 1;
    if (num < 0) throw new Fail();
    this.need("_");
    return num;
  }

  name(): Node {
    this.enter();
    try {
      const c = this.peek();
      switch (c) {
        case "N":
          return this.nestedName();
        case "Z":
          return this.localName();
        case "U":
          return this.unqualifiedName(undefined);
        case "S": {
          let dc: Node | undefined;
          let subst = false;
          if (this.peek(1) === "t") {
            this.p += 2;
            dc = nameNode("std");
          }
          if (this.peek() === "S") {
            if (dc !== undefined) throw new Fail();
            dc = this.substitution(false);
            subst = true;
          }
          if (!subst) dc = this.unqualifiedName(dc);
          if (this.peek() === "I") {
            if (!subst) this.addSub(dc);
            dc = mk("template", dc, this.templateArgs());
          }
          return dc!;
        }
        default: {
          let dc = this.unqualifiedName(undefined);
          if (this.peek() === "I") {
            this.addSub(dc);
            dc = mk("template", dc, this.templateArgs());
          }
          return dc;
        }
      }
    } finally {
      this.leave();
    }
  }

  private nestedName(): Node {
    this.need("N");
    const holder: { l?: Node } = {};
    const last = this.cvQualifiers(holder, true);
    const rqual = this.refQualifier(undefined);
    const prefix = this.prefix();
    set(last, prefix);
    let ret = holder.l!;
    if (rqual !== undefined) {
      rqual.l = ret;
      ret = rqual;
    }
    this.need("E");
    return ret;
  }

  private prefix(substable = true): Node {
    let ret: Node | undefined;
    for (;;) {
      const c = this.peek();
      if (c === "D" && (this.peek(1) === "T" || this.peek(1) === "t")) {
        if (ret) throw new Fail();
        ret = this.type();
      } else if (c === "I") {
        if (ret === undefined) throw new Fail();
        ret = mk("template", ret, this.templateArgs());
      } else if (c === "T") {
        if (ret) throw new Fail();
        ret = this.templateParam();
      } else if (c === "M") {
        // Initializer scope of a lambda: already a substitution candidate.
        this.p++;
        continue;
      } else if (c === "S") {
        if (ret) throw new Fail();
        ret = this.substitution(true);
        continue;
      } else {
        ret = this.unqualifiedName(ret);
      }
      if (this.peek() === "E") break;
      if (substable) this.addSub(ret);
    }
    return ret;
  }

  unqualifiedName(scope: Node | undefined): Node {
    let ret: Node;
    let c = this.peek();
    let friend = false;
    if (c === "F") {
      friend = true;
      this.p++;
      c = this.peek();
    }
    if (isDigit(c)) ret = this.sourceName();
    else if (isLower(c)) {
      const wasExpr = this.isExpression;
      if (c === "o" && this.peek(1) === "n") {
        this.p += 2;
        this.isExpression = false;
      }
      ret = this.operatorName();
      this.isExpression = wasExpr;
      if (ret.k === "operator" && ret.op!.code === "li") ret = mk("unary", ret, this.sourceName());
    } else if (c === "D" && this.peek(1) === "C") {
      // Structured binding: DC <source-name>+ E
      this.p += 2;
      const names: Node[] = [];
      do names.push(this.sourceName());
      while (this.peek() !== "E" && this.peek() !== "");
      this.need("E");
      ret = { k: "name", s: "[" + names.map((n) => n.s).join(", ") + "]" };
    } else if (c === "C" || c === "D") ret = this.ctorDtorName();
    else if (c === "L") {
      this.p++;
      ret = this.sourceName();
      this.discriminator();
    } else if (c === "U") {
      if (this.peek(1) === "l") ret = this.lambda();
      else if (this.peek(1) === "t") ret = this.unnamedType();
      else throw new Fail();
    } else throw new Fail();
    if (this.peek() === "B") ret = this.abiTags(ret);
    if (friend) throw new Fail(); // friend member-like constraints: not printed by c++filt 2.40 either
    if (scope !== undefined) ret = mk("qual", scope, ret);
    return ret;
  }

  private sourceName(): Node {
    const len = this.number();
    if (len <= 0) throw new Fail();
    if (this.p + len > this.s.length) throw new Fail();
    let name = this.s.slice(this.p, this.p + len);
    this.p += len;
    // An anonymous namespace: _GLOBAL_ followed by '.', '_' or '$', then 'N'.
    if (len >= 10 && name.startsWith("_GLOBAL_") && ".$_".includes(name[8]!) && name[9] === "N") name = "(anonymous namespace)";
    const n = nameNode(name);
    this.lastName = n;
    return n;
  }

  private discriminator(): void {
    if (this.peek() !== "_") return;
    this.p++;
    let under = 1;
    if (this.peek() === "_") {
      under++;
      this.p++;
    }
    const d = this.number();
    if (d < 0) throw new Fail();
    if (under > 1 && d >= 10) this.need("_");
  }

  private abiTags(dc: Node): Node {
    const hold = this.lastName;
    while (this.peek() === "B") {
      this.p++;
      dc = mk("tagged", dc, this.sourceName());
    }
    this.lastName = hold;
    return dc;
  }

  private lambda(): Node {
    this.need("U");
    this.need("l");
    const c = this.peek();
    if (c === "T" && "ynt".includes(this.peek(1))) throw new Fail(); // lambda template head
    const tl = this.parmlist();
    this.need("E");
    const num = this.compactNumber();
    return { k: "lambda", l: tl, n: num };
  }

  private unnamedType(): Node {
    this.need("U");
    this.need("t");
    const num = this.compactNumber();
    const ret: Node = { k: "unnamed", n: num };
    this.addSub(ret);
    return ret;
  }

  private ctorDtorName(): Node {
    const c = this.peek();
    if (c === "C") {
      let inheriting = false;
      if (this.peek(1) === "I") {
        inheriting = true;
        this.p++;
      }
      const k = this.peek(1);
      if (!"12345".includes(k) || k === "") throw new Fail();
      this.p += 2;
      if (inheriting) this.type();
      if (this.lastName === undefined) throw new Fail();
      return { k: "ctor", l: this.lastName, n: Number(k) };
    }
    const k = this.peek(1);
    if (!"01245".includes(k) || k === "") throw new Fail();
    this.p += 2;
    if (this.lastName === undefined) throw new Fail();
    return { k: "dtor", l: this.lastName, n: Number(k) };
  }

  private localName(): Node {
    this.need("Z");
    const fn = this.encoding(false);
    this.need("E");
    let name: Node;
    if (this.peek() === "s") {
      this.p++;
      this.discriminator();
      name = nameNode("string literal");
    } else {
      let num = -1;
      if (this.peek() === "d") {
        this.p++;
        num = this.compactNumber();
      }
      name = this.name();
      if (name.k !== "lambda" && name.k !== "unnamed") this.discriminator();
      if (num >= 0) name = { k: "default_arg", l: name, n: num };
    }
    if (fn.k === "typed" && fn.r!.k === "function") fn.r!.l = undefined;
    return mk("local", fn, name);
  }

  private operatorName(): Node {
    const c1 = this.next();
    const c2 = this.next();
    if (c1 === "v" && isDigit(c2)) return { k: "ext_operator", n: Number(c2), l: this.sourceName() };
    if (c1 === "c" && c2 === "v") {
      const was = this.isConversion;
      this.isConversion = !this.isExpression;
      const t = this.type();
      const res = mk(this.isConversion ? "conversion" : "cast", t);
      this.isConversion = was;
      return res;
    }
    const op = OP_BY_CODE.get(c1 + c2);
    if (op === undefined) throw new Fail();
    return { k: "operator", op };
  }

  /** Pulls cv-qualifiers off; returns the innermost holder whose `l` receives the qualified thing. */
  private cvQualifiers(holder: { l?: Node }, memberFn: boolean): { l?: Node } {
    let pret: { l?: Node } = holder;
    const start: Node[] = [];
    while (this.nextIsTypeQual()) {
      const c = this.next();
      let k: Kind;
      let right: Node | undefined;
      if (c === "r") k = memberFn ? "restrict_this" : "restrict";
      else if (c === "V") k = memberFn ? "volatile_this" : "volatile";
      else if (c === "K") k = memberFn ? "const_this" : "const";
      else {
        const d = this.next();
        if (d === "x") k = "tx_safe";
        else if (d === "o" || d === "O") {
          k = "noexcept";
          if (d === "O") {
            right = this.expression();
            this.need("E");
          }
        } else if (d === "w") {
          k = "throw_spec";
          right = this.parmlist();
          this.need("E");
        } else throw new Fail();
      }
      const n: Node = { k, r: right };
      pret.l = n;
      start.push(n);
      pret = n;
    }
    if (!memberFn && this.peek() === "F") {
      for (const n of start) {
        if (n.k === "restrict") n.k = "restrict_this";
        else if (n.k === "volatile") n.k = "volatile_this";
        else if (n.k === "const") n.k = "const_this";
      }
    }
    return pret;
  }

  private nextIsTypeQual(): boolean {
    const c = this.peek();
    if (c === "r" || c === "V" || c === "K") return true;
    if (c === "D") {
      const d = this.peek(1);
      return d === "x" || d === "o" || d === "O" || d === "w";
    }
    return false;
  }

  private refQualifier(sub: Node | undefined): Node | undefined {
    const c = this.peek();
    if (c === "R" || c === "O") {
      this.p++;
      return mk(c === "R" ? "ref_this" : "rref_this", sub);
    }
    return sub;
  }

  type(): Node {
    this.enter();
    try {
      return this.type1();
    } finally {
      this.leave();
    }
  }

  private type1(): Node {
    if (this.nextIsTypeQual()) {
      const holder: { l?: Node } = {};
      const pret = this.cvQualifiers(holder, false);
      let inner = this.peek() === "F" ? this.functionType() : this.type();
      set(pret, inner);
      let ret = holder.l!;
      if (inner.k === "rref_this" || inner.k === "ref_this") {
        // Move the ref-qualifier outside the cv-qualifiers.
        const fn = inner.l;
        inner.l = ret;
        ret = inner;
        set(pret, fn!);
        inner = fn!;
      }
      this.addSub(ret);
      return ret;
    }
    let canSubst = true;
    let ret: Node;
    const c = this.peek();
    switch (c) {
      case "a": case "b": case "c": case "d": case "e": case "f": case "g": case "h": case "i": case "j":
      case "l": case "m": case "n": case "o": case "s": case "t": case "v": case "w": case "x": case "y": case "z":
        ret = { k: "builtin", bt: BUILTINS[c]! };
        canSubst = false;
        this.p++;
        break;
      case "u":
        this.p++;
        ret = mk("vendor_type", this.sourceName());
        break;
      case "F":
        ret = this.functionType();
        break;
      case "N":
      case "Z":
      case "0": case "1": case "2": case "3": case "4": case "5": case "6": case "7": case "8": case "9":
        ret = this.name();
        break;
      case "A":
        ret = this.arrayType();
        break;
      case "M":
        ret = this.ptrMemType();
        break;
      case "T":
        ret = this.templateParam();
        if (this.peek() === "I") {
          if (!this.isConversion) {
            this.addSub(ret);
            ret = mk("template", ret, this.templateArgs());
          } else {
            const save = this.p;
            const saveSubs = this.subs.length;
            const saveLast = this.lastName;
            const args = this.templateArgs();
            if (this.peek() === "I") {
              this.addSub(ret);
              ret = mk("template", ret, args);
            } else {
              this.p = save;
              this.subs.length = saveSubs;
              this.lastName = saveLast;
            }
          }
        }
        break;
      case "S": {
        const d = this.peek(1);
        if (isDigit(d) || d === "_" || isUpper(d)) {
          ret = this.substitution(false);
          if (this.peek() === "I") ret = mk("template", ret, this.templateArgs());
          else canSubst = false;
        } else {
          ret = this.name();
          if (ret.k === "sub") canSubst = false;
        }
        break;
      }
      case "O":
        this.p++;
        ret = mk("rref", this.type());
        break;
      case "P":
        this.p++;
        ret = mk("pointer", this.type());
        break;
      case "R":
        this.p++;
        ret = mk("ref", this.type());
        break;
      case "C":
        this.p++;
        ret = mk("complex", this.type());
        break;
      case "G":
        this.p++;
        ret = mk("imaginary", this.type());
        break;
      case "U": {
        this.p++;
        let q = this.sourceName();
        if (this.peek() === "I") q = mk("template", q, this.templateArgs());
        ret = mk("vendor_qual", this.type(), q);
        break;
      }
      case "D": {
        canSubst = false;
        this.p++;
        const d = this.next();
        switch (d) {
          case "T":
          case "t":
            ret = mk("decltype", this.expression());
            this.need("E");
            canSubst = true;
            break;
          case "p":
            ret = mk("pack_expansion", this.type());
            canSubst = true;
            break;
          case "a":
            ret = nameNode("auto");
            break;
          case "c":
            ret = nameNode("decltype(auto)");
            break;
          case "F": {
            const arg = this.number();
            if (this.peek() === "b") {
              if (arg !== 16) throw new Fail();
              this.p++;
              ret = { k: "builtin", bt: BFLOAT16 };
              break;
            }
            let suffix = "";
            if (this.peek() === "x") suffix = "x";
            if (!suffix && this.peek() !== "_") throw new Fail();
            this.p++;
            ret = { k: "ext_builtin", bt: FLOATN, n: arg, s: suffix };
            break;
          }
          case "v": {
            let dim: Node;
            if (this.peek() === "_") {
              this.p++;
              dim = this.expression();
            } else dim = this.numberNode();
            this.need("_");
            ret = mk("vector", dim, this.type());
            canSubst = true;
            break;
          }
          default: {
            const bt = D_BUILTINS[d];
            if (bt === undefined) throw new Fail();
            ret = { k: "builtin", bt };
          }
        }
        break;
      }
      default:
        // As libiberty: anything else is tried as a (class) name.
        ret = this.name();
        break;
    }
    if (canSubst) this.addSub(ret);
    return ret;
  }

  private functionType(): Node {
    this.need("F");
    if (this.peek() === "Y") this.p++; // extern "C": not printed
    let ret = this.bareFunctionType(true);
    ret = this.refQualifier(ret)!;
    this.need("E");
    return ret;
  }

  private bareFunctionType(hasReturn: boolean): Node {
    if (this.peek() === "J") {
      this.p++;
      hasReturn = true;
    }
    const rt = hasReturn ? this.type() : undefined;
    const tl = this.parmlist();
    return mk("function", rt, tl);
  }

  private parmlist(): Node {
    const items: Node[] = [];
    for (;;) {
      const c = this.peek();
      if (c === "" || c === "E" || c === "." || c === "Q") break;
      if ((c === "R" || c === "O") && this.peek(1) === "E") break;
      items.push(this.type());
    }
    if (items.length === 0) throw new Fail();
    if (items.length === 1 && items[0]!.k === "builtin" && items[0]!.bt!.print === Pr.Void) return mk("arglist");
    return list("arglist", items);
  }

  private arrayType(): Node {
    this.need("A");
    let dim: Node | undefined;
    const c = this.peek();
    if (c === "_") dim = undefined;
    else if (isDigit(c)) {
      const start = this.p;
      while (isDigit(this.peek())) this.p++;
      dim = nameNode(this.s.slice(start, this.p));
    } else dim = this.expression();
    this.need("_");
    return mk("array", dim, this.type());
  }

  private ptrMemType(): Node {
    this.need("M");
    const cl = this.type();
    const mem = this.type();
    return mk("ptrmem", cl, mem);
  }

  templateParam(): Node {
    this.need("T");
    if (this.peek() === "L") throw new Fail(); // TL<level>__: lambda auto parameters
    return { k: "tparam", n: this.compactNumber() };
  }

  templateArgs(): Node {
    const c = this.peek();
    if (c !== "I" && c !== "J") throw new Fail();
    this.p++;
    return this.templateArgs1();
  }

  private templateArgs1(): Node {
    this.enter();
    try {
      return this.templateArgs2();
    } finally {
      this.leave();
    }
  }

  private templateArgs2(): Node {
    const hold = this.lastName;
    if (this.peek() === "E") {
      this.p++;
      return mk("targlist");
    }
    const items: Node[] = [];
    for (;;) {
      items.push(this.templateArg());
      if (this.peek() === "E") {
        this.p++;
        break;
      }
      if (this.peek() === "") throw new Fail();
    }
    this.lastName = hold;
    return list("targlist", items);
  }

  private templateArg(): Node {
    switch (this.peek()) {
      case "X": {
        this.p++;
        const r = this.expression();
        this.need("E");
        return r;
      }
      case "L":
        return this.exprPrimary();
      case "I":
      case "J":
        return this.templateArgs();
      default:
        return this.type();
    }
  }

  private exprPrimary(): Node {
    this.need("L");
    let ret: Node;
    if (this.peek() === "_" || this.peek() === "Z") ret = this.mangledName(false);
    else {
      const type = this.type();
      if (type.k === "builtin" && type.bt === D_BUILTINS.n && this.peek() === "E") {
        this.p++;
        return type;
      }
      let k: Kind = "literal";
      if (this.peek() === "n") {
        k = "literal_neg";
        this.p++;
      }
      const start = this.p;
      while (this.peek() !== "E") {
        if (this.peek() === "") throw new Fail();
        this.p++;
      }
      if (this.p === start) throw new Fail(); // an empty value
      ret = mk(k, type, nameNode(this.s.slice(start, this.p)));
    }
    this.need("E");
    return ret;
  }

  expression(): Node {
    const was = this.isExpression;
    this.isExpression = true;
    this.enter();
    try {
      return this.expression1();
    } finally {
      this.leave();
      this.isExpression = was;
    }
  }

  private expression1(): Node {
    const c = this.peek();
    const d = this.peek(1);
    if (c === "L") return this.exprPrimary();
    if (c === "T") return this.templateParam();
    if (c === "s" && d === "r") return this.unresolvedName();
    if (c === "s" && d === "p") {
      this.p += 2;
      return mk("pack_expansion", this.expression1());
    }
    if (c === "f" && d === "p") {
      this.p += 2;
      let index: number;
      if (this.peek() === "T") {
        this.p++;
        index = 0;
      } else index = this.compactNumber() + 1;
      return { k: "fparam", n: index };
    }
    if (isDigit(c) || (c === "o" && d === "n")) {
      if (c === "o") this.p += 2;
      const name = this.unqualifiedName(undefined);
      if (this.peek() === "I") return mk("template", name, this.templateArgs());
      return name;
    }
    if ((c === "i" || c === "t") && d === "l") {
      this.p += 2;
      const type = c === "t" ? this.type() : undefined;
      return mk("init_list", type, this.exprList("E"));
    }
    if (c === "d" && d === "n") throw new Fail(); // destructor names in expressions: rare
    const op = this.operatorName();
    let code: string | undefined;
    let args: number;
    if (op.k === "operator") {
      code = op.op!.code;
      if (code === "st") return mk("unary", op, this.type());
      args = op.op!.args;
    } else if (op.k === "ext_operator") args = op.n!;
    else if (op.k === "cast") args = 1;
    else throw new Fail();
    switch (args) {
      case 0:
        return mk("nullary", op);
      case 1: {
        let suffix = false;
        if (code !== undefined && (code[0] === "p" || code[0] === "m") && code[1] === code[0]) suffix = !this.check("_");
        let operand: Node;
        if (op.k === "cast" && this.check("_")) operand = this.exprList("E");
        else if (code === "sP") operand = this.templateArgs1();
        else operand = this.expression1();
        return mk("unary", op, suffix ? mk("binary_args", operand, operand) : operand);
      }
      case 2: {
        if (code === undefined) throw new Fail();
        let left: Node;
        if (isNewCast(op)) left = this.type();
        else if (code[0] === "f") throw new Fail(); // fold expressions
        else if (code === "di") left = this.unqualifiedName(undefined);
        else left = this.expression1();
        let right: Node;
        if (code === "cl") right = this.exprList("E");
        else if (code === "dt" || code === "pt") {
          const e = this.peek();
          if ((e === "g" && this.peek(1) === "s") || (e === "s" && this.peek(1) === "r")) right = this.expression1();
          else {
            right = this.unqualifiedName(undefined);
            if (this.peek() === "I") right = mk("template", right, this.templateArgs());
          }
        } else right = this.expression1();
        return mk("binary", op, mk("binary_args", left, right));
      }
      case 3:
        if (code === "qu") {
          const first = this.expression1();
          const second = this.expression1();
          const third = this.expression1();
          return mk("trinary", op, mk("trinary_arg1", first, mk("trinary_arg2", second, third)));
        }
        throw new Fail(); // new, new[], fold expressions, [a...b]=
      default:
        throw new Fail();
    }
  }

  /**
   * sr <unresolved-type> <base-unresolved-name>, or sr <qualifier-level>+ E
   * <base-unresolved-name>. The two are ambiguous (A::x was sr1A1x, is now
   * sr1AE1x): the newer reading is tried first and the whole name is parsed
   * again with the older one if that fails, as libiberty does.
   */
  private unresolvedName(): Node {
    this.p += 2;
    const c = this.peek();
    let type: Node;
    if (this.unresolvedState !== 0 && (isDigit(c) || isLower(c) || c === "C" || c === "U" || c === "L")) {
      this.unresolvedState = -1;
      type = this.prefix(false);
      if (this.peek() === "E") this.p++;
    } else type = this.type();
    let name = this.unqualifiedName(type);
    if (this.peek() === "I") name = mk("template", name, this.templateArgs());
    return name;
  }

  private exprList(term: string): Node {
    if (this.peek() === term) {
      this.p++;
      return mk("arglist");
    }
    const items: Node[] = [];
    for (;;) {
      items.push(this.expression());
      if (this.peek() === term) {
        this.p++;
        break;
      }
      if (this.peek() === "") throw new Fail();
    }
    return list("arglist", items);
  }

  substitution(prefix: boolean): Node {
    this.need("S");
    const c = this.next();
    if (c === "_" || isDigit(c) || isUpper(c)) {
      let id = 0;
      if (c !== "_") {
        let ch = c;
        do {
          if (isDigit(ch)) id = id * 36 + (ch.charCodeAt(0) - 48);
          else if (isUpper(ch)) id = id * 36 + (ch.charCodeAt(0) - 55);
          else throw new Fail();
          if (id > 0x7fffffff) throw new Fail();
          ch = this.next();
        } while (ch !== "_");
        id++;
      }
      const n = this.subs[id];
      if (n === undefined) throw new Fail();
      return n;
    }
    const std = STD_SUBS[c];
    if (std === undefined) throw new Fail();
    void prefix; // c++filt is verbose: always the full expansion
    if (std.last !== undefined) this.lastName = { k: "sub", s: std.last };
    let dc: Node = { k: "sub", s: std.full };
    if (this.peek() === "B") {
      dc = this.abiTags(dc);
      this.addSub(dc);
    }
    return dc;
  }
}

function set(holder: { l?: Node }, n: Node): void {
  holder.l = n;
}

function list(k: "arglist" | "targlist", items: Node[]): Node {
  let out: Node | undefined;
  for (let i = items.length - 1; i >= 0; i--) out = mk(k, items[i], out);
  return out!;
}

function isNewCast(op: Node): boolean {
  if (op.k !== "operator") return false;
  const c = op.op!.code;
  return c === "dc" || c === "sc" || c === "cc" || c === "rc";
}

function isCtorDtorOrConversion(dc: Node | undefined): boolean {
  if (dc === undefined) return false;
  switch (dc.k) {
    case "qual":
    case "local":
      return isCtorDtorOrConversion(dc.r);
    case "ctor":
    case "dtor":
    case "conversion":
      return true;
    default:
      return false;
  }
}

function hasReturnType(dc: Node | undefined): boolean {
  if (dc === undefined) return false;
  switch (dc.k) {
    case "local":
      return hasReturnType(dc.r);
    case "template":
      return !isCtorDtorOrConversion(dc.l);
    default:
      return isFnQual(dc) ? hasReturnType(dc.l) : false;
  }
}

// ---- printer -----------------------------------------------------------------

interface Mod {
  next: Mod | undefined;
  mod: Node;
  printed: boolean;
  templates: Tpl | undefined;
}

interface Tpl {
  next: Tpl | undefined;
  decl: Node;
}

interface Frame {
  dc: Node;
  parent: Frame | undefined;
}

class Printer {
  out = "";
  modifiers: Mod | undefined;
  templates: Tpl | undefined;
  currentTemplate: Node | undefined;
  packIndex = 0;
  lambdaArg = 0;
  stack: Frame | undefined;
  /** Template scope in which a referenced template parameter was first printed. */
  scopes = new Map<Node, Tpl | undefined>();
  depth = 0;

  /**
   * libiberty tracks the last character appended, and dropping the ", " of an
   * empty argument pack does not update it: the next '>' then gets no space
   * (`A<B<int>>` where a pack was empty). `dropped` is where that happened.
   */
  private dropped = -1;

  last(): string {
    if (this.dropped === this.out.length) return " ";
    return this.out.length ? this.out[this.out.length - 1]! : "";
  }

  comp(dc: Node | undefined): void {
    if (dc === undefined || (dc.printing ?? 0) > 1 || this.depth > 1024) throw new Fail();
    dc.printing = (dc.printing ?? 0) + 1;
    this.depth++;
    this.stack = { dc, parent: this.stack };
    try {
      this.inner(dc);
    } finally {
      this.stack = this.stack.parent;
      this.depth--;
      dc.printing--;
    }
  }

  private pushMod(dc: Node): Mod {
    const m: Mod = { next: this.modifiers, mod: dc, printed: false, templates: this.templates };
    this.modifiers = m;
    return m;
  }

  private inner(dc: Node): void {
    switch (dc.k) {
      case "name":
      case "sub":
        this.out += dc.s;
        return;
      case "tagged":
        this.comp(dc.l);
        this.out += "[abi:";
        this.comp(dc.r);
        this.out += "]";
        return;
      case "qual":
      case "local": {
        this.comp(dc.l);
        this.out += "::";
        let local = dc.r!;
        if (local.k === "default_arg") {
          this.out += `{default arg#${local.n! + 1}}::`;
          local = local.l!;
        }
        this.comp(local);
        return;
      }
      case "typed":
        return this.typedName(dc);
      case "template": {
        const holdCurrent = this.currentTemplate;
        this.currentTemplate = dc;
        const holdMods = this.modifiers;
        this.modifiers = undefined;
        this.comp(dc.l);
        if (this.last() === "<") this.out += " ";
        this.out += "<";
        this.comp(dc.r);
        if (this.last() === ">") this.out += " ";
        this.out += ">";
        this.modifiers = holdMods;
        this.currentTemplate = holdCurrent;
        return;
      }
      case "tparam": {
        if (this.lambdaArg > 0) {
          // A generic lambda's parameter, as g++ shows it.
          this.out += `auto:${dc.n! + 1}`;
          return;
        }
        let a = this.lookupTemplateArg(dc);
        if (a !== undefined && a.k === "targlist") a = indexTemplateArg(a, this.packIndex);
        if (a === undefined) throw new Fail();
        const hold = this.templates!;
        this.templates = hold.next;
        try {
          this.comp(a);
        } finally {
          this.templates = hold;
        }
        return;
      }
      case "ctor":
        this.comp(dc.l);
        return;
      case "dtor":
        this.out += "~";
        this.comp(dc.l);
        return;
      case "special":
        this.out += dc.s;
        this.comp(dc.l);
        return;
      case "cvtable":
        this.out += "construction vtable for ";
        this.comp(dc.l);
        this.out += "-in-";
        this.comp(dc.r);
        return;
      case "reftemp":
        this.out += "reference temporary #";
        this.comp(dc.r);
        this.out += " for ";
        this.comp(dc.l);
        return;
      case "restrict":
      case "volatile":
      case "const": {
        // A qualifier already pending just outside (pushed twice when printing
        // arrays, or `K T_` with T_ = `int const`) is printed once.
        for (let m = this.modifiers; m; m = m.next) {
          if (!m.printed) {
            if (!isCv(m.mod.k)) break;
            if (m.mod.k === dc.k) {
              this.comp(dc.l);
              return;
            }
          }
        }
        return this.modifier(dc, undefined);
      }
      case "ref":
      case "rref": {
        // Reference collapsing: & + && = &.
        let sub = dc.l!;
        let modInner: Node | undefined;
        const holdTpl = this.templates;
        try {
          if (this.lambdaArg === 0 && sub.k === "tparam") {
            // A reference to a template parameter reached again through a
            // substitution, outside the place it was first printed, means
            // what it meant there (libiberty's saved scopes).
            if (!this.scopes.has(sub)) this.scopes.set(sub, this.templates);
            else {
              let inside = false;
              for (let f = this.stack; f !== undefined; f = f.parent) {
                if (f.dc === sub || (f.dc === dc && f !== this.stack)) {
                  inside = true;
                  break;
                }
              }
              if (!inside) this.templates = this.scopes.get(sub);
            }
            let a = this.lookupTemplateArg(sub);
            if (a !== undefined && a.k === "targlist") a = indexTemplateArg(a, this.packIndex);
            if (a === undefined) throw new Fail();
            sub = a;
          }
          if (sub.k === "ref" || sub.k === dc.k) dc = sub;
          else if (sub.k === "rref") modInner = sub.l;
          this.modifier(dc, modInner);
        } finally {
          this.templates = holdTpl;
        }
        return;
      }
      case "vendor_qual":
      case "pointer":
      case "complex":
      case "imaginary":
      case "restrict_this":
      case "volatile_this":
      case "const_this":
      case "ref_this":
      case "rref_this":
      case "tx_safe":
      case "noexcept":
      case "throw_spec":
        return this.modifier(dc, undefined);
      case "builtin":
        this.out += dc.bt!.name;
        return;
      case "ext_builtin":
        this.out += dc.bt!.name + String(dc.n) + (dc.s ?? "");
        return;
      case "vendor_type":
        this.comp(dc.l);
        return;
      case "function": {
        if (dc.l !== undefined) {
          const m = this.pushMod(dc);
          this.comp(dc.l);
          this.modifiers = m.next;
          if (m.printed) return;
          this.out += " ";
        }
        this.functionType(dc, this.modifiers);
        return;
      }
      case "array":
        return this.arrayNode(dc);
      case "ptrmem":
      case "vector": {
        const m = this.pushMod(dc);
        this.comp(dc.r);
        if (!m.printed) this.mod(dc);
        this.modifiers = m.next;
        return;
      }
      case "arglist":
      case "targlist":
        if (dc.l !== undefined) this.comp(dc.l);
        if (dc.r !== undefined) {
          this.out += ", ";
          const len = this.out.length;
          this.comp(dc.r);
          // An empty argument pack prints nothing: drop the comma too.
          if (this.out.length === len) {
            this.out = this.out.slice(0, -2);
            this.dropped = this.out.length;
          }
        }
        return;
      case "init_list":
        if (dc.l !== undefined) this.comp(dc.l);
        this.out += "{";
        this.comp(dc.r);
        this.out += "}";
        return;
      case "operator": {
        const name = dc.op!.name;
        this.out += "operator";
        if (isLower(name[0]!)) this.out += " ";
        this.out += name.endsWith(" ") ? name.slice(0, -1) : name;
        return;
      }
      case "ext_operator":
        this.out += "operator ";
        this.comp(dc.l);
        return;
      case "conversion":
        this.out += "operator ";
        this.conversion(dc);
        return;
      case "nullary":
        this.exprOp(dc.l!);
        return;
      case "unary":
        return this.unary(dc);
      case "binary":
        return this.binary(dc);
      case "trinary": {
        const a1 = dc.r!;
        if (a1.k !== "trinary_arg1" || a1.r!.k !== "trinary_arg2") throw new Fail();
        this.subexpr(a1.l!);
        this.exprOp(dc.l!);
        this.subexpr(a1.r!.l!);
        this.out += " : ";
        this.subexpr(a1.r!.r!);
        return;
      }
      case "literal":
      case "literal_neg":
        return this.literal(dc);
      case "number":
        this.out += String(dc.n);
        return;
      case "decltype":
        this.out += "decltype (";
        this.comp(dc.l);
        this.out += ")";
        return;
      case "pack_expansion": {
        const a = findPack(this, dc.l);
        if (a === undefined) {
          this.subexpr(dc.l!);
          this.out += "...";
        } else {
          const len = packLength(a);
          // Like libiberty, the index is not restored afterwards.
          for (let i = 0; i < len; i++) {
            if (i) this.out += ", ";
            this.packIndex = i;
            this.comp(dc.l);
          }
        }
        return;
      }
      case "fparam":
        this.out += dc.n === 0 ? "this" : `{parm#${dc.n}}`;
        return;
      case "lambda":
        this.out += "{lambda(";
        this.lambdaArg++;
        try {
          this.comp(dc.l);
        } finally {
          this.lambdaArg--;
        }
        this.out += `)#${dc.n! + 1}}`;
        return;
      case "unnamed":
        this.out += `{unnamed type#${dc.n! + 1}}`;
        return;
      case "clone":
        this.comp(dc.l);
        this.out += " [clone ";
        this.comp(dc.r);
        this.out += "]";
        return;
      case "global_cd":
        this.out += dc.s;
        this.comp(dc.l);
        return;
      default:
        throw new Fail();
    }
  }

  lookupTemplateArg(dc: Node): Node | undefined {
    if (this.templates === undefined) throw new Fail();
    return indexTemplateArg(this.templates.decl.r, dc.n!);
  }

  private modifier(dc: Node, modInner: Node | undefined): void {
    const m = this.pushMod(dc);
    this.comp(modInner ?? dc.l);
    if (!m.printed) this.mod(dc);
    this.modifiers = m.next;
  }

  private typedName(dc: Node): void {
    const hold = this.modifiers;
    this.modifiers = undefined;
    const adpm: Mod[] = [];
    let typed: Node | undefined = dc.l;
    while (typed !== undefined) {
      if (adpm.length >= 4) throw new Fail();
      const m: Mod = { next: this.modifiers, mod: typed, printed: false, templates: this.templates };
      adpm.push(m);
      this.modifiers = m;
      if (!isFnQual(typed)) break;
      typed = typed.l;
    }
    if (typed === undefined) throw new Fail();
    // A class local to a function: the qualifiers on the local name apply here.
    if (typed.k === "local") {
      typed = typed.r!;
      if (typed.k === "default_arg") typed = typed.l!;
      while (typed !== undefined && isFnQual(typed)) {
        if (adpm.length >= 4) throw new Fail();
        const i = adpm.length;
        const prev = adpm[i - 1]!;
        const m: Mod = { next: prev, mod: prev.mod, printed: prev.printed, templates: prev.templates };
        adpm.push(m);
        this.modifiers = m;
        prev.mod = typed;
        prev.printed = false;
        prev.templates = this.templates;
        typed = typed.l;
      }
      if (typed === undefined) throw new Fail();
    }
    const holdTpl = this.templates;
    if (typed.k === "template") this.templates = { next: this.templates, decl: typed };
    this.comp(dc.r);
    this.templates = holdTpl;
    for (let i = adpm.length - 1; i >= 0; i--) {
      if (!adpm[i]!.printed) {
        this.out += " ";
        this.mod(adpm[i]!.mod);
      }
    }
    this.modifiers = hold;
  }

  private arrayNode(dc: Node): void {
    const hold = this.modifiers;
    const first: Mod = { next: hold, mod: dc, printed: false, templates: this.templates };
    this.modifiers = first;
    const copies: Mod[] = [];
    for (let p = hold; p !== undefined && isCv(p.mod.k); p = p.next) {
      if (!p.printed) {
        if (copies.length >= 3) throw new Fail();
        const c: Mod = { next: this.modifiers, mod: p.mod, printed: p.printed, templates: p.templates };
        this.modifiers = c;
        copies.push(c);
        p.printed = true;
      }
    }
    this.comp(dc.r);
    this.modifiers = hold;
    if (first.printed) return;
    for (let i = copies.length - 1; i >= 0; i--) this.mod(copies[i]!.mod);
    this.arrayType(dc, this.modifiers);
  }

  private modList(mods: Mod | undefined, suffix: boolean): void {
    for (; mods !== undefined; mods = mods.next) {
      if (mods.printed || (!suffix && isFnQual(mods.mod))) continue;
      mods.printed = true;
      const holdTpl = this.templates;
      this.templates = mods.templates;
      const k = mods.mod.k;
      if (k === "function") {
        this.functionType(mods.mod, mods.next);
        this.templates = holdTpl;
        return;
      }
      if (k === "array") {
        this.arrayType(mods.mod, mods.next);
        this.templates = holdTpl;
        return;
      }
      if (k === "local") {
        const holdMods = this.modifiers;
        this.modifiers = undefined;
        this.comp(mods.mod.l);
        this.modifiers = holdMods;
        this.out += "::";
        let dc = mods.mod.r!;
        if (dc.k === "default_arg") {
          this.out += `{default arg#${dc.n! + 1}}::`;
          dc = dc.l!;
        }
        while (isFnQual(dc)) dc = dc.l!;
        this.comp(dc);
        this.templates = holdTpl;
        return;
      }
      this.mod(mods.mod);
      this.templates = holdTpl;
    }
  }

  private mod(mod: Node): void {
    switch (mod.k) {
      case "restrict":
      case "restrict_this":
        this.out += " restrict";
        return;
      case "volatile":
      case "volatile_this":
        this.out += " volatile";
        return;
      case "const":
      case "const_this":
        this.out += " const";
        return;
      case "tx_safe":
        this.out += " transaction_safe";
        return;
      case "noexcept":
        this.out += " noexcept";
        if (mod.r !== undefined) {
          this.out += "(";
          this.comp(mod.r);
          this.out += ")";
        }
        return;
      case "throw_spec":
        this.out += " throw";
        if (mod.r !== undefined) {
          this.out += "(";
          this.comp(mod.r);
          this.out += ")";
        }
        return;
      case "vendor_qual":
        this.out += " ";
        this.comp(mod.r);
        return;
      case "pointer":
        this.out += "*";
        return;
      case "ref_this":
        this.out += " &";
        return;
      case "ref":
        this.out += "&";
        return;
      case "rref_this":
        this.out += " &&";
        return;
      case "rref":
        this.out += "&&";
        return;
      case "complex":
        this.out += " _Complex";
        return;
      case "imaginary":
        this.out += " _Imaginary";
        return;
      case "ptrmem":
        if (this.last() !== "(") this.out += " ";
        this.comp(mod.l);
        this.out += "::*";
        return;
      case "typed":
        this.comp(mod.l);
        return;
      case "vector":
        this.out += " __vector(";
        this.comp(mod.l);
        this.out += ")";
        return;
      default:
        this.comp(mod);
    }
  }

  private functionType(dc: Node, mods: Mod | undefined): void {
    let needParen = false;
    let needSpace = false;
    for (let p = mods; p !== undefined; p = p.next) {
      if (p.printed) break;
      switch (p.mod.k) {
        case "pointer":
        case "ref":
        case "rref":
          needParen = true;
          break;
        case "restrict":
        case "volatile":
        case "const":
        case "vendor_qual":
        case "complex":
        case "imaginary":
        case "ptrmem":
          needSpace = true;
          needParen = true;
          break;
        default:
          break;
      }
      if (needParen) break;
    }
    if (needParen) {
      if (!needSpace && this.last() !== "(" && this.last() !== "*") needSpace = true;
      if (needSpace && this.last() !== " ") this.out += " ";
      this.out += "(";
    }
    const hold = this.modifiers;
    this.modifiers = undefined;
    this.modList(mods, false);
    if (needParen) this.out += ")";
    this.out += "(";
    if (dc.r !== undefined) this.comp(dc.r);
    this.out += ")";
    this.modList(mods, true);
    this.modifiers = hold;
  }

  private arrayType(dc: Node, mods: Mod | undefined): void {
    let needSpace = true;
    if (mods !== undefined) {
      let needParen = false;
      for (let p: Mod | undefined = mods; p !== undefined; p = p.next) {
        if (!p.printed) {
          if (p.mod.k === "array") needSpace = false;
          else {
            needParen = true;
            needSpace = true;
          }
          break;
        }
      }
      if (needParen) this.out += " (";
      this.modList(mods, false);
      if (needParen) this.out += ")";
    }
    if (needSpace) this.out += " ";
    this.out += "[";
    if (dc.l !== undefined) this.comp(dc.l);
    this.out += "]";
  }

  private conversion(dc: Node): void {
    const holdTpl = this.templates;
    if (this.currentTemplate !== undefined) this.templates = { next: this.templates, decl: this.currentTemplate };
    const t = dc.l!;
    if (t.k !== "template") {
      this.comp(t);
      this.templates = holdTpl;
    } else {
      this.comp(t.l);
      this.templates = holdTpl;
      if (this.last() === "<") this.out += " ";
      this.out += "<";
      this.comp(t.r);
      if (this.last() === ">") this.out += " ";
      this.out += ">";
    }
  }

  private exprOp(dc: Node): void {
    if (dc.k === "operator") this.out += dc.op!.name;
    else this.comp(dc);
  }

  private subexpr(dc: Node): void {
    const simple = dc.k === "name" || dc.k === "qual" || dc.k === "init_list" || dc.k === "fparam";
    if (!simple) this.out += "(";
    this.comp(dc);
    if (!simple) this.out += ")";
  }

  private unary(dc: Node): void {
    const op = dc.l!;
    let operand = dc.r!;
    let code: string | undefined;
    if (op.k === "operator") {
      code = op.op!.code;
      if (code === "ad" && operand.k === "typed" && operand.l!.k === "qual" && operand.r!.k === "function") operand = operand.l!;
      if (operand.k === "binary_args") {
        this.subexpr(operand.l!);
        this.exprOp(op);
        return;
      }
    }
    if (code === "sZ") {
      this.out += String(packLength(findPack(this, operand)));
      return;
    }
    if (code === "sP") {
      let n = 0;
      for (let a: Node | undefined = operand; a !== undefined && a.k === "targlist" && a.l !== undefined; a = a.r) {
        if (a.l.k === "pack_expansion") {
          const p = findPack(this, a.l.l);
          n += p === undefined ? 1 : packLength(p);
        } else n++;
      }
      this.out += String(n);
      return;
    }
    if (op.k !== "cast") this.exprOp(op);
    else {
      this.out += "(";
      this.comp(op.l);
      this.out += ")";
    }
    if (code === "gs") this.comp(operand);
    else if (code === "st" || code === "nx") {
      this.out += "(";
      this.comp(operand);
      this.out += ")";
    } else this.subexpr(operand);
  }

  private binary(dc: Node): void {
    const op = dc.l!;
    const args = dc.r!;
    if (args.k !== "binary_args") throw new Fail();
    if (isNewCast(op)) {
      this.exprOp(op);
      this.out += "<";
      this.comp(args.l);
      this.out += ">(";
      this.comp(args.r);
      this.out += ")";
      return;
    }
    if (op.k !== "operator") throw new Fail();
    const code = op.op!.code;
    if (code === "di") {
      this.out += ".";
      this.comp(args.l);
      this.out += "=";
      this.subexpr(args.r!);
      return;
    }
    const gt = op.op!.name === ">";
    if (gt) this.out += "(";
    if (code === "cl" && args.l!.k === "typed") {
      const func = args.l!;
      if (func.r!.k !== "function") throw new Fail();
      this.subexpr(func.l!);
    } else this.subexpr(args.l!);
    if (code === "ix") {
      this.out += "[";
      this.comp(args.r);
      this.out += "]";
    } else {
      if (code !== "cl") this.exprOp(op);
      this.subexpr(args.r!);
    }
    if (gt) this.out += ")";
  }

  private literal(dc: Node): void {
    let tp = Pr.Default;
    const t = dc.l!;
    const v = dc.r!;
    if (t.k === "builtin") {
      tp = t.bt!.print;
      switch (tp) {
        case Pr.Int:
        case Pr.Unsigned:
        case Pr.Long:
        case Pr.UnsignedLong:
        case Pr.LongLong:
        case Pr.UnsignedLongLong:
          if (v.k === "name") {
            if (dc.k === "literal_neg") this.out += "-";
            this.comp(v);
            this.out += tp === Pr.Unsigned ? "u" : tp === Pr.Long ? "l" : tp === Pr.UnsignedLong ? "ul" : tp === Pr.LongLong ? "ll" : tp === Pr.UnsignedLongLong ? "ull" : "";
            return;
          }
          break;
        case Pr.Bool:
          if (v.k === "name" && v.s!.length === 1 && dc.k === "literal") {
            if (v.s === "0") {
              this.out += "false";
              return;
            }
            if (v.s === "1") {
              this.out += "true";
              return;
            }
          }
          break;
        default:
          break;
      }
    }
    this.out += "(";
    this.comp(t);
    this.out += ")";
    if (dc.k === "literal_neg") this.out += "-";
    if (tp === Pr.Float) this.out += "[";
    this.comp(v);
    if (tp === Pr.Float) this.out += "]";
  }
}

function indexTemplateArg(args: Node | undefined, i: number): Node | undefined {
  if (i < 0) return args;
  let a = args;
  for (; a !== undefined; a = a.r) {
    if (a.k !== "targlist") return undefined;
    if (i <= 0) break;
    i--;
  }
  if (i !== 0 || a === undefined) return undefined;
  return a.l;
}

function findPack(pr: Printer, dc: Node | undefined): Node | undefined {
  if (dc === undefined) return undefined;
  switch (dc.k) {
    case "tparam": {
      const a = pr.lookupTemplateArg(dc);
      return a !== undefined && a.k === "targlist" ? a : undefined;
    }
    case "pack_expansion":
    case "lambda":
    case "name":
    case "tagged":
    case "operator":
    case "builtin":
    case "ext_builtin":
    case "sub":
    case "fparam":
    case "unnamed":
    case "default_arg":
    case "number":
      return undefined;
    case "ext_operator":
    case "ctor":
    case "dtor":
      return findPack(pr, dc.l);
    default:
      return findPack(pr, dc.l) ?? findPack(pr, dc.r);
  }
}

function packLength(dc: Node | undefined): number {
  let n = 0;
  while (dc !== undefined && dc.k === "targlist" && dc.l !== undefined) {
    n++;
    dc = dc.r;
  }
  return n;
}

// ---- API ---------------------------------------------------------------------

function parse(mangled: string): Node | undefined {
  if (mangled.startsWith("_Z")) {
    let p = new Parser(mangled);
    let dc: Node | undefined;
    try {
      dc = p.mangledName(true);
      if (p.p !== mangled.length) dc = undefined;
    } catch (e) {
      if (!(e instanceof Fail)) throw e;
    }
    if (dc === undefined && p.unresolvedState === -1) {
      p = new Parser(mangled);
      p.unresolvedState = 0;
      dc = p.mangledName(true);
      if (p.p !== mangled.length) dc = undefined;
    }
    return dc;
  }
  // _GLOBAL__I_<name> / _GLOBAL__D_<name> (and with '.' or '$' for the first '_').
  if (mangled.length >= 11 && mangled.startsWith("_GLOBAL_") && "._$".includes(mangled[8]!) && (mangled[9] === "I" || mangled[9] === "D") && mangled[10] === "_") {
    const rest = mangled.slice(11);
    let inner: Node;
    if (rest.startsWith("_Z")) {
      // As libiberty: the encoding, and whatever follows it is ignored.
      inner = new Parser(rest, 2).encoding(false);
    } else inner = nameNode(rest);
    return { k: "global_cd", s: mangled[9] === "I" ? "global constructors keyed to " : "global destructors keyed to ", l: inner };
  }
  return undefined;
}

function print(dc: Node): string {
  const pr = new Printer();
  pr.comp(dc);
  return pr.out;
}

/**
 * c++filt's demangling of an Itanium C++ ABI symbol (`_ZN2ns1fEi` ->
 * `ns::f(int)`), or undefined when `mangled` is not a mangled name or uses a
 * construct this demangler does not know. Never throws.
 */
export function demangle(mangled: string): string | undefined {
  // A symbol version (`_ZSt4cout@GLIBCXX_3.4`, `@@`) stays as it is, as c++filt leaves it.
  const at = mangled.indexOf("@");
  if (at > 0) {
    const d = demangle(mangled.slice(0, at));
    return d === undefined ? undefined : d + mangled.slice(at);
  }
  try {
    const dc = parse(mangled);
    return dc === undefined ? undefined : print(dc);
  } catch (e) {
    if (e instanceof Fail || e instanceof RangeError) return undefined;
    throw e;
  }
}

/** A demangled symbol taken apart for matching probe targets. */
export interface DemangledName {
  /** c++filt's output: `int ns::twice<int>(int)`, `ns::C::f(int) const`. */
  full: string;
  /** `full` without the return type a function template's name carries: `ns::twice<int>(int)`. */
  signature: string;
  /**
   * The name without return type, parameters or qualifiers: `ns::twice<int>`,
   * `ns::C::f`, `ns::C::~C`, `ns::operator<<`. For data and special names
   * (`vtable for ns::C`) the full text.
   */
  name: string;
  /** `name` without the function's own template arguments (`ns::twice`), when it has some. */
  base?: string;
  /** True for functions (the symbol has a parameter list). */
  isFunction: boolean;
  /** A clone (`[clone .cold]`, `.constprop.0`): not the function's own entry. */
  clone: boolean;
}

/** Demangle and take apart (see DemangledName); undefined when demangle() would be. */
export function demangleName(mangled: string): DemangledName | undefined {
  try {
    const dc = parse(mangled);
    if (dc === undefined) return undefined;
    const full = print(dc);
    let top = dc;
    let clone = false;
    while (top.k === "clone") {
      clone = true;
      top = top.l!;
    }
    if (top.k !== "typed") return { full, signature: full, name: full, isFunction: false, clone };
    let signature = full;
    const fnType = top.r!;
    if (fnType.k === "function" && fnType.l !== undefined) {
      const rt = fnType.l;
      fnType.l = undefined;
      try {
        signature = print(dc);
      } finally {
        fnType.l = rt;
      }
    }
    let typed = top.l!;
    while (isFnQual(typed)) typed = typed.l!;
    // Printed as the full printer prints it from the modifier stack.
    const pr = new Printer();
    if (typed.k === "local") {
      let r = typed.r!;
      if (r.k === "default_arg") r = r.l!;
      while (isFnQual(r)) r = r.l!;
      pr.comp(typed.l);
      pr.out += "::";
      if (typed.r!.k === "default_arg") pr.out += `{default arg#${typed.r!.n! + 1}}::`;
      pr.comp(r);
      return { full, signature, name: pr.out, isFunction: true, clone };
    }
    pr.comp(typed);
    const name = pr.out;
    let base: string | undefined;
    if (typed.k === "template") {
      const b = new Printer();
      b.currentTemplate = typed;
      b.comp(typed.l);
      base = b.out;
    }
    const out: DemangledName = { full, signature, name, isFunction: true, clone };
    if (base !== undefined) out.base = base;
    return out;
  } catch (e) {
    if (e instanceof Fail || e instanceof RangeError) return undefined;
    throw e;
  }
}
