/* /dev/null (drivers/char/mem.c) and poll on files that cannot block: reads give end of file,
   writes are swallowed (EBADF without the access mode), lseek gives 0, fstat says a character
   device 1:3, mmap is ENODEV, poll reports DEFAULT_POLLMASK (as for a regular file) and epoll
   refuses both (EPERM: no poll method). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static void show(const char *what, long r) {
  printf("%s: %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
}

static void readiness(const char *what, int fd) {
  struct pollfd p = {fd, POLLIN | POLLOUT | POLLPRI | POLLRDNORM | POLLWRNORM | POLLRDBAND | POLLWRBAND, 0};
  int r = poll(&p, 1, 0);
  int ep = epoll_create1(0);
  struct epoll_event ev = {EPOLLIN, {0}};
  int e = epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  printf("%s: poll %d revents %#x; epoll_ctl %d %s\n", what, r, p.revents, e, e < 0 ? strerror(errno) : "");
  close(ep);
}

int main(int argc, char **argv) {
  (void)argc;
  char buf[16];
  int fd = open("/dev/null", O_RDWR);
  show("open O_RDWR", fd >= 0);
  show("read", read(fd, buf, sizeof buf));
  show("write", write(fd, "hello", 5));
  show("lseek", lseek(fd, 100, SEEK_SET));
  struct stat st;
  fstat(fd, &st);
  printf("fstat: char device %d, mode %o, rdev %u:%u\n", S_ISCHR(st.st_mode), st.st_mode & 0777, major(st.st_rdev), minor(st.st_rdev));
  void *m = mmap(0, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
  show("mmap", m == MAP_FAILED ? -1 : 0);
  readiness("/dev/null", fd);
  close(fd);
  fd = open("/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  show("open O_WRONLY|O_CREAT|O_TRUNC", fd >= 0);
  show("read of O_WRONLY", read(fd, buf, sizeof buf));
  close(fd);
  fd = open("/dev/null", O_RDONLY);
  show("write of O_RDONLY", write(fd, "x", 1));
  close(fd);
  show("open O_DIRECTORY", open("/dev/null", O_RDONLY | O_DIRECTORY));
  fd = open(argv[0], O_RDONLY);
  readiness("regular file (the program)", fd);
  close(fd);
  return 0;
}
