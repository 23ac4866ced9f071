// Data movement: mov movzx movsx movsxd lea xchg cmovcc setcc cbw/cwde/cdqe
// cwd/cdq/cqo bswap movbe xlat.

import { Mnemonic } from "../iced.js";
import type { Cpu, Exec } from "../cpu.js";
import { OpK, type Insn, type Operand } from "../insn.js";
import { leaParts, loadAt, makeEA, reader, reader64, signExtend, storeAt, writer, writer64 } from "../operands.js";
import { Gpr, SEG_FS } from "../registers.js";
import type { Builder } from "../translate.js";

// local copies of the constants (see Gpr in registers.ts: imported bindings are slow in hot code)
const RAX = Gpr.RAX, RDX = Gpr.RDX;

function isGpr(o: Operand): boolean {
  return o.kind !== OpK.Reg || o.cls === 1;
}

const mov: Builder = (cpu, insn) => {
  const [d, s] = insn.ops as [Operand, Operand];
  if (!isGpr(d) || !isGpr(s)) return undefined; // segment/control registers
  const L = cpu.lo, H = cpu.hi;
  const m = cpu.mem;
  if (d.size === 8) {
    if (d.kind === OpK.Reg) {
      const r = d.reg;
      if (s.kind === OpK.Reg) {
        const q = s.reg;
        return () => {
          L[r] = L[q]!;
          H[r] = H[q]!;
        };
      }
      if (s.kind === OpK.Imm) {
        const lo = s.immLo, hi = s.size === 8 ? s.immHi : s.immLo >> 31;
        return () => {
          L[r] = lo;
          H[r] = hi;
        };
      }
      const ea = makeEA(cpu, s);
      return () => {
        L[r] = m.read64(ea());
        H[r] = m.hi;
      };
    }
    const ea = makeEA(cpu, d);
    if (s.kind === OpK.Reg) {
      const q = s.reg;
      return () => m.write64(ea(), L[q]!, H[q]!);
    }
    const lo = s.immLo, hi = s.size === 8 ? s.immHi : s.immLo >> 31;
    return () => m.write64(ea(), lo, hi);
  }
  if (d.size === 4 && d.kind === OpK.Reg) {
    const r = d.reg;
    if (s.kind === OpK.Reg) {
      const q = s.reg;
      return () => {
        L[r] = L[q]!;
        H[r] = 0;
      };
    }
    if (s.kind === OpK.Mem) {
      const ea = makeEA(cpu, s);
      return () => {
        L[r] = m.read32(ea());
        H[r] = 0;
      };
    }
    const v = s.immLo;
    return () => {
      L[r] = v;
      H[r] = 0;
    };
  }
  if (d.size === 4 && d.kind === OpK.Mem && s.kind === OpK.Reg) {
    const ea = makeEA(cpu, d);
    const q = s.reg;
    return () => m.write32(ea(), L[q]!);
  }
  const src = reader(cpu, s, d.size);
  const dst = writer(cpu, d);
  return () => dst(src());
};

/** movzx/movsx/movsxd: source narrower than the destination. */
function extend(signed: boolean): Builder {
  return (cpu, insn) => {
    const [d, s] = insn.ops as [Operand, Operand];
    const src = reader(cpu, s);
    const ss = s.size;
    const L = cpu.lo, H = cpu.hi;
    if (d.size === 8) {
      const r = d.reg;
      if (signed)
        return () => {
          const v = signExtend(src(), ss);
          L[r] = v;
          H[r] = v >> 31;
        };
      return () => {
        L[r] = src();
        H[r] = 0;
      };
    }
    const dst = writer(cpu, d);
    if (signed) return () => dst(signExtend(src(), ss) >>> 0);
    return () => dst(src());
  };
}

