// A block of decoded instructions as JavaScript source (the jit tier's
// compiler; the design is in README.md next to this file).
//
// The generated function runs the block's first `compiled` instructions (all
// of them, or a prefix up to the first instruction it does not support) with
// the guest registers in JS locals, and returns how many instructions of the
// block it completed; the caller interprets the rest. It never throws: any
// memory access that misses the TLB fast path, and any branch to a
// non-canonical target, leaves the state exactly as before that instruction
// (registers and flags stored back) and returns its index, so the
// interpreter runs it: faults, page population, copy-on-write and the code
// write watch all stay on the interpreter's paths. A block whose last
// instruction branches back to its start runs as a loop, for as many passes
// as the instruction limit allows.

import type { Block } from "../cpu.js";
import { FOp } from "../flags.js";
import { Mnemonic } from "../iced.js";
import { OpK, type Insn, type Operand } from "../insn.js";
import { RegClass } from "../registers.js";
import { cfBool, condFromLocals, IN_FL, storeFlags, type FState } from "./flags-gen.js";
import { isStringMove, stringInsn } from "./string-gen.js";

const CANON = 0x800000000000;
const TWO32 = 4294967296;
const RSP = 4;
/** RFLAGS.TF (Fl.TF; a const enum's value, written out for the generated code). */
const TF = 0x100;

export interface BlockSource {
  /** The body of `function (room)`: room is the number of instructions the run may still retire. */
  body: string;
  /** Instructions compiled (a prefix of the block). */
  compiled: number;
  loop: boolean;
}

type Access = "r" | "w" | "rw";

export class Gen {
  readonly out: string[] = [];
  readonly regs = new Set<number>();
  readonly written = new Set<number>();
  fs: FState | undefined;
  /** Instructions compiled (liveness looks no further). */
  limit = 0;
  readonly sites: ((end: FState | undefined) => string)[] = [];
  k = 0;

  /** Region mode: the member blocks (b is the one being emitted, region[j]); undefined for a single block. */
  region: Block[] | undefined;
  j = 0;

  constructor(
    public b: Block,
    readonly loop: boolean,
  ) {}

  /**
   * Region mode: leave the function at the end of block j (its n instructions retired) for rip. Every exit of a
   * region goes through one tail that stores the registers, rip and cpu.jitBlock (generateRegion), not a copy of the
   * stores per exit site; an exit site sets locals only, so a cold exit's first run in V8-optimized code needs no
   * type feedback (a keyed load B[j] there deoptimized the whole function: 32 of 52 deopts in 3 strings runs).
   */
  leaveRegion(rip: string): string {
    const s = this.fs;
    return `{${s ? storeFlags(s) + ";" : ""}jb=${this.j};rp=${rip};x=${~this.b.n};break R;}`;
  }

  /** The register stores, filled in once every block of the region is emitted. */
  storeRegsSite(): string {
    return this.site(() => this.storeRegs());
  }

  /** A piece of code that depends on the block's final flags state or written registers (filled in at the end). */
  site(f: (end: FState | undefined) => string): string {
    this.sites.push(f);
    return `\u0000${this.sites.length - 1}\u0000`;
  }

  lo(r: number): string {
    this.regs.add(r);
    return `l${r}`;
  }

  hi(r: number): string {
    this.regs.add(r);
    return `h${r}`;
  }

  set64(r: number, lo: string, hi: string): void {
    this.written.add(r);
    this.regs.add(r);
    this.out.push(`l${r}=${lo};h${r}=${hi};`);
  }

  storeRegs(): string {
    let s = "";
    for (const r of this.written) s += `L[${r}]=l${r};H[${r}]=h${r};`;
    return s;
  }

  /** Leave before instruction k: the state is exactly the interpreter's before it. */
  bail(): string {
    const s = this.fs;
    const k = this.k;
    if (this.region) {
      return `{${s ? storeFlags(s) + ";" : ""}jb=${this.j};rp=${this.b.end};x=${~k};break R;}`;
    }
    return this.site((end) => {
      let f = "";
      if (s) f = storeFlags(s) + ";";
      else if (this.loop && end) f = `if(it!==0){${storeFlags(end)};}`;
      return `{${f}${this.storeRegs()}${this.loop ? `cpu.instret+=it*${this.b.n};` : ""}return ${k};}`;
    });
  }

  /** Flags as they are now: from the locals, or from cpu.fl on entry (in a loop: cpu.fl on the first pass only). */
  private flagsNow<T extends string>(local: (s: FState) => T, entry: string): string {
    const s = this.fs;
    if (s) return local(s);
    if (!this.loop) return entry;
    return this.site((end) => (end ? `(it===0?${entry}:${local(end)})` : entry));
  }

  cond(cc: number): string {
    return this.flagsNow((s) => condFromLocals(s, cc), `fl.cond(${cc})`);
  }

  /** CF as 0 or 1. */
  cf(): string {
    return this.flagsNow((s) => `(${cfBool(s)}?1:0)`, "fl.getCF()");
  }

  // ---- memory ----

  /** Effective address, as operands.ts makeEA computes it (the same double arithmetic). */
  ea(o: Operand): string {
    let e: string;
    const b = o.base, x = o.index, disp = o.disp;
    const reg = (r: number): string => `(${this.hi(r)}*${TWO32}+(${this.lo(r)}>>>0))`;
    if (o.ripRel) e = `(${disp})`;
    else if (o.addrSize === 4) {
      const sh = Math.log2(o.scale);
      if (b >= 0 && x >= 0) e = `((${this.lo(b)}+(${this.lo(x)}<<${sh})+(${disp}))>>>0)`;
      else if (b >= 0) e = `((${this.lo(b)}+(${disp}))>>>0)`;
      else if (x >= 0) e = `(((${this.lo(x)}<<${sh})+(${disp}))>>>0)`;
      else e = `(${disp}>>>0)`;
    } else if (b >= 0 && x >= 0) e = `${reg(b)}+${reg(x)}*${o.scale}${disp === 0 ? "" : `+(${disp})`}`;
    else if (b >= 0) e = `${reg(b)}${disp === 0 ? "" : `+(${disp})`}`;
    else if (x >= 0) e = `${reg(x)}*${o.scale}+(${disp})`;
    else e = `(${disp})`;
    if (o.seg === 4) return `(${e})+cpu.fsBase`;
    if (o.seg === 5) return `(${e})+cpu.gsBase`;
    return e;
  }

