// ELF mutants: a real binary (a static or a dynamic sample) with fields of
// its ELF header, program headers, section headers or dynamic section
// overwritten, bytes flipped, or the file cut short. The mutations are data
// (fast-check generates and shrinks them); applyMutations turns them into
// bytes.

import fc from "fast-check";

/** One field of an ELF table: its offset in the entry and its width in bytes. */
type Field = readonly [offset: number, width: 1 | 2 | 4 | 8];

const EHDR_FIELDS: Field[] = [
  [4, 1], [5, 1], [6, 1], [7, 1], // class, data, version, OS ABI
  [16, 2], [18, 2], [20, 4], [24, 8], [32, 8], [40, 8], [48, 4], [52, 2], [54, 2], [56, 2], [58, 2], [60, 2], [62, 2],
];
const PHDR_FIELDS: Field[] = [[0, 4], [4, 4], [8, 8], [16, 8], [24, 8], [32, 8], [40, 8], [48, 8]];
const SHDR_FIELDS: Field[] = [[0, 4], [4, 4], [8, 8], [16, 8], [24, 8], [32, 8], [40, 4], [44, 4], [48, 8], [56, 8]];
const DYN_FIELDS: Field[] = [[0, 8], [8, 8]];

const M64 = (1n << 64n) - 1n;

/** Values that break parsers: boundaries, ELF constants (p_type, d_tag), huge and negative sizes. */
const INTERESTING: bigint[] = [
  0n, 1n, 2n, 3n, 4n, 6n, 7n, 8n, 0x38n, 0x40n, 0xffn, 0x100n, 0xfffn, 0x1000n, 0x1001n, 0xffffn, 0x10000n,
  0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 1n << 44n, 1n << 46n, 0x7ffffffff000n, 0x7fffffffffffn,
  0x800000000000n, 1n << 53n, (1n << 63n) - 1n, 1n << 63n, M64 - 0xfffn, M64 - 1n, M64,
  0x6474e550n, 0x6474e551n, 0x6474e552n, 0x6474e553n, // PT_GNU_EH_FRAME, _STACK, _RELRO, _PROPERTY
  5n, 0xan, 0xcn, 0xdn, 0xfn, 0x17n, 0x19n, 0x1dn, 0x1en, 0x6ffffef5n, 0x6ffffffbn, // d_tag: STRTAB, STRSZ, INIT, FINI, RPATH, JMPREL, INIT_ARRAY, RUNPATH, FLAGS, GNU_HASH, FLAGS_1
];

export type Mutation =
  | { kind: "field"; table: "ehdr" | "phdr" | "shdr" | "dyn"; index: number; field: number; op: "set" | "add" | "xor"; value: bigint }
  | { kind: "bytes"; at: number; bytes: number[] }
  | { kind: "truncate"; keep: number };

const value = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...INTERESTING) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: M64 }) },
  { weight: 2, arbitrary: fc.integer({ min: -4097, max: 4097 }).map((n) => BigInt.asUintN(64, BigInt(n))) },
);

const fieldMutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constant("field" as const),
  table: fc.constantFrom("ehdr" as const, "phdr" as const, "phdr" as const, "shdr" as const, "dyn" as const, "dyn" as const),
  index: fc.nat({ max: 63 }),
  field: fc.nat({ max: 15 }),
  op: fc.constantFrom("set" as const, "set" as const, "add" as const, "xor" as const),
  value,
});

/** Mutations of one file: 1 to 4 of them, field overwrites weighted most. */
export function mutationsArb(): fc.Arbitrary<Mutation[]> {
  const one = fc.oneof(
    { weight: 6, arbitrary: fieldMutation },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("bytes" as const), at: fc.nat(), bytes: fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 16 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("truncate" as const), keep: fc.nat() }) },
  );
  return fc.array(one, { minLength: 1, maxLength: 4 });
}

function u64(dv: DataView, o: number): number {
  const v = dv.getBigUint64(o, true);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(v);
}

/** Where table T's entries are in this (possibly already mutated) file: [offset, size, count], or undefined. */
function table(b: Uint8Array, t: "ehdr" | "phdr" | "shdr" | "dyn"): [number, number, number] | undefined {
  if (b.length < 64) return t === "ehdr" ? [0, 64, 1] : undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (t === "ehdr") return [0, 64, 1];
  if (t === "phdr") return [u64(dv, 32), 56, dv.getUint16(56, true)];
  if (t === "shdr") return [u64(dv, 40), 64, dv.getUint16(60, true)];
  // the dynamic section: PT_DYNAMIC's file range
  const [phoff, , phnum] = table(b, "phdr")!;
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * 56;
    if (o < 0 || o + 56 > b.length) return undefined;
    if (dv.getUint32(o, true) === 2) return [u64(dv, o + 8), 16, Math.floor(u64(dv, o + 32) / 16)];
  }
  return undefined;
}

const FIELDS = { ehdr: EHDR_FIELDS, phdr: PHDR_FIELDS, shdr: SHDR_FIELDS, dyn: DYN_FIELDS };

function write(dv: DataView, o: number, width: 1 | 2 | 4 | 8, f: (old: bigint) => bigint): void {
  const mask = (1n << BigInt(8 * width)) - 1n;
  const old = width === 1 ? BigInt(dv.getUint8(o)) : width === 2 ? BigInt(dv.getUint16(o, true)) : width === 4 ? BigInt(dv.getUint32(o, true)) : dv.getBigUint64(o, true);
  const v = f(old) & mask;
  if (width === 1) dv.setUint8(o, Number(v));
  else if (width === 2) dv.setUint16(o, Number(v), true);
  else if (width === 4) dv.setUint32(o, Number(v), true);
  else dv.setBigUint64(o, v, true);
}

/** The mutant: a copy of the original with each mutation applied in turn (one that points outside the file does nothing). */
export function applyMutations(original: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b = original.slice();
  for (const m of ms) {
    if (m.kind === "truncate") {
      b = b.slice(0, m.keep % (b.length + 1));
      continue;
    }
    if (m.kind === "bytes") {
      if (b.length) m.bytes.forEach((x, i) => (b[(m.at + i) % b.length] = x));
      continue;
    }
    const t = table(b, m.table);
    if (!t || t[2] === 0) continue;
    const fields = FIELDS[m.table];
    const [off, width] = fields[m.field % fields.length]!;
    const o = t[0] + (m.index % t[2]) * t[1] + off;
    if (t[0] < 0 || o + width > b.length) continue;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    write(dv, o, width, (old) => (m.op === "set" ? m.value : m.op === "add" ? old + m.value : old ^ m.value));
  }
  return b;
}
