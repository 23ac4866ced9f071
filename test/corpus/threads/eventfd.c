/* eventfd (fs/eventfd.c): counter semantics, EFD_SEMAPHORE, EFD_NONBLOCK's EAGAIN, the
   EINVAL cases, poll/select/epoll readiness, a reader thread that sleeps until a write, a
   writer that sleeps at the counter's ceiling until a read, and fork sharing the counter. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int efd;

static void nap(void) {
  struct timespec ts = {0, 20 * 1000 * 1000};
  nanosleep(&ts, 0);
}

static void show_read(const char *what, int fd) {
  uint64_t v = 0;
  long n = read(fd, &v, sizeof v);
  if (n < 0) printf("%s: read -1 %s\n", what, strerror(errno));
  else printf("%s: read %ld value %llu\n", what, n, (unsigned long long)v);
}

static void show_write(const char *what, int fd, uint64_t v) {
  long n = write(fd, &v, sizeof v);
  printf("%s: write %ld%s%s\n", what, n, n < 0 ? " " : "", n < 0 ? strerror(errno) : "");
}

static void show_poll(const char *what, int fd) {
  struct pollfd p = {fd, POLLIN | POLLOUT, 0};
  int r = poll(&p, 1, 0);
  printf("%s: poll %d revents %#x\n", what, r, p.revents);
}

/* the threads' results, printed by main after the join (the order of two threads' prints would race) */
static long thread_n;
static uint64_t thread_v;

static void *reader(void *arg) {
  (void)arg;
  thread_n = read(efd, &thread_v, sizeof thread_v);
  return 0;
}

static void *writer(void *arg) {
  (void)arg;
  uint64_t v = 5;
  thread_n = write(efd, &v, sizeof v);
  return 0;
}

int main(void) {
  /* counter semantics */
  int fd = eventfd(3, EFD_NONBLOCK);
  struct stat st;
  fstat(fd, &st);
  printf("mode %o\n", st.st_mode);
  show_poll("initval 3", fd);
  show_write("add 4", fd, 4);
  show_read("read", fd);
  show_read("read empty", fd);
  show_poll("empty", fd);
  show_write("ULLONG_MAX", fd, UINT64_MAX);
  show_write("ceiling", fd, UINT64_MAX - 1);
  show_poll("at the ceiling", fd);
  show_write("one more", fd, 1);
  char small[4];
  long sn = read(fd, small, 4);
  printf("short read: %ld %s\n", sn, strerror(errno));
  sn = write(fd, small, 4);
  printf("short write: %ld %s\n", sn, strerror(errno));
  show_read("read the ceiling", fd);
  close(fd);

  int bad = eventfd(0, 0x10);
  printf("bad flags: %d %s\n", bad, strerror(errno));

  /* EFD_SEMAPHORE */
  fd = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
  show_read("semaphore", fd);
  show_read("semaphore", fd);
  show_read("semaphore", fd);
  close(fd);

  /* select and epoll */
  fd = eventfd(0, EFD_NONBLOCK);
  fd_set r, w;
  FD_ZERO(&r);
  FD_ZERO(&w);
  FD_SET(fd, &r);
  FD_SET(fd, &w);
  struct timeval tv = {0, 0};
  int n = select(fd + 1, &r, &w, 0, &tv);
  printf("select: %d readable %d writable %d\n", n, FD_ISSET(fd, &r) != 0, FD_ISSET(fd, &w) != 0);
  int ep = epoll_create1(0);
  struct epoll_event ev = {EPOLLIN | EPOLLET, {.u64 = 7}};
  printf("epoll_ctl: %d\n", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
  struct epoll_event out[2];
  printf("epoll_wait empty: %d\n", epoll_wait(ep, out, 2, 0));
  show_write("add 1", fd, 1);
  n = epoll_wait(ep, out, 2, 0);
  printf("epoll_wait: %d events %#x data %llu\n", n, n > 0 ? out[0].events : 0, n > 0 ? (unsigned long long)out[0].data.u64 : 0ULL);
  printf("epoll_wait again (edge): %d\n", epoll_wait(ep, out, 2, 0));
  close(ep);
  close(fd);

  /* a reader sleeps until a write; a writer sleeps at the ceiling until a read */
  efd = eventfd(0, 0);
  pthread_t t;
  pthread_create(&t, 0, reader, 0);
  nap();
  uint64_t v = 42;
  long n1 = write(efd, &v, sizeof v);
  pthread_join(t, 0);
  printf("main wrote %ld; the reader, which slept, read %ld value %llu\n", n1, thread_n, (unsigned long long)thread_v);
  show_write("main fills", efd, UINT64_MAX - 1);
  pthread_create(&t, 0, writer, 0);
  nap();
  n1 = read(efd, &v, sizeof v);
  pthread_join(t, 0);
  printf("main drained %ld value %llu; the writer, which slept at the ceiling, wrote %ld\n", n1, (unsigned long long)v, thread_n);
  show_read("main", efd);

  /* fork shares the counter */
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    show_write("child", efd, 9);
    fflush(stdout);
    _exit(0);
  }
  show_read("parent (slept until the child wrote)", efd);
  int s;
  waitpid(c, &s, 0);
  return 0;
}
