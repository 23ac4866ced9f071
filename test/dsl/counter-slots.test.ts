// Counter slots (dsl/counter-slots.ts): a global or unkeyed map the program
// only counts with keeps its hits in a JS number and folds them into the
// BigInt where it is read. The printed values (text and JSON) must be what
// the BigInt code gives, at the boundaries too: the number limit (2^52, the
// fold point) and the int64 wrap of `x++`/`x--` (count() does not wrap).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CounterKind } from "../../dsl/counter-slots.js";
import { compileProgram, type CompiledProgram } from "../../dsl/index.js";
import { FakeCtx, FakeTarget } from "./helpers.js";

const T = new FakeTarget();

function compile(src: string): CompiledProgram {
  return compileProgram(src, "s.probe", T, {});
}

function idOf(p: CompiledProgram, name: string): number {
  return p.runtime.vars.find((v) => v.name === name)!.id;
}

/** Run the probe n times, then END; the maps printed at exit, text and JSON. */
function hits(p: CompiledProgram, n: number): { text: string; json: string } {
  const ctx = new FakeCtx();
  for (let i = 0; i < n; i++) p.probes[0]!.handler(ctx);
  p.runEnd(ctx);
  return { text: p.printText(), json: JSON.stringify(p.printJson()) };
}

const INT64_MAX = 2n ** 63n - 1n;
const wrap = (v: bigint): bigint => BigInt.asIntN(64, v);

describe("counter slots", () => {
  const SRC = "probe test < count++; @n++; @d--; @c = count() >";
  // the same program with every slot read once (never run): ordinary BigInt slots
  const READ = SRC + "\nEND < if (pid == 1234567) < printf(\"%d %d %d %d\", count, @n, @d, @c) > >";

  it("only-counted slots are counters; a slot read anywhere is not", () => {
    const p = compile(SRC);
    for (const name of ["count", "@n", "@d"]) assert.equal(p.runtime.counterKind[idOf(p, name)], CounterKind.Wrap, name);
    assert.equal(p.runtime.counterKind[idOf(p, "@c")], CounterKind.Count);
    const q = compile(READ);
    for (const name of ["count", "@n", "@d", "@c"]) assert.equal(q.runtime.counterKind[idOf(q, name)], CounterKind.None, name);
    assert.ok(!compile("probe test < @k[1]++ >").runtime.counterKind.some((k) => k !== CounterKind.None), "a map used with a key");
    assert.ok(!compile("probe test < x++; x = 5 >").runtime.counterKind.some((k) => k !== CounterKind.None), "an assignment");
    assert.ok(!compile("probe test < x++; clear(x) >").runtime.counterKind.some((k) => k !== CounterKind.None), "clear()");
  });

  it("the same text and JSON as the BigInt slots", () => {
    for (const n of [0, 1, 2, 1000]) assert.deepEqual(hits(compile(SRC), n), hits(compile(READ), n), `${n} hits`);
  });

  it("at the fold point (2^52 pending) and across the int64 wrap", () => {
    for (const start of [0n, INT64_MAX - 2n, -INT64_MAX + 1n, 2n ** 53n - 1n]) {
      const p = compile(SRC);
      const q = compile(READ);
      // both start from `start` (set), with the counter's pending count 3 below the fold point
      for (const name of ["count", "@n", "@d", "@c"]) {
        p.runtime.G[idOf(p, name)] = start;
        p.runtime.K[idOf(p, name)] = 2 ** 52 * (name === "@d" ? -1 : 1) + (name === "@d" ? 3 : -3);
        const pending = name === "@d" ? -(2n ** 52n) + 3n : 2n ** 52n - 3n;
        q.runtime.G[idOf(q, name)] = name === "@c" ? start + pending : wrap(start + pending);
      }
      const a = hits(p, 10);
      assert.deepEqual(a, hits(q, 10), `from ${start}`);
      const d = -(2n ** 52n) + 3n - 10n;
      assert.match(a.text, new RegExp(`^@d: ${wrap(start + d)}$`, "m"));
      assert.match(a.text, new RegExp(`^@c: ${start + 2n ** 52n - 3n + 10n}$`, "m"));
    }
  });

  it("print, zero and clear see the pending count", () => {
    const p = compile("probe test < @n++ >\nEND < print(@n); zero(@n); print(@n); clear(@n); print(@n) >");
    // print() reads @n: not a counter. The runtime's own readers fold, whoever calls them.
    assert.equal(p.runtime.counterKind[idOf(p, "@n")], CounterKind.None);
    const q = compile("probe test < @n++ >");
    const id = idOf(q, "@n");
    q.probes[0]!.handler(new FakeCtx());
    q.probes[0]!.handler(new FakeCtx());
    assert.equal(q.runtime.K[id], 1, "the second hit is pending");
    assert.deepEqual(q.runtime.entries(id), [{ k: undefined, v: 2n }]);
    q.probes[0]!.handler(new FakeCtx());
    q.runtime.zero(id);
    assert.deepEqual(q.runtime.entries(id), [{ k: undefined, v: 0n }]);
    q.probes[0]!.handler(new FakeCtx());
    q.runtime.clear(id);
    assert.deepEqual(q.runtime.entries(id), []);
  });
});
