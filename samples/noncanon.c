/*
 * noncanon.c -- a probed rel32 call/jmp whose out-of-line copy would branch
 *               to a non-canonical address.
 *
 * Background.  A uprobe replaces the first byte of the probed instruction with
 * int3.  When the breakpoint is hit, the kernel either emulates the original
 * instruction or copies it into a slot of the per-process XOL ("execute out of
 * line") page and single-steps it there, then fixes up %rip.  The XOL page is
 * typically mapped at the very top of the user address space, e.g.
 * 0x7fffffffe000, i.e. just below the end of the canonical lower half
 * (0x0000_7fff_ffff_ffff).  A "call rel32" / "jmp rel32" copied verbatim into
 * the XOL slot computes its target relative to the slot:
 *
 *        target_xol = slot + len + rel32        instead of   vaddr + len + rel32
 *
 * For rel32 > (0x800000000000 - slot - len), target_xol is >= 2^47, i.e.
 * NON-CANONICAL: the branch raises #GP instead of the single-step trap, and the
 * task gets SIGSEGV -- even though the same instruction is perfectly fine at
 * its real address, and a "fix up %rip after the step" strategy (UPROBE_FIX_IP)
 * never gets a chance to run.  Since 2014 the kernel emulates relative
 * jmp/jcc/call (branch_emulate_op() in arch/x86/kernel/uprobes.c) and, for the
 * one case where the emulated call's push fails and the call must still be
 * executed out of line, branch_clear_offset() rewrites it to "call 1f; 1:"
 * (rel32 = 0).  Its comment says (arch/x86/kernel/uprobes.c):
 *
 *     "So we need to ensure that the new ->ip can not fall into
 *      the non-canonical area and trigger #GP."
 *
 * What this program does (all runs fine natively, output deterministic):
 *
 *  Part 1 (in the binary): nc_call_site is "e8 rel32" calling nc_far_target,
 *    which lies 0x4000+ bytes further in .text (a 16 KiB int3-filled gap,
 *    symbol nc_gap, separates them); nc_jmp_site is "e9 rel32" to
 *    nc_far_jmp_target.  rel32 >= 0x4000 > 0x2000, so from ANY slot of an XOL
 *    page at 0x7fffffffe000 the verbatim copy would branch to >= 2^47.
 *
 *  Part 2 (mmap'ed code near the top of the canonical range): a code page at
 *    0x7ffff0000000 (MAP_FIXED_NOREPLACE, then a plain hint, then MAP_FIXED)
 *    gets "call rel32; ret" at +0
 *    and "jmp rel32" at +0x10; the targets are on a second page at
 *    0x7ffff8000000 and +0x10 ("mov $imm,%eax; ret"), so both rel32 = 0x07fffffb.
 *    Executed at its real address the call lands at 0x7ffff8000000; copied to
 *    an XOL slot at 0x7fffffffe000 it would land at 0x800007ffe000, which is
 *    non-canonical.  The program prints both targets and whether they are
 *    canonical, then calls the code 1000 times.
 *
 * Probe targets: nc_call_site, nc_jmp_site (symbols, offset 0), and the mmap'ed
 * page (address printed in the output: 0x7ffff0000000 and +0x10).
 * Expected with a correct (emulating) kernel model: same output as natively.
 * Expected with an "XOL-step rel32 verbatim" model: SIGSEGV at the first hit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define ITER 1000
#define XOL_PAGE 0x7fffffffe000UL
#define CODE_HINT 0x7ffff0000000UL
#define TARGET_HINT 0x7ffff8000000UL

__asm__(
"	.text\n"
"	.p2align 4\n"
"	.globl nc_call_site\n"
"	.type nc_call_site, @function\n"
"nc_call_site:\n"
"	call nc_far_target\n"
"	ret\n"
"	.size nc_call_site, . - nc_call_site\n"
"	.p2align 4\n"
"	.globl nc_jmp_site\n"
"	.type nc_jmp_site, @function\n"
"nc_jmp_site:\n"
"	.byte 0xe9\n"
"	.long nc_far_jmp_target - (. + 4)\n"
"	.size nc_jmp_site, . - nc_jmp_site\n"
"	.p2align 4\n"
"	.globl nc_gap\n"
"	.type nc_gap, @object\n"
"nc_gap:\n"
"	.skip 0x4000, 0xcc\n"
"	.size nc_gap, . - nc_gap\n"
"	.globl nc_far_target\n"
"	.type nc_far_target, @function\n"
"nc_far_target:\n"
"	lea 0x11(%rdi), %rax\n"
"	ret\n"
"	.size nc_far_target, . - nc_far_target\n"
"	.p2align 4\n"
"	.globl nc_far_jmp_target\n"
"	.type nc_far_jmp_target, @function\n"
"nc_far_jmp_target:\n"
"	lea 0x22(%rdi), %rax\n"
"	ret\n"
"	.size nc_far_jmp_target, . - nc_far_jmp_target\n"
"	.p2align 4\n"
);

long nc_call_site(long);
long nc_jmp_site(long);
extern const unsigned char nc_far_target[], nc_far_jmp_target[];

static int canonical(unsigned long a)
{
	return a < 0x800000000000UL || a >= 0xffff800000000000UL;
}

static int rel32_at(const unsigned char *p)
{
	int r;
	memcpy(&r, p + 1, 4);
	return r;
}

static void report(const char *what, unsigned long vaddr, int len, int rel32)
{
	unsigned long xol = XOL_PAGE + (unsigned long)len + (unsigned long)(long)rel32;
	(void)vaddr; /* not printed: it differs between noncanon-O0 and -O2 */
	printf("%s: rel32=%#010x, from XOL page %#lx the copy would branch to %#lx (%s)\n",
	       what, (unsigned int)rel32, XOL_PAGE, xol,
	       canonical(xol) ? "canonical" : "NON-CANONICAL -> #GP");
}

