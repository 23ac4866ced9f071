// A uprobe's int3 inside a compiled region (engine/cpu/jit/README.md,
// "Probe hits"): the region calls the trap handler itself (Cpu.jitTrap) and
// goes on at the emulated push's continuation. Hits, traps, instructions,
// virtual time and output must be the interpreter's, including when a
// handler writes code while the region runs (a second probe registered on a
// block of the running region, then removed) and when a hit turns into a
// signal (the handler asks run() to return).

process.env["UPROBE_LAB_JIT_HOT"] = "2";

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadBinary } from "../../engine/binary.js";
import type { Cpu } from "../../engine/cpu/cpu.js";
import { Event } from "../../engine/cpu/exit.js";
import type { Tier } from "../../engine/cpu/jit/tier.js";
import { Machine } from "../../engine/machine.js";
import { BufferIo } from "../../engine/os/host-io.js";
import { COST_PROFILES, resolveKernel, Uprobes, type Consumer } from "../../engine/uprobes/index.js";
import { samplePath } from "../helpers.js";

/** Count the int3s compiled code handled (Cpu.jitTrap) on this CPU. */
function spyJitTraps(cpu: Cpu): { n: number } {
  const seen = { n: 0 };
  const orig = cpu.jitTrap.bind(cpu);
  cpu.jitTrap = (b, event) => {
    if (event === Event.Breakpoint) seen.n++;
    return orig(b, event);
  };
  return seen;
}

/**
 * push-O0 with a probe on test:0 (push %rbp, emulated). After `addAt` hits its handler registers a second probe
 * on test+1 (mov %rsp,%rbp: stepped out of line), a block of the region that is running, and removes it after
 * `removeAt` hits.
 */
function run(tier: Tier, addAt: number, removeAt: number) {
  const bin = loadBinary(samplePath("push-O0"));
  const up = new Uprobes({ gen: resolveKernel("6.18"), emulation: true, cost: COST_PROFILES["kvm-6.18"]! });
  const io = new BufferIo();
  const m = new Machine(bin, { io, hooks: up, tier });
  const spy = spyJitTraps(m.proc.cpu);
  const file = m.kernel.mappedFile(bin.path, bin.bytes);
  const off = bin.lookup("test")!.fileOffset;
  let hits = 0;
  let second: Consumer | undefined;
  let secondHits = 0;
  const first = up.register(file, off, {
    name: "entry",
    handler: () => {
      hits++;
      if (hits === addAt) second = up.register(file, off + 1, { name: "second", handler: () => void secondHits++ });
      if (hits === removeAt && second) up.unregister(second);
    },
  });
  const r = m.run();
  return {
    hits,
    secondHits,
    traps: { ...first.stats.traps },
    secondTraps: second ? { ...second.stats.traps } : undefined,
    instructions: r.instructions,
    virtualNs: r.virtualNs,
    status: r.status,
    out: io.text(1),
    jitTraps: spy.n,
    dropped: m.proc.cpu.jit?.stats().dropped ?? 0,
  };
}

describe("jit: an int3 inside a compiled region", () => {
  const interp = run("interp", 300_000, 600_000);
  const jit = run("jit", 300_000, 600_000);
  test("the region handled the hits itself", () => {
    assert.equal(interp.jitTraps, 0);
    assert.ok(jit.jitTraps > 500_000, `${jit.jitTraps} traps handled in compiled code`);
  });
  test("same hits, traps, instructions, virtual time and output as the interpreter", () => {
    assert.equal(jit.hits, 1_000_000);
    assert.equal(jit.hits, interp.hits);
    assert.equal(jit.secondHits, 300_000);
    assert.equal(jit.secondHits, interp.secondHits);
    assert.deepEqual(jit.traps, interp.traps);
    assert.deepEqual(jit.secondTraps, interp.secondTraps);
    assert.equal(jit.instructions, interp.instructions);
    assert.equal(jit.virtualNs, interp.virtualNs);
    assert.equal(jit.out, interp.out);
    assert.equal(jit.status, 0);
  });
  test("a probe registered and removed from a handler drops the running region", () => {
    assert.ok(jit.dropped >= 2, `${jit.dropped} compiled blocks dropped`);
  });
});

describe("jit: a hit that makes run() return", () => {
  // the first hit queues SIGTRAP for a process that ignores nothing: it dies at once, as with the interpreter
  function sigtrap(tier: Tier) {
    const bin = loadBinary(samplePath("push-O0"));
    const up = new Uprobes({ gen: resolveKernel("6.18"), emulation: true, cost: COST_PROFILES["kvm-6.18"]! });
    const m = new Machine(bin, { io: new BufferIo(), hooks: up, tier });
    const spy = spyJitTraps(m.proc.cpu);
    let hits = 0;
    up.register(m.kernel.mappedFile(bin.path, bin.bytes), bin.lookup("test")!.fileOffset, {
      name: "kill",
      handler: (c) => {
        if (++hits === 1000) m.kernel.queueSignal(c.task, { signo: 5, code: 0, addr: 0, forced: true, ip: c.cpu.rip });
      },
    });
    const r = m.run();
    return { hits, status: r.status, instructions: r.instructions, virtualNs: r.virtualNs, jitTraps: spy.n };
  }
  const a = sigtrap("interp");
  const b = sigtrap("jit");
  test("the signal ends the run at the same instruction", () => {
    assert.ok(b.jitTraps >= 990, `${b.jitTraps} traps handled in compiled code`);
    assert.equal(b.hits, 1000);
    assert.deepEqual(b, { ...a, jitTraps: b.jitTraps });
    assert.equal(b.status, 128 + 5);
  });
});

describe("jit: the optimized nop5 path inside compiled regions (syscall)", () => {
  // callsite-O0's probe_nop5 is called in a loop: the first hit rewrites the site to a call into
  // [uprobes-trampoline], whose syscall (sys_uprobe) then runs inside compiled code
  function nop5(tier: Tier) {
    const bin = loadBinary(samplePath("callsite-O0"));
    const up = new Uprobes({ gen: resolveKernel("6.18"), emulation: true, cost: COST_PROFILES["kvm-6.18"]! });
    const io = new BufferIo();
    const m = new Machine(bin, { io, hooks: up, tier });
    const cpu = m.proc.cpu;
    let syscalls = 0;
    const orig = cpu.jitTrap.bind(cpu);
    cpu.jitTrap = (b, event) => {
      if (event === Event.Syscall) syscalls++;
      return orig(b, event);
    };
    let hits = 0;
    const c = up.register(m.kernel.mappedFile(bin.path, bin.bytes), bin.lookup("probe_nop5")!.fileOffset, { name: "nop5", handler: () => void hits++ });
    const r = m.run();
    return { hits, traps: { ...c.stats.traps }, path: c.stats.path, status: r.status, instructions: r.instructions, virtualNs: r.virtualNs, out: io.text(1), syscalls };
  }
  const a = nop5("interp");
  const b = nop5("jit");
  test("same hits, traps, instructions, virtual time and output; the syscalls ran from compiled code", () => {
    assert.ok(b.traps.uprobe_syscall > 100, `${b.traps.uprobe_syscall} sys_uprobe calls`);
    assert.ok(b.syscalls >= b.traps.uprobe_syscall / 2, `${b.syscalls} syscalls handled in compiled code`);
    assert.equal(a.syscalls, 0);
    assert.deepEqual({ ...b, syscalls: 0 }, { ...a, syscalls: 0 });
    assert.equal(b.status, 0);
  });
});
