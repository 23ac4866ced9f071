/*
 * calibrate.c -- the probe sites `uprobe-lab calibrate` times on a real
 * kernel (tracefs uprobe events) to write a cost profile.
 *
 *   calibrate N   calls each site function N times and prints, per site,
 *                 "<site> <elapsed ns>" measured with CLOCK_MONOTONIC.
 *
 * Sites (asm, each at offset 0 of its symbol):
 *   site_push   push %rbp; pop %rbp; ret        push emulated (4.16+): 1 trap
 *   site_mov    mov %rsp,%rax; ret              not emulated: single-stepped out of line
 *   site_nop5   nopl 0x0(%rax,%rax,1); ret      6.18: optimized to a call into the trampoline
 *   site_nop1   nop; ret                        emulated NOP
 * A uretprobe on site_push measures the return path (trampoline int3 or the
 * uretprobe syscall).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define SITE(name, body) \
	__asm__(".text\n.globl " #name "\n.type " #name ",@function\n" #name ":\n" body "\n.size " #name ", .-" #name "\n")

SITE(site_push, "push %rbp\n pop %rbp\n ret");
SITE(site_mov, "mov %rsp,%rax\n ret");
SITE(site_nop5, ".byte 0x0f,0x1f,0x44,0x00,0x00\n ret");
SITE(site_nop1, "nop\n ret");

void site_push(void);
void site_mov(void);
void site_nop5(void);
void site_nop1(void);

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void time_site(const char *name, void (*fn)(void), long n)
{
	long long t0 = now_ns();
	for (long i = 0; i < n; i++)
		fn();
	printf("%s %lld\n", name, now_ns() - t0);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	time_site("site_push", site_push, n);
	time_site("site_mov", site_mov, n);
	time_site("site_nop5", site_nop5, n);
	time_site("site_nop1", site_nop1, n);
	return 0;
}
