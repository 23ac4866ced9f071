// x87 instructions: the subset musl's printf (%f %g %e %a with long double),
// strtod/strtold, frexpl/scalbnl/fmodl and compiled long double code use:
// loads/stores (fld fst fstp fild fist fistp fisttp), arithmetic (fadd fsub
// fsubr fmul fdiv fdivr with their pop and integer forms, fsqrt fprem fprem1
// frndint fscale fchs fabs), constants (fldz fld1), fxch, fcmovcc, compares
// (fcomi fucomi fcom fucom ftst fxam with pops), control (fnstcw fldcw fnstsw
// fninit fnclex ffree fincstp fdecstp fnop fwait), and what glibc's libm and
// fenv/ucontext code add: the constants fldpi fldl2e fldl2t fldlg2 fldln2,
// ffreep, fxtract, fnstenv/fldenv, fnsave/frstor, fbld/fbstp (packed BCD), and the transcendentals f2xm1 fyl2x
// fyl2xp1 fpatan (../x87-transcendental.ts). Semantics and exactness: see
// ../x87.ts.
//
// Operands follow iced-x86 (Intel semantics): for `fsub st(i), st(0)` the
// destination is st(i) and it receives st(i) - st(0); the "r" forms reverse
// the operands (GNU as spells some of these the other way round).

import { Mnemonic } from "../iced.js";
import type { Cpu, Exec } from "../cpu.js";
import { Fl } from "../flags.js";
import { OpK, type Insn, type Operand } from "../insn.js";
import { makeEA, writer } from "../operands.js";
import { RegClass } from "../registers.js";
import type { Builder } from "../translate.js";
import {
  add, compare, DBL, decode, div, EXT, indefinite, mul, nanOf, prem, SGL, sqrt, x87Of, type X87, type XVal,
} from "../x87.js";
import { FSW_C0, FSW_C1, FSW_C2, FSW_C3, FSW_IE, FSW_SF, FSW_ZE } from "../x87-status.js";
import { f2xm1, fpatan, fyl2x, fyl2xp1 } from "../x87-transcendental.js";

// local copies of the constants (see Gpr in registers.ts: imported bindings are slow in hot code)
const CF = Fl.CF, OF = Fl.OF, PF = Fl.PF, SF = Fl.SF, ZF = Fl.ZF, AF = Fl.AF;

function isSt(o: Operand | undefined): o is Operand {
  return !!o && o.kind === OpK.Reg && o.cls === RegClass.St;
}

/** The st(i) of a two-register form [st(0), st(i)] (which may be st(0) itself), or st(1) when implicit. */
function secondSt(insn: Insn): number {
  const o = insn.ops[1];
  return isSt(o) ? o.reg : 1;
}

/** Read a memory operand of `size` bytes as a decoded value (floats m32/m64/m80, or integers m16/m32/m64). */
function memValue(cpu: Cpu, x: X87, o: Operand, size: number, int: boolean): () => XVal {
  const ea = makeEA(cpu, o);
  const m = cpu.mem;
  if (int)
    return () => {
      const a = ea();
      let v: bigint;
      if (size === 2) v = BigInt((m.read16(a) << 16) >> 16);
      else if (size === 4) v = BigInt(m.read32(a) | 0);
      else {
        const lo = m.read64(a);
        v = BigInt.asIntN(64, (BigInt(m.hi >>> 0) << 32n) | BigInt(lo >>> 0));
      }
      if (v === 0n) return { k: 0, s: 0, m: 0n, e: 0 };
      return v < 0n ? { k: 1, s: 1, m: -v, e: 0 } : { k: 1, s: 0, m: v, e: 0 };
    };
  if (size === 10)
    return () => {
      const a = ea();
      const lo = m.read32(a), hi = m.read32(a + 4), se = m.read16(a + 8);
      return decode(se, hi, lo);
    };
  if (size === 4) return () => x.fromFloat(BigInt(m.read32(ea()) >>> 0), SGL);
  return () => {
    const a = ea();
    const lo = m.read64(a);
    return x.fromFloat((BigInt(m.hi >>> 0) << 32n) | BigInt(lo >>> 0), DBL);
  };
}

