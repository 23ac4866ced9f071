// The probe language on a 32-bit program: sarg0.. read the cdecl stack arguments (4-byte slots
// above the return address, zero-extended words), arg0.. read the 64-bit pt_regs registers as
// bpftrace does for any task (for cdecl they hold no argument), retval is eax.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BufferIo } from "../../engine/os/host-io.js";
import { Session } from "../../lab/session.js";
import { samplePath } from "../helpers.js";
import { buildI386, requireI386Tools } from "./helpers.js";

const SRC = `#include <stdio.h>
__attribute__((noinline)) int add3(int a, int b, int c) { return a + b * 10 + c * 100; }
int main(void) { int s = 0; for (int i = 1; i <= 3; i++) s += add3(i, 2 * i, 7); printf("%d\\n", s); return 0; }
`;

describe("DSL on a 32-bit program", () => {
  requireI386Tools();
  test("sarg0..2 are add3's cdecl arguments; retval its result", () => {
    const bin = buildI386(SRC, ["-O0"], "args32");
    const io = new BufferIo();
    const s = new Session({ binary: bin, program: 'probe add3 < printf("%d %d %d\\n", sarg0, sarg1, sarg2) > retprobe add3 < printf("= %d\\n", retval) >', io });
    const r = s.run();
    assert.equal(r.status, 0, r.report);
    assert.equal(io.text(1), "1 2 7\n= 721\n2 4 7\n= 742\n3 6 7\n= 763\n2226\n");
  });
  test("a probe in the i386 libc (/lib32/libc.so.6, mapped by the guest's ld-linux.so.2): printf's push %ebp emulated", () => {
    const io = new BufferIo();
    const s = new Session({ binary: samplePath("hello-m32-O0"), program: "uprobe:libc:printf < n++ >", io });
    const r = s.run();
    assert.equal(r.status, 0, r.report);
    const p = s.stats().probes.find((x) => x.probe === "uprobe:libc:printf")!;
    assert.equal(p.hits, 6);
    assert.equal(p.path, "emulated");
  });
});
