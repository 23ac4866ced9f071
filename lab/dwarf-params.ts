// The parameters of a binary's functions from DWARF (.debug_info), for
// bpftrace's `args.NAME` in uprobes of a binary built with -g: per function
// (DW_TAG_subprogram, by DW_AT_name) its DW_TAG_formal_parameter children in
// order, each with its name and its type resolved through typedefs, const and
// volatile to a base type (size, signedness) or a pointer. DWARF 4 and 5
// compile units; strings by DW_FORM_string, strp and line_strp (strx forms,
// from split DWARF, leave a name unknown). Nothing is read until a program
// uses `args` in a uprobe.

import type { ElfImage } from "../engine/index.js";
import type { FunctionParam } from "../dsl/index.js";

const TAG = { subprogram: 0x2e, formalParameter: 0x05, baseType: 0x24, pointer: 0x0f, typedef: 0x16, const: 0x26, volatile: 0x35, restrict: 0x37 } as const;
const AT = { name: 0x03, type: 0x49, byteSize: 0x0b, encoding: 0x3e, declaration: 0x3c } as const;
const ATE_SIGNED = new Set([0x05, 0x06]);

interface Abbrev {
  tag: number;
  children: boolean;
  attrs: Array<[at: number, form: number, implicit: bigint]>;
}

interface Die {
  tag: number;
  offset: number;
  attrs: Map<number, bigint | string>;
  children: Die[];
}

class Reader {
  constructor(
    readonly b: Uint8Array,
    public p: number,
  ) {}
  u8(): number {
    return this.b[this.p++]!;
  }
  u16(): number {
    return this.u8() | (this.u8() << 8);
  }
  u32(): number {
    return (this.u16() | (this.u16() << 16)) >>> 0;
  }
  u64(): bigint {
    const lo = BigInt(this.u32());
    return lo | (BigInt(this.u32()) << 32n);
  }
  uleb(): bigint {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const c = this.u8();
      v |= BigInt(c & 0x7f) << shift;
      shift += 7n;
      if ((c & 0x80) === 0) return v;
    }
  }
  sleb(): bigint {
    let v = 0n;
    let shift = 0n;
    let c: number;
    do {
      c = this.u8();
      v |= BigInt(c & 0x7f) << shift;
      shift += 7n;
    } while (c & 0x80);
    return c & 0x40 ? v - (1n << shift) : v;
  }
  skip(n: number): undefined {
    this.p += n;
    return undefined;
  }
  cstr(): string {
    const start = this.p;
    while (this.b[this.p] !== 0 && this.p < this.b.length) this.p++;
    return Buffer.from(this.b.subarray(start, this.p++)).toString("latin1");
  }
}

function section(elf: ElfImage, name: string): Uint8Array | undefined {
  const s = elf.sections.find((x) => x.name === name);
  return s === undefined || s.type === 8 /* NOBITS */ ? undefined : elf.bytes.subarray(s.offset, s.offset + s.size);
}

function cstrAt(b: Uint8Array | undefined, off: number): string | undefined {
  if (b === undefined || off >= b.length) return undefined;
  return new Reader(b, off).cstr();
}

function readAbbrevs(b: Uint8Array, off: number): Map<number, Abbrev> {
  const r = new Reader(b, off);
  const out = new Map<number, Abbrev>();
  for (;;) {
    const code = Number(r.uleb());
    if (code === 0) return out;
    const tag = Number(r.uleb());
    const children = r.u8() !== 0;
    const attrs: Abbrev["attrs"] = [];
    for (;;) {
      const at = Number(r.uleb());
      const form = Number(r.uleb());
      if (at === 0 && form === 0) break;
      attrs.push([at, form, form === 0x21 ? r.sleb() : 0n]);
    }
    out.set(code, { tag, children, attrs });
  }
}

/** One attribute value; strings resolved, references made section-relative; undefined for forms we skip. */
function readForm(r: Reader, form: number, cu: { start: number; addrSize: number }, strs: { str?: Uint8Array; line?: Uint8Array }, implicit: bigint): bigint | string | undefined {
  switch (form) {
    case 0x01: return cu.addrSize === 8 ? r.u64() : BigInt(r.u32());
    case 0x0b: case 0x11: return BigInt(r.u8()); // data1, ref1
    case 0x05: case 0x12: return BigInt(r.u16()); // data2, ref2
    case 0x06: case 0x13: return BigInt(form === 0x13 ? cu.start + r.u32() : r.u32()); // data4, ref4
    case 0x07: case 0x14: return form === 0x14 ? BigInt(cu.start) + r.u64() : r.u64(); // data8, ref8
    case 0x15: return BigInt(cu.start) + r.uleb(); // ref_udata
    case 0x0d: return r.sleb();
    case 0x0f: return r.uleb();
    case 0x08: return r.cstr();
    case 0x0e: return cstrAt(strs.str, r.u32());
    case 0x1f: return cstrAt(strs.line, r.u32());
    case 0x0c: return BigInt(r.u8());
    case 0x19: return 1n; // flag_present
    case 0x21: return implicit;
    case 0x10: case 0x17: case 0x1d: case 0x1c: r.p += 4; return undefined;
    case 0x20: case 0x24: r.p += 8; return undefined;
    case 0x1e: r.p += 16; return undefined;
    case 0x03: return r.skip(r.u16()); // (r.p += r.u16() would read p before the length moves it)
    case 0x04: return r.skip(r.u32());
    case 0x09: case 0x18: return r.skip(Number(r.uleb()));
    case 0x0a: return r.skip(r.u8());
    case 0x1a: case 0x1b: case 0x22: case 0x23: r.uleb(); return undefined;
    case 0x25: case 0x29: r.p += 1; return undefined;
    case 0x26: case 0x2a: r.p += 2; return undefined;
    case 0x27: case 0x2b: r.p += 3; return undefined;
    case 0x28: case 0x2c: r.p += 4; return undefined;
    default: throw new Error(`DW_FORM 0x${form.toString(16)}`);
  }
}

