// The 16 XMM registers, one buffer seen through typed-array views so that
// integer lanes, doubles and singles alias the same bits (v86 does the same
// for its general registers). Two extra slots follow the architectural ones:
// TMP stages a memory source operand, SCRATCH holds a snapshot of a
// destination that an instruction reads while writing it (shuffles, unpacks,
// packs), so no instruction allocates.
//
// Floating-point lanes are read through f64/f32, but NaN results are always
// written through the integer views: a NaN's sign and payload are
// architectural (printf prints "-nan" for the default NaN) and a JS engine may
// canonicalize a NaN it stores through a float view.

export class XmmFile {
  readonly buf = new ArrayBuffer(18 * 16);
  readonly u8 = new Uint8Array(this.buf);
  readonly u16 = new Uint16Array(this.buf);
  readonly i16 = new Int16Array(this.buf);
  readonly i8 = new Int8Array(this.buf);
  readonly i32 = new Int32Array(this.buf);
  readonly f32 = new Float32Array(this.buf);
  readonly f64 = new Float64Array(this.buf);
  readonly dv = new DataView(this.buf);
  /** Index of the scratch register (16) used to stage memory operands. */
  static readonly TMP = 16;
  /** Index of the slot (17) holding a snapshot of an operand being overwritten. */
  static readonly SCRATCH = 17;
}
