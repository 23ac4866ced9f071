// The kernel decoder's own walk (arch/x86/lib/insn.c) for what its opcode map decides: an
// instruction behind a VEX/EVEX/XOP prefix, and the opcode after a 0F / 0F 38 / 0F 3A escape.
// Whether it exists (the -EINVAL returns of insn_get_opcode() and insn_get_modrm()) and how long
// it is (ModRM, SIB, displacement, immediates) come from the attributes in ./inat.ts, not from
// iced-x86, whose list of VEX/EVEX forms is not the kernel's.

import { Code } from "../../cpu/iced.js";
import { avxAttribute, escapeAttribute, groupAttribute, groupId, INAT, xopAttribute } from "./inat.js";
import type { KInsn } from "./insn.js";

/** MAX_INSN_SIZE: insn_init() caps the buffer at 15 bytes. */
const MAX_INSN_SIZE = 15;

/** What the modelled decoder knows of VEX-like prefixes. */
export interface PrefixEra {
  /** 62 is an EVEX prefix (the AVX-512 decoder, 4.10), not BOUND. */
  evex: boolean;
  /** 8F with ModRM.reg not 0 is an XOP prefix (26178b713f2b, 6.18). */
  xop: boolean;
}

/** Where the prefixes end: legacy prefixes up to prefixEnd, then an optional REX at rexAt. */
interface Start {
  prefixEnd: number;
  rexAt: number;
}

/**
 * insn_get_prefixes()' VEX/EVEX/XOP test on the byte at `at`: the prefix length (2, 3 or 4), or
 * 0 when the byte is an opcode. In 32-bit mode the next byte must look like a register ModRM
 * (mod 11), else C4/C5/62/8F are LES/LDS/BOUND/POP; 8F is XOP only when ModRM.reg is not 0.
 */
export function vexPrefixLength(bytes: Uint8Array, bits: 64 | 32, at: number, era: PrefixEra): number {
  const b = bytes[at];
  const b2 = bytes[at + 1] ?? 0;
  if (b === 0x8f) {
    if (!era.xop || ((b2 >> 3) & 7) === 0) return 0;
  } else if (b === 0x62) {
    if (!era.evex) return 0;
  } else if (b !== 0xc4 && b !== 0xc5) return 0;
  if (bits === 32 && (b2 & 0xc0) !== 0xc0) return 0;
  return b === 0xc5 ? 2 : b === 0x62 ? 4 : 3;
}

/** Operand and address sizes after the legacy prefixes and REX (insn_get_prefixes: 66 and 67 toggle, REX.W gives 8). */
function sizes(bytes: Uint8Array, bits: 64 | 32, s: Start): { opnd: number; addr: number } {
  const seen = new Set(bytes.subarray(0, s.prefixEnd)); // a repeated prefix toggles once
  let opnd = seen.has(0x66) ? 2 : 4;
  const addr = bits === 64 ? (seen.has(0x67) ? 4 : 8) : seen.has(0x67) ? 2 : 4;
  if (s.rexAt >= 0 && bytes[s.rexAt]! & 0x08) opnd = 8;
  return { opnd, addr };
}

/** inat_get_last_prefix_id() of the last legacy prefix byte: 66 -> 1, F3 -> 2, F2 -> 3, any other prefix -> 0. */
function lastPrefixId(bytes: Uint8Array, prefixEnd: number): number {
  const lb = prefixEnd > 0 ? bytes[prefixEnd - 1] : undefined;
  return lb === 0x66 ? 1 : lb === 0xf3 ? 2 : lb === 0xf2 ? 3 : 0;
}

/**
 * insn_get_modrm() .. insn_get_immediate() from the opcode's attribute: the rest of a KInsn.
 * undefined when a group member refuses the VEX prefix, or the instruction runs past the bytes
 * or past MAX_INSN_SIZE (both -EINVAL in insn_decode()).
 */
