// The kernel's view of an instruction (struct insn from arch/x86/lib/insn.c):
// prefixes, REX, VEX/EVEX, opcode bytes, ModRM, and where the displacement
// and immediate sit. Instruction analysis reads these fields the way
// arch/x86/kernel/uprobes.c does (OPCODE1(), MODRM_REG(), rex_prefix...).
//
// Behind a VEX/EVEX/XOP prefix, and for the "must VEX" opcodes of the 0F
// escapes, the kernel's own opcode map decides validity and length
// (./map-decode.ts over ./inat-tables.ts, generated from x86-opcode-map.txt).
// For the rest iced-x86 decides (a decode failure is the kernel's -ENOEXEC)
// and gives the displacement/immediate offsets; the prefix and opcode layout
// is parsed here from the bytes, because the kernel's opcode.bytes[]
// convention (the byte after a VEX prefix is OPCODE1) is not something iced
// exposes.

import { Code, Decoder, DecoderOptions, Instruction } from "../../cpu/iced.js";
import { decodeBound, decodeEscaped, decodeVexPrefixed, escapeVerdict, vexPrefixLength } from "./map-decode.js";

export interface KInsn {
  length: number;
  /** Legacy prefix bytes in order (may repeat). */
  prefixes: number[];
  /** REX byte or 0; its offset in the instruction. */
  rex: number;
  rexOffset: number;
  /** VEX/EVEX/XOP prefix bytes (empty if none) and offset. */
  vex: number[];
  vexOffset: number;
  /** insn->opcode.bytes[0..nbytes-1]. */
  opcode: number[];
  /** ModRM byte, or -1 if none; its offset. */
  modrm: number;
  modrmOffset: number;
  dispOffset: number;
  dispSize: number;
  immOffset: number;
  immSize: number;
  /** Sign-extended immediate (insn->immediate.value; for rel branches the displacement). */
  immValue: number;
  /** ModRM.mod == 0 && rm == 5 in 64-bit mode: rip-relative. */
  ripRelative: boolean;
  code: Code;
}

const LEGACY = new Set([0xf0, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65, 0x66, 0x67]);

const instr = new Instruction();

/**
 * Opcodes invalid in 64-bit mode that the kernel's table-driven decoder still
 * decodes (so the good_insns tables, not the decoder, refuse them: -ENOTSUPP).
 */
const INVALID_IN_64 = new Set([0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x60, 0x61, 0x82, 0x9a, 0xce, 0xd4, 0xd5, 0xd6, 0xea]);

/** Which decoder the modelled kernel has (arch/x86/lib/insn.c changed under uprobes twice). */
export interface DecoderEra {
  /** APX REX2 (D5) is a prefix: 6.10. */
  rex2: boolean;
  /**
   * 26178b713f2b (XOP support, 6.18) taught the decoder AMD's XOP prefix (8F with ModRM.reg
   * not 0; before, 8F is POP Ev's group with any ModRM) and dropped the re-read of the attribute
   * before the VEX test in insn_get_prefixes(): after a REX byte the test
   * looks at the REX's attribute, so C4/C5/62 there is an opcode (LES, LDS,
   * BOUND with a ModRM), not a VEX/EVEX prefix [checked on 6.18.44: 48 C5 F8 77
   * steps out of line, C5 F8 77 is taken for a ja].
   */
  rexHidesVex: boolean;
  /** 62 is an EVEX prefix (the decoder's AVX-512 support, 4.10); before, it is BOUND with a ModRM. */
  evex: boolean;
}

