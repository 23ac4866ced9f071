/* Not compared with native runs: a nop5 probe site that 6.18 optimizes in the parent, then a
   fork whose child reaches the site. The child inherits the patched text but not the
   VM_DONTCOPY trampoline page, so it dies of SIGSEGV (observed on 6.18.44). */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((naked, noinline)) void site(void) {
  __asm__ volatile(".byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n\tret");
}

int main(void) {
  site();
  site();
  fflush(stdout);
  pid_t p = fork();
  if (p == 0) {
    site();
    _exit(0);
  }
  int st;
  waitpid(p, &st, 0);
  if (WIFSIGNALED(st)) printf("child killed by signal %d\n", WTERMSIG(st));
  else printf("child exited %d\n", WEXITSTATUS(st));
  return 0;
}