/** Store ST(0) to memory in the operand's format (and pop for the p forms). */
function storeMem(cpu: Cpu, x: X87, o: Operand, size: number, kind: "float" | "int" | "trunc"): () => void {
  const ea = makeEA(cpu, o);
  const m = cpu.mem;
  if (kind !== "float")
    return () => {
      const v = x.get(0);
      const r = x.toInt(v, size * 8, kind === "trunc" ? 3 : x.rc);
      const a = ea();
      if (size === 2) m.write16(a, Number(r));
      else if (size === 4) m.write32(a, Number(r));
      else m.write64(a, Number(r & 0xffffffffn), Number(r >> 32n));
    };
  if (size === 10)
    return () => {
      const [se, hi, lo] = x.raw(0);
      const a = ea();
      m.write32(a, lo);
      m.write32(a + 4, hi);
      m.write16(a + 8, se);
    };
  if (size === 4) return () => m.write32(ea(), Number(x.toFloat(x.get(0), SGL)));
  return () => {
    const b = x.toFloat(x.get(0), DBL);
    m.write64(ea(), Number(b & 0xffffffffn), Number(b >> 32n));
  };
}

const fld: Builder = (cpu, insn) => {
  const x = x87Of(cpu);
  const o = insn.ops[0]!;
  if (isSt(o)) {
    const i = o.reg;
    return () => {
      const [se, hi, lo] = x.raw(i); // read before the push moves TOP
      x.pushRaw(se, hi, lo);
    };
  }
  const size = insn.memSize;
  if (size === 10) {
    // m80 loads the encoding as it is (no conversion, no exception for an SNaN)
    const ea = makeEA(cpu, o);
    const m = cpu.mem;
    return () => {
      const a = ea();
      const lo = m.read32(a), hi = m.read32(a + 4), se = m.read16(a + 8);
      x.pushRaw(se, hi, lo);
    };
  }
  const src = memValue(cpu, x, o, size, false);
  return () => x.pushExact(src());
};

function fst(pop: boolean): Builder {
  return (cpu, insn) => {
    const x = x87Of(cpu);
    const o = insn.ops[0]!;
    if (isSt(o)) {
      const i = o.reg;
      return () => {
        const [se, hi, lo] = x.raw(0);
        x.setRaw(i, se, hi, lo);
        if (pop) x.pop();
      };
    }
    const st = storeMem(cpu, x, o, insn.memSize, "float");
    return () => {
      st();
      if (pop) x.pop();
    };
  };
}

const fild: Builder = (cpu, insn) => {
  const x = x87Of(cpu);
  const src = memValue(cpu, x, insn.ops[0]!, insn.memSize, true);
  return () => x.pushExact(src());
};

function fist(pop: boolean, trunc = false): Builder {
  return (cpu, insn) => {
    const x = x87Of(cpu);
    const st = storeMem(cpu, x, insn.ops[0]!, insn.memSize, trunc ? "trunc" : "int");
    return () => {
      st();
      if (pop) x.pop();
    };
  };
}

type Arith = "add" | "sub" | "subr" | "mul" | "div" | "divr";

function compute(x: X87, kind: Arith, a: XVal, b: XVal): XVal {
  switch (kind) {
    case "add":
      return add(x, a, b);
    case "sub":
      return add(x, a, b, true);
    case "subr":
      return add(x, b, a, true);
    case "mul":
      return mul(x, a, b);
    case "div":
      return div(x, a, b);
    default:
      return div(x, b, a);
  }
}

/** fadd/fsub/fsubr/fmul/fdiv/fdivr and the p and integer-memory forms: dest = dest op src (r: src op dest). */
function arith(kind: Arith, pop: boolean, int = false): Builder {
  return (cpu, insn) => {
    const x = x87Of(cpu);
    const [d, s] = insn.ops as [Operand, Operand | undefined];
    if (d.kind === OpK.Mem) {
      const src = memValue(cpu, x, d, insn.memSize, int);
      return () => {
        const b = src();
        x.set(0, compute(x, kind, x.get(0), b));
      };
    }
    // register forms: [st(i), st(0)] or [st(0), st(i)]; faddp with no operands is faddp st(1), st(0)
    const di = isSt(d) ? d.reg : 1;
    const si = isSt(s) ? s.reg : 0;
    return () => {
      const r = compute(x, kind, x.get(di), x.get(si));
      x.set(di, r);
      if (pop) x.pop();
    };
  };
}

