/* Forks until fork fails (natively: RLIMIT_NPROC); the emulator stops it at --max-tasks. */
#include <stdio.h>
#include <unistd.h>

int main(void) {
  for (;;) {
    if (fork() < 0) {
      puts("fork failed");
      return 1;
    }
  }
}
