// Each change in the seed's history, shown by running the samples on the
// generations before and after it.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { samplePath, runNative } from "../helpers.js";
import { runProbes, trapsPerHit } from "./run.js";

const nativeCallsite = runNative(samplePath("callsite-O0"), []);
const nativeNoncanon = runNative(samplePath("noncanon-O0"), []);

describe("branch emulation (3.15)", () => {
  for (const [sym, what] of [["probe_jmp", "jmp rel32"], ["probe_jmp8", "jmp rel8"], ["probe_jcc", "jl rel32"], ["probe_jcc8", "jl rel8"], ["probe_call", "call rel32"]]) {
    test(`${what}: single-stepped on 3.14, emulated from 3.15`, () => {
      const old = runProbes("callsite-O0", `probe ${sym} < n++ >`, { kernel: "3.14" });
      const neu = runProbes("callsite-O0", `probe ${sym} < n++ >`, { kernel: "3.15" });
      assert.equal(old.stdout, nativeCallsite.stdout, "3.14 output matches native");
      assert.equal(neu.stdout, nativeCallsite.stdout, "3.15 output matches native");
      const po = old.probes[`probe ${sym}`]!, pn = neu.probes[`probe ${sym}`]!;
      assert.equal(po.path, "xol");
      assert.equal(trapsPerHit(po), 2);
      assert.equal(pn.path, "emulated");
      assert.equal(trapsPerHit(pn), 1);
      assert.equal(po.hits, pn.hits);
    });
  }
});

describe("the 2014 non-canonical call (samples/noncanon.c)", () => {
  test("3.14: the call stepped from the XOL page at 0x7fffffffe000 targets non-canonical space: SIGSEGV at the probe", () => {
    const o = runProbes("noncanon-O0", "probe nc_call_site < c++ >", { kernel: "3.14" });
    assert.equal(o.status, 128 + 11);
    assert.match(o.report ?? "", /killed by SIGSEGV \(SI_KERNEL, address 0x0\) at 0x[0-9a-f]+: call/);
    const addr = o.session.binary.lookup("nc_call_site")!.addr;
    assert.ok(o.report!.includes(`at 0x${addr.toString(16)}:`), o.report);
    assert.equal(o.probes["probe nc_call_site"]!.hits, 1, "the first hit dies");
  });
  test("3.15: the call is emulated and the program runs as natively", () => {
    const o = runProbes("noncanon-O0", "probe nc_call_site < c++ > probe nc_jmp_site < j++ >", { kernel: "3.15" });
    assert.equal(o.status, 0);
    assert.equal(o.stdout, nativeNoncanon.stdout);
    assert.equal(o.probes["probe nc_call_site"]!.path, "emulated");
    assert.equal(o.probes["probe nc_call_site"]!.hits, 1000);
  });
  test("without emulation a 6.18 kernel steps the call out of line and crashes the same way", () => {
    const o = runProbes("noncanon-O0", "probe nc_call_site < c++ >", { kernel: "6.18", emulation: false });
    assert.equal(o.status, 139);
  });
});

describe("rip-relative instructions stepped out of line", () => {
  const prog = "probe probe_riprel < a++ > probe probe_riprel_si < b++ > probe probe_riprel_store < c++ > probe probe_lea_rip < d++ >";
  for (const kernel of ["3.14", "3.16", "6.18"]) {
    test(`${kernel}: same results as native, scratch register preserved`, () => {
      const o = runProbes("callsite-O0", prog, { kernel });
      assert.equal(o.status, 0);
      assert.equal(o.stdout, nativeCallsite.stdout);
      for (const p of Object.values(o.probes)) {
        assert.equal(p.path, "xol");
        assert.ok(p.hits > 0);
      }
    });
  }
  test("6.18 rewrites mov disp32(%rip),%eax to disp32(%rsi), and uses %rdi when ModRM.reg is %esi", () => {
    const o = runProbes("callsite-O0", prog, { kernel: "6.18" });
    const arch = (sym: string) => o.session.probes.find((p) => p.compiled.target.symbol === sym)!.consumer.uprobe.arch!;
    assert.deepEqual(Array.from(arch("probe_riprel").insn.subarray(0, 2)), [0x8b, 0x86]); // 10 000 110: [rsi+disp32]
    assert.deepEqual(Array.from(arch("probe_riprel_si").insn.subarray(0, 2)), [0x8b, 0xb7]); // 10 110 111: [rdi+disp32]
  });
  test("3.14 squeezes the displacement out and addresses through %rax (%rcx when ModRM.reg is %eax)", () => {
    const o = runProbes("callsite-O0", prog, { kernel: "3.14" });
    const arch = (sym: string) => o.session.probes.find((p) => p.compiled.target.symbol === sym)!.consumer.uprobe.arch!;
    assert.deepEqual(Array.from(arch("probe_riprel").insn.subarray(0, 2)), [0x8b, 0x01]); // reg 0: [rcx]
    assert.deepEqual(Array.from(arch("probe_riprel_si").insn.subarray(0, 2)), [0x8b, 0x30]); // reg 6: [rax]
    assert.equal(arch("probe_riprel").riprelSqueezed, true);
  });
});