function unary(f: (x: X87, v: XVal) => XVal | undefined, raw?: (se: number) => number): Builder {
  return (cpu) => {
    const x = x87Of(cpu);
    if (raw)
      return () => {
        const [se, hi, lo] = x.raw(0);
        x.setRaw(0, raw(se), hi, lo);
        x.sw &= ~FSW_C1;
      };
    return () => {
      const r = f(x, x.get(0));
      if (r) x.set(0, r);
    };
  };
}

function constant(v: XVal): Builder {
  return (cpu) => {
    const x = x87Of(cpu);
    return () => x.pushExact(v);
  };
}

const fxch: Builder = (cpu, insn) => {
  const x = x87Of(cpu);
  const i = secondSt(insn);
  return () => {
    const [se0, hi0, lo0] = x.raw(0);
    const [sei, hii, loi] = x.raw(i);
    x.setRaw(0, sei, hii, loi);
    x.setRaw(i, se0, hi0, lo0);
  };
};

/** fcomi/fucomi (+p): ZF PF CF from the compare, OF SF AF cleared. */
function comi(pop: boolean, ordered: boolean): Builder {
  return (cpu, insn) => {
    const x = x87Of(cpu);
    const i = secondSt(insn);
    const fl = cpu.fl;
    return () => {
      const a = x.get(0), b = x.get(i);
      const c = compare(a, b);
      if (c === 2 && (ordered || isSignalling(a) || isSignalling(b))) x.sw |= FSW_IE;
      let f = fl.get() & ~(CF | PF | AF | ZF | SF | OF);
      if (c === 2) f |= ZF | PF | CF;
      else if (c < 0) f |= CF;
      else if (c === 0) f |= ZF;
      fl.put(f);
      x.sw &= ~FSW_C1;
      if (pop) x.pop();
    };
  };
}

function isSignalling(v: XVal): boolean {
  return v.k === 3 && (v.m & (1n << 62n)) === 0n;
}

/** C3 C2 C0 from a compare (greater 000, less 001, equal 100, unordered 111); C1 cleared. */
function setCC(x: X87, c: number): void {
  x.sw &= ~(FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3);
  if (c === 2) x.sw |= FSW_C0 | FSW_C2 | FSW_C3;
  else if (c < 0) x.sw |= FSW_C0;
  else if (c === 0) x.sw |= FSW_C3;
}

/** fcom/fucom/fcomp/fucomp/fcompp/fucompp (register or m32/m64) and ftst. */
function fcom(pops: number, ordered: boolean, tst = false): Builder {
  return (cpu, insn) => {
    const x = x87Of(cpu);
    const o = insn.ops[0];
    const src: () => XVal =
      tst ? () => ({ k: 0, s: 0, m: 0n, e: 0 }) : o && o.kind === OpK.Mem ? memValue(cpu, x, o, insn.memSize, false) : ((i: number) => () => x.get(i))(secondSt(insn));
    return () => {
      const a = x.get(0), b = src();
      const c = compare(a, b);
      if (c === 2 && (ordered || isSignalling(a) || isSignalling(b))) x.sw |= FSW_IE;
      setCC(x, c);
      for (let k = 0; k < pops; k++) x.pop();
    };
  };
}

const fxam: Builder = (cpu) => {
  const x = x87Of(cpu);
  return () => {
    const p = x.phys(0);
    x.sw &= ~(FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3);
    if (x.se[p]! & 0x8000) x.sw |= FSW_C1;
    if (x.empty[p]) {
      x.sw |= FSW_C3 | FSW_C0;
      return;
    }
    const E = x.se[p]! & 0x7fff, intBit = x.mhi[p]! >>> 31, zero = x.mhi[p] === 0 && x.mlo[p] === 0;
    if (E === 0) x.sw |= zero ? FSW_C3 : FSW_C3 | FSW_C2; // zero, denormal
    else if (!intBit) return; // unsupported
    else if (E === 0x7fff) x.sw |= (x.mhi[p]! & 0x7fffffff) === 0 && x.mlo[p] === 0 ? FSW_C2 | FSW_C0 : FSW_C0; // infinity, NaN
    else x.sw |= FSW_C2; // normal
  };
};