  /** TLB fast path for `size` bytes at address expression a (the hit tests of AddressSpace.readN/writeN); names its DataView and offset. */
  access(a: string, size: number, acc: Access): { dv: string; off: string } {
    const k = this.k;
    const n = this.out.length;
    const [A, O, P, T, D] = [`a${k}_${n}`, `o${k}_${n}`, `p${k}_${n}`, `t${k}_${n}`, `d${k}_${n}`];
    let miss = acc === "r" ? `rT[${T}]!==${P}` : acc === "w" ? `wT[${T}]!==${P}` : `rT[${T}]!==${P}||wT[${T}]!==${P}`;
    if (size > 1) miss += `||${O}>${4096 - size}`;
    this.out.push(`const ${A}=${a};const ${O}=${A}&4095;const ${P}=(${A}-${O})/4096;const ${T}=${P}&1023;if(${miss})${this.bail()}const ${D}=${acc === "r" ? "rD" : "wD"}[${T}];`);
    return { dv: D, off: O };
  }

  // ---- operands (values of <= 32 bits are int32 for size 4, masked for 1 and 2) ----

  readReg(o: Operand, size: number): string {
    const l = this.lo(o.reg);
    if (o.high8) return `((${l}>>8)&255)`;
    if (size === 1) return `(${l}&255)`;
    if (size === 2) return `(${l}&65535)`;
    return l;
  }

  writeReg(o: Operand, size: number, v: string): void {
    const r = o.reg;
    this.written.add(r);
    this.regs.add(r);
    if (o.high8) this.out.push(`l${r}=(l${r}&~65280)|((${v})&255)<<8;`);
    else if (size === 1) this.out.push(`l${r}=(l${r}&~255)|((${v})&255);`);
    else if (size === 2) this.out.push(`l${r}=(l${r}&~65535)|((${v})&65535);`);
    else this.out.push(`l${r}=${v};h${r}=0;`);
  }

  imm(o: Operand, size: number): string {
    return size === 4 ? `(${o.immLo | 0})` : `${(o.immLo >>> 0) & mask(size)}`;
  }

  imm64(o: Operand): [string, string] {
    return [`(${o.immLo | 0})`, `(${o.size === 8 ? o.immHi | 0 : o.immLo >> 31})`];
  }

  load(dv: string, off: string, size: number): string {
    return size === 4 ? `${dv}.getInt32(${off},true)` : size === 2 ? `${dv}.getUint16(${off},true)` : `${dv}.getUint8(${off})`;
  }

  store(dv: string, off: string, size: number, v: string): string {
    return size === 4 ? `${dv}.setInt32(${off},${v},true);` : size === 2 ? `${dv}.setUint16(${off},${v},true);` : `${dv}.setUint8(${off},${v});`;
  }

  tmp(name: string, v: string): string {
    const t = `${name}${this.k}_${this.out.length}`;
    this.out.push(`const ${t}=${v};`);
    return t;
  }
}

function mask(size: number): number {
  return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
}

function isGpr(o: Operand | undefined): boolean {
  return o !== undefined && o.kind === OpK.Reg && o.cls === RegClass.Gpr;
}

function isRm(o: Operand | undefined): boolean {
  return o !== undefined && (isGpr(o) || o.kind === OpK.Mem);
}

function target(o: Operand): number {
  return o.immHi * TWO32 + (o.immLo >>> 0);
}

const ALU: Partial<Record<Mnemonic, [FOp, boolean]>> = {
  [Mnemonic.Add]: [FOp.Add, true],
  [Mnemonic.Sub]: [FOp.Sub, true],
  [Mnemonic.And]: [FOp.Logic, true],
  [Mnemonic.Or]: [FOp.Logic, true],
  [Mnemonic.Xor]: [FOp.Logic, true],
  [Mnemonic.Cmp]: [FOp.Sub, false],
  [Mnemonic.Test]: [FOp.Logic, false],
};

const LOGIC: Partial<Record<Mnemonic, string>> = { [Mnemonic.And]: "&", [Mnemonic.Or]: "|", [Mnemonic.Xor]: "^", [Mnemonic.Test]: "&" };

/** Two-operand ALU instruction (flags as Flags.set/set64 record them). */
function alu(g: Gen, insn: Insn): boolean {
  const spec = ALU[insn.mnemonic];
  const [d, s] = insn.ops;
  if (!spec || !isRm(d) || s === undefined || !(isGpr(s) || s.kind === OpK.Imm || s.kind === OpK.Mem)) return false;
  if (d.kind === OpK.Mem && s.kind === OpK.Mem) return false;
  const [op, store] = spec;
  const size = d.size;
  const logic = LOGIC[insn.mnemonic];
  // source
  let b: string, bH = "0";
  if (s.kind === OpK.Mem) {
    const m = g.access(g.ea(s), size === 8 ? 8 : size, "r");
    if (size === 8) {
      b = g.tmp("b", g.load(m.dv, m.off, 4));
      bH = g.tmp("bh", `${m.dv}.getInt32(${m.off}+4,true)`);
    } else b = g.tmp("b", g.load(m.dv, m.off, size));
  } else if (s.kind === OpK.Imm) {
    if (size === 8) [b, bH] = g.imm64(s);
    else b = g.imm(s, size);
  } else if (size === 8) {
    b = g.tmp("b", g.lo(s.reg));
    bH = g.tmp("bh", g.hi(s.reg));
  } else b = g.tmp("b", g.readReg(s, size));
  // destination
  let a: string, aH = "0";
  let put: (lo: string, hi: string) => void;
  if (d.kind === OpK.Mem) {
    const m = g.access(g.ea(d), size, store ? "rw" : "r");
    if (size === 8) {
      a = g.tmp("a", `${m.dv}.getInt32(${m.off},true)`);
      aH = g.tmp("ah", `${m.dv}.getInt32(${m.off}+4,true)`);
      put = (lo, hi) => g.out.push(`${m.dv}.setInt32(${m.off},${lo},true);${m.dv}.setInt32(${m.off}+4,${hi},true);`);
    } else {
      a = g.tmp("a", g.load(m.dv, m.off, size));
      put = (lo) => g.out.push(g.store(m.dv, m.off, size, lo));
    }
  } else if (size === 8) {
    a = g.tmp("a", g.lo(d.reg));
    aH = g.tmp("ah", g.hi(d.reg));
    put = (lo, hi) => g.set64(d.reg, lo, hi);
  } else {
    a = g.tmp("a", g.readReg(d, size));
    put = (lo) => g.writeReg(d, size, lo);
  }
  let r: string, rH = "0";
  if (size === 8) {
    if (logic) {
      r = g.tmp("r", `${a}${logic}${b}`);
      rH = g.tmp("rh", `${aH}${logic}${bH}`);
    } else if (op === FOp.Add) {
      const t = g.tmp("s", `(${a}>>>0)+(${b}>>>0)`);
      r = g.tmp("r", `${t}|0`);
      rH = g.tmp("rh", `(${aH}+${bH}+(${t}>4294967295?1:0))|0`);
    } else {
      const t = g.tmp("s", `(${a}>>>0)-(${b}>>>0)`);
      r = g.tmp("r", `${t}|0`);
      rH = g.tmp("rh", `(${aH}-${bH}-(${t}<0?1:0))|0`);
    }
    g.out.push(`fa=${a};faH=${aH};fb=${b};fbH=${bH};fr=${r};frH=${rH};`);
  } else {
    const sym = logic ?? (op === FOp.Add ? "+" : "-");
    r = g.tmp("r", size === 4 ? `(${a}${sym}${b})|0` : logic ? `${a}${sym}${b}` : `(${a}${sym}${b})&${mask(size)}`);
    g.out.push(`fa=${a};fb=${b};fr=${r};`);
  }
  g.fs = { op, sz: size * 8 };
  if (store) put(r, rH);
  return true;
}

