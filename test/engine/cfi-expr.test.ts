// DWARF expressions as CFI uses them (engine/cfi/dwarf-expr.ts): the PLT's
// CFA expression, which glibc's and every ld-made .plt carries, and the
// operations' edge cases; bad programs stop with a CfiError, never a hang.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CfiError } from "../../engine/cfi/dwarf-read.js";
import { evalExpr, type ExprEnv } from "../../engine/cfi/dwarf-expr.js";

/** DW_OP_breg7 (rsp): 8; DW_OP_breg16 (rip): 0; DW_OP_lit15; DW_OP_and; DW_OP_lit11; DW_OP_ge; DW_OP_lit3; DW_OP_shl; DW_OP_plus */
const PLT = Uint8Array.from([0x77, 8, 0x80, 0, 0x3f, 0x1a, 0x3b, 0x2a, 0x33, 0x24, 0x22]);

const env = (regs: Record<number, bigint>, mem: Record<string, bigint> = {}): ExprEnv => ({
  reg: (d) => regs[d],
  readU64: (a) => mem[a.toString(16)],
});

describe("DWARF expressions of CFI", () => {
  test("the PLT entry's CFA: rsp+8 before the push in the entry (offset < 11), rsp+16 after it", () => {
    const rsp = 0x7ffffffde000n;
    for (let off = 0n; off < 16n; off++) {
      const rip = 0x401020n + off;
      assert.equal(evalExpr(PLT, env({ 7: rsp, 16: rip })), rsp + (off >= 11n ? 16n : 8n), `rip offset ${off}`);
    }
  });
  test("the CFA pushed first, deref, and an unreadable word giving undefined", () => {
    // DW_OP_breg7 (rsp): 160; DW_OP_deref: __restore_rt's CFA, the interrupted rsp saved in the sigcontext
    const e = Uint8Array.from([0x77, 0xa0, 0x01, 0x06]);
    assert.equal(evalExpr(e, env({ 7: 0x1000n }, { "10a0": 0x2000n })), 0x2000n);
    assert.equal(evalExpr(e, env({ 7: 0x1000n })), undefined);
    // DW_OP_plus_uconst 8 on the pushed CFA
    assert.equal(evalExpr(Uint8Array.from([0x23, 8]), env({}), 0x100n), 0x108n);
  });
  test("branches, signed comparisons and 64-bit wrap", () => {
    // lit1; bra +1; lit5 (skipped); lit7 -> 7
    assert.equal(evalExpr(Uint8Array.from([0x31, 0x28, 1, 0, 0x35, 0x37]), env({})), 7n);
    // const1s -1; lit0; lt -> 1 (signed)
    assert.equal(evalExpr(Uint8Array.from([0x09, 0xff, 0x30, 0x2d]), env({})), 1n);
    // lit0; lit1; minus -> 2^64-1
    assert.equal(evalExpr(Uint8Array.from([0x30, 0x31, 0x1c]), env({})), 2n ** 64n - 1n);
  });
  test("bad programs: underflow, an endless loop, an unknown operation", () => {
    assert.throws(() => evalExpr(Uint8Array.from([0x22]), env({})), CfiError);
    assert.throws(() => evalExpr(Uint8Array.from([0x2f, 0xfd, 0xff]), env({})), /too long/);
    assert.throws(() => evalExpr(Uint8Array.from([0xe0]), env({})), /not supported/);
    assert.throws(() => evalExpr(Uint8Array.from([0x0c, 1]), env({})), /truncated/);
  });
});