/** fcmovcc st(0), st(i): the condition reads RFLAGS like cmovcc (b e be u and their negations). */
function fcmov(cc: number): Builder {
  return (cpu, insn) => {
    const x = x87Of(cpu);
    const i = secondSt(insn);
    const fl = cpu.fl;
    return () => {
      if (!fl.cond(cc)) return;
      const [se, hi, lo] = x.raw(i);
      x.setRaw(0, se, hi, lo);
    };
  };
}

function fpremOp(ieee: boolean): Builder {
  return (cpu) => {
    const x = x87Of(cpu);
    return () => {
      const a = x.get(0), b = x.get(1);
      let { r, q, partial } = prem(x, a, b);
      if (ieee && !partial && r.k === 1) {
        // fprem1: the quotient rounded to nearest (even) instead of truncated: step once more
        // toward zero when the truncated remainder is more than half of |st1| (or exactly half and q is odd)
        const c = compare({ ...r, s: 0, e: r.e + 1 }, { ...b, s: 0 });
        if (c > 0 || (c === 0 && (q & 1n) === 1n)) {
          r = add(x, r, { ...b, s: a.s }, true);
          q += 1n;
        }
      }
      x.set(0, r);
      x.sw &= ~(FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3);
      if (partial) x.sw |= FSW_C2;
      else {
        if (q & 4n) x.sw |= FSW_C0;
        if (q & 2n) x.sw |= FSW_C3;
        if (q & 1n) x.sw |= FSW_C1;
      }
    };
  };
}

/** fscale: st0 * 2^trunc(st1), for finite operands (NaNs propagate; infinite scales are not modelled). */
const fscale: Builder = (cpu) => {
  const x = x87Of(cpu);
  return () => {
    const a = x.get(0), b = x.get(1);
    if (a.k === 3 || b.k === 3) {
      x.set(0, add(x, a, b));
      return;
    }
    if (a.k !== 1 || b.k !== 1) return;
    const n = x.roundToIntegral(b, 3);
    const k = n.k === 0 ? 0 : Number(n.s ? -(n.m << BigInt(n.e)) : n.m << BigInt(n.e));
    x.set(0, { ...a, e: a.e + Math.max(-70000, Math.min(70000, k)) });
  };
};

const fnstsw: Builder = (cpu, insn) => {
  const x = x87Of(cpu);
  const dst = writer(cpu, insn.ops[0]!, 2);
  return () => dst(x.status);
};

const fnstcw: Builder = (cpu, insn) => {
  const x = x87Of(cpu);
  const dst = writer(cpu, insn.ops[0]!, 2);
  return () => dst(x.cw);
};

const fldcw: Builder = (cpu, insn) => {
  const x = x87Of(cpu);
  const ea = makeEA(cpu, insn.ops[0]!);
  return () => void (x.cw = cpu.mem.read16(ea()) | 0x40); // bit 6 reads as 1
};

function control(kind: "init" | "clex" | "nop" | "incstp" | "decstp" | "free"): Builder {
  return (cpu, insn) => {
    const x = x87Of(cpu);
    switch (kind) {
      case "init":
        return () => x.init();
      case "clex":
        return () => void (x.sw &= ~0x80ff); // exception flags, SF, ES and B
      case "incstp":
        return () => void (x.top = (x.top + 1) & 7);
      case "decstp":
        return () => void (x.top = (x.top - 1) & 7);
      case "free": {
        const i = insn.ops[0] && isSt(insn.ops[0]) ? insn.ops[0].reg : 0;
        return () => void (x.empty[x.phys(i)] = 1);
      }
      default:
        return () => {};
    }
  };
}

