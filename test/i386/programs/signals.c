/* Signal frames of a 32-bit program: a plain handler (sigreturn), an SA_SIGINFO handler
 * (rt_sigreturn) reading siginfo and the saved context, a SIGSEGV handler that siglongjmps out,
 * registers and FPU state surviving a handler, and the mask restored afterwards. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static volatile int plain_hits, info_hits, info_code;
static volatile double fp_in_handler;
static sigjmp_buf env;

static void plain(int sig) { plain_hits += sig; fp_in_handler = 1.25 * sig; }
static void info(int sig, siginfo_t *si, void *uc) {
  info_hits += sig;
  info_code = si->si_code;
  (void)uc;
}
static void segv(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  printf("segv %d addr %p code %d\n", sig, si->si_addr, si->si_code);
  siglongjmp(env, 1);
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = plain;
  sigaction(SIGUSR1, &sa, 0);
  double x = 3.5;
  raise(SIGUSR1);
  printf("plain %d fp %.2f x %.2f\n", plain_hits, fp_in_handler, x * 2);
  sa.sa_sigaction = info;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR2, &sa, 0);
  raise(SIGUSR2);
  raise(SIGUSR2);
  printf("info %d code %d\n", info_hits, info_code);
  sa.sa_sigaction = segv;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, 0);
  if (sigsetjmp(env, 1) == 0) {
    *(volatile int *)16 = 1;
    puts("not reached");
  }
  sigset_t cur;
  sigprocmask(SIG_BLOCK, 0, &cur);
  printf("after: segv blocked %d usr1 blocked %d\n", sigismember(&cur, SIGSEGV), sigismember(&cur, SIGUSR1));
  return 0;
}