function finish(bytes: Uint8Array, bits: 64 | 32, s: Start, head: { vexAt: number; vexLen: number; opcode: number[]; at: number; lpfx: number; vex: boolean }, attr0: number, opnd: number, addr: number): KInsn | undefined {
  let attr = attr0;
  let pos = head.at;
  const end = Math.min(bytes.length, MAX_INSN_SIZE);
  let modrm = -1, modrmOffset = -1;
  if (attr & INAT.MODRM) {
    if (pos >= end) return undefined;
    modrm = bytes[pos]!;
    modrmOffset = pos++;
    if (groupId(attr)) {
      attr = groupAttribute(modrm, head.lpfx, attr);
      if (head.vex && !(attr & INAT.VEXOK)) return undefined;
    }
  }
  let dispOffset = -1, dispSize = 0;
  if (modrm >= 0 && modrm >> 6 !== 3) {
    const mod = modrm >> 6, rm = modrm & 7;
    let base = 0;
    if (addr !== 2 && rm === 4) {
      if (pos >= end) return undefined;
      base = bytes[pos++]! & 7; // SIB
    }
    if (mod === 1) dispSize = 1;
    else if (addr === 2) dispSize = (mod === 0 && rm === 6) || mod === 2 ? 2 : 0;
    else dispSize = (mod === 0 && rm === 5) || mod === 2 || (mod === 0 && base === 5) ? 4 : 0;
    if (dispSize) {
      dispOffset = pos;
      pos += dispSize;
    }
  }
  let immSize = 0;
  if (attr & INAT.MOFFSET) immSize = addr;
  switch (attr & INAT.IMM_MASK) {
    case 1: immSize = 1; break;
    case 2: immSize = 2; break;
    case 3: immSize = 4; break;
    case 4: immSize = 8; break;
    case 5: immSize = (opnd === 2 ? 2 : 4) + 2; break; // ptr16:16/32
    case 6: immSize = opnd === 2 ? 2 : 4; break;
    case 7: immSize = opnd; break;
  }
  const immOffset = immSize ? pos : -1;
  pos += immSize;
  if (attr & INAT.SCNDIMM) pos += 1;
  if (pos > end) return undefined;
  let immValue = 0;
  for (let k = Math.min(immSize, 4) - 1; k >= 0; k--) immValue = immValue * 256 + bytes[immOffset + k]!;
  if (immSize && immSize <= 4 && immValue >= 2 ** (immSize * 8 - 1)) immValue -= 2 ** (immSize * 8);
  return {
    length: pos,
    prefixes: Array.from(bytes.subarray(0, s.prefixEnd)),
    rex: s.rexAt >= 0 ? bytes[s.rexAt]! : 0,
    rexOffset: s.rexAt,
    vex: Array.from(bytes.subarray(head.vexAt, head.vexAt + head.vexLen)),
    vexOffset: head.vexLen ? head.vexAt : -1,
    opcode: head.opcode,
    modrm,
    modrmOffset,
    dispOffset,
    dispSize,
    immOffset,
    immSize,
    immValue,
    ripRelative: bits === 64 && modrm >= 0 && (modrm & 0xc7) === 0x05,
    code: Code.INVALID,
  };
}

/**
 * An instruction behind the VEX/EVEX/XOP prefix at `at` (n bytes, from vexPrefixLength), as
 * insn_get_opcode() sees it: the map's attribute for (map, pp, opcode); -EINVAL (undefined) when
 * the attribute does not accept the prefix, needs EVEX under a VEX, or (XOP) is not in the XOP map.
 */