/** inc/dec on a register: CF kept (saved in fcf, as the interpreter's Inc/Dec record does). */
function incDec(g: Gen, insn: Insn): boolean {
  const d = insn.ops[0];
  if (!isGpr(d) || (d.size !== 4 && d.size !== 8)) return false;
  const inc = insn.mnemonic === Mnemonic.Inc;
  const c = g.tmp("c", g.cf());
  if (d.size === 8) {
    const a = g.tmp("a", g.lo(d.reg)), aH = g.tmp("ah", g.hi(d.reg));
    const t = g.tmp("s", inc ? `(${a}>>>0)+1` : `(${a}>>>0)-1`);
    const r = g.tmp("r", `${t}|0`);
    const rH = g.tmp("rh", inc ? `(${aH}+(${t}>4294967295?1:0))|0` : `(${aH}-(${t}<0?1:0))|0`);
    g.out.push(`fa=${a};faH=${aH};fb=1;fbH=0;fr=${r};frH=${rH};fcf=${c};`);
    g.set64(d.reg, r, rH);
  } else {
    const a = g.tmp("a", g.lo(d.reg));
    const r = g.tmp("r", inc ? `(${a}+1)|0` : `(${a}-1)|0`);
    g.out.push(`fa=${a};fb=1;fr=${r};fcf=${c};`);
    g.writeReg(d, 4, r);
  }
  g.fs = { op: inc ? FOp.Inc : FOp.Dec, sz: d.size * 8 };
  return true;
}

/** shl/shr/sar of a register by an immediate count (shift.ts: shift64 / shiftN, flags as setRes records them). */
function shiftImm(g: Gen, insn: Insn): boolean {
  const [d, c] = insn.ops;
  if (!isGpr(d) || (d.size !== 4 && d.size !== 8)) return false;
  if (c !== undefined && c.kind !== OpK.Imm) return false;
  const n = c === undefined ? 1 : c.immLo & (d.size === 8 ? 63 : 31);
  const kind = insn.mnemonic === Mnemonic.Shl ? "shl" : insn.mnemonic === Mnemonic.Shr ? "shr" : "sar";
  if (n === 0) {
    if (d.size === 4) g.writeReg(d, 4, g.lo(d.reg)); // a 32-bit destination is zero-extended even for a zero count
    return true;
  }
  if (d.size === 8) {
    const lo = g.tmp("a", g.lo(d.reg)), hi = g.tmp("ah", g.hi(d.reg));
    const bit = (i: number): string => (i < 32 ? `((${lo}>>>${i})&1)` : `((${hi}>>>${i - 32})&1)`);
    let rl: string, rh: string, cf: string, of: string;
    if (kind === "shl") {
      cf = bit(64 - n);
      if (n < 32) {
        rh = `(${hi}<<${n})|(${lo}>>>${32 - n})`;
        rl = `${lo}<<${n}`;
      } else {
        rh = `${lo}<<${n - 32}`;
        rl = "0";
      }
    } else {
      cf = bit(n - 1);
      const sgn = kind === "sar" ? ">>" : ">>>";
      if (n < 32) {
        rl = `(${lo}>>>${n})|(${hi}<<${32 - n})`;
        rh = `${hi}${sgn}${n}`;
      } else {
        rl = `${hi}${sgn}${n - 32}`;
        rh = kind === "sar" ? `${hi}>>31` : "0";
      }
    }
    const R = g.tmp("r", `(${rl})|0`), RH = g.tmp("rh", `(${rh})|0`);
    const C = g.tmp("c", cf);
    if (kind === "shl") of = `((${RH}>>>31)^${C})&1`;
    else if (kind === "shr") of = n === 1 ? `${hi}>>>31` : "0";
    else of = "0";
    g.out.push(`fr=${R};frH=${RH};fcf=${C};fof=${of};`);
    g.set64(d.reg, R, RH);
  } else {
    const v = g.tmp("a", g.lo(d.reg)); // int32; the interpreter's unsigned v has the same bits
    let r: string, cf: string, of: string;
    if (kind === "shl") {
      cf = `(${v}>>>${32 - n})&1`;
      r = `${v}<<${n}`;
    } else if (kind === "shr") {
      cf = `(${v}>>>${n - 1})&1`;
      r = `${v}>>>${n}`;
    } else {
      cf = `(${v}>>${n - 1})&1`;
      r = `${v}>>${n}`;
    }
    const R = g.tmp("r", `(${r})|0`);
    const C = g.tmp("c", cf);
    if (kind === "shl") of = `((${R}>>>31)^${C})&1`;
    else if (kind === "shr") of = n === 1 ? `(${v}>>>31)&1` : "0";
    else of = "0";
    g.out.push(`fr=${R};fcf=${C};fof=${of};`);
    g.writeReg(d, 4, R);
  }
  g.fs = { op: FOp.Res, sz: d.size * 8 };
  return true;
}

/** The destination and the two factors of a two- or three-operand imul of this size (muldiv.ts imulMulti), if it is one. */
function imulOperands(insn: Insn, size: number): [Operand, Operand, Operand] | undefined {
  const [d, s1, s2] = insn.ops;
  if (insn.ops.length < 2 || !isGpr(d) || d!.size !== size) return undefined;
  return [d!, s2 ? s1! : d!, s2 ?? s1!];
}

