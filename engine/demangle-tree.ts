// The component tree of a demangled name (cp-demangle.c's struct
// demangle_component and its kinds), and the tables that the parser
// (demangle-parse.ts) and the printer (demangle-print.ts) both read: builtin
// types, operators, the std:: abbreviations. The API is engine/demangle.ts.

export type Kind =
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

export const enum Pr {
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

export interface Builtin {
  name: string;
  print: Pr;
}

export interface Node {
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

export const BUILTINS: Record<string, Builtin> = {
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
export const D_BUILTINS: Record<string, Builtin> = {
  f: { name: "decimal32", print: Pr.Default },
  d: { name: "decimal64", print: Pr.Default },
  e: { name: "decimal128", print: Pr.Default },
  h: { name: "half", print: Pr.Float },
  u: { name: "char8_t", print: Pr.Default },
  s: { name: "char16_t", print: Pr.Default },
  i: { name: "char32_t", print: Pr.Default },
  n: { name: "decltype(nullptr)", print: Pr.Default },
};
export const FLOATN: Builtin = { name: "_Float", print: Pr.Float };
export const BFLOAT16: Builtin = { name: "std::bfloat16_t", print: Pr.Float };

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
export const OP_BY_CODE = new Map(OPERATORS.map((o) => [o.code, o]));

// c++filt uses DMGL_VERBOSE: the full expansion of each abbreviation.
export const STD_SUBS: Record<string, { simple: string; full: string; last?: string }> = {
  t: { simple: "std", full: "std" },
  a: { simple: "std::allocator", full: "std::allocator", last: "allocator" },
  b: { simple: "std::basic_string", full: "std::basic_string", last: "basic_string" },
  s: { simple: "std::string", full: "std::basic_string<char, std::char_traits<char>, std::allocator<char> >", last: "basic_string" },
  i: { simple: "std::istream", full: "std::basic_istream<char, std::char_traits<char> >", last: "basic_istream" },
  o: { simple: "std::ostream", full: "std::basic_ostream<char, std::char_traits<char> >", last: "basic_ostream" },
  d: { simple: "std::iostream", full: "std::basic_iostream<char, std::char_traits<char> >", last: "basic_iostream" },
};

const FNQUAL = new Set<Kind>(["restrict_this", "volatile_this", "const_this", "ref_this", "rref_this", "tx_safe", "noexcept", "throw_spec"]);
export const isFnQual = (n: Node): boolean => FNQUAL.has(n.k);
export const isCv = (k: Kind): boolean => k === "restrict" || k === "volatile" || k === "const";

export const isDigit = (c: string): boolean => c >= "0" && c <= "9";
export const isLower = (c: string): boolean => c >= "a" && c <= "z";
export const isUpper = (c: string): boolean => c >= "A" && c <= "Z";

export class Fail extends Error {}
export const MAX_DEPTH = 512;

export function mk(k: Kind, l?: Node, r?: Node): Node {
  return { k, l, r };
}
export function nameNode(s: string): Node {
  return { k: "name", s };
}

export function isNewCast(op: Node): boolean {
  if (op.k !== "operator") return false;
  const c = op.op!.code;
  return c === "dc" || c === "sc" || c === "cc" || c === "rc";
}
