// The parser of the Itanium C++ ABI demangler: a mangled name becomes a tree
// of components (demangle-tree.ts), with the table of substitution candidates
// and the template arguments in scope, as cp-demangle.c's d_* functions build
// it. Throws Fail on anything it cannot read; engine/demangle.ts catches it.

import { type Kind, type Node, Pr, BUILTINS, D_BUILTINS, FLOATN, BFLOAT16, OP_BY_CODE, STD_SUBS, isFnQual, isDigit, isLower, isUpper, Fail, MAX_DEPTH, mk, nameNode, isNewCast } from "./demangle-tree.js";

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

export function parse(mangled: string): Node | undefined {
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
