/* Five children, each exits with its own status; one is killed by a signal. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((noinline)) int child_work(int i) { return i * 7 % 11; }

int main(void) {
  pid_t kids[5];
  for (int i = 0; i < 5; i++) {
    pid_t p = fork();
    if (p == 0) {
      if (i == 4) raise(SIGTERM);
      _exit(child_work(i));
    }
    kids[i] = p;
  }
  for (int i = 0; i < 5; i++) {
    int st;
    pid_t w = waitpid(kids[i], &st, 0);
    if (WIFEXITED(st)) printf("child %d (ok=%d) exited %d\n", i, w == kids[i], WEXITSTATUS(st));
    else printf("child %d (ok=%d) killed by signal %d\n", i, w == kids[i], WTERMSIG(st));
  }
  int st;
  printf("wait with no children: %d\n", (int)wait(&st));
  printf("parent work=%d\n", child_work(9));
  return 0;
}
