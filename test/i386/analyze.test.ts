// arch_uprobe_analyze_insn() for a 32-bit mm (is_64bit_mm() false): good_insns_32, no rip-relative
// rewrite (mod 00 rm 101 is an absolute disp32), push emulation of the eight 32-bit registers
// without REX, no nop5 optimization, the int3 trampoline in every generation, and sizeof_long()
// per generation and kernel width.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { resolveKernel } from "../../engine/uprobes/generations.js";
import { analyzeInsn } from "../../engine/uprobes/x86/analyze.js";
import { UPROBE_FIX_RIP_MASK } from "../../engine/uprobes/x86/arch-uprobe.js";
import { archUprobeTrampoline } from "../../engine/uprobes/x86/uretprobe.js";
import { sizeofLong } from "../../engine/uprobes/x86/word-size.js";

const g618 = resolveKernel("6.18");

function analyze(bytes: number[], bits: 64 | 32, gen = g618) {
  return analyzeInsn(new Uint8Array(bytes), { gen, emulation: true, bits, vaddr: 0x401000 });
}

describe("uprobe analysis of 32-bit code", () => {
  test("40 is inc %eax in 32-bit code (accepted, stepped) but a REX prefix in 64-bit code", () => {
    const r = analyze([0x40], 32);
    assert.ok(r.ok);
    assert.equal(r.arch.ilen, 1);
    assert.equal(r.arch.ops.name, "default");
  });
  test("pop %es (07) is refused by good_insns_32", () => {
    const r = analyze([0x07], 32);
    assert.equal(r.ok, false);
  });
  test("push %ebp is push-emulated with a 4-byte word from 5.3 on, 8 bytes on 4.16", () => {
    const r = analyze([0x55], 32);
    assert.ok(r.ok);
    assert.equal(r.arch.ops.name, "push");
    assert.equal(r.arch.pushReg, 5);
    assert.equal(r.arch.longSize, 4);
    const old = analyze([0x55], 32, resolveKernel("4.16"));
    assert.ok(old.ok);
    assert.equal(old.arch.longSize, 8);
    const i386 = analyze([0x55], 32, resolveKernel("4.16-x86_32"));
    assert.ok(i386.ok);
    assert.equal(i386.arch.longSize, 4);
  });
  test("mov 0x1234, %eax (8b 05 disp32) is absolute in 32-bit code: no riprel fixup", () => {
    const bytes = [0x8b, 0x05, 0x34, 0x12, 0x00, 0x00];
    const r32 = analyze(bytes, 32);
    const r64 = analyze(bytes, 64);
    assert.ok(r32.ok && r64.ok);
    assert.equal(r32.arch.fixups & UPROBE_FIX_RIP_MASK, 0);
    assert.notEqual(r64.arch.fixups & UPROBE_FIX_RIP_MASK, 0);
    assert.deepEqual(Array.from(r32.arch.insn.subarray(0, 6)), bytes);
  });
  test("a 5-byte nopl is not optimized for a 32-bit task on 6.18", () => {
    const nop5 = [0x0f, 0x1f, 0x44, 0x00, 0x00];
    const r32 = analyze(nop5, 32), r64 = analyze(nop5, 64);
    assert.ok(r32.ok && r64.ok);
    assert.equal(r32.arch.canOptimize, false);
    assert.equal(r64.arch.canOptimize, true);
  });
  test("the XOL trampoline of a 32-bit task is an int3 on 6.11+ (the uretprobe syscall is 64-bit only)", () => {
    assert.deepEqual(Array.from(archUprobeTrampoline(g618, 32)), [0xcc]);
    assert.notDeepEqual(Array.from(archUprobeTrampoline(g618, 64)), [0xcc]);
  });
  test("sizeof_long(): 8 for 64-bit tasks; for 32-bit tasks 8 before 5.3 on a 64-bit kernel, 4 after and on an i386 kernel", () => {
    assert.equal(sizeofLong(g618, 64), 8);
    assert.equal(sizeofLong(resolveKernel("4.17"), 32), 8);
    assert.equal(sizeofLong(resolveKernel("5.3"), 32), 4);
    assert.equal(sizeofLong(resolveKernel("3.10-x86_32"), 32), 4);
  });
  test("--kernel V-x86_32 resolves to the generation's knobs with kernelBits 32", () => {
    const k = resolveKernel("v4.16-x86_32");
    assert.equal(k.kernelBits, 32);
    assert.equal(k.emulatePush, true);
    assert.equal(k.version, "4.16-x86_32");
    assert.throws(() => resolveKernel("4.15-x86_32"), /not a modelled generation/);
  });
});

describe("an i386 kernel runs no 64-bit programs", () => {
  test("--kernel 6.18-x86_32 on push-O0: one line, ENOEXEC", async () => {
    const { runCli } = await import("../helpers.js");
    const r = runCli(["run", "--kernel", "6.18-x86_32", "-e", "probe test:0 < count++ >", "--", "samples/bin/push-O0"]);
    assert.notEqual(r.status, 0);
    assert.notEqual(r.status, 70);
    assert.match(r.stderr, /64-bit program cannot run on the i386 kernel 6.18-x86_32 \(ENOEXEC\)/);
    assert.equal(r.stderr.trim().split("\n").length, 1);
  });
});
