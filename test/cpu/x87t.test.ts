// Differential test of the x87 transcendentals glibc's libm uses (f2xm1,
// fyl2x, fyl2xp1, fpatan; engine/cpu/x87-transcendental.ts), natively and in
// the emulator, on edge and random 80-bit operands under every rounding
// control.
//
// The hardware's results are specified to within 1 ulp, not bit for bit, and
// the emulator rounds the exact value correctly: a finite nonzero result may
// differ by one unit in the last place (the count is reported), everything
// else must be identical: special results (zeros, infinities, NaNs, exact
// results such as log2 of a power of two) and the status word (IE ZE OE UE
// PE, C0 C2 C3, TOP; not C1, the round-up indicator, nor DE).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildC, requireMusl, runEmulated, runNative } from "../helpers.js";
import { Rng } from "./harness.js";

type X = [bigint, number]; // significand, sign|exponent

const OPS = ["f2xm1", "fyl2x", "fyl2xp1", "fpatan"] as const;
const SW_MASK = 0x7d3d;

const one: X = [0x8000000000000000n, 0x3fff];
const neg = ([m, e]: X): X => [m, e ^ 0x8000];
const pow2 = (k: number): X => (k + 16383 > 0 ? [0x8000000000000000n, k + 16383] : [1n << BigInt(63 + k + 16382), 0]);

function randomIn(r: Rng, expLo: number, expHi: number): X {
  return [r.next() | 0x8000000000000000n, 16383 + expLo + r.int(expHi - expLo + 1)];
}

const ZERO: X = [0n, 0], INF: X = [0x8000000000000000n, 0x7fff], QNAN: X = [0xc000000000001234n, 0x7fff], SNAN: X = [0xa000000000000001n, 0xffff];

function inputs(): { op: number; a: X; b: X }[] {
  const r = new Rng(501);
  const out: { op: number; a: X; b: X }[] = [];
  const ys: X[] = [one, neg(one), ZERO, neg(ZERO), INF, neg(INF), QNAN, pow2(16000), pow2(-16000), randomIn(r, -3, 3), neg(randomIn(r, -3, 3))];
  // f2xm1 on [-1, 1] (the defined range) and its edges
  const f2: X[] = [ZERO, neg(ZERO), one, neg(one), pow2(-1), neg(pow2(-1)), pow2(-10), pow2(-64), neg(pow2(-64)), pow2(-1000), pow2(-16382), neg(pow2(-16400)),
    [0xffffffffffffffffn, 0x3ffe], [0xffffffffffffffffn, 0xbffe], QNAN, SNAN];
  for (let i = 0; i < 60; i++) f2.push(r.int(2) ? randomIn(r, -70, -1) : neg(randomIn(r, -70, -1)));
  for (const a of f2) out.push({ op: 0, a, b: one });
  // fyl2x: x > 0 of every magnitude, powers of two (exact), near 1; and the special-operand table
  const xs: X[] = [one, pow2(1), pow2(-1), pow2(100), pow2(-16382), pow2(-16400), [0x8000000000000001n, 0x3fff], [0xffffffffffffffffn, 0x3ffe], [0xffffffffffffffffn, 0x7ffe],
    [0x8000000000000100n, 0x3fff], [0xfffffffffffff000n, 0x3ffe], ZERO, neg(ZERO), INF, neg(INF), neg(one), neg(pow2(-5)), QNAN, SNAN];
  for (let i = 0; i < 30; i++) xs.push(randomIn(r, -16000, 16000));
  for (let i = 0; i < 30; i++) xs.push(randomIn(r, -2, 1));
  for (const a of xs) for (const b of ys) out.push({ op: 1, a, b });
  // fyl2xp1: |x| < 1 - sqrt(2)/2 (the defined range)
  const ps: X[] = [ZERO, neg(ZERO), pow2(-3), neg(pow2(-3)), pow2(-64), neg(pow2(-64)), pow2(-16382), neg(pow2(-16400)), [0x947ae147ae147ae1n, 0x3ffd], [0x947ae147ae147ae1n, 0xbffd], QNAN, SNAN];
  for (let i = 0; i < 40; i++) ps.push(r.int(2) ? randomIn(r, -80, -3) : neg(randomIn(r, -80, -3)));
  for (const a of ps) for (const b of ys) out.push({ op: 2, a, b });
  // fpatan: every quadrant, the special-operand table, tiny and huge ratios
  const vs: X[] = [ZERO, neg(ZERO), INF, neg(INF), one, neg(one), pow2(-16382), neg(pow2(-16400)), pow2(16000), neg(pow2(16000)), [0xb504f333f9de6484n, 0x3fff], QNAN];
  for (let i = 0; i < 10; i++) vs.push(r.int(2) ? randomIn(r, -40, 40) : neg(randomIn(r, -40, 40)));
  for (const a of vs) for (const b of vs) out.push({ op: 3, a, b });
  return out;
}

