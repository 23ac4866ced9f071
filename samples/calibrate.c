/*
 * calibrate.c -- the probe sites `uprobe-lab calibrate` times on a real
 * kernel (tracefs uprobe events) and in the model, to fit and check a cost
 * profile (lab/calibrate-cases.ts names the cases built on these sites).
 *
 *   calibrate N [SITE...]   calls each named site function (all by default)
 *                           N times and prints, per site, "<site> <elapsed ns>
 *                           <cpu ns>": CLOCK_MONOTONIC and the thread's CPU time
 *                           (which other processes' time slices do not inflate;
 *                           the kernel's trap handling is the task's), then one line
 *                           "# maps xol=X tramp=T": whether the process got
 *                           the [uprobes] page (a step went out of line) and
 *                           the [uprobes-trampoline] (a nop5 was optimized).
 *
 * Each site is its instruction(s), the code that undoes them, ret; the probed
 * instruction is at offset 0 unless the case says otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SITE(name, bytes) \
	__asm__(".text\n.globl " #name "\n.type " #name ",@function\n" #name ":\n.byte " bytes "\n.size " #name ", .-" #name "\n"); \
	void name(void);

/* emulated classes */
SITE(site_push, "0x55,0x5d,0xc3")                        /* push %rbp; pop %rbp */
SITE(site_push_r12, "0x41,0x54,0x41,0x5c,0xc3")          /* push %r12; pop %r12 */
SITE(site_jmp, "0xeb,0x00,0xc3")                         /* jmp +0 */
SITE(site_call, "0xe8,0x00,0x00,0x00,0x00,0xc3")         /* call +0: the ret runs twice */
SITE(site_jcc, "0x74,0x00,0xc3")                         /* je +0 */
SITE(site_jne, "0x75,0x00,0xc3")                         /* jne +0 */
SITE(site_nop1, "0x90,0xc3")                             /* nop */
SITE(site_nop4, "0x0f,0x1f,0x40,0x00,0xc3")              /* nopl 0(%rax): emulated from 6.16 */
/* out of line */
SITE(site_mov, "0x48,0x89,0xe0,0xc3")                    /* mov %rsp,%rax */
SITE(site_sub, "0x48,0x83,0xec,0x08,0x48,0x83,0xc4,0x08,0xc3") /* sub $8,%rsp; add $8,%rsp */
SITE(site_mid, "0x90,0x48,0x89,0xc2,0xc3")               /* nop; mov %rax,%rdx (probed at +1) */
SITE(site_lea_rip, "0x48,0x8d,0x05,0x00,0x00,0x00,0x00,0xc3") /* lea 0(%rip),%rax */
SITE(site_load_rip, "0x8b,0x05,0x00,0x00,0x00,0x00,0xc3")    /* mov 0(%rip),%eax */
SITE(site_cmp_rip, "0x48,0x3b,0x05,0x00,0x00,0x00,0x00,0xc3") /* cmp 0(%rip),%rax */
SITE(site_xor, "0x31,0xc0,0xc3")                         /* xor %eax,%eax */
SITE(site_movimm, "0xb8,0x00,0x00,0x00,0x00,0xc3")       /* mov $0,%eax */
SITE(site_add, "0x48,0x83,0xc0,0x01,0xc3")               /* add $1,%rax */
SITE(site_test, "0x48,0x85,0xc0,0xc3")                   /* test %rax,%rax */
/* the nop5 the 6.18 kernel optimizes */
SITE(site_nop5, "0x0f,0x1f,0x44,0x00,0x00,0xc3")         /* nopl 0(%rax,%rax,1) */
/* a longer function: push %rbp(0) mov %rsp,%rbp(1) xor(4) add(6) nop5(10) nop(15) pop %rbp(16) ret(17) */
SITE(site_long, "0x55,0x48,0x89,0xe5,0x31,0xc0,0x48,0x83,0xc0,0x01,0x0f,0x1f,0x44,0x00,0x00,0x90,0x5d,0xc3")

static const struct { const char *name; void (*fn)(void); } sites[] = {
	{ "site_push", site_push }, { "site_push_r12", site_push_r12 }, { "site_jmp", site_jmp },
	{ "site_call", site_call }, { "site_jcc", site_jcc }, { "site_jne", site_jne },
	{ "site_nop1", site_nop1 }, { "site_nop4", site_nop4 }, { "site_mov", site_mov },
	{ "site_sub", site_sub }, { "site_mid", site_mid }, { "site_lea_rip", site_lea_rip },
	{ "site_load_rip", site_load_rip }, { "site_cmp_rip", site_cmp_rip }, { "site_xor", site_xor },
	{ "site_movimm", site_movimm }, { "site_add", site_add }, { "site_test", site_test },
	{ "site_nop5", site_nop5 }, { "site_long", site_long },
};
#define NSITES (sizeof sites / sizeof sites[0])

static long long now_ns(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void time_site(const char *name, void (*fn)(void), long n)
{
	long long t0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	for (long i = 0; i < n; i++)
		fn();
	long long c1 = now_ns(CLOCK_THREAD_CPUTIME_ID), t1 = now_ns(CLOCK_MONOTONIC);
	printf("%s %lld %lld\n", name, t1 - t0, c1 - c0);
}

static void print_maps(void)
{
	FILE *m = fopen("/proc/self/maps", "r");
	char l[512];
	int xol = 0, tramp = 0;
	if (!m)
		return;
	while (fgets(l, sizeof l, m)) {
		if (strstr(l, "[uprobes]"))
			xol = 1;
		if (strstr(l, "[uprobes-trampoline]"))
			tramp = 1;
	}
	fclose(m);
	printf("# maps xol=%d tramp=%d\n", xol, tramp);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	for (size_t i = 0; i < NSITES; i++) {
		int wanted = argc <= 2;
		for (int a = 2; a < argc; a++)
			if (!strcmp(argv[a], sites[i].name))
				wanted = 1;
		if (wanted)
			time_site(sites[i].name, sites[i].fn, n);
	}
	print_maps();
	return 0;
}
