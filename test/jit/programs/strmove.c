/*
 * movs/stos (rep and single, DF clear and set, overlapping, page-crossing,
 * faulting) and one-operand mul, for the jit's compiled forms of them
 * (engine/cpu/jit/string-gen.ts, codegen.ts mulOne). Each case runs a few
 * times so that its blocks are compiled (UPROBE_LAB_JIT_HOT=2). A fault is
 * caught by a SIGSEGV handler that prints rip, rcx, and rsi/rdi relative to
 * the buffer, as the kernel's signal frame holds them.
 *
 *   strmove [flags]   ("flags": print every arithmetic flag after mul, which
 *                      the SDM leaves partly undefined: for the tier comparison)
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

static sigjmp_buf env;
static volatile uint64_t f_rip, f_rcx, f_rsi, f_rdi;
static unsigned char *base; /* two pages; the second one PROT_NONE for the fault cases */
static int all_flags;

static void on_segv(int sig, siginfo_t *si, void *p) {
	(void)sig, (void)si;
	ucontext_t *uc = p;
	f_rip = uc->uc_mcontext.gregs[REG_RIP];
	f_rcx = uc->uc_mcontext.gregs[REG_RCX];
	f_rsi = uc->uc_mcontext.gregs[REG_RSI];
	f_rdi = uc->uc_mcontext.gregs[REG_RDI];
	siglongjmp(env, 1);
}

static uint64_t sum(const unsigned char *p, int n) {
	uint64_t s = 0;
	for (int i = 0; i < n; i++) s = s * 31 + p[i];
	return s;
}

/* the std/cld are outside the block that holds the string instruction (the jmp ends the block) */
#define STRING_CASE(NAME, INSN)                                                                    \
	static void NAME(unsigned char *d, const unsigned char *s, uint64_t n, uint64_t a, int df,    \
			 uint64_t *rc, uint64_t *rs, uint64_t *rd) {                                  \
		if (df) __asm__ volatile("std");                                                      \
		__asm__ volatile("jmp 1f\n1:\t" INSN "\n\tmov %%rcx,%%rcx\n\tcld"                     \
				 : "+c"(n), "+S"(s), "+D"(d)                                          \
				 : "a"(a)                                                             \
				 : "memory", "cc");                                                   \
		*rc = n, *rs = (uint64_t)s, *rd = (uint64_t)d;                                        \
	}

STRING_CASE(rep_movsb, "rep movsb")
STRING_CASE(rep_movsw, "rep movsw")
STRING_CASE(rep_movsl, "rep movsl")
STRING_CASE(rep_movsq, "rep movsq")
STRING_CASE(rep_stosb, "rep stosb")
STRING_CASE(rep_stosw, "rep stosw")
STRING_CASE(rep_stosl, "rep stosl")
STRING_CASE(rep_stosq, "rep stosq")
STRING_CASE(one_movsb, "movsb")
STRING_CASE(one_movsq, "movsq")
STRING_CASE(one_stosl, "stosl")
STRING_CASE(one_stosw, "stosw")

typedef void (*string_fn)(unsigned char *, const unsigned char *, uint64_t, uint64_t, int, uint64_t *, uint64_t *, uint64_t *);

static void run(const char *name, string_fn f, long doff, long soff, uint64_t n, int df) {
	for (int rep = 0; rep < 4; rep++) {
		for (int i = 0; i < 4096; i++) base[i] = (unsigned char)(i * 7 + 3);
		uint64_t rc = 0, rs = 0, rd = 0;
		if (sigsetjmp(env, 1) == 0) {
			f(base + doff, base + soff, n, 0x1122334455667788ull, df, &rc, &rs, &rd);
			if (rep == 3)
				printf("%s d%+ld s%+ld n%lu df%d: rcx=%lu rsi%+ld rdi%+ld mem=%016llx\n", name, doff, soff, (unsigned long)n, df,
				       (unsigned long)rc, (long)(rs - (uint64_t)base), (long)(rd - (uint64_t)base), (unsigned long long)sum(base, 4096));
		} else {
			__asm__ volatile("cld");
			if (rep == 3)
				printf("%s d%+ld s%+ld n%lu df%d: SIGSEGV at %#lx rcx=%lu rsi%+ld rdi%+ld mem=%016llx\n", name, doff, soff, (unsigned long)n, df,
				       (unsigned long)f_rip, (unsigned long)f_rcx, (long)(f_rsi - (uint64_t)base), (long)(f_rdi - (uint64_t)base),
				       (unsigned long long)sum(base, 4096));
		}
	}
}

