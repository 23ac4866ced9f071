// The engine's own compact decoded form of an instruction.
//
// iced-x86 decodes; reading its fields crosses the JS/WASM boundary (about
// 20 ns per getter, BigInt for 64-bit fields), so each instruction is decoded
// once into this plain object and never touched through iced again on the
// hot path (shared/docs/emulator-anchors.md section 3).

import { Code, ConditionCode, FlowControl, type Instruction, MemorySizeExt, Mnemonic, OpKind, Register } from "./iced.js";
import { regInfo, RegClass, SEG_FS, SEG_GS } from "./registers.js";

export const enum OpK {
  None = 0,
  Reg = 1,
  Mem = 2,
  Imm = 3,
  /** Near branch target (absolute). */
  Rel = 4,
  /** Implicit string operand ([rsi]/[rdi]). */
  Str = 5,
}

export interface Operand {
  kind: OpK;
  /** Size in bytes (register width, memory operand width, immediate width after extension). */
  size: number;
  cls: RegClass;
  /** Register number (GPR 0..15, XMM 0..15, segment 0..5). */
  reg: number;
  high8: boolean;
  /** Memory: base/index GPR numbers or -1; disp is signed, or the absolute target for rip-relative. */
  base: number;
  index: number;
  scale: number;
  disp: number;
  ripRel: boolean;
  /** 0 = none, SEG_FS or SEG_GS (the only segments with a base in 64-bit mode). */
  seg: number;
  /** Address size in bytes (8, or 4 with a 0x67 prefix). */
  addrSize: number;
  /** Immediate value, or branch target, as signed 32-bit halves. */
  immLo: number;
  immHi: number;
}

export interface Insn {
  addr: number;
  len: number;
  next: number;
  code: Code;
  mnemonic: Mnemonic;
  ops: Operand[];
  /** Condition code nibble 0..15 (o, no, b, ae, e, ne, be, a, s, ns, p, np, l, ge, le, g) or -1. */
  cc: number;
  rep: boolean;
  repne: boolean;
  lock: boolean;
  flow: FlowControl;
  /** Operand size of the instruction (bytes), taken from op0 or the code. */
  opSize: number;
  /** Memory operand size in bytes (0 if none). */
  memSize: number;
  bytes: Uint8Array;
  /** Stack pointer increment for push/pop-like instructions (from iced). */
  spInc: number;
}

function emptyOperand(): Operand {
  return { kind: OpK.None, size: 0, cls: RegClass.None, reg: -1, high8: false, base: -1, index: -1, scale: 1, disp: 0, ripRel: false, seg: 0, addrSize: 8, immLo: 0, immHi: 0 };
}

function splitBig(v: bigint): [number, number] {
  const u = BigInt.asUintN(64, v);
  return [Number(u & 0xffffffffn) | 0, Number(u >> 32n) | 0];
}

function gprOrNone(r: Register): number {
  if (r === Register.None) return -1;
  const info = regInfo(r);
  return info.cls === RegClass.Gpr ? info.num : -2; // -2: rip or something unexpected
}

/** Convert one decoded iced instruction (read once, field by field). */
/**
 * Whether the Insn that toInsn last returned is the same at any address once
 * its rip-relative and branch targets are moved with it (see InsnCache).
 */
export let relocatable = true;

