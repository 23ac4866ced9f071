// printf: the C format subset, as bpftrace passes it to libc.
//
// Conversions: %d %i %u %x %X %o %c %s %p and %%, and bpftrace's %r (a buf()
// with its non-printable bytes as \xNN); flags `-` `0` `+` space
// `#`; a field width and a precision (`%-10s`, `%08x`, `%.3s`, `%5.3d`); the
// length modifiers h hh l ll j z t. bpftrace 0.17 hands each 64-bit argument
// to libc's printf with the conversion as written, so the length modifier
// decides how many bits are read, as in C: none 32 (`%d` of 5000000000
// prints 705032704, `%u` of -1 4294967295), `h` 16, `hh` 8, `l` `ll` `j` `z`
// `t` 64 (measured on 0.17). Signed conversions read that many bits as a
// signed integer, unsigned ones (%u %x %X %o) as unsigned; `%p` reads 64.
// print_rows (bcc's tables, which Python prints whole) and sprintf read 64.
// `%p` prints like glibc: `0x...`, or `(nil)` for zero. `%c` prints the low
// byte.
//
// bpftrace 0.17's printf does not know `%i` (measured live): it is not a
// conversion there, takes no argument (`printf("%i\n", 1)` is "Too many
// arguments ... (1 supplied, 0 expected)") and, with none, is printed as
// written; `{ bpftrace: true }` parses it so (`literalI`). print_rows and the
// section headers are Python's %, which knows %i.
//
// Formats are parsed once at compile time; each conversion becomes a small
// closure, so a printf at run time is string concatenation.

type ArgType = "int" | "string";

export interface FormatSpec {
  /** The conversion as written, e.g. "%-08lx". */
  text: string;
  /** Offset of the `%` in the format string. */
  offset: number;
  flags: string;
  width: number | undefined;
  precision: number | undefined;
  conv: string;
  arg: ArgType;
  /** How many bits of the argument libc reads for this length modifier (printf only). */
  bits: 8 | 16 | 32 | 64;
}

type FormatPart = string | FormatSpec;

export type ParsedFormat = { ok: true; parts: FormatPart[]; specs: FormatSpec[]; literalI: number[] } | { ok: false; offset: number; message: string };

const INT_CONVS = "diuxXocp";

/** bpftrace: the dialect of bpftrace 0.17's printf, where `%i` is text (its offsets in `literalI`). */
export function parseFormat(fmt: string, dialect: { bpftrace?: boolean } = {}): ParsedFormat {
  const parts: FormatPart[] = [];
  const specs: FormatSpec[] = [];
  const literalI: number[] = [];
  let lit = "";
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i];
    if (c !== "%") {
      lit += c;
      continue;
    }
    const start = i;
    if (fmt[i + 1] === "%") {
      lit += "%";
      i++;
      continue;
    }
    let j = i + 1;
    let flags = "";
    while (j < fmt.length && "-0+ #".includes(fmt[j]!)) flags += fmt[j++];
    let width: number | undefined;
    let ws = "";
    while (j < fmt.length && fmt[j]! >= "0" && fmt[j]! <= "9") ws += fmt[j++];
    if (ws !== "") width = Number(ws);
    let precision: number | undefined;
    if (fmt[j] === ".") {
      j++;
      let ps = "";
      while (j < fmt.length && fmt[j]! >= "0" && fmt[j]! <= "9") ps += fmt[j++];
      precision = ps === "" ? 0 : Number(ps);
    }
    if (fmt[j] === "*") return { ok: false, offset: j, message: "printf: '*' widths are not supported" };
    const lm = /^(hh|h|ll|l|j|z|t)/.exec(fmt.slice(j));
    if (lm !== null) j += lm[0].length;
    const conv = fmt[j];
    if (conv === undefined) return { ok: false, offset: start, message: "printf: incomplete conversion at the end of the format" };
    if (conv === "i" && dialect.bpftrace === true) {
      lit += fmt.slice(start, j + 1);
      literalI.push(start);
      i = j;
      continue;
    }
    let arg: ArgType;
    if (INT_CONVS.includes(conv)) arg = "int";
    else if (conv === "s" || conv === "r") arg = "string";
    else return { ok: false, offset: j, message: `printf: unknown conversion '%${conv}'` };
    if ((width ?? 0) > 4096 || (precision ?? 0) > 4096) return { ok: false, offset: start, message: "printf: field width too large" };
    if (lit !== "") {
      parts.push(lit);
      lit = "";
    }
    const bits = conv === "p" ? 64 : lengthBits(lm?.[0]);
    const spec: FormatSpec = { text: fmt.slice(start, j + 1), offset: start, flags, width, precision, conv, arg, bits };
    parts.push(spec);
    specs.push(spec);
    i = j;
  }
  if (lit !== "") parts.push(lit);
  return { ok: true, parts, specs, literalI };
}

