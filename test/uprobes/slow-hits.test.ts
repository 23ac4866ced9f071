// The caches of the slow hit paths (issue 14, bench/README.md section 2): the
// step memo (engine/cpu/step-memo.ts) revives a single-instruction
// translation that a code write dropped when its bytes come back, and the
// trampoline syscalls read and write their frames through one page check
// (engine/uprobes/x86/frame.ts). Each run here is compared with the same run
// without the memo (StepMemo.revive patched to find nothing): output, hits,
// traps, instructions, virtual time, blocks translated and the event trace
// must be identical; where a native run exists, the output is its output.

import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { loadBinary } from "../../engine/binary.js";
import { StepMemo } from "../../engine/cpu/step-memo.js";
import { Machine } from "../../engine/machine.js";
import { BufferIo } from "../../engine/os/host-io.js";
import { COST_PROFILES, resolveKernel, Uprobes, type Consumer } from "../../engine/uprobes/index.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { runSpec, type ProbeRun } from "../../lab/probe-run.js";
import type { RunSpec } from "../../lab/run-spec.js";
import { buildC, buildWith, requireMusl, runNative, samplePath } from "../helpers.js";

/** Run f with the step memo disabled: every dropped step is decoded and translated again, as before the memo. */
function withoutMemo<T>(f: () => T): T {
  const proto = StepMemo.prototype as unknown as { revive: StepMemo["revive"] };
  const orig = proto.revive;
  proto.revive = () => undefined;
  try {
    return f();
  } finally {
    proto.revive = orig;
  }
}

/** A ProbeRun without its host-time figures (the only ones a cache may change). */
function guestView(r: ProbeRun): string {
  return JSON.stringify(r, (k, v: unknown) => (/host/i.test(k) ? undefined : v));
}

async function bothWays(spec: RunSpec): Promise<{ memo: ProbeRun; plain: ProbeRun }> {
  const memo = await runSpec(spec);
  const proto = StepMemo.prototype as unknown as { revive: StepMemo["revive"] };
  const orig = proto.revive;
  proto.revive = () => undefined;
  try {
    return { memo, plain: await runSpec(spec) };
  } finally {
    proto.revive = orig;
  }
}

describe("XOL slots rewritten in turn (step memo)", () => {
  test("two stepping probes share slot 1 (push %rbp, mov %rsp,%rbp): same run as without the memo", async () => {
    const bin = samplePath("push-O0");
    const program = "probe test:0 < @a = count() > probe test:1 < @b = count() >";
    const { memo, plain } = await bothWays({ binary: bin, program, emulation: false, maxInsns: 300_000, traceHits: 12 });
    assert.equal(guestView(memo), guestView(plain));
    // the instruction limit may stop the run between the two probes of one call
    assert.ok(memo.probes[0]!.hits > 10_000 && memo.probes[0]!.hits - memo.probes[1]!.hits <= 1, `${memo.probes[0]!.hits} / ${memo.probes[1]!.hits} hits`);
    assert.equal(memo.probes[0]!.traps.single_step, memo.probes[0]!.hits, "every hit stepped out of line");
    assert.ok(memo.trace.some((e) => e.event === "xol" && /slot 1/.test(e.detail ?? "")), "the steps used slot 1");
  });

  /** push-O0 stepping test:0 and test+1; after `swapAt` hits of the first, the probe on test+1 goes and one on test+4 (nop) comes. */
  function swap(swapAt: number) {
    const bin = loadBinary(samplePath("push-O0"));
    const up = new Uprobes({ gen: resolveKernel("6.18"), emulation: false, cost: COST_PROFILES["kvm-6.18"]! });
    const io = new BufferIo();
    const m = new Machine(bin, { io, hooks: up, maxInsns: 400_000 });
    const file = m.kernel.mappedFile(bin.path, bin.bytes);
    const off = bin.lookup("test")!.fileOffset;
    let hits = 0;
    let later: Consumer | undefined;
    let second: Consumer | undefined = up.register(file, off + 1, { name: "mov", handler: () => undefined });
    const first = up.register(file, off, {
      name: "push",
      handler: () => {
        if (++hits !== swapAt) return;
        up.unregister(second!);
        second = undefined;
        later = up.register(file, off + 4, { name: "nop", handler: () => undefined });
      },
    });
    const r = m.run();
    const mem = m.proc.mm;
    return {
      out: io.text(1),
      status: r.status,
      instructions: r.instructions,
      virtualNs: r.virtualNs,
      blocks: m.proc.cpu.blocksTranslated,
      first: JSON.stringify(first.stats),
      later: JSON.stringify(later?.stats),
      rip: m.proc.cpu.rip,
      // the XOL page as the guest could read it: slot 1 holds the last instruction copied (push or nop)
      slot1: Array.from(mem.peek(0x7fffffffe080, 16) ?? []).join(","),
    };
  }

  test("a slot reused by another instruction after a probe is removed and another added: same run as without the memo", () => {
    const memo = swap(5_000);
    const plain = withoutMemo(() => swap(5_000));
    assert.deepEqual(memo, plain);
    assert.ok(JSON.parse(memo.later!).hits > 1_000, "the probe added later was hit");
    assert.ok(["85", "144"].includes(memo.slot1.split(",")[0]!), `slot 1 holds push %rbp or the nop: ${memo.slot1}`);
  });
});

