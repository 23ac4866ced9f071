// The argument specs of a USDT note (sys/sdt.h): one `SIZE@OPERAND` per
// argument, separated by spaces, where SIZE is 1, 2, 4 or 8 (negative: the
// value is signed) and OPERAND is the AT&T operand the compiler chose for
// the "nor" constraint of STAP_PROBEn:
//
//   8@%rax  -4@%ebx  1@%r14b  2@%ax       a register (any width; the low bits are read)
//   -4@-20(%rbp)  8@(%r15,%rax,8)         memory: disp(base,index,scale)
//   -4@$5                                 a constant
//   8@foo(%rip)  -4@foo+4(%rip)           memory relative to the probe (a global)
//
// A spec is read once, when the probe is resolved; at the hit the reader
// reads the register, the memory or the constant and extends it to 64 bits
// by its size and sign, as bpftrace (through bcc's USDT argument parser)
// does. A malformed spec is refused with the column where it goes wrong.

/** One argument of a USDT probe. */
export interface UsdtArg {
  /** The spec as written in the note (`-4@-20(%rbp)`). */
  readonly text: string;
  /** Bytes of the value: 1, 2, 4 or 8. */
  readonly size: 1 | 2 | 4 | 8;
  readonly signed: boolean;
  readonly operand: UsdtOperand;
}

/** Where the value is, as a register number in x86 order (0 rax ... 15 r15, -1 rip). */
type UsdtOperand =
  | { readonly kind: "const"; readonly value: bigint }
  | { readonly kind: "reg"; readonly reg: number; /** AH/BH/CH/DH: bits 8..15 of the register. */ readonly high8: boolean }
  | { readonly kind: "mem"; readonly disp: bigint; readonly base?: number; readonly index?: number; readonly scale: number; /** a symbol in the displacement (foo+4(%rip)): unresolved here */ readonly symbol?: string };

/** A spec that cannot be read, with the 0-based column in the note's argument string. */
export class UsdtSpecError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
  }
}

const REG64 = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"];
const REG32 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
const REG16 = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"];
const REG8 = ["al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil"];
const HIGH8 = ["ah", "ch", "dh", "bh"];

/** `rax` -> 0, `r13d` -> 13, `ah` -> 0 (high8), `rip` -> -1; undefined for a name that is no x86-64 GPR. */
function usdtRegister(name: string): { reg: number; high8: boolean } | undefined {
  for (const table of [REG64, REG32, REG16, REG8]) {
    const i = table.indexOf(name);
    if (i >= 0) return { reg: i, high8: false };
  }
  const h = HIGH8.indexOf(name);
  if (h >= 0) return { reg: h, high8: true };
  if (name === "rip" || name === "eip") return { reg: -1, high8: false };
  const m = /^r(8|9|1[0-5])(d|w|b|l)?$/.exec(name);
  return m !== null ? { reg: Number(m[1]), high8: false } : undefined;
}

function parseInt64(text: string, col: number): bigint {
  const neg = text.startsWith("-");
  const body = neg || text.startsWith("+") ? text.slice(1) : text;
  if (!/^(?:0x[0-9a-fA-F]+|[0-9]+)$/.test(body)) throw new UsdtSpecError(`'${text}' is not a number`, col);
  const v = BigInt(body);
  return neg ? -v : v;
}

function register(text: string, col: number): { reg: number; high8: boolean } {
  if (!text.startsWith("%")) throw new UsdtSpecError(`expected a register (%rax), found '${text}'`, col);
  const r = usdtRegister(text.slice(1));
  if (r === undefined) throw new UsdtSpecError(`unknown register '${text}'`, col);
  return r;
}

/** `disp(base,index,scale)` with every part optional but the parentheses. */
function memory(text: string, col: number): UsdtOperand {
  const open = text.indexOf("(");
  if (!text.endsWith(")")) throw new UsdtSpecError(`unterminated memory operand '${text}'`, col + text.length);
  const dispText = text.slice(0, open);
  let disp = 0n;
  let symbol: string | undefined;
  if (dispText !== "") {
    const m = /^([A-Za-z_.$][\w.$@]*)?([+-](?:0x[0-9a-fA-F]+|[0-9]+)|(?:0x[0-9a-fA-F]+|[0-9]+))?$/.exec(dispText);
    if (m === null || (m[1] === undefined && m[2] === undefined)) throw new UsdtSpecError(`bad displacement '${dispText}'`, col);
    symbol = m[1];
    if (m[2] !== undefined) disp = parseInt64(m[2], col + (m[1]?.length ?? 0));
  }
  const inner = text.slice(open + 1, -1).split(",");
  if (inner.length > 3) throw new UsdtSpecError(`too many parts in '${text}'`, col + open);
  let at = col + open + 1;
  const parts = inner.map((p) => {
    const r = { text: p.trim(), col: at };
    at += p.length + 1;
    return r;
  });
  const base = parts[0]!.text === "" ? undefined : register(parts[0]!.text, parts[0]!.col).reg;
  const index = parts[1] === undefined || parts[1].text === "" ? undefined : register(parts[1].text, parts[1].col).reg;
  let scale = 1;
  if (parts[2] !== undefined) {
    scale = Number(parts[2].text);
    if (![1, 2, 4, 8].includes(scale)) throw new UsdtSpecError(`scale must be 1, 2, 4 or 8, found '${parts[2].text}'`, parts[2].col);
  }
  if (base === undefined && index === undefined) throw new UsdtSpecError(`memory operand '${text}' names no register`, col + open);
  const op: { kind: "mem"; disp: bigint; base?: number; index?: number; scale: number; symbol?: string } = { kind: "mem", disp, scale };
  if (base !== undefined) op.base = base;
  if (index !== undefined) op.index = index;
  if (symbol !== undefined) op.symbol = symbol;
  return op;
}

