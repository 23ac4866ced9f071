/*
 * callsite.c -- one symbol per interesting probe-site instruction.
 *
 * What it demonstrates: every x86-64 instruction class that the kernel's
 * arch/x86/kernel/uprobes.c treats specially, each placed at offset 0 of its
 * own ELF function symbol (STT_FUNC, with .size), so a probe can be written as
 * "callsite-O0:probe_xxx" with no offset arithmetic.  The functions are in a
 * top-level asm block, so the bytes are identical in callsite-O0 and
 * callsite-O2.  main() calls each site ITER (1000) times and prints results
 * that change if the site is emulated / single-stepped / fixed up wrongly.
 *
 * Where a site needs register or flag set-up, a "cs_xxx" entry symbol does
 * the set-up and falls through into "probe_xxx" (no padding in between), so
 * the probed instruction is still at offset 0 of probe_xxx.
 *
 *  symbol              bytes at offset 0        len  kernel handling (6.x)
 *  ------------------  -----------------------  ---  ---------------------------------
 *  probe_call          e8 rel32                 5    branch_xol_ops: call emulated
 *  probe_jmp           e9 rel32                 5    branch_xol_ops: jmp emulated
 *  probe_jmp8          eb rel8                  2    branch_xol_ops
 *  probe_jcc           0f 8c rel32  (jl)        6    branch_xol_ops: jcc emulated
 *  probe_jcc8          7c rel8      (jl)        2    branch_xol_ops
 *  probe_riprel        8b 05 disp32             6    XOL, rip-rel -> scratch reg %rsi
 *  probe_riprel_si     8b 35 disp32             6    XOL, reg=%esi -> scratch reg %rdi
 *  probe_riprel_store  89 3d disp32             6    XOL, rip-rel store (reg=%edi -> %rsi)
 *  probe_lea_rip       48 8d 05 disp32          7    XOL, rip-rel lea
 *  probe_call_ind      ff d6        (call *%rsi) 2   XOL + UPROBE_FIX_CALL
 *  probe_call_riprel   ff 15 disp32             6    XOL + FIX_CALL + rip-rel
 *  probe_push_rbx      53                       1    push_xol_ops: emulated
 *  probe_push_r12      41 54                    2    push_xol_ops (REX 0x41 only)
 *  probe_push_rsp      54                       1    push_xol_ops, pushes old %rsp
 *  probe_pushw_bp      66 55        (pushw %bp) 2    NOT emulated: XOL single-step
 *  probe_ret           c3                       1    XOL, no FIX_IP
 *  probe_popf          9d                       1    XOL + UPROBE_FIX_SETF
 *  probe_endbr         f3 0f 1e fa              4    XOL (a NOP without CET)
 *  probe_nop1          90                       1    branch_xol_ops (nop = jmp +0)
 *  probe_nop66         66 90                    2    x86_nops[2]: jmp +0
 *  probe_pause         f3 90                    2    "prefix* + nop" case 0x90
 *  probe_nop5          0f 1f 44 00 00           5    x86_nops[5]; 6.18+: optimizable
 *  probe_xchg_r8       41 90  (xchg %eax,%r8d)  2    case 0x90 "prefix* + nop": the
 *                                                    kernel treats it as a NOP, but it
 *                                                    is a real xchg (REX.B) -- result
 *                                                    differs if skipped
 *  probe_syscall       0f 05                    2    rejected (good_2byte_insns 0f 05=0)
 *  probe_mov_imm       b8 78 56 34 12           5    for mid-instruction probes:
 *                                                    probe_mov_imm+1 is inside the imm32
 *
 * `make check-sites` verifies these bytes with objdump/od (sites.tsv).
 * Output is deterministic.
 */
#include <stdio.h>
#include <unistd.h>

#define ITER 1000

