/* execve from a hot loop: the same inline `syscall` instruction runs getppid on every iteration (so
   its block is compiled, under the jit) and, at iteration 300, execve of the program itself. The new
   image runs its own hot loop over code at the same addresses as the old image's (same binary), which
   the old image's translations must not serve: each image prints what its loop computed. */
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

extern char **environ;

__attribute__((noinline)) static long sys3(long n, long a, long b, long c) {
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
}

__attribute__((noinline)) static long work(long i, long k) { return i * k + (i ^ k); }

int main(int argc, char **argv) {
  long k = argc > 1 ? 7 : 3; /* the exec'd image computes with another constant */
  long s = 0;
  char *args[] = {argv[0], "again", 0};
  for (long i = 0; i < 600; i++) {
    s += work(i, k);
    long n = SYS_getppid, a = 0, b = 0, c = 0;
    if (argc == 1 && i == 300) {
      printf("first image: s=%ld at the exec\n", s);
      fflush(stdout);
      n = SYS_execve, a = (long)"/proc/self/exe", b = (long)args, c = (long)environ;
    }
    long r = sys3(n, a, b, c);
    if (n == SYS_execve) printf("execve failed: %ld\n", r);
  }
  printf("%s image: s=%ld\n", argc > 1 ? "second" : "first", s);
  return argc > 1 ? 5 : 0;
}