/**
 * fldpi fldl2e fldl2t fldlg2 fldln2: the constant rounded per RC (not PC),
 * with no exception flags. Given as the significand truncated to 64 bits and
 * whether round-to-nearest goes up; each constant's bits below the 64th are
 * nonzero, so rounding up always adds one ulp.
 */
function constantRC(hi: number, lo: number, se: number, nearestUp: boolean): Builder {
  return (cpu) => {
    const x = x87Of(cpu);
    return () => {
      const rc = x.rc;
      const up = rc === 0 ? nearestUp : rc === 2;
      // lo + 1 does not carry for these constants (their low words are not 0xffffffff)
      x.pushRaw(se, hi, up ? (lo + 1) >>> 0 : lo);
    };
  };
}

/** Store an already computed value in ST(i), rounded to extended precision: the precision control does not apply. */
function setExt(x: X87, i: number, v: XVal): void {
  const [se, hi, lo] = x.encodeExt(v, EXT);
  x.setRaw(i, se, hi, lo);
}

/** f2xm1: st0 = 2^st0 - 1. */
const f2xm1Op: Builder = (cpu) => {
  const x = x87Of(cpu);
  return () => setExt(x, 0, f2xm1(x, x.get(0)));
};

/** fyl2x/fyl2xp1/fpatan: st1 = f(st0, st1), then pop. */
function binaryPop(f: (x: X87, a: XVal, b: XVal) => XVal): Builder {
  return (cpu) => {
    const x = x87Of(cpu);
    return () => {
      const a = x.get(0), b = x.get(1);
      setExt(x, 1, f(x, a, b));
      x.pop();
    };
  };
}

/**
 * fxtract: st0 = x becomes its unbiased exponent (an exact integer), then the
 * significand (x scaled into [1, 2), sign kept) is pushed. Zero: the exponent
 * is -inf and ZE is raised; infinity: +inf and the infinity; NaN: both NaN.
 */
const fxtract: Builder = (cpu) => {
  const x = x87Of(cpu);
  return () => {
    const v = x.get(0);
    let exp: XVal, sig: XVal;
    if (v.k === 3) exp = sig = nanOf(x, v, v);
    else if (v.k === 2) {
      exp = { k: 2, s: 0, m: 0n, e: 0 };
      sig = v;
    } else if (v.k === 0) {
      x.sw |= FSW_ZE;
      exp = { k: 2, s: 1, m: 0n, e: 0 };
      sig = v;
    } else {
      const n = v.m.toString(2).length;
      const lead = v.e + n - 1;
      exp = lead === 0 ? { k: 0, s: 0, m: 0n, e: 0 } : { k: 1, s: lead < 0 ? 1 : 0, m: BigInt(Math.abs(lead)), e: 0 };
      sig = { k: 1, s: v.s, m: v.m, e: 1 - n };
    }
    if ((x.sw & FSW_SF) !== 0 && x.empty[x.phys(0)]) {
      // stack underflow: both results are the indefinite NaN
      exp = sig = indefinite();
    }
    setExt(x, 0, exp);
    const [se, hi, lo] = x.encodeExt(sig, EXT);
    x.pushRaw(se, hi, lo);
  };
};

/** ffreep st(i): tag st(i) empty, then pop. */
const ffreep: Builder = (cpu, insn) => {
  const x = x87Of(cpu);
  const i = insn.ops[0] && isSt(insn.ops[0]) ? insn.ops[0].reg : 0;
  return () => {
    x.empty[x.phys(i)] = 1;
    x.pop();
  };
};

/** The full 16-bit tag word: per physical register 0 valid, 1 zero, 2 special (NaN, infinity, denormal, unsupported), 3 empty. */
function tagWord(x: X87): number {
  let tw = 0;
  for (let p = 0; p < 8; p++) {
    let t: number;
    if (x.empty[p]) t = 3;
    else {
      const E = x.se[p]! & 0x7fff, hi = x.mhi[p]!, lo = x.mlo[p]!;
      if (E === 0) t = hi === 0 && lo === 0 ? 1 : 2;
      else if (E === 0x7fff || (hi & 0x80000000) === 0) t = 2;
      else t = 0;
    }
    tw |= t << (2 * p);
  }
  return tw;
}