__asm__(
"	.macro FUNC name\n"
"	.globl \\name\n"
"	.type \\name, @function\n"
"\\name:\n"
"	.endm\n"
"	.macro ENDF name\n"
"	.size \\name, . - \\name\n"
"	.endm\n"

"	.data\n"
"	.balign 8\n"
"	.globl cs_data, cs_store, cs_fnptr\n"
"cs_data:	.long 0x5eed1234\n"
"	.long 0\n"
"cs_store:	.long 0\n"
"	.long 0\n"
"cs_fnptr:	.quad cs_helper\n"

"	.text\n"
/* helper: rax = 2*rdi + 1 */
"	.p2align 4\n"
"FUNC cs_helper\n"
"	lea 1(%rdi,%rdi), %rax\n"
"	ret\n"
"ENDF cs_helper\n"

/* call rel32: returns 2x+101 */
"	.p2align 4\n"
"FUNC probe_call\n"
"	call cs_helper\n"
"	add $100, %rax\n"
"	ret\n"
"ENDF probe_call\n"

/* jmp rel32 (forced encoding): returns x+7, 0xdead if the jmp is skipped */
"	.p2align 4\n"
"FUNC probe_jmp\n"
"	.byte 0xe9\n"
"	.long cs_jmp_target - (. + 4)\n"
"	mov $0xdead, %eax\n"
"	ret\n"
"ENDF probe_jmp\n"
"	.p2align 4\n"
"FUNC cs_jmp_target\n"
"	lea 7(%rdi), %rax\n"
"	ret\n"
"ENDF cs_jmp_target\n"

/* jmp rel8: returns x+8 */
"	.p2align 4\n"
"FUNC probe_jmp8\n"
"	.byte 0xeb, 1f - (. + 1)\n"
"	mov $0xdead, %eax\n"
"	ret\n"
"1:	lea 8(%rdi), %rax\n"
"	ret\n"
"ENDF probe_jmp8\n"

/* cs_jcc(a, b): (a < b) ? 1 : 0 via jl rel32 */
"	.p2align 4\n"
"FUNC cs_jcc\n"
"	cmp %esi, %edi\n"
"ENDF cs_jcc\n"
"FUNC probe_jcc\n"
"	.byte 0x0f, 0x8c\n"
"	.long 1f - (. + 4)\n"
"	xor %eax, %eax\n"
"	ret\n"
"1:	mov $1, %eax\n"
"	ret\n"
"ENDF probe_jcc\n"

/* cs_jcc8(a, b): (a < b) ? 1 : 0 via jl rel8 */
"	.p2align 4\n"
"FUNC cs_jcc8\n"
"	cmp %esi, %edi\n"
"ENDF cs_jcc8\n"
"FUNC probe_jcc8\n"
"	.byte 0x7c, 1f - (. + 1)\n"
"	xor %eax, %eax\n"
"	ret\n"
"1:	mov $1, %eax\n"
"	ret\n"
"ENDF probe_jcc8\n"

/* rip-relative load: returns cs_data */
"	.p2align 4\n"
"FUNC probe_riprel\n"
"	mov cs_data(%rip), %eax\n"
"	ret\n"
"ENDF probe_riprel\n"

/* rip-relative load into %esi (kernel must use %rdi as scratch and restore it):
   returns cs_data + rdi */
"	.p2align 4\n"
"FUNC probe_riprel_si\n"
"	mov cs_data(%rip), %esi\n"
"	lea (%rsi,%rdi), %rax\n"
"	ret\n"
"ENDF probe_riprel_si\n"

/* rip-relative store of %edi; returns the value read back */
"	.p2align 4\n"
"FUNC probe_riprel_store\n"
"	mov %edi, cs_store(%rip)\n"
"	mov cs_store(%rip), %eax\n"
"	ret\n"
"ENDF probe_riprel_store\n"

/* rip-relative lea: returns &cs_data */
"	.p2align 4\n"
"FUNC probe_lea_rip\n"
"	lea cs_data(%rip), %rax\n"
"	ret\n"
"ENDF probe_lea_rip\n"

/* indirect call through %rsi (= cs_helper): returns 2x+2 */
"	.p2align 4\n"
"FUNC probe_call_ind\n"
"	call *%rsi\n"
"	add $1, %rax\n"
"	ret\n"
"ENDF probe_call_ind\n"

/* indirect call through a rip-relative pointer (cs_fnptr = cs_helper): 2x+4 */
"	.p2align 4\n"
"FUNC probe_call_riprel\n"
"	call *cs_fnptr(%rip)\n"
"	add $3, %rax\n"
"	ret\n"
"ENDF probe_call_riprel\n"

/* cs_push_rbx(x): returns x, read back through the stack slot the push wrote */
"	.p2align 4\n"
"FUNC cs_push_rbx\n"
"	push %rbx\n"
"	mov %rdi, %rbx\n"
"ENDF cs_push_rbx\n"
"FUNC probe_push_rbx\n"
"	push %rbx\n"
"	pop %rax\n"
"	pop %rbx\n"
"	ret\n"
"ENDF probe_push_rbx\n"

/* cs_push_r12(x): same with the REX-prefixed push %r12 (41 54) */
"	.p2align 4\n"
"FUNC cs_push_r12\n"
"	push %r12\n"
"	mov %rdi, %r12\n"
"ENDF cs_push_r12\n"
"FUNC probe_push_r12\n"
"	push %r12\n"
"	pop %rax\n"
"	pop %r12\n"
"	ret\n"
"ENDF probe_push_r12\n"

/* push %rsp pushes the value %rsp had before the push: returns 0 */
"	.p2align 4\n"
"FUNC probe_push_rsp\n"
"	push %rsp\n"
"	pop %rax\n"
"	sub %rsp, %rax\n"
"	ret\n"
"ENDF probe_push_rsp\n"

/* cs_pushw_bp(x): 16-bit push (66 55), returns x & 0xffff; rsp must move by 2 */
"	.p2align 4\n"
"FUNC cs_pushw_bp\n"
"	push %rbp\n"
"	mov %rdi, %rbp\n"
"ENDF cs_pushw_bp\n"
"FUNC probe_pushw_bp\n"
"	pushw %bp\n"
"	movzwl (%rsp), %eax\n"
"	add $2, %rsp\n"
"	pop %rbp\n"
"	ret\n"
"ENDF probe_pushw_bp\n"

/* cs_ret(x): returns x+5 through a probed ret */
"	.p2align 4\n"
"FUNC cs_ret\n"
"	lea 5(%rdi), %rax\n"
"ENDF cs_ret\n"
"FUNC probe_ret\n"
"	ret\n"
"ENDF probe_ret\n"

/* cs_popf(x): pushf; popf (probed); returns x+9 */
"	.p2align 4\n"
"FUNC cs_popf\n"
"	pushfq\n"
"	lea 9(%rdi), %rax\n"
"ENDF cs_popf\n"
"FUNC probe_popf\n"
"	popfq\n"
"	ret\n"
"ENDF probe_popf\n"

/* endbr64 then x+1 */
"	.p2align 4\n"
"FUNC probe_endbr\n"
"	.byte 0xf3, 0x0f, 0x1e, 0xfa\n"
"	lea 1(%rdi), %rax\n"
"	ret\n"
"ENDF probe_endbr\n"

/* 1-byte nop then x+3 */
"	.p2align 4\n"
"FUNC probe_nop1\n"
"	.byte 0x90\n"
"	lea 3(%rdi), %rax\n"
"	ret\n"
"ENDF probe_nop1\n"

/* 66 90 then x+4 */
"	.p2align 4\n"
"FUNC probe_nop66\n"
"	.byte 0x66, 0x90\n"
"	lea 4(%rdi), %rax\n"
"	ret\n"
"ENDF probe_nop66\n"

/* pause (f3 90) then x+6 */
"	.p2align 4\n"
"FUNC probe_pause\n"
"	.byte 0xf3, 0x90\n"
"	lea 6(%rdi), %rax\n"
"	ret\n"
"ENDF probe_pause\n"

/* 5-byte nop (USDT-style) then x+2 */
"	.p2align 4\n"
"FUNC probe_nop5\n"
"	.byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n"
"	lea 2(%rdi), %rax\n"
"	ret\n"
"ENDF probe_nop5\n"

/* cs_xchg_r8(a, b): eax=a, r8d=b, xchg %eax,%r8d (41 90); returns (b<<32)|a */
"	.p2align 4\n"
"FUNC cs_xchg_r8\n"
"	mov %edi, %eax\n"
"	mov %esi, %r8d\n"
"ENDF cs_xchg_r8\n"
"FUNC probe_xchg_r8\n"
"	.byte 0x41, 0x90\n"
"	shl $32, %rax\n"
"	or %r8, %rax\n"
"	ret\n"
"ENDF probe_xchg_r8\n"

/* cs_getpid(): raw getpid syscall */
"	.p2align 4\n"
"FUNC cs_getpid\n"
"	mov $39, %eax\n"
"ENDF cs_getpid\n"
"FUNC probe_syscall\n"
"	syscall\n"
"	ret\n"
"ENDF probe_syscall\n"

/* mov $0x12345678,%eax: a probe at probe_mov_imm+1 lands inside the imm32 */
"	.p2align 4\n"
"FUNC probe_mov_imm\n"
"	.byte 0xb8\n"
"	.long 0x12345678\n"
"	ret\n"
"ENDF probe_mov_imm\n"
"	.p2align 4\n"
);