/* 128-bit SSE moves and pxor (interpreted: a compiled prefix ends before them): unaligned and aligned forms, a
 * misaligned aligned form (#GP: SIGSEGV), page-crossing and faulting operands; the results land in memory */
static void sse_case(long off) {
	for (int rep = 0; rep < 4; rep++) {
		for (int i = 0; i < 4096; i++) base[i] = (unsigned char)(i * 13 + 5);
		unsigned char *p = base + off;
		if (sigsetjmp(env, 1) == 0) {
			__asm__ volatile("xor %%esi,%%esi\n\tjmp 1f\n1:\tmovdqu (%0),%%xmm1\n\tpxor %%xmm2,%%xmm2\n\tpxor %%xmm1,%%xmm2\n\tmovups %%xmm2,16(%0)\n\t"
					 "movdqa %%xmm2,%%xmm3\n\tmovups 3(%0),%%xmm4\n\tpxor %%xmm4,%%xmm3\n\tmovdqu %%xmm3,64(%0)\n\t"
					 "mov %0,%%rsi\n\tand $-16,%%rsi\n\tpxor 32(%%rsi),%%xmm3\n\tmovaps %%xmm3,48(%%rsi)\n\tmovapd 48(%%rsi),%%xmm5\n\t"
					 "movdqa %%xmm5,80(%%rsi)\n\tmovaps 16(%0),%%xmm6\n\tmovdqu %%xmm6,96(%0)"
					 : : "r"(p) : "rsi", "cc", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "memory");
			if (rep == 3) printf("sse +%ld: mem=%016llx\n", off, (unsigned long long)sum(base, 4096));
		} else if (rep == 3)
			printf("sse +%ld: SIGSEGV at %#lx rsi%+ld mem=%016llx\n", off, (unsigned long)f_rip, (long)(f_rsi ? f_rsi - (uint64_t)base : -1), (unsigned long long)sum(base, 4096));
	}
}

static void mul_case(uint64_t a, uint64_t b) {
	for (int rep = 0; rep < 4; rep++) {
		uint64_t lo = a, hi, fl, lo32 = a, hi32, fl32, mlo = a, mhi, mfl;
		uint32_t m32 = (uint32_t)b;
		unsigned char c, o;
		__asm__ volatile("jmp 1f\n1:\tmulq %[b]\n\tsetc %[c]\n\tseto %[o]\n\tpushfq\n\tpopq %[f]"
				 : "+a"(lo), "=d"(hi), [c] "=q"(c), [o] "=q"(o), [f] "=r"(fl)
				 : [b] "r"(b)
				 : "cc");
		__asm__ volatile("jmp 1f\n1:\tmull %k[b]\n\tpushfq\n\tpopq %[f]" : "+a"(lo32), "=d"(hi32), [f] "=r"(fl32) : [b] "r"(b) : "cc");
		uint64_t mb = b;
		__asm__ volatile("jmp 1f\n1:\tmulq %[b]\n\tmull %[m]\n\tpushfq\n\tpopq %[f]" : "+a"(mlo), "=d"(mhi), [f] "=r"(mfl) : [b] "m"(mb), [m] "m"(m32) : "cc");
		if (rep < 3) continue;
		unsigned long mask = all_flags ? 0x8d5 : 0x801; /* CF and OF are defined after mul; SF ZF AF PF are not */
		printf("mul %016llx * %016llx: %016llx:%016llx c%d o%d fl=%#lx | mull %08llx:%08llx fl=%#lx | mem %016llx:%016llx fl=%#lx\n",
		       (unsigned long long)a, (unsigned long long)b, (unsigned long long)hi, (unsigned long long)lo, c, o, (unsigned long)(fl & mask),
		       (unsigned long long)hi32, (unsigned long long)lo32, (unsigned long)(fl32 & mask), (unsigned long long)mhi, (unsigned long long)mlo,
		       (unsigned long)(mfl & mask));
	}
}

