// The printer of the Itanium C++ ABI demangler: walks the component tree
// (demangle-tree.ts) as cp-demangle.c's d_print_* functions do, with a stack
// of pending modifiers, which puts a declarator in the middle of its type
// (`int (*)(char)`) and a member function's cv-qualifiers after its
// parameters, and with c++filt's spacing (`A<B<int> >`). Throws Fail on a
// tree it cannot print (a substitution that refers back into itself).

import { type Node, Pr, isFnQual, isCv, isLower, Fail, isNewCast } from "./demangle-tree.js";

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

export class Printer {
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


export function print(dc: Node): string {
  const pr = new Printer();
  pr.comp(dc);
  return pr.out;
}
