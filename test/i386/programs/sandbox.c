/* What a 32-bit guest may touch: host files it was not given, the network and a
 * runaway loop or allocation are refused or stopped, as for a 64-bit guest. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "files";
  if (!strcmp(mode, "files")) {
    int fd = open("/etc/passwd", O_RDONLY);
    printf("open /etc/passwd: %d %s\n", fd, fd < 0 ? strerror(errno) : "opened");
    int s = socket(AF_INET, SOCK_STREAM, 0);
    printf("socket: %d %s\n", s, s < 0 ? strerror(errno) : "created");
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    printf("monotonic %ld.%09ld\n", (long)t.tv_sec, t.tv_nsec);
    return 0;
  }
  if (!strcmp(mode, "spin")) for (volatile unsigned i = 0;; i++) {}
  if (!strcmp(mode, "grow")) for (;;) {
    char *p = malloc(1 << 20);
    if (!p) { puts("malloc failed"); return 1; }
    memset(p, 1, 1 << 20);
  }
  return 2;
}
