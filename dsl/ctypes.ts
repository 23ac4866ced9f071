// C types of the probe language: the integer types, pointers, arrays and the
// structs a script defines (`struct pt { int x; char name[8]; }`), laid out
// as the x86-64 System V ABI lays them out (LP64), which is what bpftrace's
// clang parser gives for a script's struct definitions on this host.
//
// Layout (SysV psABI 3.1.2, C11 6.7.2.1): each field starts at the next
// multiple of its alignment; a struct is aligned as its most aligned field
// and its size is rounded up to that; an array has its element's alignment;
// a struct without fields has size 0 (GNU C).

export interface IntType {
  k: "int";
  size: 1 | 2 | 4 | 8;
  signed: boolean;
  /** As written (`unsigned long`, `uint32`), for messages. */
  name: string;
}

interface StructField {
  name: string;
  offset: number;
  type: CType;
}

export interface StructLayout {
  size: number;
  align: number;
  fields: StructField[];
}

export interface StructType {
  k: "struct";
  name: string;
  /** Undefined while the struct is only declared (used through a pointer before its definition). */
  layout: StructLayout | undefined;
}

export type CType =
  | IntType
  | { k: "ptr"; to: CType }
  | { k: "array"; elem: CType; n: number }
  | StructType
  | { k: "void" };

const int = (size: 1 | 2 | 4 | 8, signed: boolean, name: string): IntType => ({ k: "int", size, signed, name });

/** One-word type names: bpftrace's, <stdint.h>'s, the kernel's, and the common typedefs. */
const WORD_TYPES: Readonly<Record<string, IntType>> = {
  int8: int(1, true, "int8"), int16: int(2, true, "int16"), int32: int(4, true, "int32"), int64: int(8, true, "int64"),
  uint8: int(1, false, "uint8"), uint16: int(2, false, "uint16"), uint32: int(4, false, "uint32"), uint64: int(8, false, "uint64"),
  int8_t: int(1, true, "int8_t"), int16_t: int(2, true, "int16_t"), int32_t: int(4, true, "int32_t"), int64_t: int(8, true, "int64_t"),
  uint8_t: int(1, false, "uint8_t"), uint16_t: int(2, false, "uint16_t"), uint32_t: int(4, false, "uint32_t"), uint64_t: int(8, false, "uint64_t"),
  s8: int(1, true, "s8"), s16: int(2, true, "s16"), s32: int(4, true, "s32"), s64: int(8, true, "s64"),
  u8: int(1, false, "u8"), u16: int(2, false, "u16"), u32: int(4, false, "u32"), u64: int(8, false, "u64"),
  __s8: int(1, true, "__s8"), __s16: int(2, true, "__s16"), __s32: int(4, true, "__s32"), __s64: int(8, true, "__s64"),
  __u8: int(1, false, "__u8"), __u16: int(2, false, "__u16"), __u32: int(4, false, "__u32"), __u64: int(8, false, "__u64"),
  bool: int(1, false, "bool"), _Bool: int(1, false, "_Bool"),
  size_t: int(8, false, "size_t"), ssize_t: int(8, true, "ssize_t"), uintptr_t: int(8, false, "uintptr_t"), intptr_t: int(8, true, "intptr_t"),
  off_t: int(8, true, "off_t"), pid_t: int(4, true, "pid_t"), uid_t: int(4, false, "uid_t"), gid_t: int(4, false, "gid_t"),
};

/** The C keywords that combine into an integer type (`unsigned long long int`). */
const C_INT_WORDS: ReadonlySet<string> = new Set(["signed", "unsigned", "char", "short", "int", "long"]);
/** Qualifiers that change nothing here. */
const QUALIFIERS: ReadonlySet<string> = new Set(["const", "volatile"]);

/** Every type word a field may start with, for "did you mean". */
export const TYPE_WORDS: readonly string[] = [...Object.keys(WORD_TYPES), ...C_INT_WORDS, "void", "struct"];

/** `signed`/`unsigned`/`char`/`short`/`int`/`long` words as C combines them; undefined when they do not form a type. */
function cIntType(words: readonly string[]): IntType | undefined {
  const n = (w: string): number => words.filter((x) => x === w).length;
  const sign = n("signed") + n("unsigned");
  const longs = n("long");
  if (sign > 1 || n("char") > 1 || n("short") > 1 || n("int") > 1 || longs > 2) return undefined;
  if (n("char") + n("short") + (longs > 0 ? 1 : 0) > 1) return undefined;
  if (n("char") === 1 && n("int") === 1) return undefined;
  const signed = n("unsigned") === 0; // plain char is signed on x86-64
  const name = words.join(" ");
  if (n("char") === 1) return int(1, signed, name);
  if (n("short") === 1) return int(2, signed, name);
  if (longs > 0) return int(8, signed, name);
  return int(4, signed, name);
}

/** The type named by a field's words (`unsigned long`, `u32`, `struct pt`): a type, or what is wrong. */
export function typeFromWords(words: readonly string[], structs: ReadonlyMap<string, StructType>): CType | { error: string } {
  const ws = words.filter((w) => !QUALIFIERS.has(w));
  if (ws.length === 2 && ws[0] === "struct") return structs.get(ws[1]!) ?? { error: `unknown struct 'struct ${ws[1]}'` };
  if (ws.length === 1 && ws[0] === "void") return { k: "void" };
  if (ws.length === 1 && WORD_TYPES[ws[0]!] !== undefined) return WORD_TYPES[ws[0]!]!;
  if (ws.length > 0 && ws.every((w) => C_INT_WORDS.has(w))) {
    const t = cIntType(ws);
    if (t !== undefined) return t;
  }
  return { error: `unknown type '${words.join(" ")}'` };
}

export function sizeOf(t: CType): number {
  return sizeAlign(t)[0];
}

/** Size and alignment: integers and pointers are their own size; void is 1 (GNU C's sizeof(void)); an undefined struct 0. */
function sizeAlign(t: CType): [number, number] {
  switch (t.k) {
    case "int":
      return [t.size, t.size];
    case "ptr":
      return [8, 8];
    case "array": {
      const [n, a] = sizeAlign(t.elem);
      return [t.n * n, a];
    }
    case "struct":
      return t.layout !== undefined ? [t.layout.size, t.layout.align] : [0, 1];
    case "void":
      return [1, 1];
  }
}

/** Lay out fields in order (no bit-fields, no packing): offsets, size and alignment. */
export function layOut(fields: ReadonlyArray<{ name: string; type: CType }>): StructLayout {
  let offset = 0;
  let align = 1;
  const out: StructField[] = [];
  for (const f of fields) {
    const [size, a] = sizeAlign(f.type);
    offset = Math.ceil(offset / a) * a;
    out.push({ name: f.name, offset, type: f.type });
    offset += size;
    align = Math.max(align, a);
  }
  return { size: Math.ceil(offset / align) * align, align, fields: out };
}

/** As bpftrace names a type in its messages: `struct pt *`, `int32`, `char[8]`. */
export function showCType(t: CType): string {
  switch (t.k) {
    case "int":
      return t.name;
    case "ptr":
      return `${showCType(t.to)} *`;
    case "array":
      return `${showCType(t.elem)}[${t.n}]`;
    case "struct":
      return `struct ${t.name}`;
    case "void":
      return "void";
  }
}

/** `char[N]`: bpftrace reads it as a string (clang's Char_S only; `unsigned char[N]` stays an array of integers). */
export function isCharArray(t: CType): boolean {
  return t.k === "array" && t.elem.k === "int" && t.elem.name === "char";
}