const lea: Builder = (cpu, insn) => {
  const [d, s] = insn.ops as [Operand, Operand];
  const parts = leaParts(cpu, s);
  const L = cpu.lo, H = cpu.hi;
  const r = d.reg;
  if (d.size === 8 && s.addrSize === 8) {
    const { base: b, index: x, disp } = s;
    // Fast path: base + small disp without carry games is the common `lea -0x10(%rbp),%rax`.
    if (!s.ripRel && x < 0 && b >= 0 && s.seg === 0 && disp >= -0x80000000 && disp < 0x80000000) {
      const dl = disp | 0;
      return () => {
        const lo = L[b]! >>> 0;
        const sum = lo + dl;
        L[r] = sum;
        H[r] = (H[b]! + (sum > 0xffffffff ? 1 : sum < 0 ? -1 : 0)) | 0;
      };
    }
    return () => {
      L[r] = parts();
      H[r] = cpu.thi;
    };
  }
  if (d.size === 4 || d.size === 8) {
    // 32-bit destination (or 32-bit address size): truncated, zero-extended
    return () => {
      L[r] = parts();
      H[r] = 0;
    };
  }
  const dst = writer(cpu, d);
  return () => dst(parts() & 0xffff);
};

const xchg: Builder = (cpu, insn) => {
  const [a, b] = insn.ops as [Operand, Operand];
  const size = a.size;
  if (size === 8) {
    const ra = reader64(cpu, a), rb = reader64(cpu, b);
    const wa = writer64(cpu, a), wb = writer64(cpu, b);
    return () => {
      const alo = ra(), ahi = cpu.thi;
      const blo = rb(), bhi = cpu.thi;
      wb(alo, ahi); // memory operand (if any) is written first so a fault changes nothing
      wa(blo, bhi);
    };
  }
  if (b.kind === OpK.Mem) {
    const ea = makeEA(cpu, b);
    const ld = loadAt(cpu, size), st = storeAt(cpu, size);
    const ra = reader(cpu, a), wa = writer(cpu, a);
    return () => {
      const addr = ea();
      const old = ld(addr);
      st(addr, ra());
      wa(old);
    };
  }
  const ra = reader(cpu, a), rb = reader(cpu, b);
  const wa = writer(cpu, a), wb = writer(cpu, b);
  return () => {
    const va = ra(), vb = rb();
    wa(vb);
    wb(va);
  };
};

const cmov: Builder = (cpu, insn) => {
  const [d, s] = insn.ops as [Operand, Operand];
  const cc = insn.cc;
  const fl = cpu.fl;
  const L = cpu.lo, H = cpu.hi;
  const r = d.reg;
  if (d.size === 8) {
    const src = reader64(cpu, s);
    return () => {
      // The source is read (and may fault) even when the condition is false.
      const lo = src();
      if (fl.cond(cc)) {
        L[r] = lo;
        H[r] = cpu.thi;
      }
    };
  }
  const src = reader(cpu, s);
  if (d.size === 4)
    return () => {
      const v = src();
      if (fl.cond(cc)) L[r] = v;
      H[r] = 0; // 32-bit destination is zero-extended whether or not the move happens
    };
  const dst = writer(cpu, d);
  return () => {
    const v = src();
    if (fl.cond(cc)) dst(v);
  };
};

const setcc: Builder = (cpu, insn) => {
  const d = insn.ops[0]!;
  const cc = insn.cc;
  const fl = cpu.fl;
  const dst = writer(cpu, d);
  return () => dst(fl.cond(cc) ? 1 : 0);
};

/** cbw/cwde/cdqe: sign-extend the low half of rax into its full width. */
function widen(from: number): Builder {
  return (cpu) => {
    const L = cpu.lo, H = cpu.hi;
    if (from === 1) return () => void (L[RAX] = (L[RAX]! & ~0xffff) | (((L[RAX]! << 24) >> 24) & 0xffff));
    if (from === 2)
      return () => {
        L[RAX] = (L[RAX]! << 16) >> 16;
        H[RAX] = 0;
      };
    return () => void (H[RAX] = L[RAX]! >> 31);
  };
}

/** cwd/cdq/cqo: fill rdx with the sign of rax at the given width. */
function signFill(size: number): Builder {
  return (cpu) => {
    const L = cpu.lo, H = cpu.hi;
    if (size === 2) return () => void (L[RDX] = (L[RDX]! & ~0xffff) | (((L[RAX]! << 16) >> 31) & 0xffff));
    if (size === 4)
      return () => {
        L[RDX] = L[RAX]! >> 31;
        H[RDX] = 0;
      };
    return () => {
      const s = H[RAX]! >> 31;
      L[RDX] = s;
      H[RDX] = s;
    };
  };
}