function program(rows: { op: number; a: X; b: X }[]): string {
  const hex = (v: bigint): string => "0x" + v.toString(16) + "ull";
  const data = rows.map(({ op, a, b }) => `{${op},${hex(a[0])},${a[1]},${hex(b[0])},${b[1]}}`).join(",\n");
  const body = OPS.map(
    (o, i) => `    case ${i}: __asm__ volatile("fninit; fldcw %4; fldt %3; fldt %2; ${o}; fnstsw %%ax; fstpt %0${i === 0 ? "; fstp %%st(0)" : ""}" : "=m"(res), "=a"(sw) : "m"(a), "m"(b), "m"(cw)); break;`,
  ).join("\n");
  return `#include <stdio.h>
#include <stdint.h>
#include <string.h>
struct row { int op; uint64_t am; uint16_t ae; uint64_t bm; uint16_t be; };
static const struct row R[] = {
${data}
};
int main(void) {
  for (unsigned i = 0; i < sizeof R / sizeof R[0]; i++)
    for (int rc = 0; rc < 4; rc++) {
      long double a, b, res;
      unsigned char ra[16];
      memset(&a, 0, sizeof a); memcpy(&a, &R[i].am, 8); memcpy((char *)&a + 8, &R[i].ae, 2);
      memset(&b, 0, sizeof b); memcpy(&b, &R[i].bm, 8); memcpy((char *)&b + 8, &R[i].be, 2);
      uint16_t cw = 0x37f | (rc << 10);
      unsigned sw = 0;
      switch (R[i].op) {
${body}
      }
      uint64_t rm; uint16_t rse;
      memcpy(ra, &res, 10); memcpy(&rm, ra, 8); memcpy(&rse, ra + 8, 2);
      printf("%u %d %04x %016llx %04x\\n", i, rc, rse, (unsigned long long)rm, sw & ${SW_MASK});
    }
  return 0;
}
`;
}

/** Position of a finite 80-bit value on the line of representable values (adjacent values differ by 1). */
function key(se: number, m: bigint): bigint {
  const E = BigInt(se & 0x7fff);
  const k = E === 0n ? m : E * (1n << 63n) + (m & ((1n << 63n) - 1n));
  return se & 0x8000 ? -k : k;
}

describe("cpu differential: x87 transcendentals", () => {
  test("f2xm1 fyl2x fyl2xp1 fpatan: within 1 ulp of the processor, specials and flags identical", (t) => {
    requireMusl();
    const rows = inputs();
    const bin = buildC(program(rows), ["-O1"], "diff-x87t");
    const n = runNative(bin, []);
    assert.equal(n.status, 0, n.stderr);
    const e = runEmulated(bin, []);
    assert.equal(e.status, 0, `${e.stderr} ${e.machine.result().report ?? ""}`);
    const nl = n.stdout.trim().split("\n"), el = e.stdout.trim().split("\n");
    assert.equal(el.length, nl.length);
    const bad: string[] = [];
    const ulps = OPS.map(() => 0);
    nl.forEach((line, i) => {
      if (line === el[i]) return;
      const [idx, rc, nse, nm, nsw] = line.split(" ");
      const [, , ese, em, esw] = el[i]!.split(" ");
      const row = rows[Number(idx)]!;
      const what = `${OPS[row.op]} a=${row.a[1].toString(16)}:${row.a[0].toString(16)} b=${row.b[1].toString(16)}:${row.b[0].toString(16)} rc=${rc}: native ${nse}:${nm} sw ${nsw}, emulator ${ese}:${em} sw ${esw}`;
      const finite = (se: number, m: bigint): boolean => (se & 0x7fff) !== 0x7fff && m !== 0n;
      const ns = parseInt(nse!, 16), es = parseInt(ese!, 16), nmv = BigInt("0x" + nm), emv = BigInt("0x" + em);
      if (nsw === esw && finite(ns, nmv) && finite(es, emv) && (ns & 0x8000) === (es & 0x8000)) {
        const d = key(ns, nmv) - key(es, emv);
        if (d === 1n || d === -1n) {
          ulps[row.op]!++;
          return;
        }
      }
      bad.push(what);
    });
    const summary = OPS.map((o, i) => `${o}: ${ulps[i]} results 1 ulp apart`).join(", ");
    t.diagnostic(`${nl.length} results; ${summary}`);
    const shown = bad.slice(0, Number(process.env.X87T_SHOW ?? 40)).join("\n");
    assert.equal(bad.length, 0, `${bad.length} differences beyond 1 ulp (${summary})${shown ? `, the first ones:\n${shown}` : ""}`);
  });
});