describe("threads holding different XOL slots (step memo)", () => {
  requireMusl();
  const bin = buildWith("musl-gcc", path.join(PROJECT_ROOT, "test", "corpus", "threads", "many.c"), ["-static", "-O0"], "thr-many-musl");
  test("64 threads stepping two probes with a one-instruction quantum: native output, same run as without the memo", async () => {
    const program = `uprobe:${bin}:hot { @a[tid] = count(); } uprobe:${bin}:hot+1 { @b = count(); }`;
    const { memo, plain } = await bothWays({ binary: bin, program, emulation: false, quantum: 1, traceHits: 40 });
    assert.equal(memo.stdout, runNative(bin, []).stdout);
    assert.equal(guestView(memo), guestView(plain));
    assert.equal(memo.probes[0]!.hits, 64 * 50);
    assert.equal(memo.probes[1]!.hits, 64 * 50);
    assert.ok((memo.probes[0]!.xol_waits ?? 0) > 0, "tasks were preempted in their steps and waited for slots");
  });
});

describe("self-modifying code, every instruction a step (step memo)", () => {
  requireMusl();
  const bin = buildC(path.join(PROJECT_ROOT, "test", "jit", "programs", "smc.c"), ["-O2"], "jit-smc");
  const native = runNative(bin, []);

  /** smc.c counted instruction by instruction (each block a single step, so every rewritten instruction is a step the memo keeps), with a stepping probe on rounds(). */
  function counted() {
    const b = loadBinary(bin);
    const up = new Uprobes({ gen: resolveKernel("6.18"), emulation: false, cost: COST_PROFILES["kvm-6.18"]! });
    const io = new BufferIo();
    const m = new Machine(b, { io, hooks: up });
    let hits = 0;
    up.register(m.kernel.mappedFile(b.path, b.bytes), b.lookup("rounds")?.fileOffset ?? b.lookup("main")!.fileOffset, { name: "rounds", handler: () => void hits++ });
    const counts = new Map<number, number>();
    m.proc.cpu.execCounts = counts;
    const r = m.run();
    return { out: io.text(1), status: r.status, instructions: r.instructions, virtualNs: r.virtualNs, hits, blocks: m.proc.cpu.blocksTranslated, counts: JSON.stringify([...counts]) };
  }

  test("rewritten immediates and a loop that rewrites its next instruction: native output, same run as without the memo", () => {
    const memo = counted();
    assert.equal(memo.out, native.stdout);
    assert.equal(memo.status, native.status);
    assert.ok(memo.hits > 0);
    assert.deepEqual(memo, withoutMemo(() => counted()));
  });
});
