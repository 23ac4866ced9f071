// 32-bit mode, instruction by instruction, against qemu-i386: the forms whose behaviour depends
// on the mode (the 4-byte stack slots, esp arithmetic, the one-byte inc/dec, ecx as the loop
// counter, 32-bit addressing, far from every 64-bit path) plus a sample of ALU, shift, multiply
// and string instructions as 32-bit code runs them. Fails on any differing register, flag or
// word of memory.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { requireI386Tools } from "./helpers.js";
import { AF, CF, compareFamily, OF, PF, SF, ZF, type Case32, type Input32 } from "./insn-harness.js";

const inputs: Input32[] = [
  { g: [0x12345678, 5, 0x80000000, 0xffffffff, 0, 0x7fffffff, 0xdeadbeef, 1], fl: 0 },
  { g: [0xffffffff, 0, 0x1, 0x80000001, 0, 0xfffffffe, 3, 0x10], fl: CF | ZF },
  { g: [0x80000000, 0x21, 0xfffffff0, 0x100, 0, 0x55aa55aa, 0x7f, 0xffff8000], fl: SF | OF },
];

const cases: Case32[] = [
  // the stack: 4-byte slots
  { asm: "push %eax; push %ecx; pop %edx; pop %ebx" },
  { asm: "pushl $-5; popl %esi" },
  { asm: "pushw %ax; popw %di" },
  { asm: "pushl mem+8; popl mem+12" },
  { asm: "pushfl; popl %eax; andl $0x8d5, %eax" },
  { asm: "movl %ebx, %ecx; andl $0xcd5, %ecx; pushl %ecx; popfl; pushfl; popl %ecx; andl $0x8d5, %ecx" },
  { asm: "pushal; popl %eax; popl %ecx; popl %edx; popl %ebx; subl %esp, %ebx; popl %ebx; popl %esi; popl %ebp; popl %edi" },
  { asm: "pushal; movl $1, %eax; movl $2, %edi; popal" },
  { asm: "call 1f; 1: popl %eax; subl $1b, %eax" },
  { asm: "pushl $2f; ret; 1: movl $1, %eax; 2: movl $2, %ecx" },
  { asm: "movl $3f, %ebx; jmp *%ebx; movl $9, %eax; 3: incl %eax" },
  { asm: "movl $4f, mem+4; call *mem+4; jmp 5f; 4: movl $7, %edx; ret $0; 5: nop" },
  { asm: "pushl $6f; movl %esp, %esi; call *(%esi); addl $4, %esp; xorl %esi, %esi; jmp 7f; 6: ret; 7: nop" },
  { asm: "call 8f; jmp 9f; 8: ret $0; 9: nop" },
  { asm: "pushl $1; pushl $10f; ret; 10: popl %edi" },
  { asm: "enter $16, $0; movl %esp, %eax; subl %ebp, %eax; leave; movl $0, %ebp" },
  { asm: "movl %esp, %ebp; pushl %ebp; movl %esp, %ebp; subl $8, %esp; leave; subl %esp, %ebp" },
  // one-byte inc/dec (REX prefixes in 64-bit mode)
  { asm: "incl %eax; decl %ecx; incl %edx; decl %ebx; incl %esi; decl %edi", undef: 0 },
  { asm: "incw %ax; decw %cx" },
  // ecx-counted loops and jecxz
  { asm: "andl $7, %ecx; incl %ecx; xorl %eax, %eax; 1: incl %eax; loop 1b" },
  { asm: "xorl %eax, %eax; jecxz 1f; movl $1, %eax; 1: nop" },
  { asm: "movl $3, %ecx; xorl %eax, %eax; 1: incl %eax; cmpl $2, %eax; loopne 1b" },
  // 32-bit addressing, wrapping at 4 GiB
  { asm: "leal 0x10(%eax,%ecx,4), %edx; leal -1(%ebx), %esi" },
  { asm: "movl $mem, %esi; movl $-4, %ecx; movl 8(%esi,%ecx,2), %eax; movl %eax, 20(%esi)" },
  { asm: "movl $mem+64, %edi; movl %eax, -4(%edi); movw %cx, -8(%edi); movb %dl, -12(%edi)" },
  // strings with esi/edi/ecx
  { asm: "cld; movl $mem, %esi; movl $mem+32, %edi; movl $3, %ecx; rep movsl; subl $mem, %esi; subl $mem, %edi" },
  { asm: "cld; movl $mem+16, %edi; movl $5, %ecx; rep stosb; subl $mem, %edi" },
  { asm: "std; movl $mem+60, %edi; movl $2, %ecx; rep stosl; cld; subl $mem, %edi" },
  { asm: "cld; movl $mem, %esi; lodsl; lodsw; subl $mem, %esi" },
  // ALU, shifts, multiply and divide at 32 bits
  { asm: "addl %ecx, %eax; adcl %edx, %ebx; sbbl %esi, %edi", undef: 0 },
  { asm: "subl %eax, %ecx; negl %edx; notl %ebx; cmpl %esi, %edi" },
  { asm: "imull %ecx, %eax; imull $-3, %edx, %ebx", undef: SF | ZF | AF | PF },
  { asm: "movl %eax, %esi; mull %ecx", undef: SF | ZF | AF | PF },
  { asm: "movl %ebx, %esi; imull %edx", undef: SF | ZF | AF | PF },
  { asm: "orl $1, %ecx; xorl %edx, %edx; divl %ecx", undef: CF | OF | SF | ZF | AF | PF },
  { asm: "orl $1, %ecx; cltd; andl $0x7fffffff, %eax; cltd; idivl %ecx", undef: CF | OF | SF | ZF | AF | PF },
  { asm: "shldl $5, %ecx, %eax; shrdl %cl, %ebx, %edx", undef: OF | AF },
  { asm: "roll $3, %eax; rcrl $1, %ebx; sarl %cl, %edx", undef: OF | AF },
  { asm: "bswap %eax; xchgl %ecx, %edx; cwtl; movsbl %bl, %esi; movzwl %di, %edi" },
  { asm: "bsfl %eax, %ecx; bsrl %ebx, %edx; btl $31, %esi", undef: CF | OF | SF | AF | PF },
  { asm: "setc %al; setg %cl; cmovsl %ebx, %edx; sahf; lahf" },
  { asm: "movl $mem, %esi; lock xaddl %eax, (%esi); lock cmpxchgl %ecx, 4(%esi)" },
  { asm: "movl $mem, %esi; movl %eax, %edx; movl %ebx, %ecx; lock cmpxchg8b 8(%esi)" },
];

describe("i386 instructions: emulator vs qemu-i386", () => {
  requireI386Tools();
  test(`${cases.length} cases x ${inputs.length} inputs agree`, () => {
    const bad = compareFamily("mode32", cases, inputs);
    assert.deepEqual(bad, [], bad.map((m) => `${m.asm} [input ${m.input}]\n  emu ${m.emulated}\n  ref ${m.reference}`).join("\n"));
  });
});