/** C's argument width for a length modifier on an integer conversion. */
function lengthBits(lm: string | undefined): 8 | 16 | 32 | 64 {
  return lm === undefined ? 32 : lm === "h" ? 16 : lm === "hh" ? 8 : 64;
}

function pad(s: string, width: number | undefined, left: boolean): string {
  if (width === undefined || s.length >= width) return s;
  return left ? s + " ".repeat(width - s.length) : " ".repeat(width - s.length) + s;
}

/** Format one integer conversion of the low `bits` bits of a 64-bit value. */
function formatInt(spec: FormatSpec, value64: bigint, bits: number): string {
  const { flags, width, precision, conv } = spec;
  const value = BigInt.asUintN(bits, value64);
  const left = flags.includes("-");
  if (conv === "c") return pad(String.fromCharCode(Number(BigInt.asUintN(8, value))), width, left);
  if (conv === "p" && value === 0n) return pad("(nil)", width, left);
  let sign = "";
  let digits: string;
  let prefix = "";
  const u = BigInt.asUintN(64, value);
  switch (conv) {
    case "d":
    case "i": {
      const s = BigInt.asIntN(bits, value);
      if (s < 0n) sign = "-";
      else if (flags.includes("+")) sign = "+";
      else if (flags.includes(" ")) sign = " ";
      digits = (s < 0n ? -s : s).toString(10);
      break;
    }
    case "u":
      digits = u.toString(10);
      break;
    case "x":
    case "X":
    case "p":
      digits = u.toString(16);
      if (conv === "X") digits = digits.toUpperCase();
      if (conv === "p" || (flags.includes("#") && u !== 0n)) prefix = conv === "X" ? "0X" : "0x";
      break;
    case "o":
      digits = u.toString(8);
      if (flags.includes("#") && digits[0] !== "0") digits = "0" + digits;
      break;
    default:
      digits = u.toString(10);
  }
  if (precision !== undefined) {
    if (precision === 0 && u === 0n && conv !== "p") digits = conv === "o" && flags.includes("#") ? "0" : "";
    else if (digits.length < precision) digits = "0".repeat(precision - digits.length) + digits;
  }
  const body = sign + prefix + digits;
  if (width !== undefined && body.length < width) {
    if (left) return body + " ".repeat(width - body.length);
    if (flags.includes("0") && precision === undefined) return sign + prefix + "0".repeat(width - body.length) + digits;
    return " ".repeat(width - body.length) + body;
  }
  return body;
}

/** bpftrace's %r of a buf(): printable ASCII as it is, every other byte as \xNN. */
function escapeBuffer(value: string): string {
  let out = "";
  for (const ch of value) {
    const c = ch.charCodeAt(0);
    out += c >= 0x20 && c < 0x7f ? ch : "\\x" + (c & 0xff).toString(16).padStart(2, "0");
  }
  return out;
}

/** Format one %s (or %r) conversion. */
function formatString(spec: FormatSpec, value: string): string {
  const v = spec.conv === "r" ? escapeBuffer(value) : value;
  const s = spec.precision !== undefined ? v.slice(0, spec.precision) : v;
  return pad(s, spec.width, spec.flags.includes("-"));
}

/** A closure formatting one conversion, for generated code. */
export function formatterFor(spec: FormatSpec): (v: bigint | string) => string {
  if (spec.arg === "string") return (v) => formatString(spec, v as string);
  return (v) => formatInt(spec, v as bigint, spec.bits);
}

/** Format a whole printf call at once (tests, tools). */
export function sprintf(fmt: string, ...args: Array<bigint | string>): string {
  const p = parseFormat(fmt);
  if (!p.ok) throw new Error(p.message);
  let out = "";
  let k = 0;
  for (const part of p.parts) {
    if (typeof part === "string") out += part;
    else {
      const v = args[k++];
      if (v === undefined) throw new Error("too few arguments");
      out += part.arg === "string" ? formatString(part, String(v)) : formatInt(part, typeof v === "bigint" ? v : BigInt(v), 64);
    }
  }
  return out;
}