/** Two- and three-operand imul, 64-bit, register and immediate operands (mulS64 into the product words PW). */
function imul64(g: Gen, insn: Insn): boolean {
  const ops = imulOperands(insn, 8);
  if (ops === undefined) return false;
  const [d, a, b] = ops;
  const val = (o: Operand): [string, string] | undefined => (isGpr(o) ? [g.lo(o.reg), g.hi(o.reg)] : o.kind === OpK.Imm ? g.imm64(o) : undefined);
  const x = val(a), y = val(b);
  if (x === undefined || y === undefined) return false;
  if (!flagsLive(g.b, g.k, g.limit)) {
    // flags dead (overwritten before any reader or exit): the low 64 bits of the product inline, no 128-bit product
    const [aL, aH] = [g.tmp("x", x[0]), g.tmp("xh", x[1])];
    const [bL, bH] = [g.tmp("y", y[0]), g.tmp("yh", y[1])];
    const a0 = g.tmp("a0", `${aL}&65535`), a1 = g.tmp("a1", `${aL}>>>16`), b0 = g.tmp("b0", `${bL}&65535`), b1 = g.tmp("b1", `${bL}>>>16`);
    const mid = g.tmp("m", `${a0}*${b1}+${a1}*${b0}+((${a0}*${b0})>>>16)`);
    const R = g.tmp("r", `Math.imul(${aL},${bL})`);
    const RH = g.tmp("rh", `(${a1}*${b1}+Math.floor(${mid}/65536)+Math.imul(${aL},${bH})+Math.imul(${aH},${bL}))|0`);
    g.out.push(`fr=${R};frH=${RH};fcf=0;fof=0;`);
    g.fs = { op: FOp.Res, sz: 64 };
    g.set64(d.reg, R, RH);
    return true;
  }
  g.out.push(`mulS64(${x[0]},${x[1]},${y[0]},${y[1]});`);
  const R = g.tmp("r", "PW[0]|0"), RH = g.tmp("rh", "PW[1]|0");
  const O = g.tmp("v", `PW[2]!==(${RH}<0?4294967295:0)||PW[3]!==(${RH}<0?4294967295:0)?1:0`);
  g.out.push(`fr=${R};frH=${RH};fcf=${O};fof=${O};`);
  g.fs = { op: FOp.Res, sz: 64 };
  g.set64(d.reg, R, RH);
  return true;
}

/** One-operand mul, 32 or 64 bits (muldiv.ts mulOne): rdx:rax = rax * src, CF = OF = (rdx != 0), flags as setRes records them. */
function mulOne(g: Gen, insn: Insn): boolean {
  const s = insn.ops[0];
  if (insn.ops.length !== 1 || !isRm(s) || (s!.size !== 4 && s!.size !== 8)) return false;
  const size = s!.size;
  let bL: string, bH = "0";
  if (s!.kind === OpK.Mem) {
    const m = g.access(g.ea(s!), size, "r");
    bL = g.tmp("y", `${m.dv}.getInt32(${m.off},true)`);
    if (size === 8) bH = g.tmp("yh", `${m.dv}.getInt32(${m.off}+4,true)`);
  } else {
    bL = g.tmp("y", g.lo(s!.reg));
    if (size === 8) bH = g.tmp("yh", g.hi(s!.reg));
  }
  if (size === 8) {
    g.out.push(`mulU64(${g.lo(0)},${g.hi(0)},${bL},${bH});`);
    const R = g.tmp("r", "PW[0]|0"), RH = g.tmp("rh", "PW[1]|0"), D = g.tmp("d", "PW[2]|0"), DH = g.tmp("dh", "PW[3]|0");
    const O = g.tmp("v", `(${D}|${DH})!==0?1:0`);
    g.out.push(`fr=${R};frH=${RH};fcf=${O};fof=${O};`);
    g.fs = { op: FOp.Res, sz: 64 };
    g.set64(0, R, RH);
    g.set64(2, D, DH);
    return true;
  }
  // 32 x 32: the low word by Math.imul, the high one from 16-bit partial products (muldiv.ts mulHiU32)
  const aL = g.tmp("x", g.lo(0));
  const a0 = g.tmp("a0", `${aL}&65535`), a1 = g.tmp("a1", `${aL}>>>16`), b0 = g.tmp("b0", `${bL}&65535`), b1 = g.tmp("b1", `${bL}>>>16`);
  const mid = g.tmp("m", `${a0}*${b1}+${a1}*${b0}+((${a0}*${b0})>>>16)`);
  const R = g.tmp("r", `Math.imul(${aL},${bL})`);
  const D = g.tmp("d", `(${a1}*${b1}+Math.floor(${mid}/65536))|0`);
  const O = g.tmp("v", `${D}!==0?1:0`);
  g.out.push(`fr=${R};fcf=${O};fof=${O};`);
  g.fs = { op: FOp.Res, sz: 32 };
  g.set64(0, R, "0");
  g.set64(2, D, "0");
  return true;
}

/** CF and OF after a rotate (shift.ts): low word lo, top word top (the same for 32 bits). */
function rotateCfOf(left: boolean, lo: string, top: string): [string, string] {
  if (left) return [`(${lo}&1)`, `(((${top}>>>31)^${lo})&1)`];
  return [`(${top}>>>31)`, `(((${top}>>>31)^(${top}>>>30))&1)`];
}

/** rol/ror of a register by an immediate (shift.ts: rotates write only CF and OF, through Flags.get/put); the flag update is left out when dead. */
function rotateImm(g: Gen, insn: Insn, flagsLive: boolean): boolean {
  const [d, c] = insn.ops;
  if (!isGpr(d) || (d.size !== 4 && d.size !== 8)) return false;
  if (c !== undefined && c.kind !== OpK.Imm) return false;
  const n = c === undefined ? 1 : c.immLo & (d.size === 8 ? 63 : 31);
  const left = insn.mnemonic === Mnemonic.Rol;
  if (n === 0) {
    if (d.size === 4) g.writeReg(d, 4, g.lo(d.reg));
    return true;
  }
  let cf: string, of: string;
  if (d.size === 8) {
    const lo = g.tmp("a", g.lo(d.reg)), hi = g.tmp("ah", g.hi(d.reg));
    const k = left ? n : 64 - n; // ror n = rol 64-n
    let rl: string, rh: string;
    if (k === 32) [rl, rh] = [hi, lo];
    else if (k < 32) [rl, rh] = [`(${lo}<<${k})|(${hi}>>>${32 - k})`, `(${hi}<<${k})|(${lo}>>>${32 - k})`];
    else [rl, rh] = [`(${hi}<<${k - 32})|(${lo}>>>${64 - k})`, `(${lo}<<${k - 32})|(${hi}>>>${64 - k})`];
    const R = g.tmp("r", `(${rl})|0`), RH = g.tmp("rh", `(${rh})|0`);
    [cf, of] = rotateCfOf(left, R, RH);
    g.set64(d.reg, R, RH);
  } else {
    const v = g.tmp("a", g.lo(d.reg));
    const R = g.tmp("r", left ? `(${v}<<${n})|(${v}>>>${32 - n})` : `(${v}>>>${n})|(${v}<<${32 - n})`);
    [cf, of] = rotateCfOf(left, R, R);
    g.writeReg(d, 4, R);
  }
  if (flagsLive) {
    const s = g.fs;
    g.out.push(`${s ? storeFlags(s) + ";" : ""}fl.put((fl.get()&~2049)|${cf}|(${of}<<11));`);
    g.fs = IN_FL;
  }
  return true;
}