/**
 * fnstenv/fstenv m28 (the 32-bit protected-mode layout that 64-bit mode uses):
 * FCW, FSW, the full tag word, then FIP/FCS/FOP and FDP/FDS, which are stored
 * as 0 (no x87 instruction pointers are tracked); the reserved upper halves
 * read 0xffff, as the hardware writes them. Then every exception is masked
 * (FCW |= 0x3f), which is what feholdexcept and getcontext rely on.
 */
const fnstenv: Builder = (cpu, insn) => {
  if (insn.memSize !== 28) return undefined; // the 16-bit (0x66) m14 form
  const x = x87Of(cpu);
  const ea = makeEA(cpu, insn.ops[0]!);
  const m = cpu.mem;
  return () => {
    storeEnv(m, x, ea());
    x.cw |= 0x3f;
  };
};

/** fldenv m28: FCW, FSW (TOP included) and the tags (3 = empty, anything else: in use); the pointers are ignored. */
const fldenv: Builder = (cpu, insn) => {
  if (insn.memSize !== 28) return undefined;
  const x = x87Of(cpu);
  const ea = makeEA(cpu, insn.ops[0]!);
  const m = cpu.mem;
  return () => loadEnv(m, x, ea());
};

/** The 28-byte environment (fnstenv's layout) at a: FCW, FSW, the full tag word; pointers zero. */
function storeEnv(m: Cpu["mem"], x: X87, a: number): void {
  m.write32(a, x.cw | 0xffff0000);
  m.write32(a + 4, x.status | 0xffff0000);
  m.write32(a + 8, tagWord(x) | 0xffff0000);
  m.write64(a + 12, 0, 0);
  m.write64(a + 20, 0, 0xffff0000 | 0);
}

/** Load the environment at a (fldenv's part of frstor). */
function loadEnv(m: Cpu["mem"], x: X87, a: number): void {
  const cw = m.read16(a), sw = m.read16(a + 4), tw = m.read16(a + 8);
  x.cw = cw | 0x40;
  x.top = (sw >> 11) & 7;
  x.sw = sw & ~0x3800;
  for (let p = 0; p < 8; p++) x.empty[p] = ((tw >> (2 * p)) & 3) === 3 ? 1 : 0;
}

/**
 * fnsave/fsave m108: the environment, then ST(0)..ST(7) as 80-bit values (stack order, empty ones
 * as they are), then the FPU is reinitialized (fninit). The whole image is checked writable first,
 * so a fault leaves the FPU unchanged.
 */
const fnsave: Builder = (cpu, insn) => {
  if (insn.memSize !== 108) return undefined; // the 16-bit (0x66) m94 form
  const x = x87Of(cpu);
  const ea = makeEA(cpu, insn.ops[0]!);
  const m = cpu.mem;
  return () => {
    const a = ea();
    m.write8(a + 107, m.read8(a + 107)); // probe the last byte: fault before changing anything
    storeEnv(m, x, a);
    for (let i = 0; i < 8; i++) {
      const p = x.phys(i);
      m.write32(a + 28 + 10 * i, x.mlo[p]!);
      m.write32(a + 32 + 10 * i, x.mhi[p]!);
      m.write16(a + 36 + 10 * i, x.se[p]!);
    }
    x.init();
  };
};

/** frstor m108: the environment (tags: 3 = empty), then the eight registers into ST(0)..ST(7) under the loaded TOP. */
const frstor: Builder = (cpu, insn) => {
  if (insn.memSize !== 108) return undefined;
  const x = x87Of(cpu);
  const ea = makeEA(cpu, insn.ops[0]!);
  const m = cpu.mem;
  return () => {
    const a = ea();
    const img = m.readBytes(a, 108); // read everything before changing anything
    const dv = new DataView(img.buffer);
    loadEnv(m, x, a);
    for (let i = 0; i < 8; i++) {
      const p = x.phys(i);
      x.mlo[p] = dv.getUint32(28 + 10 * i, true);
      x.mhi[p] = dv.getUint32(32 + 10 * i, true);
      x.se[p] = dv.getUint16(36 + 10 * i, true);
    }
  };
};