/** Decode like insn_decode(); undefined when the bytes are not a valid instruction (-ENOEXEC). */
export function kernelDecode(bytes: Uint8Array, bits: 64 | 32, era: DecoderEra = { rex2: false, rexHidesVex: false, evex: true }): KInsn | undefined {
  if (bytes.length === 0) return undefined;
  let i = 0;
  while (i < bytes.length && LEGACY.has(bytes[i]!)) i++;
  const hasRex = bits === 64 && (bytes[i]! & 0xf0) === 0x40;
  // insn_get_prefixes() reads legacy prefixes, then one REX: a prefix byte after the REX is the
  // opcode, with no operands (the CPU ignores that REX and runs a longer instruction).
  const afterRex = bytes[i + 1] ?? 0;
  if (hasRex && (LEGACY.has(afterRex) || (afterRex & 0xf0) === 0x40)) return bareOpcode(bytes, i);
  const op = hasRex ? i + 1 : i;
  const rexAt = hasRex ? i : -1;
  // VEX/EVEX/XOP: existence and length from the kernel's opcode map (./map-decode.ts), never
  // iced's list of forms. Legacy prefixes before the prefix decode too (the CPU raises #UD), and
  // so does a REX on the decoders that still look for the prefix after it (DecoderEra.rexHidesVex).
  if (!(hasRex && era.rexHidesVex)) {
    const n = vexPrefixLength(bytes, bits, op, { evex: era.evex, xop: era.rexHidesVex });
    if (n) return decodeVexPrefixed(bytes, bits, i, rexAt, op, n);
  }
  if (!era.evex && bytes[op] === 0x62) return decodeBound(bytes, bits, i, rexAt, op);
  // Before 6.18 the decoder has no XOP (26178b713f2b): 8F is POP Ev's group whatever its ModRM.reg.
  if (!era.rexHidesVex && bytes[op] === 0x8f && ((bytes[op + 1] ?? 0) & 0x38) !== 0) return undefinedGroupMember(bytes, bits, op);
  // An escaped opcode the map marks (v)/(ev) for the last prefix is -EINVAL without a VEX prefix.
  if (bytes[op] === 0x0f && escapeVerdict(bytes, i, op) === "mustVex") return undefined;
  const k = decodeWith(bytes, bits);
  if (k) return k;
  if (hasRex && era.rexHidesVex && (bytes[op] === 0xc4 || bytes[op] === 0xc5 || bytes[op] === 0x62)) return vexByteAsOpcode(bytes, i);
  // The decoder never checks that a prefix suits its opcode (the CPU raises #UD): LOCK on anything decodes.
  const locks = Array.from(bytes.subarray(0, i)).flatMap((b, at) => (b === 0xf0 ? [at] : []));
  if (locks.length) {
    const k2 = kernelDecode(bytes.filter((_, at) => !locks.includes(at)), bits, era);
    if (k2) return shifted(k2, bytes, locks.length, i);
  }
  // (an XOP prefix was decided above; after a REX, 6.18's prefix test sees the REX and 8F /1-/7 is
  // POP's group again [checked on 6.18.44: 41 8F C8 steps out of line])
  const member = undefinedGroupMember(bytes, bits, op);
  if (member) return member;
  // An escaped opcode iced does not list: the map's attributes give its length, or it has no entry and no operands.
  if (bytes[op] === 0x0f && op + 1 < bytes.length) return escapeVerdict(bytes, i, op) === "unknown" ? unknownTwoByte(bytes, i, op) : decodeEscaped(bytes, bits, i, rexAt, op);
  if (bits !== 64) return undefined;
  if (era.rex2 && bytes[i] === 0xd5) return decodeRex2(bytes, i);
  if (INVALID_IN_64.has(bytes[i]!)) {
    // Take the structure from the 32-bit decoding; the opcode byte is what the tables judge.
    const k32 = decodeWith(bytes, 32);
    if (k32) return { ...k32, ripRelative: false };
  }
  return undefined;
}

/** REX then a prefix byte taken for a one-byte opcode without ModRM or immediate. */
function bareOpcode(bytes: Uint8Array, rexAt: number): KInsn {
  return operandless(bytes, rexAt, rexAt + 1, [bytes[rexAt + 1]!]);
}

/**
 * A one-byte opcode with a ModRM whose ModRM selects nothing (C6/C7 /1-/7, FE /2-/7, FF /7,
 * FF /3 and /5 on a register, LEA on a register, an undefined x87 register form): the
 * kernel's decoder takes the group's common attributes (ModRM, immediate) and reads on, so
 * the instruction decodes [checked on 6.18.44: all step out of line]. The length is that of
 * a defined member with the same mod and r/m.
 */
function undefinedGroupMember(bytes: Uint8Array, bits: 64 | 32, at: number): KInsn | undefined {
  const op = bytes[at]!;
  if (!GROUP_LIKE.has(op) || at + 1 >= bytes.length) return undefined;
  const modrm = bytes[at + 1]!;
  for (let r = 0; r < 9; r++) {
    const b = bytes.slice();
    if (r === 8) b[at] = 0x8b; // lea's register form: mov has the same ModRM layout and no immediate
    else b[at + 1] = (modrm & 0xc7) | (r << 3);
    const k = decodeWith(b, bits);
    if (k) return { ...k, opcode: [op], modrm, code: Code.INVALID };
  }
  return undefined;
}

const GROUP_LIKE = new Set([0x8d, 0x8f, 0xc6, 0xc7, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xfe, 0xff]);

/** A decoding of the bytes minus n prefix bytes, with offsets moved back over them. */
function shifted(k: KInsn, bytes: Uint8Array, n: number, prefixEnd: number): KInsn {
  const move = (o: number): number => (o < 0 ? o : o + n);
  const rex = bits64Rex(bytes, prefixEnd, k);
  return {
    ...k,
    length: k.length + n,
    prefixes: Array.from(bytes.subarray(0, prefixEnd)),
    rex,
    rexOffset: rex ? prefixEnd : -1,
    vexOffset: move(k.vexOffset),
    modrmOffset: move(k.modrmOffset),
    dispOffset: move(k.dispOffset),
    immOffset: move(k.immOffset),
  };
}