export function toInsn(i: Instruction, bytes: Uint8Array): Insn {
  relocatable = true;
  const addr = Number(i.ip);
  const len = i.length;
  const opCount = i.opCount;
  const memSize = MemorySizeExt.size(i.memorySize);
  const ops: Operand[] = [];
  for (let n = 0; n < opCount; n++) {
    const o = emptyOperand();
    const kind = i.opKind(n);
    switch (kind) {
      case OpKind.Register: {
        const info = regInfo(i.opRegister(n));
        o.kind = OpK.Reg;
        o.cls = info.cls;
        o.reg = info.num;
        o.size = info.size;
        o.high8 = info.high8;
        break;
      }
      case OpKind.Memory: {
        o.kind = OpK.Mem;
        o.size = memSize;
        const base = i.memoryBase;
        o.ripRel = base === Register.RIP || base === Register.EIP;
        if (base === Register.EIP) relocatable = false; // eip-relative wraps at 32 bits
        o.base = o.ripRel ? -1 : gprOrNone(base);
        o.index = gprOrNone(i.memoryIndex);
        o.scale = i.memoryIndexScale;
        o.addrSize = base !== Register.None ? regInfo(base).size || 8 : i.memoryIndex !== Register.None ? regInfo(i.memoryIndex).size || 8 : 8;
        if (o.ripRel) {
          o.disp = Number(i.ipRelMemoryAddress);
        } else {
          o.disp = Number(BigInt.asIntN(64, i.memoryDisplacement));
          if (o.addrSize === 4) o.disp = o.disp | 0;
        }
        const seg = i.segmentPrefix;
        o.seg = seg === Register.FS ? SEG_FS : seg === Register.GS ? SEG_GS : 0;
        break;
      }
      case OpKind.NearBranch16:
      case OpKind.NearBranch32:
      case OpKind.NearBranch64: {
        if (kind !== OpKind.NearBranch64) relocatable = false; // the target wraps at 16/32 bits: not a plain next + rel
        o.kind = OpK.Rel;
        const [lo, hi] = splitBig(i.nearBranchTarget);
        o.immLo = lo;
        o.immHi = hi;
        o.size = 8;
        break;
      }
      case OpKind.Immediate8:
      case OpKind.Immediate8_2nd:
      case OpKind.Immediate16:
      case OpKind.Immediate32:
      case OpKind.Immediate64:
      case OpKind.Immediate8to16:
      case OpKind.Immediate8to32:
      case OpKind.Immediate8to64:
      case OpKind.Immediate32to64: {
        o.kind = OpK.Imm;
        const [lo, hi] = splitBig(i.immediate(n));
        o.immLo = lo;
        o.immHi = hi;
        o.size =
          kind === OpKind.Immediate8 || kind === OpKind.Immediate8_2nd ? 1 :
          kind === OpKind.Immediate16 || kind === OpKind.Immediate8to16 ? 2 :
          kind === OpKind.Immediate32 || kind === OpKind.Immediate8to32 ? 4 : 8;
        break;
      }
      case OpKind.MemorySegRSI:
      case OpKind.MemorySegESI:
      case OpKind.MemoryESRDI:
      case OpKind.MemoryESEDI:
      case OpKind.MemorySegDI:
      case OpKind.MemorySegEDI:
      case OpKind.MemorySegSI:
      case OpKind.MemoryESDI:
        o.kind = OpK.Str;
        o.size = memSize;
        o.addrSize = kind === OpKind.MemorySegESI || kind === OpKind.MemoryESEDI || kind === OpKind.MemorySegEDI ? 4 : 8;
        o.reg = kind === OpKind.MemorySegRSI || kind === OpKind.MemorySegESI || kind === OpKind.MemorySegSI ? 6 : 7;
        break;
      default:
        o.kind = OpK.None;
    }
    ops.push(o);
  }
  const cc = i.conditionCode;
  const first = ops[0];
  let opSize = first && (first.kind === OpK.Reg || first.kind === OpK.Mem) ? first.size : memSize;
  if (opSize === 0) opSize = 8;
  return {
    addr,
    len,
    next: addr + len,
    code: i.code,
    mnemonic: i.mnemonic,
    ops,
    cc: cc === ConditionCode.None ? -1 : cc - 1,
    rep: i.hasRepPrefix || i.hasRepePrefix,
    repne: i.hasRepnePrefix,
    lock: i.hasLockPrefix,
    flow: i.flowControl,
    opSize,
    memSize,
    bytes: bytes.slice(0, len),
    spInc: i.stackPointerIncrement,
  };
}

export function isInvalid(i: Instruction): boolean {
  return i.code === Code.INVALID;
}