describe("call fixups for indirect calls (FIX_CALL)", () => {
  for (const kernel of ["3.14", "6.18"]) {
    test(`${kernel}: call *%rsi and call *disp(%rip) stepped out of line return to the right place`, () => {
      const o = runProbes("callsite-O0", "probe probe_call_ind < a++ > probe probe_call_riprel < b++ >", { kernel });
      assert.equal(o.status, 0);
      assert.equal(o.stdout, nativeCallsite.stdout);
      assert.equal(o.probes["probe probe_call_ind"]!.path, "xol");
      assert.equal(o.probes["probe probe_call_riprel"]!.path, "xol");
    });
  }
});

describe("push emulation (4.16, e7ed9d9bd037)", () => {
  const prog = "probe probe_push_rbx < a++ > probe probe_push_r12 < b++ > probe probe_push_rsp < c++ > probe probe_pushw_bp < d++ >";
  test("4.16 emulates push %rbx, push %r12 (41 54) and push %rsp; pushw %bp (66 55) is stepped", () => {
    const o = runProbes("callsite-O0", prog, { kernel: "4.16" });
    assert.equal(o.status, 0);
    assert.equal(o.stdout, nativeCallsite.stdout, "push %rsp pushes the old rsp, as hardware does");
    assert.equal(o.probes["probe probe_push_rbx"]!.path, "emulated");
    assert.equal(o.probes["probe probe_push_r12"]!.path, "emulated");
    assert.equal(o.probes["probe probe_push_rsp"]!.path, "emulated");
    assert.equal(o.probes["probe probe_pushw_bp"]!.path, "xol");
  });
  test("4.3 (before the patch) steps every push out of line", () => {
    const o = runProbes("callsite-O0", prog, { kernel: "4.3" });
    assert.equal(o.stdout, nativeCallsite.stdout);
    for (const p of Object.values(o.probes)) assert.equal(p.path, "xol");
  });
});

describe("saved TF: the program single-steps itself through probed instructions (samples/sigstep.c)", () => {
  const native = runNative(samplePath("sigstep-O0"), []);
  for (const kernel of ["3.14", "4.16", "6.18"]) {
    test(`${kernel}: exactly one SIGTRAP per instruction, emulated or stepped`, () => {
      const o = runProbes("sigstep-O0", "probe sigstep_probe_add < a++ > probe sigstep_probe_push < b++ > probe sigstep_probe_jmp < c++ >", { kernel });
      assert.equal(o.status, 0);
      assert.equal(o.stdout, native.stdout);
    });
  }
  test("a probed popf that sets TF keeps it (UPROBE_FIX_SETF)", () => {
    const o = runProbes("sigstep-O0", "probe sigstep_popf_set < a++ > probe sigstep_popf_clear < b++ >", { kernel: "6.18" });
    assert.equal(o.status, 0);
    assert.equal(o.stdout, native.stdout);
    assert.equal(o.probes["probe sigstep_popf_set"]!.path, "xol");
  });
});

describe("uretprobe return-address hijack", () => {
  test("inside a uretprobed function the return address is the XOL trampoline (0x7fffffffe000), 64 frames deep at most", () => {
    // rec at -O0 starts push %rbp; mov %rsp,%rbp: at rec+4 the return address is at rbp + 8
    const o = runProbes("recurse-O0", 'retprobe rec < r++ > probe rec:4 < ra[u64(reg("rbp") + 8) == 0x7fffffffe000 ? "trampoline" : "caller"] = count() >', { kernel: "6.18" });
    assert.equal(o.status, 0);
    assert.match(o.maps, /ra\[trampoline\]: 64000\n/);
    assert.match(o.maps, /ra\[caller\]: 37000\n/);
    assert.match(o.maps, /r: 64000\n/);
  });
});