function bswap32(v: number): number {
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

const bswap: Builder = (cpu, insn) => {
  const d = insn.ops[0]!;
  const L = cpu.lo, H = cpu.hi;
  const r = d.reg;
  if (d.size === 8)
    return () => {
      const lo = L[r]!;
      L[r] = bswap32(H[r]!);
      H[r] = bswap32(lo);
    };
  if (d.size === 4)
    return () => {
      L[r] = bswap32(L[r]!);
      H[r] = 0;
    };
  return () => void (L[r] = L[r]! & ~0xffff); // bswap r16 is undefined; hardware gives 0
};

const movbe: Builder = (cpu, insn) => {
  const [d, s] = insn.ops as [Operand, Operand];
  const size = d.size;
  if (size === 8) {
    const src = reader64(cpu, s), dst = writer64(cpu, d);
    return () => {
      const lo = src();
      dst(bswap32(cpu.thi), bswap32(lo));
    };
  }
  const src = reader(cpu, s), dst = writer(cpu, d);
  if (size === 4) return () => dst(bswap32(src()) >>> 0);
  return () => {
    const v = src();
    dst(((v & 0xff) << 8) | (v >>> 8));
  };
};

/** xlat: al = byte [rbx + al] (ebx with 32-bit address size); an fs/gs override applies. */
const xlat: Builder = (cpu, insn) => {
  const L = cpu.lo, H = cpu.hi, m = cpu.mem;
  const o = insn.ops.find((x) => x.kind === OpK.Mem);
  const a32 = o?.addrSize === 4, seg = o?.seg ?? 0;
  return () => {
    const al = L[0]! & 0xff;
    let a = a32 ? (L[3]! + al) >>> 0 : H[3]! * 4294967296 + (L[3]! >>> 0) + al;
    if (seg !== 0) a += seg === SEG_FS ? cpu.fsBase : cpu.gsBase;
    if (a32) a >>>= 0;
    L[0] = (L[0]! & ~0xff) | m.read8(a);
  };
};

export const movOps: [Mnemonic, Builder][] = [
  [Mnemonic.Xlatb, xlat],
  [Mnemonic.Mov, mov],
  [Mnemonic.Movzx, extend(false)],
  [Mnemonic.Movsx, extend(true)],
  [Mnemonic.Movsxd, extend(true)],
  [Mnemonic.Lea, lea],
  [Mnemonic.Xchg, xchg],
  [Mnemonic.Cmovo, cmov],
  [Mnemonic.Cmovno, cmov],
  [Mnemonic.Cmovb, cmov],
  [Mnemonic.Cmovae, cmov],
  [Mnemonic.Cmove, cmov],
  [Mnemonic.Cmovne, cmov],
  [Mnemonic.Cmovbe, cmov],
  [Mnemonic.Cmova, cmov],
  [Mnemonic.Cmovs, cmov],
  [Mnemonic.Cmovns, cmov],
  [Mnemonic.Cmovp, cmov],
  [Mnemonic.Cmovnp, cmov],
  [Mnemonic.Cmovl, cmov],
  [Mnemonic.Cmovge, cmov],
  [Mnemonic.Cmovle, cmov],
  [Mnemonic.Cmovg, cmov],
  [Mnemonic.Seto, setcc],
  [Mnemonic.Setno, setcc],
  [Mnemonic.Setb, setcc],
  [Mnemonic.Setae, setcc],
  [Mnemonic.Sete, setcc],
  [Mnemonic.Setne, setcc],
  [Mnemonic.Setbe, setcc],
  [Mnemonic.Seta, setcc],
  [Mnemonic.Sets, setcc],
  [Mnemonic.Setns, setcc],
  [Mnemonic.Setp, setcc],
  [Mnemonic.Setnp, setcc],
  [Mnemonic.Setl, setcc],
  [Mnemonic.Setge, setcc],
  [Mnemonic.Setle, setcc],
  [Mnemonic.Setg, setcc],
  [Mnemonic.Cbw, widen(1)],
  [Mnemonic.Cwde, widen(2)],
  [Mnemonic.Cdqe, widen(4)],
  [Mnemonic.Cwd, signFill(2)],
  [Mnemonic.Cdq, signFill(4)],
  [Mnemonic.Cqo, signFill(8)],
  [Mnemonic.Bswap, bswap],
  [Mnemonic.Movbe, movbe],
];

void isGpr;
