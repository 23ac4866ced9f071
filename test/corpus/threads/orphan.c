/* Orphans (issue 11): the program exits while its child still runs; the child is reparented
   (getppid changes) and its output still appears, as through a pipe natively. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void) {
  setvbuf(stdout, 0, _IONBF, 0);
  pid_t parent = getpid();
  if (fork() == 0) {
    usleep(30000);
    printf("orphan: reparented %s\n", getppid() != parent ? "yes" : "no");
    for (volatile int i = 0; i < 100000; i++) {
    }
    printf("orphan: done\n");
    return 0;
  }
  printf("parent exits with 3\n");
  return 3;
}
