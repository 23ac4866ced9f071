// Lazily computed arithmetic flags.
//
// Most instructions that write flags are followed by one that reads at most
// one condition (cmp; jcc), or by another flag writer. So an ALU op records
// its kind, width, operands and result (as v86 and QEMU's cc_op do), and each
// flag is derived only when something reads it. `op === FOp.Eager` means the
// arithmetic bits live in `bits`, like the rest of RFLAGS always does.
//
// Values are stored as int32 bit patterns (`| 0`): for widths below 64 the low
// `sz` bits in a/b/res (hi halves zero); for 64-bit operands the high halves in
// aH/bH/resH. Unsigned comparisons read them with `>>> 0`. (Stored unsigned,
// values >= 2^31 are heap numbers: every ALU instruction wrote six boxed
// doubles; int32 fields are plain Smi stores.)

export const enum FOp {
  Eager = 0,
  Add = 1,
  Adc = 2,
  Sub = 3,
  Sbb = 4,
  Logic = 5,
  /** Like Add with b = 1, but CF is the saved carry in `cf`. */
  Inc = 6,
  /** Like Sub with b = 1, but CF is the saved carry in `cf`. */
  Dec = 7,
  /** ZF/SF/PF from res; CF, OF and AF given explicitly (shifts, multiplies, ...). */
  Res = 8,
}

/** The RFLAGS bits as a const enum (inlined by tsc; hot modules copy them into local consts, see registers.ts Gpr). */
export const enum Fl {
  CF = 1 << 0,
  PF = 1 << 2,
  AF = 1 << 4,
  ZF = 1 << 6,
  SF = 1 << 7,
  TF = 1 << 8,
  IF = 1 << 9,
  DF = 1 << 10,
  OF = 1 << 11,
  AC = 1 << 18,
  ID = 1 << 21,
}

export const CF = Fl.CF;
export const PF = Fl.PF;
export const AF = Fl.AF;
export const ZF = Fl.ZF;
export const SF = Fl.SF;
export const TF = Fl.TF;
export const IF = Fl.IF;
export const DF = Fl.DF;
export const OF = Fl.OF;
export const AC = Fl.AC;
export const ID = Fl.ID;
export const ARITH_MASK = CF | PF | AF | ZF | SF | OF;
/** Bits a user-mode popf may change (IOPL/VM/VIF/VIP are kernel-owned; IF is left as is). */
export const USER_FLAGS_MASK = ARITH_MASK | TF | DF | AC | ID;

const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let b = i;
  b ^= b >> 4;
  b ^= b >> 2;
  b ^= b >> 1;
  PARITY[i] = (b & 1) ^ 1;
}

/** Unsigned 64-bit (hi:lo) < (hi2:lo2), halves given as int32 bit patterns. */
export function ltU(hi: number, lo: number, hi2: number, lo2: number): boolean {
  const h = hi >>> 0, h2 = hi2 >>> 0;
  return h < h2 || (h === h2 && lo >>> 0 < lo2 >>> 0);
}

export class Flags {
  op: FOp = FOp.Eager;
  sz = 32;
  a = 0;
  b = 0;
  res = 0;
  aH = 0;
  bH = 0;
  resH = 0;
  cf = 0;
  of = 0;
  af = 0;
  /** RFLAGS; the arithmetic bits are valid only when op === FOp.Eager. Bit 1 and IF always set. */
  bits = 0x202;

  /** Record an 8/16/32-bit result; a, b, res already masked to sz bits. */
  set(op: FOp, sz: number, a: number, b: number, res: number): void {
    this.op = op;
    this.sz = sz;
    this.a = a | 0;
    this.b = b | 0;
    this.res = res | 0;
    this.aH = 0;
    this.bH = 0;
    this.resH = 0;
  }

  set64(op: FOp, a: number, aH: number, b: number, bH: number, res: number, resH: number): void {
    this.op = op;
    this.sz = 64;
    this.a = a | 0;
    this.b = b | 0;
    this.res = res | 0;
    this.aH = aH | 0;
    this.bH = bH | 0;
    this.resH = resH | 0;
  }

  /** Result-only flags with explicit CF/OF/AF (shifts, rotates, multiplies, bit scans). */
  setRes(sz: number, res: number, resH: number, cf: number, of: number, af = 0): void {
    this.op = FOp.Res;
    this.sz = sz;
    this.res = res | 0;
    this.resH = resH | 0;
    this.a = 0;
    this.b = 0;
    this.aH = 0;
    this.bH = 0;
    this.cf = cf;
    this.of = of;
    this.af = af;
  }

  getCF(): number {
    switch (this.op) {
      case FOp.Eager:
        return this.bits & CF;
      case FOp.Add:
        return ltU(this.resH, this.res, this.aH, this.a) ? 1 : 0;
      case FOp.Adc:
        if (this.resH === this.aH && this.res === this.a) return this.cf;
        return ltU(this.resH, this.res, this.aH, this.a) ? 1 : 0;
      case FOp.Sub:
        return ltU(this.aH, this.a, this.bH, this.b) ? 1 : 0;
      case FOp.Sbb:
        if (this.aH === this.bH && this.a === this.b) return this.cf;
        return ltU(this.aH, this.a, this.bH, this.b) ? 1 : 0;
      case FOp.Logic:
        return 0;
      default: // Inc, Dec, Res
        return this.cf;
    }
  }