const TEN18 = 10n ** 18n;

/** fbld m80: push an 18-digit packed BCD integer (digit pairs in bytes 0-8, low digit in the low nibble; sign in bit 7 of byte 9), exactly. */
const fbld: Builder = (cpu, insn) => {
  const x = x87Of(cpu);
  const ea = makeEA(cpu, insn.ops[0]!);
  const m = cpu.mem;
  return () => {
    const a = ea();
    let v = 0n;
    for (let k = 8; k >= 0; k--) {
      const b = m.read8(a + k);
      v = v * 100n + BigInt((b >> 4) * 10 + (b & 15)); // invalid digits: the SDM leaves the result undefined
    }
    const s = (m.read8(a + 9) >> 7) as 0 | 1;
    x.pushExact(v === 0n ? { k: 0, s, m: 0n, e: 0 } : { k: 1, s, m: v, e: 0 });
  };
};

/** fbstp m80: ST(0) rounded per RC to 18 BCD digits, then pop; NaN, infinity or |x| >= 10^18 store the BCD indefinite (IE). */
const fbstp: Builder = (cpu, insn) => {
  const x = x87Of(cpu);
  const ea = makeEA(cpu, insn.ops[0]!);
  const m = cpu.mem;
  return () => {
    const v = x.get(0);
    const out = new Uint8Array(10);
    const q = v.k === 1 ? x.roundToIntegral(v) : v;
    const n = q.k === 1 ? q.m << BigInt(q.e) : 0n;
    if (q.k >= 2 || n >= TEN18) {
      x.sw |= FSW_IE;
      out[7] = 0xc0;
      out[8] = 0xff;
      out[9] = 0xff;
    } else {
      let r = n;
      for (let k = 0; k < 9; k++) {
        const lo = Number(r % 10n), hi = Number((r / 10n) % 10n);
        out[k] = (hi << 4) | lo;
        r /= 100n;
      }
      out[9] = q.s << 7;
    }
    m.writeBytes(ea(), out);
    x.pop();
  };
};

const frndint = unary((x, v) => (v.k === 3 ? add(x, v, v) : x.roundToIntegral(v)));
const fsqrt = unary((x, v) => sqrt(x, v));
const fchs = unary(() => undefined, (se) => se ^ 0x8000);
const fabs = unary(() => undefined, (se) => se & 0x7fff);