/** Two- and three-operand imul, 32-bit (muldiv.ts imulMulti). */
function imul32(g: Gen, insn: Insn): boolean {
  const ops = imulOperands(insn, 4);
  if (ops === undefined) return false;
  const [d, a, b] = ops;
  const val = (o: Operand): string | undefined => {
    if (isGpr(o)) return g.lo(o.reg);
    if (o.kind === OpK.Imm) return `(${o.immLo | 0})`;
    return undefined;
  };
  let x: string | undefined, y: string | undefined;
  if (a.kind === OpK.Mem || b.kind === OpK.Mem) {
    const mo = a.kind === OpK.Mem ? a : b;
    if (!(isGpr(a === mo ? b : a) || (a === mo ? b : a).kind === OpK.Imm)) return false;
    const m = g.access(g.ea(mo), 4, "r");
    const mv = g.load(m.dv, m.off, 4);
    x = a === mo ? mv : val(a);
    y = b === mo ? mv : val(b);
  } else {
    x = val(a);
    y = val(b);
  }
  if (x === undefined || y === undefined) return false;
  const X = g.tmp("x", x), Y = g.tmp("y", y);
  const P = g.tmp("p", `${X}*${Y}`);
  const R = g.tmp("r", `Math.imul(${X},${Y})`);
  const O = g.tmp("v", `${P}<-2147483648||${P}>2147483647?1:0`);
  g.out.push(`fr=${R};fcf=${O};fof=${O};`);
  g.fs = { op: FOp.Res, sz: 32 };
  g.writeReg(d, 4, R);
  return true;
}

/** not/neg of a register (alu.ts unary: not leaves the flags, neg records Sub 0 - v). */
function notNeg(g: Gen, insn: Insn): boolean {
  const d = insn.ops[0];
  if (!isGpr(d)) return false;
  const neg = insn.mnemonic === Mnemonic.Neg;
  const size = d!.size;
  if (size === 8) {
    const lo = g.tmp("a", g.lo(d!.reg)), hi = g.tmp("ah", g.hi(d!.reg));
    if (!neg) {
      g.set64(d!.reg, `~${lo}`, `~${hi}`);
      return true;
    }
    const t = g.tmp("s", `0-(${lo}>>>0)`);
    const R = g.tmp("r", `${t}|0`), RH = g.tmp("rh", `(0-${hi}-(${t}<0?1:0))|0`);
    g.out.push(`fa=0;faH=0;fb=${lo};fbH=${hi};fr=${R};frH=${RH};`);
    g.fs = { op: FOp.Sub, sz: 64 };
    g.set64(d!.reg, R, RH);
    return true;
  }
  const v = g.tmp("a", g.readReg(d!, size));
  if (!neg) {
    g.writeReg(d!, size, size === 4 ? `~${v}` : `(~${v})&${mask(size)}`);
    return true;
  }
  const R = g.tmp("r", size === 4 ? `(0-${v})|0` : `(0-${v})&${mask(size)}`);
  g.out.push(`fa=0;fb=${v};fr=${R};`);
  g.fs = { op: FOp.Sub, sz: size * 8 };
  g.writeReg(d!, size, R);
  return true;
}

/** cmovcc (mov.ts cmov: the source is read, and may fault, whatever the condition; a 32-bit destination is zero-extended either way). */
function cmov(g: Gen, insn: Insn): boolean {
  const [d, s] = insn.ops;
  if (!isGpr(d) || s === undefined || !(isGpr(s) || s.kind === OpK.Mem) || (d!.size !== 4 && d!.size !== 8)) return false;
  const r = d!.reg;
  let lo: string, hi = "0";
  if (s.kind === OpK.Mem) {
    const m = g.access(g.ea(s), d!.size, "r");
    lo = g.tmp("v", `${m.dv}.getInt32(${m.off},true)`);
    if (d!.size === 8) hi = g.tmp("vh", `${m.dv}.getInt32(${m.off}+4,true)`);
  } else {
    lo = g.tmp("v", g.lo(s.reg));
    if (d!.size === 8) hi = g.tmp("vh", g.hi(s.reg));
  }
  const c = g.tmp("c", g.cond(insn.cc));
  const ol = g.lo(r), oh = g.hi(r);
  g.set64(r, `${c}?${lo}:${ol}`, d!.size === 8 ? `${c}?${hi}:${oh}` : "0");
  return true;
}

/** setcc to a byte register or memory. */
function setcc(g: Gen, insn: Insn): boolean {
  const d = insn.ops[0];
  if (d === undefined || !(isGpr(d) || d.kind === OpK.Mem) || d.size !== 1) return false;
  const v = g.tmp("c", `${g.cond(insn.cc)}?1:0`);
  if (d.kind === OpK.Mem) {
    const m = g.access(g.ea(d), 1, "w");
    g.out.push(g.store(m.dv, m.off, 1, v));
  } else g.writeReg(d, 1, v);
  return true;
}

/** cwde/cdqe/cdq/cqo (mov.ts widen, signFill). */
function widen(g: Gen, insn: Insn): boolean {
  switch (insn.mnemonic) {
    case Mnemonic.Cwde:
      g.set64(0, `(${g.lo(0)}<<16)>>16`, "0");
      return true;
    case Mnemonic.Cdqe:
      g.set64(0, g.lo(0), `${g.lo(0)}>>31`);
      return true;
    case Mnemonic.Cdq:
      g.set64(2, `${g.lo(0)}>>31`, "0");
      return true;
    case Mnemonic.Cqo: {
      const s = g.tmp("s", `${g.hi(0)}>>31`);
      g.set64(2, s, s);
      return true;
    }
    default:
      return false;
  }
}

function mov(g: Gen, insn: Insn): boolean {
  const [d, s] = insn.ops;
  if (!isRm(d) || s === undefined || !(isGpr(s) || s.kind === OpK.Imm || s.kind === OpK.Mem)) return false;
  if (d.kind === OpK.Mem && s.kind === OpK.Mem) return false;
  const size = d.size;
  if (size === 8) {
    let lo: string, hi: string;
    if (s.kind === OpK.Imm) [lo, hi] = g.imm64(s);
    else if (s.kind === OpK.Mem) {
      const m = g.access(g.ea(s), 8, "r");
      lo = g.tmp("v", `${m.dv}.getInt32(${m.off},true)`);
      hi = g.tmp("vh", `${m.dv}.getInt32(${m.off}+4,true)`);
    } else {
      lo = g.lo(s.reg);
      hi = g.hi(s.reg);
    }
    if (d.kind === OpK.Mem) {
      const m = g.access(g.ea(d), 8, "w");
      g.out.push(`${m.dv}.setInt32(${m.off},${lo},true);${m.dv}.setInt32(${m.off}+4,${hi},true);`);
    } else g.set64(d.reg, lo, hi);
    return true;
  }
  let v: string;
  if (s.kind === OpK.Imm) v = g.imm(s, size);
  else if (s.kind === OpK.Mem) {
    const m = g.access(g.ea(s), size, "r");
    v = g.tmp("v", g.load(m.dv, m.off, size));
  } else v = g.tmp("v", g.readReg(s, size));
  if (d.kind === OpK.Mem) {
    const m = g.access(g.ea(d), size, "w");
    g.out.push(g.store(m.dv, m.off, size, v));
  } else g.writeReg(d, size, v);
  return true;
}

