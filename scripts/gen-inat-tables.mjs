#!/usr/bin/env node
// Turns the kernel's opcode map (engine/uprobes/x86/kernel-map/x86-opcode-map.txt, part of
// arch/x86/lib/x86-opcode-map.txt) into engine/uprobes/x86/inat-tables.ts, the way
// arch/x86/tools/gen-insn-attr-x86.awk turns it into inat-tables.c: the same field splitting,
// the same superscript patterns, the same last-prefix tables and INAT_VARIANT marks. Only the
// attributes the decoder reads for lengths and for its -EINVAL decisions are kept (ModRM,
// immediates, VEXOK/XOPOK, VEXONLY, EVEXONLY, EVEX_SCALABLE, variant, group, escape).
//
//   node scripts/gen-inat-tables.mjs           write the table
//   node scripts/gen-inat-tables.mjs --check   exit 1 if the committed table is stale
//
// test/uprobes/inat-tables.test.ts runs generate() and compares it with the committed file.

import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const MAP_FILE = path.join(root, "engine/uprobes/x86/kernel-map/x86-opcode-map.txt");
export const OUT_FILE = path.join(root, "engine/uprobes/x86/inat-tables.ts");

/** Attribute bits (our own layout; the kernel's names in inat.h). */
export const ATTR = {
  IMM_MASK: 0x7, // INAT_IMM_BYTE 1, WORD 2, DWORD 3, QWORD 4, PTR 5, VWORD32 6, VWORD 7
  SCNDIMM: 0x8,
  MODRM: 0x10,
  MOFFSET: 0x20,
  VARIANT: 0x40,
  VEXOK: 0x80, // also INAT_XOPOK
  VEXONLY: 0x100,
  EVEXONLY: 0x200,
  EVEX_SCALABLE: 0x400,
  ESCAPE: 0x800,
  GROUP_SHIFT: 16,
};

const IMM = { Ib: 1, Jb: 1, Iw: 2, Id: 3, Iq: 4, Ap: 5, Iz: 6, Jz: 6, Iv: 7, Lx: 1, Lo: 1 };

