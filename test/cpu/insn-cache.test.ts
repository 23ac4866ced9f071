// The process-wide decode cache (engine/cpu/insn-cache.ts) stays bounded in a long session: it
// keeps at most two generations of templates, drops the oldest, and keeps what is still in use.

import assert from "node:assert/strict";
import { test } from "node:test";
import { X86Decoder } from "../../engine/cpu/decoder.js";
import { GENERATION, InsnCache } from "../../engine/cpu/insn-cache.js";
import { runEmulated, samplePath } from "../helpers.js";

/** `mov eax, n` (b8 imm32): a distinct instruction, so a distinct template, per n. */
const movEax = (n: number): Uint8Array => new Uint8Array([0xb8, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff, 0xc3]);

test("five generations of distinct instructions: at most 2 x GENERATION templates; one in steady use survives", () => {
  const dec = new X86Decoder(64);
  const cache: InsnCache = dec.cache;
  const hot = movEax(0xffffffff);
  for (let n = 0; n < 5 * GENERATION; n++) {
    dec.decodeRun(0x401000, movEax(n), 1);
    if (n % 1000 === 0) dec.decodeRun(0x402000, hot, 1);
    assert.ok(cache.size <= 2 * GENERATION, `size ${cache.size} after ${n}`);
  }
  const misses = cache.misses;
  const [insn] = dec.decodeRun(0x403000, hot, 1).insns;
  assert.equal(cache.misses, misses, "the instruction in use was kept");
  assert.equal(insn!.addr, 0x403000);
  assert.equal(insn!.next, 0x403005);
});

test("a guest run after the cache has turned over still runs and decodes the same", () => {
  const a = runEmulated(samplePath("hello-O0"), []);
  const dec = new X86Decoder(64);
  for (let n = 0; n < 2 * GENERATION + 10; n++) dec.decodeRun(0x401000, movEax(n + 0x10000000), 1);
  const b = runEmulated(samplePath("hello-O0"), []);
  assert.equal(b.stdout, a.stdout);
  assert.ok(dec.cache.size <= 2 * GENERATION);
});
