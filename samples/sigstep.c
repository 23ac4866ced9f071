/*
 * sigstep.c -- user-mode single-stepping with TF (saved-TF semantics demo).
 *
 * What it demonstrates: the program sets EFLAGS.TF itself with pushf/popf and
 * counts the resulting SIGTRAPs (one per instruction) in a handler, recording
 * the %rip of each trap relative to the start of the stepped region.  This is
 * the situation the kernel's uprobes code handles with
 * arch_uprobe_task.saved_tf: if a uprobe is hit while the application is
 * single-stepping itself, the kernel's own single-step of the XOL copy must
 * not swallow the application's trap (arch_uprobe_post_xol() sends SIGTRAP
 * when saved_tf was set; arch_uprobe_skip_sstep() does the same for emulated
 * instructions), and a probed popf that changes TF must not have TF
 * clobbered afterwards (UPROBE_FIX_SETF).
 *
 * Stepped region (asm, identical at -O0/-O2):
 *
 *   sigstep_run:        pushfq; orq $0x100,(%rsp)
 *   sigstep_popf_set:   popfq                       <- sets TF (probe site: 9d)
 *   sigstep_region:     mov $1,%eax                 trap after this insn ...
 *                       add $2,%eax
 *   sigstep_probe_add:  add $3,%eax                 <- probe site (83 c0 03)
 *   sigstep_probe_push: push %rbx                   <- probe site (53, emulated)
 *                       pop %rbx
 *   sigstep_probe_jmp:  jmp 1f  (eb 00)             <- probe site (emulated jmp)
 *                    1: nop
 *                       pushfq; andq $~0x100,(%rsp)
 *   sigstep_popf_clear: popfq                       <- clears TF; still traps after
 *                       ret
 *
 * Native Linux delivers one SIGTRAP after each instruction from
 * sigstep_region through the clearing popf.  main() runs the region 10 times
 * and prints the trap count and the list of trap offsets; with probes on the
 * sites above, a faithful kernel model must print exactly the same thing.
 * Output is deterministic (checked natively; qemu-user also matches).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

#define ROUNDS 10
#define MAXTRAPS 64

__asm__(
"	.text\n"
"	.p2align 4\n"
"	.globl sigstep_run\n"
"	.type sigstep_run, @function\n"
"sigstep_run:\n"
"	pushfq\n"
"	orq $0x100, (%rsp)\n"
"	.size sigstep_run, . - sigstep_run\n"
"	.globl sigstep_popf_set\n"
"	.type sigstep_popf_set, @function\n"
"sigstep_popf_set:\n"
"	popfq\n"
"	.size sigstep_popf_set, . - sigstep_popf_set\n"
"	.globl sigstep_region\n"
"	.type sigstep_region, @function\n"
"sigstep_region:\n"
"	mov $1, %eax\n"
"	add $2, %eax\n"
"	.size sigstep_region, . - sigstep_region\n"
"	.globl sigstep_probe_add\n"
"	.type sigstep_probe_add, @function\n"
"sigstep_probe_add:\n"
"	add $3, %eax\n"
"	.size sigstep_probe_add, . - sigstep_probe_add\n"
"	.globl sigstep_probe_push\n"
"	.type sigstep_probe_push, @function\n"
"sigstep_probe_push:\n"
"	push %rbx\n"
"	pop %rbx\n"
"	.size sigstep_probe_push, . - sigstep_probe_push\n"
"	.globl sigstep_probe_jmp\n"
"	.type sigstep_probe_jmp, @function\n"
"sigstep_probe_jmp:\n"
"	.byte 0xeb, 0x00\n"
"	nop\n"
"	pushfq\n"
"	andq $~0x100, (%rsp)\n"
"	.size sigstep_probe_jmp, . - sigstep_probe_jmp\n"
"	.globl sigstep_popf_clear\n"
"	.type sigstep_popf_clear, @function\n"
"sigstep_popf_clear:\n"
"	popfq\n"
"	ret\n"
"	.size sigstep_popf_clear, . - sigstep_popf_clear\n"
"	.p2align 4\n"
);

int sigstep_run(void);
extern const char sigstep_region[];

static volatile unsigned long traps;
static volatile long offs[MAXTRAPS];
static volatile unsigned long outside;

static void on_trap(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;
	long off = (long)uc->uc_mcontext.gregs[REG_RIP] - (long)sigstep_region;
	(void)sig;
	(void)si;
	if (off < 0 || off > 64)
		outside++;
	if (traps < MAXTRAPS)
		offs[traps] = off;
	traps++;
}

int main(void)
{
	struct sigaction sa;
	unsigned long per_round[ROUNDS];
	int sum = 0;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_trap;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTRAP, &sa, NULL);

	for (int r = 0; r < ROUNDS; r++) {
		unsigned long before = traps;
		sum += sigstep_run();
		per_round[r] = traps - before;
	}
	printf("sigstep: %d rounds, %lu SIGTRAPs, %lu outside the region, eax sum %d\n",
	       ROUNDS, (unsigned long)traps, (unsigned long)outside, sum);
	printf("traps per round:");
	for (int r = 0; r < ROUNDS; r++)
		printf(" %lu", per_round[r]);
	printf("\nfirst round trap %%rip offsets from sigstep_region:");
	for (unsigned long i = 0; i < per_round[0] && i < MAXTRAPS; i++)
		printf(" %ld", offs[i]);
	printf("\n");
	return 0;
}
