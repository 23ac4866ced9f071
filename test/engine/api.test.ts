// The library API (engine/index.ts): load, symbols, disassembly, run, and
// register/memory access, as the notebooks and scripts use it.

import assert from "node:assert/strict";
import { test } from "node:test";
import { BufferIo, COST_PROFILES, loadBinary, Machine, resolveKernel, Uprobes } from "../../engine/index.js";
import { samplePath } from "../helpers.js";

test("symbols carry sizes and file offsets; disassembly comes from the file", () => {
  const b = loadBinary(samplePath("push-O0"));
  const t = b.lookup("test")!;
  assert.equal(t.kind, "func");
  assert.ok(t.size > 0);
  assert.equal(b.bytes[t.fileOffset], 0x55);
  const lines = b.disassemble(t);
  assert.equal(lines[0]!.text, "push %rbp");
  assert.equal(lines[0]!.offset, 0);
  assert.deepEqual(b.instructionOffsets(t), lines.map((l) => l.offset));
  assert.equal(b.symbolAt(t.addr + 1)?.name, "test");
});

test("run, then read registers and memory; writes reach the guest", () => {
  const b = loadBinary(samplePath("hello-O0"));
  const io = new BufferIo();
  const m = new Machine(b, { io, argv: [b.path, "x"] });
  const entry = m.getReg("rip");
  assert.equal(entry, BigInt(b.elf.entry));
  const sp = Number(m.getReg("rsp"));
  assert.equal(new DataView(m.readMemory(sp, 8)!.buffer).getBigUint64(0, true), 2n, "argc");
  m.setReg("rax", 0x1234_5678_9abc_def0n);
  assert.equal(m.getReg("rax"), 0x1234_5678_9abc_def0n);
  const r = m.run();
  assert.equal(r.status, 0);
  assert.match(io.text(1), /hello, world!/);
  assert.ok(r.instructions > 1000);
  assert.ok(m.maps().some((l) => l.includes("[stack]")));
});

test("writing code through the API invalidates translated blocks", () => {
  const b = loadBinary(samplePath("push-O0"));
  const io = new BufferIo();
  const m = new Machine(b, { io });
  const main = b.lookup("main")!;
  m.kernel.runSlice(m.proc, 100_000); // main's loop is translated and running
  const test0 = b.lookup("test")!;
  // make test() return at once with a different frame: "ret" replaces "push %rbp"
  assert.equal(m.writeMemory(test0.addr, new Uint8Array([0xc3])), true);
  const r = m.run();
  assert.equal(r.status, 0);
  assert.ok(r.instructions < 10_000_000, "the loop got shorter once test() became a bare ret");
  assert.equal(b.bytes[test0.fileOffset], 0x55, "the file keeps its bytes");
  void main;
});

test("a consumer registered through the API sees every hit", () => {
  const b = loadBinary(samplePath("push-O0"));
  const up = new Uprobes({ gen: resolveKernel("4.16"), emulation: true, cost: COST_PROFILES["seed-2017-x86_64"]! });
  const m = new Machine(b, { io: new BufferIo(), hooks: up });
  const t = b.lookup("test")!;
  let n = 0;
  const c = up.register(m.kernel.mappedFile(b.path, b.bytes), t.fileOffset, { name: "api", handler: () => void n++ });
  m.run();
  assert.equal(n, 1_000_000);
  assert.equal(c.stats.path, "emulated");
});