function bits64Rex(bytes: Uint8Array, prefixEnd: number, k: KInsn): number {
  return k.rex || (k.vex.length && (bytes[prefixEnd]! & 0xf0) === 0x40) ? bytes[prefixEnd]! : 0;
}

/** REX then C4/C5/62 on a decoder that hides the VEX prefix (DecoderEra.rexHidesVex): LES/LDS/BOUND, a ModRM, no immediate. */
function vexByteAsOpcode(bytes: Uint8Array, prefixEnd: number): KInsn {
  const op = prefixEnd + 1;
  const modrmOffset = op + 1;
  const modrm = bytes[modrmOffset] ?? 0;
  const mod = modrm >> 6, rm = modrm & 7;
  let at = modrmOffset + 1;
  let dispSize = 0;
  if (mod !== 3) {
    const base = rm === 4 ? bytes[at++]! & 7 : -1; // SIB
    if (mod === 1) dispSize = 1;
    else if (mod === 2 || (mod === 0 && rm === 5) || (mod === 0 && base === 5)) dispSize = 4;
  }
  return {
    length: at + dispSize,
    prefixes: Array.from(bytes.subarray(0, prefixEnd)),
    rex: bytes[prefixEnd]!,
    rexOffset: prefixEnd,
    vex: [],
    vexOffset: -1,
    opcode: [bytes[op]!],
    modrm,
    modrmOffset,
    dispOffset: dispSize ? at : -1,
    dispSize,
    immOffset: -1,
    immSize: 0,
    immValue: 0,
    ripRelative: mod === 0 && rm === 5,
    code: Code.INVALID,
  };
}

/**
 * An 0F xx opcode the kernel's opcode map has no entry for (0F 04, ...): it
 * decodes with no ModRM and no immediate, and (since 0x0F itself is "good")
 * the probe is accepted [checked on 6.18.44: 0f 04 accepted].
 */
function unknownTwoByte(bytes: Uint8Array, prefixEnd: number, at: number): KInsn {
  const three = bytes[at + 1] === 0x38 || bytes[at + 1] === 0x3a;
  return operandless(bytes, prefixEnd, at, three ? [0x0f, bytes[at + 1]!, bytes[at + 2] ?? 0] : [0x0f, bytes[at + 1]!]);
}

/** Opcode bytes at `at` and nothing after them; a REX if `at` is past the legacy prefixes. */
function operandless(bytes: Uint8Array, prefixEnd: number, at: number, opcode: number[]): KInsn {
  return {
    length: at + opcode.length,
    prefixes: Array.from(bytes.subarray(0, prefixEnd)),
    rex: at > prefixEnd ? bytes[prefixEnd]! : 0,
    rexOffset: at > prefixEnd ? prefixEnd : -1,
    vex: [],
    vexOffset: -1,
    opcode,
    modrm: -1,
    modrmOffset: -1,
    dispOffset: -1,
    dispSize: 0,
    immOffset: -1,
    immSize: 0,
    immValue: 0,
    ripRelative: false,
    code: Code.INVALID,
  };
}

/**
 * APX REX2 (D5 + payload), decoded by kernels since 6.10: the opcode after it
 * is what the tables see (map 0, or map 1 = 0F xx when REX2.M0 is set). iced
 * has no APX, so the length comes from the equivalent REX encoding.
 */
function decodeRex2(bytes: Uint8Array, at: number): KInsn | undefined {
  const payload = bytes[at + 1];
  if (payload === undefined) return undefined;
  const m0 = (payload & 0x80) !== 0;
  const equiv = new Uint8Array([...bytes.subarray(0, at), 0x40 | (payload & 0x0f), ...(m0 ? [0x0f] : []), ...bytes.subarray(at + 2)]);
  const k = decodeWith(equiv, 64);
  if (!k) return undefined;
  const shift = m0 ? 0 : 1; // REX2 is 2 bytes against REX's 1 (and the implied 0F byte when M0)
  const move = (o: number): number => (o < 0 ? o : o + shift);
  return {
    ...k,
    length: k.length + shift,
    rex: 0,
    rexOffset: -1,
    opcode: m0 ? [0x0f, bytes[at + 2]!] : [bytes[at + 2]!],
    modrmOffset: move(k.modrmOffset),
    dispOffset: move(k.dispOffset),
    immOffset: move(k.immOffset),
  };
}

