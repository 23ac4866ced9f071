/*
 * leaf_redzone.c -- a leaf function that keeps live data in the red zone
 *                   across a 5-byte NOP (the nop5-optimization hazard).
 *
 * Background.  The x86-64 SysV ABI gives every function a 128-byte "red zone"
 * below %rsp that signal handlers and the kernel must not clobber, so leaf
 * functions may keep temporaries there without moving %rsp.  Linux 6.18
 * added an optimization for uprobes placed on a 5-byte NOP (0f 1f 44 00 00,
 * the USDT probe instruction): instead of int3 + emulation, the NOP is
 * rewritten into "call <uprobe trampoline>" which enters the kernel via the
 * uprobe syscall.  A CALL pushes its return address at -8(%rsp) -- inside the
 * red zone -- so a leaf that has live data at -8(%rsp) when it executes the
 * optimized NOP gets that slot overwritten.  (A fix proposed on
 * linux-trace-kernel in May 2026 replaces the CALL with a JMP to per-probe
 * trampoline slots that first do "lea -128(%rsp),%rsp".)
 *
 * leaf_redzone(x) stores five values derived from x at -8, -16, -24, -32 and
 * -40(%rsp), executes the NOP at symbol leaf_redzone_nop5 (offset 0 of that
 * symbol; leaf_redzone falls through into it), reloads the five values and
 * returns a checksum.  main() calls it 1000 times and also counts how many
 * calls saw every slot intact.  With no probe, an int3-based probe, or a
 * red-zone-safe optimized probe the output equals the native output; with a
 * CALL-based optimized probe the -8 slot is overwritten by the return address
 * and "intact" drops to 0/1000 (the checksum changes too).
 *
 * Probe target: leaf_redzone_nop5 (0f 1f 44 00 00, len 5).  leaf_redzone
 * itself starts with "mov %rdi,-0x8(%rsp)".  Output is deterministic.
 */
#include <stdio.h>

#define ITER 1000

__asm__(
"	.text\n"
"	.p2align 4\n"
"	.globl leaf_redzone\n"
"	.type leaf_redzone, @function\n"
"leaf_redzone:\n"
"	mov %rdi, -8(%rsp)\n"
"	lea 0x1111(%rdi), %rax\n"
"	mov %rax, -16(%rsp)\n"
"	lea 0x2222(%rdi), %rax\n"
"	mov %rax, -24(%rsp)\n"
"	lea 0x3333(%rdi), %rax\n"
"	mov %rax, -32(%rsp)\n"
"	lea 0x4444(%rdi), %rax\n"
"	mov %rax, -40(%rsp)\n"
"	xor %eax, %eax\n"
"	.size leaf_redzone, . - leaf_redzone\n"
"	.globl leaf_redzone_nop5\n"
"	.type leaf_redzone_nop5, @function\n"
"leaf_redzone_nop5:\n"
"	.byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n"
	/* reload: rax = mix of the five slots, rdx = number of intact slots */
"	xor %edx, %edx\n"
"	mov -8(%rsp), %rcx\n"
"	cmp %rdi, %rcx\n"
"	sete %dl\n"
"	mov %rcx, %rax\n"
"	imul $31, %rax, %rax\n"
"	mov -16(%rsp), %rcx\n"
"	lea 0x1111(%rdi), %rsi\n"
"	cmp %rsi, %rcx\n"
"	sete %sil\n"
"	movzbl %sil, %esi\n"
"	add %rsi, %rdx\n"
"	add %rcx, %rax\n"
"	imul $31, %rax, %rax\n"
"	mov -24(%rsp), %rcx\n"
"	lea 0x2222(%rdi), %rsi\n"
"	cmp %rsi, %rcx\n"
"	sete %sil\n"
"	movzbl %sil, %esi\n"
"	add %rsi, %rdx\n"
"	add %rcx, %rax\n"
"	imul $31, %rax, %rax\n"
"	mov -32(%rsp), %rcx\n"
"	lea 0x3333(%rdi), %rsi\n"
"	cmp %rsi, %rcx\n"
"	sete %sil\n"
"	movzbl %sil, %esi\n"
"	add %rsi, %rdx\n"
"	add %rcx, %rax\n"
"	imul $31, %rax, %rax\n"
"	mov -40(%rsp), %rcx\n"
"	lea 0x4444(%rdi), %rsi\n"
"	cmp %rsi, %rcx\n"
"	sete %sil\n"
"	movzbl %sil, %esi\n"
"	add %rsi, %rdx\n"
"	add %rcx, %rax\n"
	/* publish the number of intact slots (0..5) in leaf_intact */
"	mov %rdx, leaf_intact(%rip)\n"
"	ret\n"
"	.size leaf_redzone_nop5, . - leaf_redzone_nop5\n"
"	.p2align 4\n"
"	.data\n"
"	.balign 8\n"
"	.globl leaf_intact\n"
"	.type leaf_intact, @object\n"
"leaf_intact:\n"
"	.quad 0\n"
"	.size leaf_intact, 8\n"
"	.text\n"
);

unsigned long leaf_redzone(unsigned long);
extern unsigned long leaf_intact;

int main(void)
{
	unsigned long sum = 0, all_intact = 0, slots = 0;

	for (unsigned long i = 0; i < ITER; i++) {
		sum += leaf_redzone(i * 0x9e3779b97f4a7c15UL);
		slots += leaf_intact;
		all_intact += leaf_intact == 5;
	}
	printf("leaf_redzone: %d calls, %lu/%d calls with all 5 red-zone slots intact (%lu slots)\n",
	       ITER, all_intact, ITER, slots);
	printf("checksum: %016lx\n", sum);
	return 0;
}
