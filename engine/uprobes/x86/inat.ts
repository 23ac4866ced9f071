// Instruction attribute lookups over the kernel's opcode map (arch/x86/lib/inat.c): the
// attribute of an opcode after a 0F / 0F 38 / 0F 3A escape, after a VEX/EVEX or XOP prefix,
// and of a group member. The tables are ./inat-tables.ts, generated from the kernel's
// x86-opcode-map.txt by scripts/gen-inat-tables.mjs.

import { GROUP_TABLES, INAT, OPCODE_TABLES } from "./inat-tables.js";

export { INAT };

/** One variant table: 256 attributes, or undefined where the kernel has no table (every lookup is 0). */
function decode(text: string | null): Uint32Array | undefined {
  if (text === null) return undefined;
  const t = new Uint32Array(256);
  for (const pair of text.split(" ")) {
    const [op, attr] = pair.split(":");
    t[parseInt(op!, 16)] = parseInt(attr!, 16);
  }
  return t;
}

type Variants = (Uint32Array | undefined)[];

interface Tables {
  escape: Map<string, Variants>;
  avx: Map<number, Variants>;
  xop: Map<number, Uint32Array | undefined>;
  groups: (Variants | undefined)[];
}

let decoded: Tables | undefined;

/** The tables, decoded on the first analysis rather than at start-up (the CLI loads this module every run). */
function tables(): Tables {
  if (decoded) return decoded;
  const t: Tables = { escape: new Map(), avx: new Map(), xop: new Map(), groups: GROUP_TABLES.map((g) => g.variants?.map(decode)) };
  for (const o of OPCODE_TABLES) {
    const v = o.variants.map(decode);
    if (o.escape) t.escape.set(o.escape, v);
    if (o.avx !== undefined) t.avx.set(o.avx, v);
    if (o.xop !== undefined) t.xop.set(o.xop, v[0]);
  }
  return (decoded = t);
}

export function groupId(attr: number): number {
  return attr >>> INAT.GROUP_SHIFT;
}

/** inat_get_escape_attribute(): the opcode after 0F, 0F 38 or 0F 3A; the last-prefix table only for a variant. */
export function escapeAttribute(op: number, lpfx: number, esc: "0f" | "0f38" | "0f3a"): number {
  const v = tables().escape.get(esc)!;
  const table = v[0];
  if (!table) return 0;
  if (table[op]! & INAT.VARIANT && lpfx) return v[lpfx]?.[op] ?? 0;
  return table[op]!;
}

/** inat_get_group_attribute(): the member ModRM.reg picks, with the group line's own flags (ModRM, immediate, VEX) or-ed in. */
export function groupAttribute(modrm: number, lpfx: number, grpAttr: number): number {
  const common = grpAttr & ((1 << INAT.GROUP_SHIFT) - 1);
  const v = tables().groups[groupId(grpAttr) - 1];
  const reg = (modrm >> 3) & 7;
  const table = v?.[0];
  if (!table) return common;
  if (table[reg]! & INAT.VARIANT && lpfx) {
    const t = v[lpfx];
    if (!t) return common;
    return t[reg]! | common;
  }
  return table[reg]! | common;
}

/** inat_get_avx_attribute(): VEX/EVEX map m (VEX.mmmmm, EVEX.mmm), prefix id pp; a group ignores pp here. */
export function avxAttribute(op: number, m: number, pp: number): number {
  const v = tables().avx.get(m);
  const table = v?.[0];
  if (!table) return 0;
  if (!groupId(table[op]!) && pp) return v![pp]?.[op] ?? 0;
  return table[op]!;
}

/** inat_get_xop_attribute(): XOP map select 8..1f. */
export function xopAttribute(op: number, mapSelect: number): number {
  if (mapSelect < 8 || mapSelect > 0x1f) return 0;
  return tables().xop.get(mapSelect - 8)?.[op] ?? 0;
}