export function decodeVexPrefixed(bytes: Uint8Array, bits: 64 | 32, prefixEnd: number, rexAt: number, at: number, n: number): KInsn | undefined {
  if (at + n >= Math.min(bytes.length, MAX_INSN_SIZE)) return undefined;
  const b1 = bytes[at + 1]!;
  const xop = bytes[at] === 0x8f;
  const evex = n === 4;
  const p1 = n === 2 ? b1 & 0x7f : bytes[at + 2]!; // VEX2: insn_get_prefixes fakes a VEX3-like byte 2 (W = 0)
  const m = n === 2 ? 1 : evex ? b1 & 0x07 : b1 & 0x1f;
  const pp = p1 & 3;
  const op = bytes[at + n]!;
  const s = { prefixEnd, rexAt };
  let { opnd, addr } = sizes(bytes, bits, s);
  // VEX.W/XOP.W give 8-byte operands in 64-bit mode; for EVEX the kernel tests bit 7 of the last prefix byte.
  if (bits === 64 && (evex ? bytes[at + 3]! : p1) & 0x80) opnd = 8;
  let attr: number;
  if (xop) {
    attr = xopAttribute(op, m);
    if (!(attr & INAT.VEXOK)) return undefined;
  } else {
    attr = avxAttribute(op, m, pp);
    if (attr & INAT.EVEX_SCALABLE && !(p1 & 0x80) && pp === 1) opnd = 2; // SCALABLE EVEX: pp 66 means 16-bit operands
    if ((attr & INAT.EVEXONLY && !evex) || (!(attr & INAT.VEXOK) && !groupId(attr))) return undefined;
  }
  return finish(bytes, bits, s, { vexAt: at, vexLen: n, opcode: [op], at: at + n + 1, lpfx: pp, vex: true }, attr, opnd, addr);
}

/**
 * The 0F / 0F 38 / 0F 3A escape at `at` without a VEX prefix: the attribute from the escape
 * table of the last legacy prefix (insn_last_prefix_id()); "must VEX" (the map's (v)/(ev)) is
 * -EINVAL (undefined, so -ENOEXEC) [checked on 6.18.44: 66 0F 38 0C, vpermilps, is refused;
 * 66 0F 38 50, vpdpbusd with a legacy (66) form in the map, steps out of line]. "unknown" is
 * an opcode the map has no entry for, which decodes with no operands.
 */
export function escapeVerdict(bytes: Uint8Array, prefixEnd: number, at: number): "mustVex" | "unknown" | "known" {
  const esc2 = bytes[at + 1];
  if (esc2 === undefined) return "known";
  const lpfx = lastPrefixId(bytes, prefixEnd);
  let attr = escapeAttribute(esc2, lpfx, "0f");
  if (attr & INAT.ESCAPE) {
    const op = bytes[at + 2];
    if (op === undefined) return "known";
    attr = escapeAttribute(op, lpfx, esc2 === 0x38 ? "0f38" : "0f3a");
  }
  if (attr & (INAT.VEXONLY | INAT.EVEXONLY)) return "mustVex";
  return attr === 0 ? "unknown" : "known";
}

/** The escaped opcode decoded from its map attribute (for forms iced-x86 does not list, e.g. 66 0F 38 50). */
export function decodeEscaped(bytes: Uint8Array, bits: 64 | 32, prefixEnd: number, rexAt: number, at: number): KInsn | undefined {
  const esc2 = bytes[at + 1]!;
  const three = esc2 === 0x38 || esc2 === 0x3a;
  const op = bytes[at + (three ? 2 : 1)];
  if (op === undefined) return undefined;
  const lpfx = lastPrefixId(bytes, prefixEnd);
  const attr = three ? escapeAttribute(op, lpfx, esc2 === 0x38 ? "0f38" : "0f3a") : escapeAttribute(esc2, lpfx, "0f");
  const s = { prefixEnd, rexAt };
  const { opnd, addr } = sizes(bytes, bits, s);
  const opcode = three ? [0x0f, esc2, op] : [0x0f, esc2];
  return finish(bytes, bits, s, { vexAt: 0, vexLen: 0, opcode, at: at + opcode.length, lpfx, vex: false }, attr, opnd, addr);
}

/** BOUND Gv,Ma at `at` on a decoder without EVEX: a ModRM, no immediate (the good_insns tables then judge 0x62). */
export function decodeBound(bytes: Uint8Array, bits: 64 | 32, prefixEnd: number, rexAt: number, at: number): KInsn | undefined {
  const s = { prefixEnd, rexAt };
  const { opnd, addr } = sizes(bytes, bits, s);
  return finish(bytes, bits, s, { vexAt: 0, vexLen: 0, opcode: [bytes[at]!], at: at + 1, lpfx: 0, vex: false }, INAT.MODRM, opnd, addr);
}
