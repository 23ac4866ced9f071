// Decoding guest code with iced-x86, once per address.
//
// One Decoder over a short byte window per block, one reused Instruction with
// decodeOut (decode() allocates WASM memory that is never reclaimed without
// free(): shared/docs/emulator-anchors.md section 3). Bitness is a parameter
// so that 32-bit guests can reuse everything.

import { Decoder, DecoderOptions, FlowControl, Formatter, FormatterSyntax, Instruction, Mnemonic } from "./iced.js";
import { isInvalid, relocatable, toInsn, type Insn } from "./insn.js";
import { InsnCache } from "./insn-cache.js";

/** One cache of converted instructions per bitness, shared by every decoder of the process. */
const CACHES = { 64: new InsnCache(), 32: new InsnCache() };

/** Longest x86 instruction. */
export const MAX_INSN_LEN = 15;

export class X86Decoder {
  private readonly ins = new Instruction();
  private fmt: Formatter | undefined;
  readonly cache: InsnCache;

  constructor(readonly bitness: 64 | 32 = 64) {
    this.cache = CACHES[bitness];
  }

  /** Made on first use: iced's first Formatter costs 25-60 ms (its tables), and a run that formats nothing never pays it. */
  private formatter(): Formatter {
    if (this.fmt === undefined) {
      this.fmt = new Formatter(FormatterSyntax.Gas);
      this.fmt.ripRelativeAddresses = false;
      this.fmt.spaceAfterOperandSeparator = false;
    }
    return this.fmt;
  }

  /**
   * Decode instructions from `bytes` (which start at `addr`) until a control
   * transfer, `maxInsns`, or the bytes run out. An instruction that does not
   * fit in the window is left out unless it is the first (then it decodes as
   * invalid, and executing it raises #UD/#PF as the caller decides).
   */
  decodeRun(addr: number, bytes: Uint8Array, maxInsns: number, stop?: (insn: Insn) => boolean): { insns: Insn[]; invalidAt: number } {
    const dec = new Decoder(this.bitness, bytes, DecoderOptions.None);
    dec.ip = BigInt(addr);
    const insns: Insn[] = [];
    let invalidAt = -1;
    let pos = 0;
    try {
      while (insns.length < maxInsns && pos < bytes.length) {
        dec.decodeOut(this.ins);
        if (isInvalid(this.ins)) {
          // Truncated at the window's end: stop before it (the next block refetches).
          if (insns.length > 0 && bytes.length - pos < MAX_INSN_LEN) break;
          invalidAt = addr + pos;
          break;
        }
        // the same bytes give the same Insn, moved: convert each distinct instruction once (insn-cache.ts)
        const len = this.ins.length;
        const key = InsnCache.key(bytes, pos, len);
        let insn = this.cache.get(key, addr + pos);
        if (insn === undefined) {
          insn = toInsn(this.ins, bytes.subarray(pos));
          if (relocatable) this.cache.set(key, insn);
        }
        insns.push(insn);
        pos += insn.len;
        if (insn.flow !== FlowControl.Next || endsBlock(insn) || (stop && stop(insn))) break;
      }
    } finally {
      dec.free();
    }
    return { insns, invalidAt };
  }

  /** Decode a single instruction, or undefined if the bytes are not a valid one. */
  decodeOne(addr: number, bytes: Uint8Array): Insn | undefined {
    const { insns } = this.decodeRun(addr, bytes, 1);
    return insns[0];
  }

  /** GNU-style disassembly of the instruction in bytes at addr, e.g. "push %rbp". */
  format(addr: number, bytes: Uint8Array): string {
    const dec = new Decoder(this.bitness, bytes, DecoderOptions.None);
    dec.ip = BigInt(addr);
    try {
      dec.decodeOut(this.ins);
      if (isInvalid(this.ins)) return "(bad)";
      return this.formatter().format(this.ins);
    } finally {
      dec.free();
    }
  }
}

/** Instructions that must end a block even though iced calls their flow "Next". */
function endsBlock(i: Insn): boolean {
  switch (i.mnemonic) {
    case Mnemonic.Syscall:
    case Mnemonic.Cpuid:
    case Mnemonic.Popf:
    case Mnemonic.Popfq:
    case Mnemonic.Hlt:
      return true;
    default:
      return false;
  }
}