function decodeWith(bytes: Uint8Array, bits: 64 | 32): KInsn | undefined {
  const dec = new Decoder(bits, bytes, DecoderOptions.None);
  let offsets: { dispOffset: number; dispSize: number; immOffset: number; immSize: number };
  try {
    dec.decodeOut(instr);
    if (instr.code === Code.INVALID) return undefined;
    const co = dec.getConstantOffsets(instr);
    offsets = {
      dispOffset: co.hasDisplacement ? co.displacementOffset : -1,
      dispSize: co.hasDisplacement ? co.displacementSize : 0,
      immOffset: co.hasImmediate ? co.immediateOffset : -1,
      immSize: co.hasImmediate ? co.immediateSize : 0,
    };
    co.free();
  } finally {
    dec.free();
  }
  const length = instr.length;
  let i = 0;
  const prefixes: number[] = [];
  while (i < length && LEGACY.has(bytes[i]!)) prefixes.push(bytes[i++]!);
  let rex = 0, rexOffset = -1;
  if (bits === 64 && i < length && (bytes[i]! & 0xf0) === 0x40) {
    rex = bytes[i]!;
    rexOffset = i++;
  }
  const vex: number[] = [];
  let vexOffset = -1;
  const b = bytes[i]!;
  const next = bytes[i + 1] ?? 0;
  // C4/C5/62 are VEX/EVEX in 64-bit mode; in 32-bit mode only when the next byte has mod == 11.
  const isVexCandidate = bits === 64 || (next & 0xc0) === 0xc0;
  if ((b === 0xc5 || b === 0xc4 || b === 0x62) && isVexCandidate && isVexEncoded(b, length)) {
    const n = b === 0xc5 ? 2 : b === 0xc4 ? 3 : 4;
    vexOffset = i;
    for (let k = 0; k < n; k++) vex.push(bytes[i + k]!);
    i += n;
  }
  const opcode: number[] = [];
  if (vex.length) {
    opcode.push(bytes[i++]!); // VEX has only 1 byte for opcode (insn_get_opcode)
  } else if (bytes[i] === 0x0f) {
    opcode.push(bytes[i++]!);
    const o2 = bytes[i++]!;
    opcode.push(o2);
    if (o2 === 0x38 || o2 === 0x3a) opcode.push(bytes[i++]!);
  } else {
    opcode.push(bytes[i++]!);
  }
  // ModRM: present if the instruction has a memory/register r/m operand encoded after the opcode.
  let modrm = -1, modrmOffset = -1;
  const firstConst = Math.min(offsets.dispOffset >= 0 ? offsets.dispOffset : length, offsets.immOffset >= 0 ? offsets.immOffset : length);
  if (hasModrm(opcode, vex.length > 0, i, firstConst, length)) {
    modrm = bytes[i]!;
    modrmOffset = i;
  }
  const ripRelative = bits === 64 && modrm >= 0 && (modrm & 0xc7) === 0x05;
  let immValue = 0;
  if (offsets.immSize) {
    let v = 0;
    for (let k = offsets.immSize - 1; k >= 0; k--) v = v * 256 + bytes[offsets.immOffset + k]!;
    const bitsN = offsets.immSize * 8;
    if (bitsN < 53 && v >= 2 ** (bitsN - 1)) v -= 2 ** bitsN;
    immValue = v;
  }
  return {
    length,
    prefixes,
    rex,
    rexOffset,
    vex,
    vexOffset,
    opcode,
    modrm,
    modrmOffset,
    ...offsets,
    immValue,
    ripRelative,
    code: instr.code,
  };
}

/** iced decoded the instruction as VEX/EVEX/XOP (rather than LES/LDS/BOUND). */
function isVexEncoded(first: number, length: number): boolean {
  void first;
  void length;
  // iced's Code for VEX/EVEX forms start with "VEX_"/"EVEX_"; checking the encoding is cheaper through the name.
  const name = Code[instr.code] ?? "";
  return name.startsWith("VEX_") || name.startsWith("EVEX_") || name.startsWith("XOP_");
}

/**
 * Whether a ModRM byte follows the opcode. The bytes between the opcode and
 * the first constant (displacement or immediate) are ModRM [+ SIB]; if there
 * is room for at least one byte and the opcode is one that takes ModRM.
 */
function hasModrm(opcode: number[], vex: boolean, at: number, firstConst: number, length: number): boolean {
  if (vex) return at < length;
  if (at >= length) return false;
  if (at < firstConst) return true;
  // No byte before the constant: only possible for forms without ModRM.
  return false;
}

/** ModRM.reg (3 bits), MODRM_REG() in the kernel. */
export function modrmReg(k: KInsn): number {
  return k.modrm < 0 ? 0 : (k.modrm >> 3) & 7;
}
