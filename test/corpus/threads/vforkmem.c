/* A parent with 8 MiB resident vforks: the child shares the mm, so the tree holds 8 MiB, not 16. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIZE (8 << 20)

int main(void) {
  char *buf = malloc(SIZE);
  memset(buf, 1, SIZE);
  pid_t p = vfork();
  if (p == 0) {
    buf[0] = 2;
    _exit(0);
  }
  int st;
  waitpid(p, &st, 0);
  printf("child exit %d, buf[0] = %d\n", WEXITSTATUS(st), buf[0]);
  return 0;
}