export const x87Ops: [Mnemonic, Builder][] = [
  [Mnemonic.Fld, fld],
  [Mnemonic.Fst, fst(false)],
  [Mnemonic.Fstp, fst(true)],
  [Mnemonic.Fild, fild],
  [Mnemonic.Fist, fist(false)],
  [Mnemonic.Fistp, fist(true)],
  [Mnemonic.Fisttp, fist(true, true)],
  [Mnemonic.Fadd, arith("add", false)],
  [Mnemonic.Faddp, arith("add", true)],
  [Mnemonic.Fsub, arith("sub", false)],
  [Mnemonic.Fsubp, arith("sub", true)],
  [Mnemonic.Fsubr, arith("subr", false)],
  [Mnemonic.Fsubrp, arith("subr", true)],
  [Mnemonic.Fmul, arith("mul", false)],
  [Mnemonic.Fmulp, arith("mul", true)],
  [Mnemonic.Fdiv, arith("div", false)],
  [Mnemonic.Fdivp, arith("div", true)],
  [Mnemonic.Fdivr, arith("divr", false)],
  [Mnemonic.Fdivrp, arith("divr", true)],
  [Mnemonic.Fiadd, arith("add", false, true)],
  [Mnemonic.Fisub, arith("sub", false, true)],
  [Mnemonic.Fisubr, arith("subr", false, true)],
  [Mnemonic.Fimul, arith("mul", false, true)],
  [Mnemonic.Fidiv, arith("div", false, true)],
  [Mnemonic.Fidivr, arith("divr", false, true)],
  [Mnemonic.Fsqrt, fsqrt],
  [Mnemonic.Frndint, frndint],
  [Mnemonic.Fprem, fpremOp(false)],
  [Mnemonic.Fprem1, fpremOp(true)],
  [Mnemonic.Fscale, fscale],
  [Mnemonic.Fchs, fchs],
  [Mnemonic.Fabs, fabs],
  [Mnemonic.Fldz, constant({ k: 0, s: 0, m: 0n, e: 0 })],
  [Mnemonic.Fld1, constant({ k: 1, s: 0, m: 1n, e: 0 })],
  [Mnemonic.Fldpi, constantRC(0xc90fdaa2 | 0, 0x2168c234, 0x4000, true)],
  [Mnemonic.Fldl2e, constantRC(0xb8aa3b29 | 0, 0x5c17f0bb, 0x3fff, true)],
  [Mnemonic.Fldl2t, constantRC(0xd49a784b | 0, 0xcd1b8afe | 0, 0x4000, false)],
  [Mnemonic.Fldlg2, constantRC(0x9a209a84 | 0, 0xfbcff798 | 0, 0x3ffd, true)],
  [Mnemonic.Fldln2, constantRC(0xb17217f7 | 0, 0xd1cf79ab | 0, 0x3ffe, true)],
  [Mnemonic.F2xm1, f2xm1Op],
  [Mnemonic.Fyl2x, binaryPop(fyl2x)],
  [Mnemonic.Fyl2xp1, binaryPop(fyl2xp1)],
  [Mnemonic.Fpatan, binaryPop(fpatan)],
  [Mnemonic.Fxtract, fxtract],
  [Mnemonic.Ffreep, ffreep],
  [Mnemonic.Fnstenv, fnstenv],
  [Mnemonic.Fnsave, fnsave],
  [Mnemonic.Fsave, fnsave],
  [Mnemonic.Frstor, frstor],
  [Mnemonic.Fbld, fbld],
  [Mnemonic.Fbstp, fbstp],
  [Mnemonic.Fstenv, fnstenv],
  [Mnemonic.Fldenv, fldenv],
  [Mnemonic.Fxch, fxch],
  [Mnemonic.Fcomi, comi(false, true)],
  [Mnemonic.Fcomip, comi(true, true)],
  [Mnemonic.Fucomi, comi(false, false)],
  [Mnemonic.Fucomip, comi(true, false)],
  [Mnemonic.Fcom, fcom(0, true)],
  [Mnemonic.Fcomp, fcom(1, true)],
  [Mnemonic.Fcompp, fcom(2, true)],
  [Mnemonic.Fucom, fcom(0, false)],
  [Mnemonic.Fucomp, fcom(1, false)],
  [Mnemonic.Fucompp, fcom(2, false)],
  [Mnemonic.Ftst, fcom(0, true, true)],
  [Mnemonic.Fxam, fxam],
  [Mnemonic.Fcmovb, fcmov(2)],
  [Mnemonic.Fcmovnb, fcmov(3)],
  [Mnemonic.Fcmove, fcmov(4)],
  [Mnemonic.Fcmovne, fcmov(5)],
  [Mnemonic.Fcmovbe, fcmov(6)],
  [Mnemonic.Fcmovnbe, fcmov(7)],
  [Mnemonic.Fcmovu, fcmov(10)],
  [Mnemonic.Fcmovnu, fcmov(11)],
  [Mnemonic.Fnstsw, fnstsw],
  [Mnemonic.Fstsw, fnstsw],
  [Mnemonic.Fnstcw, fnstcw],
  [Mnemonic.Fstcw, fnstcw],
  [Mnemonic.Fldcw, fldcw],
  [Mnemonic.Fninit, control("init")],
  [Mnemonic.Finit, control("init")],
  [Mnemonic.Fnclex, control("clex")],
  [Mnemonic.Fclex, control("clex")],
  [Mnemonic.Fnop, control("nop")],
  [Mnemonic.Wait, control("nop")],
  [Mnemonic.Fincstp, control("incstp")],
  [Mnemonic.Fdecstp, control("decstp")],
  [Mnemonic.Ffree, control("free")],
];