/** movzx/movsx/movsxd (mov.ts extend). */
function extend(g: Gen, insn: Insn, signed: boolean): boolean {
  const [d, s] = insn.ops;
  if (!isGpr(d) || s === undefined || !(isGpr(s) || s.kind === OpK.Mem)) return false;
  const ss = s.size;
  let v: string;
  if (s.kind === OpK.Mem) {
    const m = g.access(g.ea(s), ss, "r");
    v = g.tmp("v", g.load(m.dv, m.off, ss));
  } else v = g.tmp("v", g.readReg(s, ss));
  if (signed) v = g.tmp("x", ss === 4 ? `${v}|0` : `(${v}<<${32 - ss * 8})>>${32 - ss * 8}`);
  if (d.size === 8) g.set64(d.reg, v, signed ? `${v}>>31` : "0");
  else g.writeReg(d, d.size, v);
  return true;
}

/** lea (operands.ts leaParts: exact 64-bit modular arithmetic). */
function lea(g: Gen, insn: Insn): boolean {
  const [d, s] = insn.ops;
  if (!isGpr(d) || s === undefined || s.kind !== OpK.Mem || (d.size !== 4 && d.size !== 8)) return false;
  const dispLo = s.disp | 0;
  const dispHi = s.disp < 0 ? -1 : Math.floor(s.disp / TWO32) | 0;
  const k = `${g.k}_${g.out.length}`;
  let code = `let el${k}=${dispLo >>> 0},eh${k}=(${dispHi});`;
  if (!s.ripRel) {
    if (s.base >= 0) code += `{const s=el${k}+(${g.lo(s.base)}>>>0);el${k}=s>>>0;eh${k}=(eh${k}+${g.hi(s.base)}+(s>4294967295?1:0))|0;}`;
    if (s.index >= 0) {
      const sh = Math.log2(s.scale);
      const xl = sh ? `((${g.lo(s.index)}<<${sh})>>>0)` : `(${g.lo(s.index)}>>>0)`;
      const xh = sh ? `((${g.hi(s.index)}<<${sh})|(${g.lo(s.index)}>>>${32 - sh}))` : g.hi(s.index);
      code += `{const s=el${k}+${xl};el${k}=s>>>0;eh${k}=(eh${k}+${xh}+(s>4294967295?1:0))|0;}`;
    }
  }
  g.out.push(code);
  if (d.size === 8 && s.addrSize === 8) g.set64(d.reg, `el${k}|0`, `eh${k}`);
  else g.set64(d.reg, `el${k}|0`, "0");
  return true;
}

/** rsp += delta (stack.ts spAdd). */
function spAdd(g: Gen, delta: number): void {
  const t = g.tmp("sp", `(${g.lo(RSP)}>>>0)+(${delta})`);
  g.set64(RSP, `${t}|0`, `${t}>4294967295?(${g.hi(RSP)}+1)|0:${t}<0?(${g.hi(RSP)}-1)|0:${g.hi(RSP)}`);
}

function push(g: Gen, lo: string, hi: string): void {
  const m = g.access(`${g.hi(RSP)}*${TWO32}+(${g.lo(RSP)}>>>0)-8`, 8, "w");
  g.out.push(`${m.dv}.setInt32(${m.off},${lo},true);${m.dv}.setInt32(${m.off}+4,${hi},true);`);
  spAdd(g, -8);
}

/** pop: returns temps holding the value; rsp is incremented. */
function pop(g: Gen): [string, string] {
  const m = g.access(`${g.hi(RSP)}*${TWO32}+(${g.lo(RSP)}>>>0)`, 8, "r");
  const lo = g.tmp("v", `${m.dv}.getInt32(${m.off},true)`);
  const hi = g.tmp("vh", `${m.dv}.getInt32(${m.off}+4,true)`);
  spAdd(g, 8);
  return [lo, hi];
}

/** A branch target read from a register or memory (jmp/call indirect), with the interpreter's canonical check. */
function indirect(g: Gen, o: Operand): string | undefined {
  if (o.size !== 8) return undefined;
  let lo: string, hi: string;
  if (isGpr(o)) {
    lo = g.lo(o.reg);
    hi = g.hi(o.reg);
  } else if (o.kind === OpK.Mem) {
    const m = g.access(g.ea(o), 8, "r");
    lo = `${m.dv}.getInt32(${m.off},true)`;
    hi = `${m.dv}.getInt32(${m.off}+4,true)`;
  } else return undefined;
  const t = g.tmp("t", `${hi}*${TWO32}+(${lo}>>>0)`);
  g.out.push(`if(!(${t}>=${-CANON}&&${t}<${CANON}))${g.bail()}`);
  return t;
}

/** Taken branch to a known target: in a loop block, a branch back to the start goes round again while the limit allows. */
function jumpTo(g: Gen, t: number | string): string {
  if (g.region) return goTo(g, t as number);
  if (g.loop && t === g.b.addr) {
    return `{if(it<lim){it++;continue;}${g.site((end) => (end ? storeFlags(end) + ";" : ""))}${g.storeRegs()}cpu.rip=${t};cpu.instret+=it*${g.b.n};return ${g.b.n};}`;
  }
  return `cpu.rip=${t};`;
}

/**
 * Region mode: go on at address t. A member block starts there: store the flags (each member starts with them in
 * cpu.fl), count this block, and continue with it while the instruction limit allows; else leave with rip = t.
 */
function goTo(g: Gen, t: number): string {
  const m = g.region!.findIndex((x) => x.addr === t);
  const leave = g.leaveRegion(`${t}`);
  if (m < 0) return `{${leave}}`;
  const s = g.fs;
  // the member starts with the flags in cpu.fl, unless it overwrites them all before any reader or possible exit
  const to = g.region![m]!;
  const store = s !== undefined && flagsLive(to, -1, to.n);
  return `{if(ic+${g.b.n + to.n}<=room){${store ? storeFlags(s) + ";" : ""}ic+=${g.b.n};pc=${m};continue;}${leave}}`;
}

/**
 * Region mode: int3 (a uprobe's breakpoint, mostly) is handled without leaving the function: the state is stored
 * back, the int3 retired, and cpu.jitTrap runs the trap handler as Cpu.run would after an interpreted int3. When
 * run() would go on, the locals are reloaded (the handler may have moved rsp, rip, memory) and execution continues
 * at the member block that starts at the new rip (an emulated push: the probed function's next block), if the
 * region is still valid (a handler may rewrite code: the nop5 optimization, a new probe) and TF is clear; else the
 * function leaves with cpu.jitBlock undefined. Saves two block dispatches per emulated hit. syscall is handled the
 * same way (the nop5 path's sys_uprobe, and every system call). An exec in the handler (Cpu.attach) both marks the
 * old blocks invalid and flushes the jit, so either check stops the region; B[0].jit is the cheaper one to keep.
 */