/** Every DIE of .debug_info, as trees per compile unit, plus an index by section offset. */
function readDies(elf: ElfImage): Map<number, Die> | undefined {
  const info = section(elf, ".debug_info");
  const abbrev = section(elf, ".debug_abbrev");
  if (info === undefined || abbrev === undefined) return undefined;
  const strs = { str: section(elf, ".debug_str"), line: section(elf, ".debug_line_str") };
  const byOffset = new Map<number, Die>();
  let p = 0;
  while (p + 11 <= info.length) {
    const r = new Reader(info, p);
    const len = r.u32();
    if (len === 0xffffffff) return byOffset; // 64-bit DWARF: not produced by gcc/clang for x86-64 by default
    const end = p + 4 + len;
    const version = r.u16();
    let abbrevOff: number;
    let addrSize: number;
    if (version >= 5) {
      const unitType = r.u8();
      addrSize = r.u8();
      abbrevOff = r.u32();
      if (unitType !== 1 /* DW_UT_compile */) {
        p = end;
        continue;
      }
    } else {
      abbrevOff = r.u32();
      addrSize = r.u8();
    }
    const abbrevs = readAbbrevs(abbrev, abbrevOff);
    const cu = { start: p, addrSize };
    const stack: Die[] = [];
    while (r.p < end) {
      const offset = r.p;
      const code = Number(r.uleb());
      if (code === 0) {
        stack.pop();
        continue;
      }
      const a = abbrevs.get(code);
      if (a === undefined) break;
      const die: Die = { tag: a.tag, offset, attrs: new Map(), children: [] };
      for (const [at, form, implicit] of a.attrs) {
        const v = readForm(r, form, cu, strs, implicit);
        if (v !== undefined) die.attrs.set(at, v);
      }
      byOffset.set(offset, die);
      stack[stack.length - 1]?.children.push(die);
      if (a.children) stack.push(die);
    }
    p = end;
  }
  return byOffset;
}

/** C spelling, size and signedness of a type DIE (bpftrace shows args typed this way). */
function typeOf(dies: Map<number, Die>, ref: bigint | string | undefined, depth = 0): { type: string; bytes: number; signed: boolean; integer: boolean } {
  const d = typeof ref === "bigint" ? dies.get(Number(ref)) : undefined;
  if (d === undefined || depth > 16) return { type: "void", bytes: 0, signed: false, integer: false };
  const name = d.attrs.get(AT.name);
  const inner = (): ReturnType<typeof typeOf> => typeOf(dies, d.attrs.get(AT.type), depth + 1);
  switch (d.tag) {
    case TAG.pointer:
      return { type: `${inner().type} *`, bytes: 8, signed: false, integer: true };
    case TAG.const:
    case TAG.volatile: {
      const t = inner();
      return { ...t, type: `${d.tag === TAG.const ? "const" : "volatile"} ${t.type}` };
    }
    case TAG.restrict:
      return inner();
    case TAG.typedef:
      return { ...inner(), type: String(name) };
    case TAG.baseType: {
      const bytes = Number(d.attrs.get(AT.byteSize) ?? 0n);
      const enc = Number(d.attrs.get(AT.encoding) ?? 0n);
      return { type: String(name), bytes, signed: ATE_SIGNED.has(enc), integer: enc !== 0x04 && enc !== 0x03 && bytes <= 8 };
    }
    default: {
      const kw = d.tag === 0x13 ? "struct " : d.tag === 0x17 ? "union " : d.tag === 0x04 ? "enum " : "";
      return { type: kw + (typeof name === "string" ? name : "(anonymous)"), bytes: Number(d.attrs.get(AT.byteSize) ?? 0n), signed: false, integer: d.tag === 0x04 /* enum */ };
    }
  }
}

/** Parameters of every function defined in the file with DWARF, by name; undefined without .debug_info. */
export function dwarfParams(elf: ElfImage): Map<string, FunctionParam[]> | undefined {
  let dies: Map<number, Die> | undefined;
  try {
    dies = readDies(elf);
  } catch {
    return undefined; // a form we do not read: no args, as without -g
  }
  if (dies === undefined) return undefined;
  const out = new Map<string, FunctionParam[]>();
  for (const d of dies.values()) {
    if (d.tag !== TAG.subprogram || d.attrs.has(AT.declaration)) continue;
    const name = d.attrs.get(AT.name);
    if (typeof name !== "string" || out.has(name)) continue;
    const params = d.children.filter((c) => c.tag === TAG.formalParameter);
    out.set(
      name,
      params.map((c) => {
        const t = typeOf(dies!, c.attrs.get(AT.type));
        const n = c.attrs.get(AT.name);
        return { name: typeof n === "string" ? n : "", type: t.type, bytes: t.bytes, signed: t.signed, integer: t.integer };
      }),
    );
  }
  return out;
}