extern unsigned int cs_data, cs_store;
long cs_helper(long);
long probe_call(long);
long probe_jmp(long);
long probe_jmp8(long);
long cs_jcc(int, int);
long cs_jcc8(int, int);
unsigned int probe_riprel(void);
long probe_riprel_si(long);
unsigned int probe_riprel_store(unsigned int);
void *probe_lea_rip(void);
long probe_call_ind(long, long (*)(long));
long probe_call_riprel(long);
long cs_push_rbx(long);
long cs_push_r12(long);
long probe_push_rsp(void);
long cs_pushw_bp(long);
long cs_ret(long);
long cs_popf(long);
long probe_endbr(long);
long probe_nop1(long);
long probe_nop66(long);
long probe_pause(long);
long probe_nop5(long);
unsigned long cs_xchg_r8(unsigned int, unsigned int);
long cs_getpid(void);
unsigned int probe_mov_imm(void);

#define SUM(label, expr) do { \
	unsigned long s_ = 0; \
	for (long i = 0; i < ITER; i++) \
		s_ += (unsigned long)(expr); \
	printf("%-20s %lu\n", label, s_); \
} while (0)

int main(void)
{
	unsigned long x, lea_ok = 0, sys_ok = 0, imm_or = 0;
	long pid = getpid();

	SUM("probe_call", probe_call(i));               /* sum 2i+101 */
	SUM("probe_jmp", probe_jmp(i));                 /* sum i+7 */
	SUM("probe_jmp8", probe_jmp8(i));               /* sum i+8 */
	SUM("probe_jcc", cs_jcc((int)(i % 7), 3));      /* taken count */
	SUM("probe_jcc8", cs_jcc8((int)(i % 5) - 2, 0));
	SUM("probe_riprel", probe_riprel());            /* ITER * 0x5eed1234 */
	printf("%-20s %08x\n", "probe_riprel()", probe_riprel());
	SUM("probe_riprel_si", probe_riprel_si(i));     /* sum cs_data + i */
	SUM("probe_riprel_store", probe_riprel_store((unsigned int)i * 3u));
	printf("%-20s %u\n", "cs_store", cs_store);
	for (long i = 0; i < ITER; i++)
		lea_ok += probe_lea_rip() == (void *)&cs_data;
	printf("%-20s %lu\n", "probe_lea_rip", lea_ok);
	SUM("probe_call_ind", probe_call_ind(i, cs_helper));
	SUM("probe_call_riprel", probe_call_riprel(i));
	SUM("probe_push_rbx", cs_push_rbx(i * 0x10001));
	SUM("probe_push_r12", cs_push_r12(i * 0x20003));
	SUM("probe_push_rsp", probe_push_rsp());        /* 0 */
	SUM("probe_pushw_bp", cs_pushw_bp(0x7fff0000 + i * 77));
	SUM("probe_ret", cs_ret(i));
	SUM("probe_popf", cs_popf(i));
	SUM("probe_endbr", probe_endbr(i));
	SUM("probe_nop1", probe_nop1(i));
	SUM("probe_nop66", probe_nop66(i));
	SUM("probe_pause", probe_pause(i));
	SUM("probe_nop5", probe_nop5(i));
	x = 0;
	for (long i = 0; i < ITER; i++)
		x += cs_xchg_r8((unsigned int)i, (unsigned int)(ITER - i)) == (((unsigned long)(ITER - i) << 32) | (unsigned long)i);
	printf("%-20s %lu/%d (xchg really swapped)\n", "probe_xchg_r8", x, ITER);
	printf("%-20s %016lx\n", "cs_xchg_r8(1,2)", cs_xchg_r8(1, 2));
	for (long i = 0; i < ITER; i++)
		sys_ok += cs_getpid() == pid;
	printf("%-20s %lu/%d (== getpid())\n", "probe_syscall", sys_ok, ITER);
	for (long i = 0; i < ITER; i++)
		imm_or |= probe_mov_imm();
	printf("%-20s %08lx\n", "probe_mov_imm", imm_or);
	return 0;
}