function trap(g: Gen, syscall: boolean): string {
  const s = g.fs;
  const n = g.b.n;
  // syscall: the CPU's part first (ops/system.ts): rcx = the next rip, r11 = rflags without RF
  const next = g.b.insns[g.k]!.next;
  const cpuPart = syscall ? `L[1]=${next | 0};H[1]=${Math.floor(next / TWO32) | 0};L[11]=fl.get()&~65536;H[11]=0;` : "";
  const cases = g.region!.map((m, i) => `case ${m.addr}:if(${m.n}<=room){pc=${i};continue;}break;`).join("");
  const reload = g.site(() => [...g.regs].map((r) => `l${r}=L[${r}];h${r}=H[${r}];`).join(""));
  return (
    `{${s ? storeFlags(s) + ";" : ""}${g.storeRegsSite()}${cpuPart}cpu.instret+=ic+${n};room-=ic+${n};ic=0;cpu.rip=${g.b.end};` +
    `if(!cpu.jitTrap(B[${g.j}],${syscall ? 1 : 2})){cpu.jitBlock=undefined;return -1;}${reload}` +
    `if(B[0].valid&&B[0].jit!==undefined&&(fl.bits&${TF})===0){switch(cpu.rip){${cases}}}cpu.jitBlock=undefined;return -1;}`
  );
}

/** A branch to a computed target (ret, indirect jmp/call): rip = to; in region mode, leave. */
function dynamicBranch(g: Gen, to: string): void {
  g.out.push(g.region ? g.leaveRegion(to) : `cpu.rip=${to};`);
}

/** How an instruction uses the flags, for the liveness of a rotate's flag update: "write" overwrites all of them and cannot leave early. */
function flagUse(insn: Insn): "write" | "none" | "live" {
  const regOrImm = insn.ops.every((o) => isGpr(o) || o.kind === OpK.Imm);
  if (!regOrImm || insn.lock || insn.rep || insn.repne) return "live";
  switch (insn.mnemonic) {
    case Mnemonic.Add:
    case Mnemonic.Sub:
    case Mnemonic.And:
    case Mnemonic.Or:
    case Mnemonic.Xor:
    case Mnemonic.Cmp:
    case Mnemonic.Test:
      return "write";
    case Mnemonic.Imul:
      return insn.ops.length >= 2 ? "write" : "live";
    case Mnemonic.Shl:
    case Mnemonic.Shr:
    case Mnemonic.Sar: {
      const c = insn.ops[1];
      return c === undefined || (c.kind === OpK.Imm && (c.immLo & 31) !== 0) ? "write" : "live";
    }
    case Mnemonic.Rol:
    case Mnemonic.Ror: {
      // a rotate whose own flag update is dead neither reads nor writes the flags (rotateImm)
      const c = insn.ops[1];
      return c === undefined || c.kind === OpK.Imm ? "none" : "live";
    }
    case Mnemonic.Mov:
    case Mnemonic.Movzx:
    case Mnemonic.Movsx:
    case Mnemonic.Movsxd:
    case Mnemonic.Nop:
      return "none";
    default:
      return "live";
  }
}

/** Whether the flags written by instruction k may be read before they are overwritten (by a later instruction, an early exit or the interpreter). */
function flagsLive(b: Block, k: number, end: number): boolean {
  for (let j = k + 1; j < end; j++) {
    const u = flagUse(b.insns[j]!);
    if (u === "write") return false;
    if (u === "live") return true;
  }
  return true;
}

/** One instruction; false if it is not supported (the block is compiled up to it). */
function emit(g: Gen, insn: Insn): boolean {
  if (isStringMove(insn)) return stringInsn(g, insn);
  if (insn.lock || insn.rep || insn.repne) return false;
  switch (insn.mnemonic) {
    case Mnemonic.Nop:
    case Mnemonic.Endbr64:
      return true;
    case Mnemonic.Int3:
    case Mnemonic.Syscall:
      if (!g.region) return false;
      g.out.push(trap(g, insn.mnemonic === Mnemonic.Syscall));
      return true;
    case Mnemonic.Mov:
      return mov(g, insn);
    case Mnemonic.Movzx:
      return extend(g, insn, false);
    case Mnemonic.Movsx:
    case Mnemonic.Movsxd:
      return extend(g, insn, true);
    case Mnemonic.Lea:
      return lea(g, insn);
    case Mnemonic.Inc:
    case Mnemonic.Dec:
      return incDec(g, insn);
    case Mnemonic.Not:
    case Mnemonic.Neg:
      return notNeg(g, insn);
    case Mnemonic.Cwde:
    case Mnemonic.Cdqe:
    case Mnemonic.Cdq:
    case Mnemonic.Cqo:
      return widen(g, insn);
    case Mnemonic.Shl:
    case Mnemonic.Shr:
    case Mnemonic.Sar:
      return shiftImm(g, insn);
    case Mnemonic.Imul:
      return imul32(g, insn) || imul64(g, insn);
    case Mnemonic.Mul:
      return mulOne(g, insn);
    case Mnemonic.Rol:
    case Mnemonic.Ror:
      return rotateImm(g, insn, flagsLive(g.b, g.k, g.limit));
    case Mnemonic.Push: {
      const s = insn.ops[0]!;
      if (insn.spInc !== -8) return false;
      if (isGpr(s)) push(g, g.lo(s.reg), g.hi(s.reg));
      else if (s.kind === OpK.Imm) {
        const [lo, hi] = g.imm64(s);
        push(g, lo, hi);
      } else return false;
      return true;
    }
    case Mnemonic.Pop: {
      const d = insn.ops[0]!;
      if (insn.spInc !== 8 || !isGpr(d)) return false;
      const [lo, hi] = pop(g);
      g.set64(d.reg, lo, hi); // pop %rsp: the loaded value wins over the increment
      return true;
    }
    case Mnemonic.Jmp: {
      const t = insn.ops[0]!;
      if (t.kind === OpK.Rel) {
        const to = target(t);
        if (!(to >= -CANON && to < CANON)) return false;
        g.out.push(jumpTo(g, to));
        return true;
      }
      const to = indirect(g, t);
      if (to === undefined) return false;
      dynamicBranch(g, to);
      return true;
    }
    case Mnemonic.Call: {
      const t = insn.ops[0]!;
      const ret = insn.next;
      const retLo = `(${ret | 0})`, retHi = `(${Math.floor(ret / TWO32) | 0})`;
      if (t.kind === OpK.Rel) {
        const to = target(t);
        if (!(to >= -CANON && to < CANON)) return false;
        push(g, retLo, retHi);
        g.out.push(g.region ? goTo(g, to) : `cpu.rip=${to};`);
        return true;
      }
      const to = indirect(g, t);
      if (to === undefined) return false;
      push(g, retLo, retHi);
      dynamicBranch(g, to);
      return true;
    }
    case Mnemonic.Ret: {
      if (insn.ops.length) return false;
      const m = g.access(`${g.hi(RSP)}*${TWO32}+(${g.lo(RSP)}>>>0)`, 8, "r");
      const t = g.tmp("t", `${m.dv}.getInt32(${m.off}+4,true)*${TWO32}+(${m.dv}.getInt32(${m.off},true)>>>0)`);
      g.out.push(`if(!(${t}>=${-CANON}&&${t}<${CANON}))${g.bail()}`);
      spAdd(g, 8);
      dynamicBranch(g, t);
      return true;
    }
    default:
      if (insn.cc >= 0 && insn.ops.length === 1 && insn.ops[0]!.kind === OpK.Rel && isJcc(insn.mnemonic)) {
        const to = target(insn.ops[0]!);
        if (!(to >= -CANON && to < CANON)) return false;
        g.out.push(`if(${g.cond(insn.cc)})${jumpTo(g, to)}`);
        return true;
      }
      if (ALU[insn.mnemonic]) return alu(g, insn);
      if (CMOV.has(insn.mnemonic)) return cmov(g, insn);
      if (SETCC.has(insn.mnemonic)) return setcc(g, insn);
      return false;
  }
}

