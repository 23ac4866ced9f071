// Differential tests of faulting instructions: #DE from div/idiv (divide by
// zero, quotient overflow, INT_MIN / -1) at every width must kill the process
// with SIGFPE (status 136) natively and in the emulator; ud2 gives SIGILL.
// And an instruction the emulator does not implement must raise #UD (SIGILL in
// the guest), never a host exception.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildC, requireMusl, runEmulated, runNative } from "../helpers.js";

/** name -> asm (AT&T); each runs with a fresh process. */
const FAULTS: [string, string, number][] = [
  ["div8 by zero", "mov $100, %eax; xor %ebx, %ebx; div %bl", 136],
  ["div16 by zero", "mov $100, %eax; xor %edx, %edx; xor %ebx, %ebx; div %bx", 136],
  ["div32 by zero", "mov $100, %eax; xor %edx, %edx; xor %ebx, %ebx; div %ebx", 136],
  ["div64 by zero", "mov $100, %eax; xor %edx, %edx; xor %ebx, %ebx; div %rbx", 136],
  ["div64 by zero in memory", "mov $100, %eax; xor %edx, %edx; movq $0, zero(%rip); divq zero(%rip)", 136],
  ["idiv32 by zero", "mov $100, %eax; cdq; xor %ebx, %ebx; idiv %ebx", 136],
  ["div8 quotient overflow", "mov $0x1000, %eax; mov $0x10, %bl; div %bl", 136],
  ["div16 quotient overflow", "mov $0, %eax; mov $1, %edx; mov $1, %ebx; div %bx", 136],
  ["div32 quotient overflow", "mov $0, %eax; mov $1, %edx; mov $1, %ebx; div %ebx", 136],
  ["div64 quotient overflow", "mov $0, %eax; mov $5, %edx; mov $5, %ebx; div %rbx", 136],
  ["idiv8 -128 / -1", "mov $-128, %eax; mov $-1, %bl; idiv %bl", 136],
  ["idiv16 INT16_MIN / -1", "mov $0x8000, %eax; mov $0xffff, %edx; mov $-1, %ebx; idiv %bx", 136],
  ["idiv32 INT_MIN / -1", "mov $0x80000000, %eax; cdq; mov $-1, %ebx; idiv %ebx", 136],
  ["idiv64 INT64_MIN / -1", "movabs $0x8000000000000000, %rax; cqo; mov $-1, %rbx; idiv %rbx", 136],
  ["idiv64 positive overflow", "movabs $0x8000000000000000, %rax; xor %edx, %edx; mov $1, %ebx; idiv %rbx", 136],
  ["ud2", "ud2", 132],
  // #GP (SIGSEGV): fxsave/fxrstor need a 16-byte-aligned area; fxrstor refuses reserved MXCSR bits
  ["fxsave misaligned", "fxsave fxbuf+8(%rip)", 139],
  ["fxrstor misaligned", "fxrstor fxbuf+520(%rip)", 139],
  ["fxrstor reserved MXCSR bits", "fxsave fxbuf(%rip); movl $0x10000, fxbuf+24(%rip); fxrstor fxbuf(%rip)", 139],
  ["fxsave/fxrstor aligned", "fxsave fxbuf(%rip); fxrstor fxbuf(%rip); fxsave64 fxbuf+512(%rip); fxrstor64 fxbuf+512(%rip)", 0],
  // sanity: the largest quotients that do fit do not fault
  ["div64 max quotient", "mov $-1, %rax; mov $4, %edx; mov $5, %ebx; div %rbx", 0],
  ["idiv64 INT64_MIN / 1", "movabs $0x8000000000000000, %rax; cqo; mov $1, %ebx; idiv %rbx", 0],
];

function program(): string {
  const fns = FAULTS.map(([, asm], i) => `".globl f${i}\\nf${i}:\\n  push %rbx\\n  ${asm.split(";").map((s) => s.trim()).join("\\n  ")}\\n  pop %rbx\\n  ret\\n"`).join("\n");
  return `#include <stdlib.h>
long zero;
char fxbuf[1024] __attribute__((aligned(64)));
__asm__(".text\\n"
${fns}
);
${FAULTS.map((_, i) => `extern void f${i}(void);`).join("\n")}
static void (*const F[])(void) = {${FAULTS.map((_, i) => `f${i}`).join(",")}};
int main(int argc, char **argv) {
  F[atoi(argv[1])]();
  return 0;
}
`;
}

describe("cpu differential: faults", () => {
  test("#DE raises SIGFPE (status 136) natively and in the emulator; ud2 SIGILL", () => {
    requireMusl();
    const bin = buildC(program(), ["-O1", "-no-pie"], "diff-faults");
    const bad: string[] = [];
    FAULTS.forEach(([name, , expect], i) => {
      const n = runNative(bin, [String(i)]);
      const e = runEmulated(bin, [String(i)]);
      if (n.status !== expect) bad.push(`${name}: native status ${n.status}, expected ${expect}`);
      if (e.status !== n.status) bad.push(`${name}: emulator status ${e.status}, native ${n.status} (${e.stderr.trim()})`);
    });
    assert.deepEqual(bad, []);
  });

  test("an unimplemented instruction raises SIGILL in the guest, not a host exception", () => {
    requireMusl();
    // AVX is not offered (cpuid), so vpaddd must be #UD; so must an x87 instruction the emulator lacks,
    // xgetbv (no OSXSAVE), SSE4.2's string compares, rdrand and the CET shadow-stack instructions
    for (const asm of ["vpaddd %xmm1, %xmm2, %xmm3", "fsin", "xgetbv", "pcmpistri $0x1a, %xmm1, %xmm0", "rdrand %eax", "incsspq %rax"]) {
      const bin = buildC(`int main(void) { __asm__ volatile("${asm}"); return 0; }`, ["-O1", "-no-pie"], "diff-ud");
      const e = runEmulated(bin, []);
      const rep = e.machine.result().report ?? "";
      assert.equal(e.status, 132, `${asm}: status ${e.status} ${rep}`);
      assert.match(rep, /SIGILL/, asm);
      assert.ok(rep.includes(asm.split(" ")[0]!), `${asm}: the report names the instruction: ${rep}`);
    }
  });
});
