/* The memory character devices (drivers/char/mem.c, drivers/char/random.c) by path and by
   descriptor: stat/lstat/fstat (a character device, its rdev, owner and mode), access, open,
   read, write, lseek, mmap, poll and epoll. Only what holds on every Linux is printed: the
   random devices' bytes are counted, not shown; st_ino/st_dev are only compared. */
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
  printf("  %s: %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
}

static void stat_line(const char *what, int r, const struct stat *st) {
  if (r < 0) {
    printf("  %s: -1 %s\n", what, strerror(errno));
    return;
  }
  printf("  %s: chr %d mode %o rdev %u:%u uid %u gid %u nlink %lu size %ld blksize %ld blocks %ld\n", what, S_ISCHR(st->st_mode),
         st->st_mode & 07777, major(st->st_rdev), minor(st->st_rdev), st->st_uid, st->st_gid, (unsigned long)st->st_nlink,
         (long)st->st_size, (long)st->st_blksize, (long)st->st_blocks);
}

static void device(const char *path, int random) {
  printf("%s\n", path);
  struct stat st, lst, fst;
  int r = stat(path, &st);
  stat_line("stat", r, &st);
  int lr = lstat(path, &lst);
  printf("  lstat same as stat: %d\n", lr == 0 && r == 0 && lst.st_ino == st.st_ino && lst.st_mode == st.st_mode);
  show("access F_OK", access(path, F_OK));
  show("access R_OK|W_OK", access(path, R_OK | W_OK));
  show("access X_OK", access(path, X_OK));
  show("faccessat W_OK", faccessat(AT_FDCWD, path, W_OK, 0));
  int fd = open(path, O_RDWR);
  show("open O_RDWR", fd >= 0);
  if (fd < 0) return;
  fstat(fd, &fst);
  printf("  fstat same file as stat: %d\n", fst.st_ino == st.st_ino && fst.st_dev == st.st_dev && fst.st_rdev == st.st_rdev);
  struct stat at;
  printf("  fstatat(AT_EMPTY_PATH) same: %d\n", fstatat(fd, "", &at, AT_EMPTY_PATH) == 0 && at.st_ino == st.st_ino);
  unsigned char buf[300];
  memset(buf, 0xa5, sizeof buf);
  long n = read(fd, buf, sizeof buf);
  show("read 300", n);
  if (n > 0 && !random) {
    int zeros = 0;
    for (long i = 0; i < n; i++) zeros += buf[i] == 0;
    printf("  zero bytes: %d\n", zeros);
  }
  if (n > 0 && random) {
    int same = 1;
    for (long i = 1; i < n; i++) same &= buf[i] == buf[0];
    printf("  all bytes equal: %d\n", same);
  }
  show("read 0", read(fd, buf, 0));
  show("write 5", write(fd, "hello", 5));
  show("lseek 100 SEEK_SET", lseek(fd, 100, SEEK_SET));
  show("lseek 0 SEEK_CUR", lseek(fd, 0, SEEK_CUR));
  show("lseek -5 SEEK_END", lseek(fd, -5, SEEK_END));
  void *m = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  show("mmap private", m == MAP_FAILED ? -1 : 0);
  if (m != MAP_FAILED) {
    unsigned char *p = m;
    int nz = 0;
    for (int i = 0; i < 8192; i++) nz += p[i] != 0;
    p[100] = 7;
    printf("  private mapping: nonzero %d, write kept %d\n", nz, p[100]);
    munmap(m, 8192);
  }
  m = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  show("mmap shared", m == MAP_FAILED ? -1 : 0);
  if (m != MAP_FAILED) {
    ((volatile char *)m)[1] = 9;
    printf("  shared mapping: byte 0 %d byte 1 %d\n", ((char *)m)[0], ((char *)m)[1]);
    munmap(m, 4096);
  }
  struct pollfd p = {fd, POLLIN | POLLOUT | POLLPRI | POLLRDNORM | POLLWRNORM | POLLRDBAND | POLLWRBAND, 0};
  int pr = poll(&p, 1, 0);
  int ep = epoll_create1(0);
  struct epoll_event ev = {EPOLLIN | EPOLLOUT, {0}};
  int e = epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  printf("  poll %d revents %#x; epoll_ctl %d %s\n", pr, p.revents, e, e < 0 ? strerror(errno) : "");
  close(ep);
  close(fd);
  fd = open(path, O_RDONLY | O_DIRECTORY);
  show("open O_DIRECTORY", fd);
  if (fd >= 0) close(fd);
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  show("open O_WRONLY|O_CREAT|O_TRUNC", fd >= 0);
  show("read of O_WRONLY", read(fd, buf, 4));
  close(fd);
}

int main(void) {
  device("/dev/null", 0);
  device("/dev/zero", 0);
  device("/dev/full", 0);
  device("/dev/urandom", 1);
  device("/dev/random", 1);
  struct stat st;
  stat_line("/dev/nosuch stat", stat("/dev/nosuch", &st), &st);
  show("/dev/nosuch access", access("/dev/nosuch", F_OK));
  return 0;
}
