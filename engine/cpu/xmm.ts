// The 16 XMM registers, one 256-byte buffer seen through typed-array views so
// that integer lanes, doubles and singles alias the same bits (v86 does the
// same for its general registers).

export class XmmFile {
  readonly buf = new ArrayBuffer(16 * 16 + 16);
  readonly u8 = new Uint8Array(this.buf);
  readonly u16 = new Uint16Array(this.buf);
  readonly i32 = new Int32Array(this.buf);
  readonly f32 = new Float32Array(this.buf);
  readonly f64 = new Float64Array(this.buf);
  readonly dv = new DataView(this.buf);
  /** Index of the scratch register (16) used to stage memory operands. */
  static readonly TMP = 16;
}