// The awk's patterns, unchanged.
const opndExpr = /^[A-Za-z/]/;
const extExpr = /^\(/;
const sepExpr = /^\|$/;
const groupExpr = /^Grp[0-9A-Za-z]+/;
const immExpr = /^[IJAOL][a-z]/;
const modrmExpr = /^([CDEGMNPQRSUVW/][a-z]+|NTA|T[012])/;
const lprefix1 = /\((66|!F3)\)/;
const lprefix2 = /\(F3\)/;
const lprefix3 = /\((F2|!F3|66&F2)\)/;
const lprefixAny = /\((66|F2|F3)\)/;
const vexokOpcode = /^[vk].*/;
const vexok = /\(v1\)/;
const vexonly = /\(v\)/;
const evexonly = /\(ev\)/;
const evexScalable = /\(es\)/;
const xopok = /\(xop\)/;

/** convert_operands(): immediate kinds and ModRM from the operand list. */
function convertOperands(opnds, where) {
  let flags = 0;
  let imm = false;
  for (const o of opnds) {
    if (immExpr.test(o)) {
      if (o === "Ob" || o === "Ov") flags |= ATTR.MOFFSET;
      else if (!(o in IMM)) throw new Error(`${where}: unknown immediate operand ${o}`);
      else if (imm) {
        if (o !== "Ib") throw new Error(`${where}: second immediate ${o}`);
        flags |= ATTR.SCNDIMM;
      } else flags |= IMM[o];
      imm = true;
    } else if (modrmExpr.test(o)) flags |= ATTR.MODRM;
  }
  return flags;
}

/** Parse the map: opcode tables (escape/AVX/XOP) and group tables, each with its four last-prefix variants. */
export function parseMap(text) {
  const tables = []; // { name, referrer, avx, xop, variants: [Map x4] }
  const groups = new Map(); // name -> { id, variants }
  const groupId = (name) => {
    if (!groups.has(name)) groups.set(name, { id: groups.size + 1, variants: null });
    return groups.get(name).id;
  };
  let cur = null;
  const lines = text.split("\n");
  lines.forEach((line, n) => {
    const where = `x86-opcode-map.txt:${n + 1}`;
    const f = line.trim().split(/\s+/).filter((s) => s.length);
    if (!f.length || line.startsWith("#")) return;
    if (/^Table:/.test(line)) {
      if (cur) throw new Error(`${where}: Table: before EndTable`);
      cur = { kind: "table", name: line.slice(6).trim(), referrer: "", avx: -1, xop: -1, variants: [new Map(), new Map(), new Map(), new Map()] };
      return;
    }
    if (/^Referrer:/.test(line)) {
      cur.referrer = f.slice(1).join(" ");
      return;
    }
    if (/^AVXcode:/.test(line)) {
      if (f.length > 1) cur.avx = Number(f[1]);
      return;
    }
    if (/^XOPcode:/.test(line)) {
      if (f.length > 1) cur.xop = Number(f[1]);
      return;
    }
    if (/^GrpTable:/.test(line)) {
      if (!groups.has(f[1])) throw new Error(`${where}: no group ${f[1]}`);
      cur = { kind: "group", name: f[1], variants: [new Map(), new Map(), new Map(), new Map()] };
      return;
    }
    if (/^EndTable/.test(line)) {
      if (cur.kind === "group") groups.get(cur.name).variants = cur.variants;
      else tables.push(cur);
      cur = null;
      return;
    }
    if (!/^[0-9a-f]+:/.test(line)) return;
    const idx = parseInt(f[0], 16);
    const [table, lp1, lp2, lp3] = cur.variants;
    if (table.has(idx)) throw new Error(`${where}: ${f[0]} defined twice`);
    if (f[1] === "escape") {
      table.set(idx, ATTR.ESCAPE);
      return;
    }
    let variant = false;
    let i = 1;
    const at = (k) => f[k] ?? "";
    while (i < f.length) {
      const opcode = at(i++);
      let flags = 0;
      let ext = "";
      if (opndExpr.test(at(i))) flags = convertOperands(at(i++).split(","), where);
      if (extExpr.test(at(i))) ext = at(i++);
      if (sepExpr.test(at(i))) i++;
      else if (i < f.length - 1) throw new Error(`${where}: ${at(i)} is not a separator`);
      if (groupExpr.test(opcode)) flags |= (groupId(opcode) << ATTR.GROUP_SHIFT) | ATTR.MODRM; // INAT_MAKE_GROUP has INAT_MODRM
      if (evexonly.test(ext)) flags |= ATTR.VEXOK | ATTR.EVEXONLY;
      else if (evexScalable.test(ext)) flags |= ATTR.VEXOK | ATTR.EVEXONLY | ATTR.EVEX_SCALABLE;
      else if (vexonly.test(ext)) flags |= ATTR.VEXOK | ATTR.VEXONLY;
      else if (vexok.test(ext) || vexokOpcode.test(opcode)) flags |= ATTR.VEXOK;
      else if (xopok.test(ext) || (cur.kind === "table" && cur.xop >= 0)) flags |= ATTR.VEXOK;
      if (flags === 0) continue;
      const or = (m) => m.set(idx, (m.get(idx) ?? 0) | flags);
      if (lprefix1.test(ext)) (or(lp1), (variant = true));
      if (lprefix2.test(ext)) (or(lp2), (variant = true));
      if (lprefix3.test(ext)) (or(lp3), (variant = true));
      if (!lprefixAny.test(ext)) or(table);
    }
    if (variant) table.set(idx, (table.get(idx) ?? 0) | ATTR.VARIANT);
  });
  if (cur) throw new Error("x86-opcode-map.txt: missing EndTable at the end");
  return { tables, groups };
}

/** One variant table as "op:attr" pairs in hex, or null when the awk would print no table. */
function encode(m) {
  if (m.size === 0) return null;
  return [...m.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k.toString(16).padStart(2, "0")}:${v.toString(16)}`).join(" ");
}

/** The TypeScript module, deterministic for a given map. */
export function generate(text) {
  const { tables, groups } = parseMap(text);
  const escapes = { "2-byte escape": "0f", "3-byte escape 1": "0f38", "3-byte escape 2": "0f3a" };
  const out = [];
  out.push("// Generated by scripts/gen-inat-tables.mjs from kernel-map/x86-opcode-map.txt (part of the");
  out.push("// kernel's arch/x86/lib/x86-opcode-map.txt, see its header): do not edit. The kernel's");
  out.push("// inat-tables.c as data: per table, per last prefix (none, 66, F3, F2), \"opcode:attribute\"");
  out.push("// pairs in hex; the attribute bits are INAT below. Read by ./inat.ts.");
  out.push("");
  out.push("/** Attribute bits (the kernel's INAT_* flags, our own layout). */");
  out.push("export const INAT = {");
  for (const [k, v] of Object.entries(ATTR)) out.push(`  ${k}: ${k === "GROUP_SHIFT" ? v : "0x" + v.toString(16)},`);
  out.push("} as const;");
  out.push("");
  out.push("interface OpcodeTableText {");
  out.push("  name: string;");
  out.push("  /** Legacy escape the table serves (0F, 0F 38, 0F 3A), if any. */");
  out.push("  escape?: \"0f\" | \"0f38\" | \"0f3a\";");
  out.push("  /** VEX/EVEX map (AVXcode), if any. */");
  out.push("  avx?: number;");
  out.push("  /** XOP map - 8 (XOPcode), if any. */");
  out.push("  xop?: number;");
  out.push("  variants: readonly (string | null)[];");
  out.push("}");
  out.push("");
  out.push("export const OPCODE_TABLES: readonly OpcodeTableText[] = [");
  for (const t of tables) {
    const esc = escapes[t.referrer];
    const tag = [esc ? `escape: "${esc}"` : "", t.avx >= 0 ? `avx: ${t.avx}` : "", t.xop >= 0 ? `xop: ${t.xop}` : ""].filter(Boolean).join(", ");
    out.push(`  {`);
    out.push(`    name: ${JSON.stringify(t.name)},${tag ? " " + tag + "," : ""}`);
    out.push(`    variants: [`);
    for (const v of t.variants) out.push(`      ${JSON.stringify(encode(v))},`);
    out.push(`    ],`);
    out.push(`  },`);
  }
  out.push("];");
  out.push("");
  out.push("/** Group tables by group id - 1 (the id in an attribute's group field); variants null: no GrpTable in the map. */");
  out.push("export const GROUP_TABLES: readonly { name: string; variants: readonly (string | null)[] | null }[] = [");
  for (const [name, g] of groups) out.push(`  { name: ${JSON.stringify(name)}, variants: ${g.variants ? JSON.stringify(g.variants.map(encode)) : "null"} },`);
  out.push("];");
  out.push("");
  return out.join("\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let text;
  try {
    text = generate(fs.readFileSync(MAP_FILE, "utf8"));
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e)); // one line with the map's line number, no stack
    process.exit(1);
  }
  if (process.argv.includes("--check")) {
    const old = fs.existsSync(OUT_FILE) ? fs.readFileSync(OUT_FILE, "utf8") : "";
    if (old !== text) {
      console.error(`${path.relative(root, OUT_FILE)} is stale: run node scripts/gen-inat-tables.mjs`);
      process.exit(1);
    }
  } else fs.writeFileSync(OUT_FILE, text);
}
