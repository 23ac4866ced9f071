/* vfork, clone(CLONE_VM) and posix_spawn: the child shares the parent's memory until it execs or exits. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static volatile int shared = 1;
static char stack[65536] __attribute__((aligned(16)));

__attribute__((noinline)) int work(int x) { return x * x + 1; }

static int clone_child(void *arg) {
  shared = *(int *)arg;
  return 5;
}

static void spawn(const char *path, char *argv0) {
  char *args[] = {argv0, "7", NULL};
  pid_t pid = -1;
  fflush(stdout);
  int r = posix_spawn(&pid, path, NULL, NULL, args, environ);
  if (r != 0) {
    printf("posix_spawn %s: %s\n", path, strerror(r));
    return;
  }
  int st;
  pid_t w = waitpid(pid, &st, 0);
  printf("posix_spawn %s: waited %s, exit %d\n", path, w == pid ? "the child" : "?", WEXITSTATUS(st));
}

int main(int argc, char **argv) {
  if (argc > 1) {
    printf("spawned: arg %s work=%d\n", argv[1], work(atoi(argv[1])));
    return work(2);
  }
  pid_t p = vfork();
  if (p == 0) {
    shared = 42; /* the parent's variable: the child runs on the parent's mm */
    _exit(3);
  }
  int st;
  waitpid(p, &st, 0);
  printf("vfork: parent sees %d, child exit %d\n", shared, WEXITSTATUS(st));

  int v = 77;
  p = clone(clone_child, stack + sizeof stack, CLONE_VM | SIGCHLD, &v);
  waitpid(p, &st, 0);
  printf("clone(CLONE_VM): parent sees %d, child exit %d\n", shared, WEXITSTATUS(st));

  spawn("/proc/self/exe", argv[0]);
  spawn("/nonexistent/prog", argv[0]);
  return 0;
}