const JCC = new Set<Mnemonic>([
  Mnemonic.Jo, Mnemonic.Jno, Mnemonic.Jb, Mnemonic.Jae, Mnemonic.Je, Mnemonic.Jne, Mnemonic.Jbe, Mnemonic.Ja,
  Mnemonic.Js, Mnemonic.Jns, Mnemonic.Jp, Mnemonic.Jnp, Mnemonic.Jl, Mnemonic.Jge, Mnemonic.Jle, Mnemonic.Jg,
]);

const CMOV = new Set<Mnemonic>([
  Mnemonic.Cmovo, Mnemonic.Cmovno, Mnemonic.Cmovb, Mnemonic.Cmovae, Mnemonic.Cmove, Mnemonic.Cmovne, Mnemonic.Cmovbe, Mnemonic.Cmova,
  Mnemonic.Cmovs, Mnemonic.Cmovns, Mnemonic.Cmovp, Mnemonic.Cmovnp, Mnemonic.Cmovl, Mnemonic.Cmovge, Mnemonic.Cmovle, Mnemonic.Cmovg,
]);
const SETCC = new Set<Mnemonic>([
  Mnemonic.Seto, Mnemonic.Setno, Mnemonic.Setb, Mnemonic.Setae, Mnemonic.Sete, Mnemonic.Setne, Mnemonic.Setbe, Mnemonic.Seta,
  Mnemonic.Sets, Mnemonic.Setns, Mnemonic.Setp, Mnemonic.Setnp, Mnemonic.Setl, Mnemonic.Setge, Mnemonic.Setle, Mnemonic.Setg,
]);

function isJcc(m: Mnemonic): boolean {
  return JCC.has(m);
}

/** Whether the block's last instruction is a direct branch back to its start. */
function loopsToItself(b: Block): boolean {
  const last = b.insns[b.n - 1];
  if (last === undefined || (last.mnemonic !== Mnemonic.Jmp && !isJcc(last.mnemonic))) return false;
  const t = last.ops[0];
  return t !== undefined && t.kind === OpK.Rel && target(t) === b.addr;
}

/** Source for a block, or undefined when fewer than minInsns instructions at its start are supported. */
export function generate(b: Block, minInsns: number): BlockSource | undefined {
  const compiled = countSupported(b);
  if (compiled < Math.min(minInsns, b.n)) return undefined;
  const loop = compiled === b.n && loopsToItself(b);
  const g = new Gen(b, loop);
  g.limit = compiled;
  for (let k = 0; k < compiled; k++) {
    g.k = k;
    emit(g, b.insns[k]!);
  }
  g.k = compiled;
  const end = g.fs;
  const tail = `${end ? storeFlags(end) + ";" : ""}${g.storeRegs()}${loop ? `cpu.instret+=it*${b.n};` : ""}return ${compiled};`;
  let code = g.out.join("\n");
  code = code.replace(/\u0000(\d+)\u0000/g, (_, i: string) => g.sites[+i]!(end));
  const regs = [...g.regs].sort((x, y) => x - y);
  const head =
    (regs.length ? `let ${regs.map((r) => `l${r}=L[${r}],h${r}=H[${r}]`).join(",")};\n` : "") +
    `let fa=0,fb=0,fr=0,faH=0,fbH=0,frH=0,fcf=0,fof=0;\n` +
    (loop ? `let it=0;const lim=Math.floor(room/${b.n})-1;\nfor(;;){\n${code}\nbreak;}\n` : `${code}\n`);
  return { body: head + tail, compiled, loop };
}

/**
 * Source for a region: member blocks (the first is the entry) in one function with an internal dispatch
 * (`switch (pc)`), so branches between them need no return to Cpu.run. Every member is fully supported. The
 * function leaves with cpu.jitBlock = the block it ended in and returns ~k, k = that block's instructions retired
 * (the interpreter runs the rest); the instructions of the blocks completed before it are added to cpu.instret.
 */
export function generateRegion(blocks: Block[]): string {
  const g = new Gen(blocks[0]!, false);
  g.region = blocks;
  const cases: string[] = [];
  for (let j = 0; j < blocks.length; j++) {
    const b = blocks[j]!;
    g.b = b;
    g.j = j;
    g.fs = IN_FL;
    g.limit = b.n;
    const start = g.out.length;
    for (let k = 0; k < b.n; k++) {
      g.k = k;
      emit(g, b.insns[k]!);
    }
    g.k = b.n;
    g.out.push(goTo(g, b.end)); // not taken, or no branch: the fall-through
    cases.push(`case ${j}:{\n${g.out.splice(start).join("\n")}\n}`);
  }
  let code = cases.join("\n");
  code = code.replace(/\u0000(\d+)\u0000/g, (_, i: string) => g.sites[+i]!(undefined));
  const regs = [...g.regs].sort((x, y) => x - y);
  return (
    (regs.length ? `let ${regs.map((r) => `l${r}=L[${r}],h${r}=H[${r}]`).join(",")};\n` : "") +
    `let fa=0,fb=0,fr=0,faH=0,fbH=0,frH=0,fcf=0,fof=0;\nlet ic=0,x=0,jb=0,rp=0;\nR:for(;;){switch(pc){\n${code}\n}}\n` +
    `${g.storeRegs()}cpu.instret+=ic;cpu.rip=rp;cpu.jitBlock=B[jb];return x;`
  );
}

/** How many instructions at the block's start emit() supports (a dry run on a throw-away generator), alone or in a region (int3). */
export function countSupported(b: Block, inRegion = false): number {
  const g = new Gen(b, false);
  if (inRegion) g.region = [b];
  g.limit = b.n;
  let k = 0;
  for (; k < b.n; k++) {
    g.k = k;
    if (!emit(g, b.insns[k]!)) break;
  }
  return k;
}
