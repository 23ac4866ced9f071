/* A pipe each way between parent and child: the child upper-cases what it reads and writes it back. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((noinline)) void upcase(char *s, int n) {
  for (int i = 0; i < n; i++) s[i] = (char)toupper((unsigned char)s[i]);
}

int main(void) {
  int down[2], up[2];
  pipe(down);
  pipe(up);
  pid_t p = fork();
  if (p == 0) {
    close(down[1]);
    close(up[0]);
    char buf[256];
    ssize_t n;
    while ((n = read(down[0], buf, sizeof buf)) > 0) {
      upcase(buf, (int)n);
      write(up[1], buf, (size_t)n);
    }
    _exit(0);
  }
  close(down[0]);
  close(up[1]);
  const char *lines[] = {"hello pipe\n", "second line\n", "third and last\n"};
  for (int i = 0; i < 3; i++) write(down[1], lines[i], strlen(lines[i]));
  close(down[1]);
  char buf[256];
  ssize_t n, total = 0;
  while ((n = read(up[0], buf, sizeof buf)) > 0) {
    fwrite(buf, 1, (size_t)n, stdout);
    total += n;
  }
  int st;
  waitpid(p, &st, 0);
  printf("%zd bytes back, child status %d\n", total, WEXITSTATUS(st));
  return 0;
}
