// End-to-end runs of dsl/examples/*.probe on simulated programs. A tiny
// fake engine plays each program's calls (arguments in rdi, the return
// address on the stack at entry, rax at return, a virtual clock) and the
// expected output is derived from the simulated program's own logic.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileProgram, type CompiledProgram } from "../../dsl/index.js";
import { FakeCtx, FakeTarget, fixture, readExample } from "./helpers.js";

const T = new FakeTarget();
const MAIN = T.lookupSymbol("main")!.addr;
const REC = T.lookupSymbol("rec")!.addr;

/** One simulated call of test(arg) returning ret after `latency` ns, called from `returnAddr`. */
function call(p: CompiledProgram, ctx: FakeCtx, arg: bigint, ret: bigint, latency: bigint, returnAddr: bigint): void {
  const sp = 0x7fffffffe000n - 0x100n;
  ctx.regs[4] = sp;
  ctx.pokeU64(sp, returnAddr);
  ctx.arg0 = arg;
  ctx.hitCount++;
  ctx.trapCount++;
  for (const pr of p.probes) if (pr.target.kind === "uprobe") pr.handler(ctx);
  ctx.now += latency;
  ctx.rax = ret;
  ctx.regs[4] = sp + 8n;
  for (const pr of p.probes) if (pr.target.kind === "uretprobe") pr.handler(ctx);
  ctx.now += 10n;
}

function load(name: string): CompiledProgram {
  return compileProgram(readExample(name), name, T);
}

describe("examples", () => {
  it("count.probe: t calls test() 1000 times", () => {
    const p = load("count.probe");
    const ctx = new FakeCtx();
    for (let i = 0n; i < 1000n; i++) call(p, ctx, 0n, 0n, 3n, MAIN + 26n);
    assert.equal(p.printText(), "\n\ncalls: 1000\nreturns: 1000\n");
  });

  it("arghist.probe: t2 calls test(i) for i = 0..999 (the anchors' @h/@lh/@stats)", () => {
    const p = load("arghist.probe");
    const ctx = new FakeCtx();
    for (let i = 0n; i < 1000n; i++) call(p, ctx, i, 2n * i, 3n, MAIN + 26n);
    const agg = fixture("agg.txt");
    const block = (name: string): string => agg.slice(agg.indexOf(`@${name}: \n`) + name.length + 4, agg.indexOf("\n\n", agg.indexOf(`@${name}: \n`)) + 2);
    assert.equal(
      p.printText(),
      `\n\narg0_linear: \n${block("lh")}arg0_log2: \n${block("h")}arg0_stats: count 1000, average 499, total 499500\n\n`,
    );
  });

  it("callers.probe: test() called from main and from rec", () => {
    const p = load("callers.probe");
    const ctx = new FakeCtx();
    // main: for (i = 0; i < 300; i++) test(); every third iteration rec() also calls test().
    for (let i = 0; i < 300; i++) {
      call(p, ctx, 0n, 0n, 3n, MAIN + 26n);
      if (i % 3 === 0) call(p, ctx, 0n, 0n, 3n, REC + 15n);
    }
    assert.equal(p.printText(), "\n\ncallers[rec+15]: 100\ncallers[main+26]: 300\n");
  });

  it("funclatency.probe: a function whose latency doubles every 100 calls", () => {
    const p = load("funclatency.probe");
    const ctx = new FakeCtx();
    p.runBegin(ctx);
    let total = 0n;
    for (let i = 0; i < 500; i++) {
      const d = 100n << BigInt(Math.floor(i / 100));
      total += d;
      call(p, ctx, 0n, 0n, d, MAIN + 26n);
    }
    p.runEnd(ctx);
    const out = p.output + p.printText();
    // 100 calls each at 100, 200, 400, 800, 1600 ns: slots 7, 8, 9, 10, 11.
    assert.match(out, /^ {8}64 -> 127 {8}: 100 {6}\|\*{40}\|$/m);
    assert.match(out, /^ {6}1024 -> 2047 {7}: 100 {6}\|\*{40}\|$/m);
    assert.ok(out.includes(`\navg = ${total / 500n} nsecs, total: ${total} nsecs, count: 500\n\nDetaching...\n`));
    // the section names the calling process, as bcc's tgid key: FakeCtx's 4242
    assert.ok(out.startsWith('Tracing 1 functions for "test"... Hit Ctrl-C to end.\n\n\nFunction = test [4242]\n     nsecs               : count     distribution\n'));
  });
});