int main(int argc, char **argv) {
	all_flags = argc > 1 && strcmp(argv[1], "flags") == 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, 0);
	base = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	/* both pages mapped: counts 0..9, DF clear and set, page-crossing, overlapping */
	static const struct { const char *name; string_fn f; int size; } fns[] = {
		{"rep movsb", rep_movsb, 1}, {"rep movsw", rep_movsw, 2}, {"rep movsl", rep_movsl, 4}, {"rep movsq", rep_movsq, 8},
		{"rep stosb", rep_stosb, 1}, {"rep stosw", rep_stosw, 2}, {"rep stosl", rep_stosl, 4}, {"rep stosq", rep_stosq, 8},
		{"movsb", one_movsb, 1},     {"movsq", one_movsq, 8},     {"stosl", one_stosl, 4},     {"stosw", one_stosw, 2},
	};
	for (unsigned k = 0; k < sizeof fns / sizeof fns[0]; k++) {
		for (uint64_t n = 0; n < 10; n += 3) {
			run(fns[k].name, fns[k].f, 1000, 2000, n, 0);
			run(fns[k].name, fns[k].f, 1000, 2000, n, 1);
			run(fns[k].name, fns[k].f, 101, 100, n * 5, 0);  /* overlapping, destination above */
			run(fns[k].name, fns[k].f, 500, 501, n * 5, 1);  /* overlapping, DF set */
			run(fns[k].name, fns[k].f, 4090, 30, n, 0);      /* destination crosses into the second page */
			run(fns[k].name, fns[k].f, 60, 4093, n, 0);      /* source crosses */
			run(fns[k].name, fns[k].f, 4100, 4200, n, 1);    /* second page, DF set */
		}
	}
	static const long sse_offs[] = {0, 16, 1, 8, 4000, 4064, 4080, 4090};
	for (unsigned i = 0; i < sizeof sse_offs / sizeof sse_offs[0]; i++) sse_case(sse_offs[i]);
	/* the second page PROT_NONE: a fault part-way leaves rcx/rsi/rdi after the elements done */
	mprotect(base + 4096, 4096, PROT_NONE);
	for (unsigned i = 0; i < sizeof sse_offs / sizeof sse_offs[0]; i++) sse_case(sse_offs[i]);
	for (unsigned k = 0; k < sizeof fns / sizeof fns[0]; k++) {
		run(fns[k].name, fns[k].f, 4080, 10, 40, 0);  /* the destination runs into it */
		run(fns[k].name, fns[k].f, 10, 4080, 40, 0);  /* the source runs into it */
		run(fns[k].name, fns[k].f, 4200, 10, 3, 1);   /* the first element faults */
		run(fns[k].name, fns[k].f, 4200, 10, 0, 1);   /* rcx = 0: nothing is touched */
	}
	static const uint64_t v[] = {0, 1, 2, 10, 0xffffffffull, 0x100000000ull, 0xcccccccccccccccdull, 0x8000000000000000ull, 0xffffffffffffffffull, 12345678901234567ull};
	for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++)
		for (unsigned j = 0; j < sizeof v / sizeof v[0]; j++) mul_case(v[i], v[j]);
	return 0;
}