static void *map_at(unsigned long hint, int prot)
{
	void *p = mmap((void *)hint, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == (void *)hint)
		return p;
	if (p != MAP_FAILED)
		munmap(p, 4096);
	p = mmap((void *)hint, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == (void *)hint)
		return p;
	if (p != MAP_FAILED)
		munmap(p, 4096);
	/* last resort for environments that honour neither of the above */
	p = mmap((void *)hint, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	return p == (void *)hint ? p : NULL;
}

int main(void)
{
	unsigned long sum = 0;
	const unsigned char *cs = (const unsigned char *)nc_call_site;
	const unsigned char *js = (const unsigned char *)nc_jmp_site;

	/* Part 1 */
	report("part1 nc_call_site", (unsigned long)cs, 5, rel32_at(cs));
	report("part1 nc_jmp_site ", (unsigned long)js, 5, rel32_at(js));
	printf("part1 real targets are nc_far_target: %s, nc_far_jmp_target: %s\n",
	       cs + 5 + rel32_at(cs) == nc_far_target ? "yes" : "NO",
	       js + 5 + rel32_at(js) == nc_far_jmp_target ? "yes" : "NO");
	for (long i = 0; i < ITER; i++)
		sum += (unsigned long)nc_call_site(i) + (unsigned long)nc_jmp_site(i);
	printf("part1 %d calls of each site, sum %lu\n", ITER, sum);

	/* Part 2 */
	unsigned char *code = map_at(CODE_HINT, PROT_READ | PROT_WRITE);
	unsigned char *tgt = map_at(TARGET_HINT, PROT_READ | PROT_WRITE);
	if (!code || !tgt) {
		printf("part2 could not map %#lx / %#lx: %s\n", CODE_HINT, TARGET_HINT, strerror(errno));
		return 1;
	}
	int rel_call = (int)(TARGET_HINT - (CODE_HINT + 5));
	int rel_jmp = (int)(TARGET_HINT + 0x10 - (CODE_HINT + 0x10 + 5));
	code[0] = 0xe8; memcpy(code + 1, &rel_call, 4); code[5] = 0xc3;   /* call rel32; ret */
	code[0x10] = 0xe9; memcpy(code + 0x11, &rel_jmp, 4);              /* jmp rel32 */
	unsigned int v1 = 0x600dca11, v2 = 0x600d0e9;
	tgt[0] = 0xb8; memcpy(tgt + 1, &v1, 4); tgt[5] = 0xc3;             /* mov $v1,%eax; ret */
	tgt[0x10] = 0xb8; memcpy(tgt + 0x11, &v2, 4); tgt[0x15] = 0xc3;    /* mov $v2,%eax; ret */
	if (mprotect(code, 4096, PROT_READ | PROT_EXEC) || mprotect(tgt, 4096, PROT_READ | PROT_EXEC)) {
		printf("part2 mprotect failed: %s\n", strerror(errno));
		return 1;
	}
	printf("part2 call site at %#lx -> real target %#lx (%s)\n", CODE_HINT,
	       CODE_HINT + 5 + (long)rel_call, canonical(CODE_HINT + 5 + (long)rel_call) ? "canonical" : "NON-CANONICAL");
	report("part2 call site    ", CODE_HINT, 5, rel_call);
	printf("part2 jmp site at %#lx -> real target %#lx (%s)\n", CODE_HINT + 0x10,
	       CODE_HINT + 0x15 + (long)rel_jmp, canonical(CODE_HINT + 0x15 + (long)rel_jmp) ? "canonical" : "NON-CANONICAL");
	report("part2 jmp site     ", CODE_HINT + 0x10, 5, rel_jmp);

	unsigned int (*fcall)(void) = (unsigned int (*)(void))(void *)code;
	unsigned int (*fjmp)(void) = (unsigned int (*)(void))(void *)(code + 0x10);
	unsigned long s1 = 0, s2 = 0;
	for (long i = 0; i < ITER; i++) {
		s1 += fcall();
		s2 += fjmp();
	}
	printf("part2 %d calls: call-site sum %#lx, jmp-site sum %#lx\n", ITER, s1, s2);
	munmap(code, 4096);
	munmap(tgt, 4096);
	return 0;
}
