// Converted instructions by their bytes. toInsn reads ~20 fields of iced's
// Instruction, each a call into WASM (several returning BigInts): ~3 us per
// instruction, 6 cold, while decoding itself takes 0.2 us. The same bytes
// decode to the same Insn at any address, except for the targets of
// rip-relative operands and near branches, which move with it. So the first
// Insn decoded from some bytes becomes a template, and later ones are copies
// with addr, next and those targets moved (bench: hello-dyn/iostream-dyn
// start-up in bench/run.ts section 3; ld.so and the libraries repeat the
// same prologues, moves and calls). One cache per bitness, shared by every
// machine of the process: a notebook's second run starts warm.
//
// Bounded by generations, an approximate LRU that costs nothing on a hit: new
// templates go into the young map; when it is full, it becomes the old map and
// the previous old one is dropped; a template found in the old map moves back
// to the young one. A program's working set (hello-dyn ~5,800 templates,
// iostream-dyn ~8,600) stays; a long notebook session of many binaries keeps at
// most 2 x GENERATION templates (~20 MiB), where the clear-at-2^18 it replaced
// reached ~80 MiB.

import { OpK, type Insn, type Operand } from "./insn.js";

/** Templates per generation: ~300 bytes each with their operands, at most two generations kept. */
export const GENERATION = 1 << 14;
const TWO32 = 4294967296;

export class InsnCache {
  private young = new Map<string, Insn>();
  private old = new Map<string, Insn>();
  hits = 0;
  misses = 0;

  /** Templates kept now (at most 2 x GENERATION). */
  get size(): number {
    return this.young.size + this.old.size;
  }

  /** The cache key: the instruction's bytes as a string (at most 15 chars). */
  static key(bytes: Uint8Array, pos: number, len: number): string {
    let k = "";
    for (let j = pos; j < pos + len; j++) k += String.fromCharCode(bytes[j]!);
    return k;
  }

  /** A copy of the template for these bytes, placed at addr; undefined on a miss. */
  get(key: string, addr: number): Insn | undefined {
    let t = this.young.get(key);
    if (t === undefined) {
      t = this.old.get(key);
      if (t === undefined) {
        this.misses++;
        return undefined;
      }
      this.old.delete(key);
      this.set(key, t); // still in use: into the young generation
    }
    this.hits++;
    const delta = addr - t.addr;
    // a literal in toInsn's field order: the same hidden class, so the ops' property loads stay monomorphic
    // (a spread would make another); bytes are the key's, so the template's array is shared
    return {
      addr,
      len: t.len,
      next: t.next + delta,
      code: t.code,
      mnemonic: t.mnemonic,
      ops: delta === 0 ? t.ops : moveOps(t.ops, delta),
      cc: t.cc,
      rep: t.rep,
      repne: t.repne,
      lock: t.lock,
      flow: t.flow,
      opSize: t.opSize,
      memSize: t.memSize,
      bytes: t.bytes,
      spInc: t.spInc,
    };
  }

  set(key: string, insn: Insn): void {
    if (this.young.size >= GENERATION) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, insn);
  }
}

/** The operands with rip-relative displacements and branch targets moved by delta (others shared: operands are never mutated). */
function moveOps(ops: Operand[], delta: number): Operand[] {
  let out: Operand[] | undefined;
  for (let k = 0; k < ops.length; k++) {
    const o = ops[k]!;
    let moved: Operand | undefined;
    if (o.kind === OpK.Mem && o.ripRel) moved = withTarget(o, o.disp + delta, o.immLo, o.immHi);
    else if (o.kind === OpK.Rel) {
      const target = o.immHi * TWO32 + (o.immLo >>> 0) + delta;
      const hi = Math.floor(target / TWO32);
      moved = withTarget(o, o.disp, (target - hi * TWO32) | 0, hi | 0);
    }
    if (moved !== undefined) {
      out ??= ops.slice();
      out[k] = moved;
    }
  }
  return out ?? ops;
}

/** A copy of an operand with another displacement or immediate, in emptyOperand's field order (one hidden class). */
function withTarget(o: Operand, disp: number, immLo: number, immHi: number): Operand {
  return {
    kind: o.kind,
    size: o.size,
    cls: o.cls,
    reg: o.reg,
    high8: o.high8,
    base: o.base,
    index: o.index,
    scale: o.scale,
    disp,
    ripRel: o.ripRel,
    seg: o.seg,
    addrSize: o.addrSize,
    immLo,
    immHi,
  };
}
