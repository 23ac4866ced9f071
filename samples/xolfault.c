/*
 * xolfault.c -- a probed instruction that faults (docs/uprobes-model.md §8.2).
 *
 * xf_load (asm) is `mov (%rax),%eax; ret`. main calls it 10 times with
 * rax = NULL; the SIGSEGV handler repairs the context (rax = &good) and
 * returns, so the load is executed again and succeeds. Natively each call
 * faults once. With a uprobe on xf_load the load is stepped out of line:
 * the copy faults in the XOL slot, the kernel aborts the step, rewinds ip
 * to the probe address and delivers SIGSEGV there; after the handler
 * returns, the int3 is hit again, so the probe counts 2 hits per call.
 * Also prints the fault address and the ip the handler saw (relative to
 * xf_load): the ip must be the probe address, not the slot's.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

__asm__(".text\n.globl xf_load\n.type xf_load,@function\nxf_load:\n mov (%rax),%eax\n ret\n.size xf_load, .-xf_load\n");
extern char xf_load[];

static int good = 42;
static int faults;
static long ip_off = -1;

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	(void)sig;
	faults++;
	ip_off = (long)uc->uc_mcontext.gregs[REG_RIP] - (long)xf_load;
	if (si->si_addr != 0)
		printf("unexpected fault address %p\n", si->si_addr);
	uc->uc_mcontext.gregs[REG_RAX] = (long)&good;
}

static int call_load(int *p)
{
	int r;
	__asm__ volatile("call xf_load" : "=a"(r) : "a"(p) : "memory", "rcx", "rdx");
	return r;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, 0);
	long sum = 0;
	for (int i = 0; i < 10; i++)
		sum += call_load(0);
	printf("sum %ld, faults %d, last fault ip at xf_load%+ld\n", sum, faults, ip_off);
	return 0;
}
