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
  // sanity: the largest quotients that do fit do not fault
  ["div64 max quotient", "mov $-1, %rax; mov $4, %edx; mov $5, %ebx; div %rbx", 0],
  ["idiv64 INT64_MIN / 1", "movabs $0x8000000000000000, %rax; cqo; mov $1, %ebx; idiv %rbx", 0],
];

function program(): string {
  const fns = FAULTS.map(([, asm], i) => `".globl f${i}\\nf${i}:\\n  push %rbx\\n  ${asm.split(";").map((s) => s.trim()).join("\\n  ")}\\n  pop %rbx\\n  ret\\n"`).join("\n");
  return `#include <stdlib.h>
long zero;
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
    // AVX is not offered (cpuid), so vpaddd must be #UD; so must an x87 instruction the emulator lacks
    for (const asm of ["vpaddd %xmm1, %xmm2, %xmm3", "fsin", "xgetbv"]) {
      const bin = buildC(`int main(void) { __asm__ volatile("${asm}"); return 0; }`, ["-O1", "-no-pie"], "diff-ud");
      const e = runEmulated(bin, []);
      const rep = e.machine.result().report ?? "";
      assert.equal(e.status, 132, `${asm}: status ${e.status} ${rep}`);
      assert.match(rep, /SIGILL/, asm);
    }
  });
});
