// DWARF expressions as CFI uses them (DW_CFA_def_cfa_expression,
// DW_CFA_expression, DW_CFA_val_expression): a small stack machine (DWARF 4
// §2.5). What .eh_frame holds in practice: the PLT's CFA
// (`rsp+8 + ((rip&15) >= 11) << 3`, the push inside each PLT entry), and the
// signal trampoline's (__restore_rt: registers saved in the sigcontext at
// rsp+N). Values are 64-bit unsigned; the program is untrusted, so it runs a
// bounded number of steps and any unknown operation stops it.

import { CfiError, DwarfReader } from "./dwarf-read.js";

/** What an expression may read: a register by DWARF number, and 8 bytes of guest memory. */
export interface ExprEnv {
  reg(dwarfReg: number): bigint | undefined;
  readU64(addr: bigint): bigint | undefined;
  /** A narrower read for DW_OP_deref_size. */
  readN?(addr: bigint, size: number): bigint | undefined;
}

const MAX_STEPS = 1000;
const MAX_STACK = 64;
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);

/** Run an expression; `initial` is pushed first (the CFA, for register rules). Undefined when it reads what cannot be read. */
export function evalExpr(code: Uint8Array, env: ExprEnv, initial?: bigint): bigint | undefined {
  const r = new DwarfReader(code, 0, code.length, 8);
  const st: bigint[] = initial === undefined ? [] : [u64(initial)];
  const pop = (): bigint => {
    const v = st.pop();
    if (v === undefined) throw new CfiError("DWARF expression stack underflow");
    return v;
  };
  const push = (v: bigint): void => {
    if (st.length >= MAX_STACK) throw new CfiError("DWARF expression stack overflow");
    st.push(u64(v));
  };
  const bin = (f: (a: bigint, b: bigint) => bigint): void => {
    const b = pop();
    const a = pop();
    push(f(a, b));
  };
  for (let steps = 0; !r.done; steps++) {
    if (steps >= MAX_STEPS) throw new CfiError("DWARF expression runs too long");
    const op = r.u8();
    if (op >= 0x30 && op <= 0x4f) { push(BigInt(op - 0x30)); continue; } // lit0..lit31
    if (op >= 0x50 && op <= 0x6f) { // reg0..reg31: a location, not a value; CFI has no use for it
      throw new CfiError("DW_OP_reg in a CFI expression");
    }
    if (op >= 0x70 && op <= 0x8f) { // breg0..breg31
      const v = env.reg(op - 0x70);
      const off = r.sleb();
      if (v === undefined) return undefined;
      push(v + BigInt(off));
      continue;
    }
    switch (op) {
      case 0x06: { const v = env.readU64(pop()); if (v === undefined) return undefined; push(v); break; } // deref
      case 0x08: push(BigInt(r.u8())); break;
      case 0x09: push(BigInt((r.u8() << 24) >> 24)); break;
      case 0x0a: push(BigInt(r.u16())); break;
      case 0x0b: push(BigInt(r.s16())); break;
      case 0x0c: push(BigInt(r.u32())); break;
      case 0x0d: push(BigInt(r.s32())); break;
      case 0x0e: push(BigInt(r.u64())); break;
      case 0x0f: push(BigInt(r.s64())); break;
      case 0x10: push(BigInt(r.uleb())); break;
      case 0x11: push(BigInt(r.sleb())); break;
      case 0x12: { const v = pop(); push(v); push(v); break; } // dup
      case 0x13: pop(); break; // drop
      case 0x14: { const b = pop(); const a = pop(); push(a); push(b); push(a); break; } // over
      case 0x15: { const i = r.u8(); const v = st[st.length - 1 - i]; if (v === undefined) throw new CfiError("DW_OP_pick past the stack"); push(v); break; }
      case 0x16: { const b = pop(); const a = pop(); push(b); push(a); break; } // swap
      case 0x17: { const c = pop(); const b = pop(); const a = pop(); push(c); push(a); push(b); break; } // rot
      case 0x19: { const v = s64(pop()); push(v < 0n ? -v : v); break; } // abs
      case 0x1a: bin((a, b) => a & b); break;
      case 0x1b: bin((a, b) => { if (b === 0n) throw new CfiError("DW_OP_div by zero"); return s64(a) / s64(b); }); break;
      case 0x1c: bin((a, b) => a - b); break;
      case 0x1d: bin((a, b) => { if (b === 0n) throw new CfiError("DW_OP_mod by zero"); return a % b; }); break;
      case 0x1e: bin((a, b) => a * b); break;
      case 0x1f: push(-pop()); break; // neg
      case 0x20: push(~pop()); break; // not
      case 0x21: bin((a, b) => a | b); break;
      case 0x22: bin((a, b) => a + b); break;
      case 0x23: push(pop() + BigInt(r.uleb())); break; // plus_uconst
      case 0x24: bin((a, b) => (b >= 64n ? 0n : a << b)); break;
      case 0x25: bin((a, b) => (b >= 64n ? 0n : a >> b)); break;
      case 0x26: bin((a, b) => s64(a) >> (b >= 64n ? 63n : b)); break; // shra
      case 0x27: bin((a, b) => a ^ b); break;
      case 0x28: { const off = r.s16(); if (pop() !== 0n) jump(r, off); break; } // bra
      case 0x29: bin((a, b) => (s64(a) === s64(b) ? 1n : 0n)); break;
      case 0x2a: bin((a, b) => (s64(a) >= s64(b) ? 1n : 0n)); break;
      case 0x2b: bin((a, b) => (s64(a) > s64(b) ? 1n : 0n)); break;
      case 0x2c: bin((a, b) => (s64(a) <= s64(b) ? 1n : 0n)); break;
      case 0x2d: bin((a, b) => (s64(a) < s64(b) ? 1n : 0n)); break;
      case 0x2e: bin((a, b) => (s64(a) !== s64(b) ? 1n : 0n)); break;
      case 0x2f: jump(r, r.s16()); break; // skip
      case 0x92: { const reg = r.uleb(); const off = r.sleb(); const v = env.reg(reg); if (v === undefined) return undefined; push(v + BigInt(off)); break; } // bregx
      case 0x94: { // deref_size
        const n = r.u8();
        const a = pop();
        const v = n === 8 ? env.readU64(a) : env.readN?.(a, n);
        if (v === undefined) return undefined;
        push(v);
        break;
      }
      case 0x96: break; // nop
      default:
        throw new CfiError(`DWARF operation 0x${op.toString(16)} is not supported in CFI`);
    }
  }
  return st.length ? st[st.length - 1] : undefined;
}

function jump(r: DwarfReader, off: number): void {
  const to = r.pos + off;
  if (to < 0 || to > r.end) throw new CfiError("DWARF branch outside the expression");
  r.pos = to;
}
