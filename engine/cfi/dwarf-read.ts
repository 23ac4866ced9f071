// A cursor over DWARF-encoded bytes: fixed-width integers, LEB128 and the
// pointer encodings of .eh_frame (DW_EH_PE_*, as the LSB's "Exception Frame"
// chapter and gcc's unwind-pe.h define them). The bytes are untrusted: every
// read past the end throws CfiError, which the unwinder turns into "stop here".

export class CfiError extends Error {}

/** DW_EH_PE_omit: no value follows. */
export const PE_OMIT = 0xff;

/** Where a pc-relative / data-relative pointer is measured from. */
export interface PointerBases {
  /** Link-time address of byte 0 of the buffer (for DW_EH_PE_pcrel). */
  sectionAddr: number;
  /** DW_EH_PE_datarel base: .eh_frame_hdr's start there, the GOT on i386 .eh_frame. */
  dataRel?: number;
  /** DW_EH_PE_textrel base (.text); rarely used. */
  textRel?: number;
  /** DW_EH_PE_funcrel base: the FDE's initial location. */
  funcRel?: number;
}

export class DwarfReader {
  pos: number;
  private readonly dv: DataView;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    /** One past the last readable byte. */
    readonly end = bytes.length,
    /** 8 for ELF64, 4 for ELF32: the size of DW_EH_PE_absptr. */
    readonly addrSize: 4 | 8 = 8,
  ) {
    this.pos = start;
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  private need(n: number): number {
    const p = this.pos;
    if (p + n > this.end) throw new CfiError(`truncated CFI at byte ${p}`);
    this.pos = p + n;
    return p;
  }

  u8(): number {
    return this.bytes[this.need(1)]!;
  }
  u16(): number {
    return this.dv.getUint16(this.need(2), true);
  }
  s16(): number {
    return this.dv.getInt16(this.need(2), true);
  }
  u32(): number {
    return this.dv.getUint32(this.need(4), true);
  }
  s32(): number {
    return this.dv.getInt32(this.need(4), true);
  }
  /** 64-bit values as numbers: user-space addresses and CFI offsets fit in 53 bits. */
  u64(): number {
    return Number(this.dv.getBigUint64(this.need(8), true));
  }
  s64(): number {
    return Number(this.dv.getBigInt64(this.need(8), true));
  }

  uleb(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * mul;
      if (!(b & 0x80)) return result;
      mul *= 128;
      if (mul > 2 ** 63) throw new CfiError(`LEB128 too long at byte ${this.pos}`);
    }
  }

  sleb(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * mul;
      mul *= 128;
      if (!(b & 0x80)) return b & 0x40 ? result - mul : result;
      if (mul > 2 ** 63) throw new CfiError(`LEB128 too long at byte ${this.pos}`);
    }
  }

  /** A NUL-terminated ASCII string (the CIE augmentation). */
  cstring(): string {
    let s = "";
    for (let c = this.u8(); c !== 0; c = this.u8()) s += String.fromCharCode(c);
    return s;
  }

  bytesOf(n: number): Uint8Array {
    const p = this.need(n);
    return this.bytes.subarray(p, p + n);
  }

  /** A pointer in encoding `enc` (read_encoded_value_with_base): the format in the low nibble, the base in bits 4-6, 0x80 indirect. */
  pointer(enc: number, bases: PointerBases): number {
    if (enc === PE_OMIT) throw new CfiError("DW_EH_PE_omit pointer read");
    const here = bases.sectionAddr + this.pos;
    let v: number;
    switch (enc & 0x0f) {
      case 0x00: v = this.addrSize === 8 ? this.u64() : this.u32(); break; // absptr
      case 0x01: v = this.uleb(); break;
      case 0x02: v = this.u16(); break;
      case 0x03: v = this.u32(); break;
      case 0x04: v = this.u64(); break;
      case 0x09: v = this.sleb(); break;
      case 0x0a: v = this.s16(); break;
      case 0x0b: v = this.s32(); break;
      case 0x0c: v = this.s64(); break;
      default: throw new CfiError(`unknown pointer encoding 0x${enc.toString(16)}`);
    }
    if (v === 0) return 0; // a 0 stays 0, relative or not (unwind-pe.h's read_encoded_value_with_base)
    switch (enc & 0x70) {
      case 0x00: break; // absolute
      case 0x10: v += here; break; // pcrel
      case 0x20: v += base(bases.textRel, "textrel"); break;
      case 0x30: v += base(bases.dataRel, "datarel"); break;
      case 0x40: v += base(bases.funcRel, "funcrel"); break;
      case 0x50: break; // aligned: only with absptr, which we read unaligned
      default: throw new CfiError(`unknown pointer base 0x${enc.toString(16)}`);
    }
    // 0x80 (indirect): the value is the address of the pointer; only personality routines use it, and we never follow them
    return this.addrSize === 4 ? v >>> 0 : v;
  }
}

function base(b: number | undefined, what: string): number {
  if (b === undefined) throw new CfiError(`a ${what} pointer without its base`);
  return b;
}