/** One `SIZE@OPERAND` starting at column col. */
function parseOne(text: string, col: number): UsdtArg {
  const at = text.indexOf("@");
  if (at < 0) throw new UsdtSpecError(`argument '${text}' has no size (expected SIZE@OPERAND, e.g. -4@%eax)`, col);
  const sizeText = text.slice(0, at);
  const n = Number(sizeText);
  if (!/^-?[1248]$/.test(sizeText)) throw new UsdtSpecError(`bad argument size '${sizeText}' (1, 2, 4 or 8, negative when signed)`, col);
  const size = Math.abs(n) as 1 | 2 | 4 | 8;
  const signed = n < 0;
  const opText = text.slice(at + 1);
  const opCol = col + at + 1;
  let operand: UsdtOperand;
  if (opText.startsWith("$")) operand = { kind: "const", value: parseInt64(opText.slice(1), opCol + 1) };
  else if (opText.startsWith("%")) {
    const r = register(opText, opCol);
    operand = { kind: "reg", reg: r.reg, high8: r.high8 };
  } else if (opText.includes("(")) operand = memory(opText, opCol);
  else throw new UsdtSpecError(`cannot read operand '${opText}' (a register %rax, a constant $5 or memory -8(%rbp))`, opCol);
  return { text, size, signed, operand };
}

/** A note's whole argument string (`-4@-20(%rbp) 8@%rax`); empty for a probe without arguments. */
export function parseUsdtArgs(spec: string): UsdtArg[] {
  const out: UsdtArg[] = [];
  const re = /\S+/g;
  for (let m = re.exec(spec); m !== null; m = re.exec(spec)) out.push(parseOne(m[0], m.index));
  return out;
}

/** The machine state a reader needs at the hit (the DSL's HitContext has this shape). */
interface UsdtRegs {
  gpr(index: number): bigint;
  ip(): bigint;
  /** Little-endian reads; undefined when unreadable. */
  readU8(addr: bigint): number | undefined;
  readU16(addr: bigint): number | undefined;
  readU32(addr: bigint): number | undefined;
  readU64(addr: bigint): bigint | undefined;
}

/** A reader of one argument at a hit: its value, or undefined when its memory is unreadable. */
export type UsdtArgReader = (regs: UsdtRegs) => bigint | undefined;

/** The low size bytes of a number read from memory or a register, extended by sign (values fit in a JS number up to 4 bytes). */
function extendSmall(size: 1 | 2 | 4, signed: boolean): (v: number) => bigint {
  if (!signed) return size === 4 ? (v) => BigInt(v >>> 0) : size === 2 ? (v) => BigInt(v & 0xffff) : (v) => BigInt(v & 0xff);
  return size === 4 ? (v) => BigInt(v | 0) : size === 2 ? (v) => BigInt((v << 16) >> 16) : (v) => BigInt((v << 24) >> 24);
}

/** The value's low size bytes, sign- or zero-extended (a signed result stays negative: callers take it to 64 bits). */
export function extendUsdt(v: bigint, size: 1 | 2 | 4 | 8, signed: boolean): bigint {
  const bits = size * 8;
  return signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
}

/**
 * One argument's reader, specialised once per spec so that a hit costs a
 * register read or a memory read and no parsing. Values are sign- or
 * zero-extended by size, as bpftrace reads them. `%rip`-relative memory is
 * relative to the probe's address plus the nop's length (1), as the CPU
 * computes it for the next instruction; a symbol in the displacement must
 * have been resolved into disp by the caller.
 */
export function usdtArgReader(arg: UsdtArg): UsdtArgReader {
  const { size, signed } = arg;
  const op = arg.operand;
  if (op.kind === "const") {
    const v = extendUsdt(op.value, size, signed);
    return () => v;
  }
  if (op.kind === "reg") {
    const r = op.reg;
    if (op.high8) return (regs) => extendUsdt(regs.gpr(r) >> 8n, size, signed);
    if (r < 0) return (regs) => extendUsdt(regs.ip() + 1n, size, signed);
    return (regs) => extendUsdt(regs.gpr(r), size, signed);
  }
  const { disp, base, index } = op;
  const scale = BigInt(op.scale);
  const value = (regs: UsdtRegs, r: number): bigint => (r < 0 ? regs.ip() + 1n : regs.gpr(r));
  const address = (regs: UsdtRegs): bigint => {
    let a = disp;
    if (base !== undefined) a += value(regs, base);
    if (index !== undefined) a += value(regs, index) * scale;
    return BigInt.asUintN(64, a);
  };
  if (size === 8) return (regs) => {
    const v = regs.readU64(address(regs));
    return v === undefined ? undefined : signed ? BigInt.asIntN(64, v) : v;
  };
  const ext = extendSmall(size, signed);
  const read = size === 4 ? (regs: UsdtRegs, a: bigint) => regs.readU32(a) : size === 2 ? (regs: UsdtRegs, a: bigint) => regs.readU16(a) : (regs: UsdtRegs, a: bigint) => regs.readU8(a);
  return (regs) => {
    const v = read(regs, address(regs));
    return v === undefined ? undefined : ext(v);
  };
}
