/* Readiness of the standard streams as the user gave them: a pipe (the corpus runs give stdin
   and take stdout/stderr through pipes: pipe_poll, and epoll accepts them), a regular file or
   /dev/null (no poll method: DEFAULT_POLLMASK, and epoll refuses them with EPERM). A pipe's
   writer may still be writing when we start, so on a pipe we first wait for POLLHUP: from
   then on every answer is fixed by the input alone. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define ALL (POLLIN | POLLPRI | POLLOUT | POLLRDNORM | POLLRDBAND | POLLWRNORM | POLLWRBAND)

static const char *kind(int fd) {
  struct stat st;
  if (fstat(fd, &st) < 0) return "closed";
  return S_ISFIFO(st.st_mode) ? "fifo" : S_ISREG(st.st_mode) ? "regular" : S_ISCHR(st.st_mode) ? "chr" : "other";
}

static int revents(int fd, short events) {
  struct pollfd p = {fd, events, 0};
  int r = poll(&p, 1, 0);
  return r < 0 ? -errno : p.revents;
}

static void selects(void) {
  fd_set r, w, x;
  FD_ZERO(&r);
  FD_ZERO(&w);
  FD_ZERO(&x);
  for (int fd = 0; fd < 3; fd++) {
    FD_SET(fd, &r);
    FD_SET(fd, &w);
    FD_SET(fd, &x);
  }
  struct timeval tv = {0, 0};
  int n = select(3, &r, &w, &x, &tv);
  printf("select: %d read", n);
  for (int fd = 0; fd < 3; fd++) printf(" %d", FD_ISSET(fd, &r) != 0);
  printf(" write");
  for (int fd = 0; fd < 3; fd++) printf(" %d", FD_ISSET(fd, &w) != 0);
  printf(" except");
  for (int fd = 0; fd < 3; fd++) printf(" %d", FD_ISSET(fd, &x) != 0);
  printf("\n");
}

static void epolls(void) {
  int ep = epoll_create1(0);
  for (int fd = 0; fd < 3; fd++) {
    struct epoll_event ev = {fd == 0 ? EPOLLIN : EPOLLOUT, {.u64 = (uint64_t)fd}};
    int e = epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    printf("epoll_ctl ADD %d: %d%s%s\n", fd, e, e < 0 ? " " : "", e < 0 ? strerror(errno) : "");
  }
  struct epoll_event out[3];
  int n = epoll_wait(ep, out, 3, 0);
  printf("epoll_wait: %d", n);
  for (int i = 0; i < n; i++) printf(" fd %llu events %#x", (unsigned long long)out[i].data.u64, out[i].events);
  printf("\n");
  close(ep);
}

int main(void) {
  const char *k = kind(0);
  if (!strcmp(k, "fifo")) {
    long spins = 0; /* depends on the writer's timing: not printed */
    while (!(revents(0, POLLIN) & POLLHUP))
      if (++spins == 200000) {
        printf("the writer never closed the pipe\n");
        return 1;
      }
  }
  struct stat st;
  fstat(0, &st);
  printf("stdin %s mode %o", k, st.st_mode & 0777);
  if (S_ISCHR(st.st_mode)) printf(" rdev %u:%u", major(st.st_rdev), minor(st.st_rdev));
  printf("\nstdout %s, stderr %s\n", kind(1), kind(2));
  for (int fd = 0; fd < 3; fd++) printf("poll fd %d: POLLIN %#x, all %#x\n", fd, revents(fd, POLLIN), revents(fd, ALL));
  selects();
  epolls();
  if (strcmp(k, "regular")) { /* a file's offset is the shell's to share: left out */
    errno = 0;
    long off = lseek(0, 0, SEEK_CUR);
    printf("lseek stdin: %ld %s\n", off, off < 0 ? strerror(errno) : "");
  }
  /* drain stdin 7 bytes at a time, asking poll before each read */
  unsigned sum = 0;
  long total = 0;
  for (int i = 0;; i++) {
    int re = revents(0, POLLIN | POLLRDNORM);
    char buf[7];
    long n = read(0, buf, sizeof buf);
    for (long j = 0; j < n; j++) sum = sum * 31 + (unsigned char)buf[j];
    if (i < 3 || n <= 0) printf("read %d: revents %#x, %ld bytes\n", i, re, n);
    if (n <= 0) break;
    total += n;
  }
  printf("total %ld sum %u\n", total, sum);
  printf("after end of input: poll %#x\n", revents(0, ALL));
  epolls();
  fflush(stdout);
  return 0;
}
