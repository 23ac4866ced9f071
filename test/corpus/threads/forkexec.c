/* fork + exec of the program itself (/proc/self/exe) with an argument; the child's status comes back. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((noinline)) int work(int x) { return x * x + 1; }

int main(int argc, char **argv) {
  if (argc > 1) {
    printf("child: arg %s work=%d\n", argv[1], work(atoi(argv[1])));
    return work(2);
  }
  fflush(stdout);
  pid_t p = fork();
  if (p == 0) {
    execl("/proc/self/exe", argv[0], "6", (char *)0);
    _exit(127);
  }
  int st;
  waitpid(p, &st, 0);
  printf("parent: child exited %d, work=%d\n", WEXITSTATUS(st), work(3));
  return 0;
}
