/* clone(CLONE_VM) without CLONE_VFORK: parent and child run at once on one mm and hand a counter back and forth. */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int turn, count;
static char stack[65536] __attribute__((aligned(16)));

static int child(void *arg) {
  (void)arg;
  for (int i = 0; i < 50; i++) {
    while (turn != 1) {
    }
    count++;
    turn = 0;
  }
  return getpid() == getppid() ? 1 : 0;
}

int main(void) {
  pid_t p = clone(child, stack + sizeof stack, CLONE_VM | SIGCHLD, NULL);
  for (int i = 0; i < 50; i++) {
    while (turn != 0) {
    }
    count++;
    turn = 1;
  }
  int st;
  waitpid(p, &st, 0);
  printf("count %d, child exit %d\n", count, WEXITSTATUS(st));
  return 0;
}