  getZF(): number {
    if (this.op === FOp.Eager) return (this.bits >> 6) & 1;
    return (this.res | this.resH) === 0 ? 1 : 0;
  }

  getSF(): number {
    if (this.op === FOp.Eager) return (this.bits >> 7) & 1;
    return this.sz === 64 ? this.resH >>> 31 : (this.res >>> (this.sz - 1)) & 1;
  }

  getPF(): number {
    if (this.op === FOp.Eager) return (this.bits >> 2) & 1;
    return PARITY[this.res & 0xff]!;
  }

  getAF(): number {
    switch (this.op) {
      case FOp.Eager:
        return (this.bits >> 4) & 1;
      case FOp.Logic:
        return 0;
      case FOp.Res:
        return this.af;
      default:
        return ((this.a ^ this.b ^ this.res) >> 4) & 1;
    }
  }

  getOF(): number {
    let x: number;
    switch (this.op) {
      case FOp.Eager:
        return (this.bits >> 11) & 1;
      case FOp.Add:
      case FOp.Adc:
      case FOp.Inc:
        x = this.sz === 64 ? (this.aH ^ this.resH) & (this.bH ^ this.resH) : (this.a ^ this.res) & (this.b ^ this.res);
        break;
      case FOp.Sub:
      case FOp.Sbb:
      case FOp.Dec:
        x = this.sz === 64 ? (this.aH ^ this.bH) & (this.aH ^ this.resH) : (this.a ^ this.b) & (this.a ^ this.res);
        break;
      case FOp.Logic:
        return 0;
      default:
        return this.of;
    }
    return this.sz === 64 ? x >>> 31 : (x >>> (this.sz - 1)) & 1;
  }

  /** Materialize RFLAGS. The result is kept (op becomes Eager): the next read (syscall's r11, then the kernel's) costs nothing. */
  get(): number {
    if (this.op === FOp.Eager) return this.bits;
    const v =
      (this.bits & ~ARITH_MASK) |
      this.getCF() |
      (this.getPF() << 2) |
      (this.getAF() << 4) |
      (this.getZF() << 6) |
      (this.getSF() << 7) |
      (this.getOF() << 11);
    this.bits = v;
    this.op = FOp.Eager;
    return v;
  }

  /** Load RFLAGS (popf, sigreturn, sahf). Bit 1 is always set. */
  put(v: number): void {
    this.bits = (v | 2) >>> 0;
    this.op = FOp.Eager;
  }

  /** Change only CF (clc/stc/cmc, bt*, ...), keeping every other flag. */
  putCF(c: number): void {
    const f = this.get();
    this.put((f & ~CF) | c);
  }

  /** Evaluate a condition code (x86 cc nibble: 0=o 1=no 2=b 3=ae 4=e 5=ne 6=be 7=a 8=s 9=ns 10=p 11=np 12=l 13=ge 14=le 15=g). */
  cond(cc: number): boolean {
    // cmp/sub fast path: compare the operands directly
    if (this.op === FOp.Sub && cc !== 0 && cc !== 1 && cc !== 8 && cc !== 9 && cc !== 10 && cc !== 11) return this.condSub(cc);
    let r: number;
    switch (cc >> 1) {
      case 0:
        r = this.getOF();
        break;
      case 1:
        r = this.getCF();
        break;
      case 2:
        r = this.getZF();
        break;
      case 3:
        r = this.getCF() | this.getZF();
        break;
      case 4:
        r = this.getSF();
        break;
      case 5:
        r = this.getPF();
        break;
      case 6:
        r = this.getSF() ^ this.getOF();
        break;
      default:
        r = this.getZF() | (this.getSF() ^ this.getOF());
        break;
    }
    return (cc & 1) === 0 ? r !== 0 : r === 0;
  }

  private condSub(cc: number): boolean {
    let r: boolean;
    const a = this.a, b = this.b, aH = this.aH, bH = this.bH;
    switch (cc >> 1) {
      case 1: // b: unsigned a < b
        r = ltU(aH, a, bH, b);
        break;
      case 2: // e
        r = a === b && aH === bH;
        break;
      case 3: // be
        r = !ltU(bH, b, aH, a);
        break;
      case 6: // l: signed a < b
        r = this.signedLess(a, aH, b, bH, false);
        break;
      default: // le
        r = this.signedLess(a, aH, b, bH, true);
        break;
    }
    return (cc & 1) === 0 ? r : !r;
  }

  private signedLess(a: number, aH: number, b: number, bH: number, orEqual: boolean): boolean {
    if (this.sz === 64) {
      const sa = aH | 0, sb = bH | 0;
      if (sa !== sb) return sa < sb;
      return orEqual ? a >>> 0 <= b >>> 0 : a >>> 0 < b >>> 0;
    }
    const shift = 32 - this.sz;
    const sa = (a << shift) >> shift, sb = (b << shift) >> shift;
    return orEqual ? sa <= sb : sa < sb;
  }
}
