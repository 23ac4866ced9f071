/* pread64/pwrite64/preadv/pwritev with negative, zero and past-the-end offsets (ksys_pread64,
 * do_preadv: a negative pos is EINVAL before the fd is looked up). Opens its own binary. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static void show(const char *what, long r) {
  printf("%s = %ld errno %s\n", what, r, r < 0 ? strerrorname_np(errno) : "-");
  errno = 0;
}

int main(int argc, char **argv) {
  (void)argc;
  int fd = open(argv[0], O_RDONLY);
  char b[8] = {0};
  struct iovec iov[2] = {{b, 2}, {b + 2, 2}};
  show("pread64 0", syscall(SYS_pread64, fd, b, 4, 0L));
  printf("bytes %02x %02x %02x %02x\n", (unsigned char)b[0], (unsigned char)b[1], (unsigned char)b[2], (unsigned char)b[3]);
  show("pread64 -1", syscall(SYS_pread64, fd, b, 4, -1L));
  show("pread64 -4096", syscall(SYS_pread64, fd, b, 4, -4096L));
  show("pread64 -1 bad fd", syscall(SYS_pread64, 99, b, 4, -1L));
  show("pread64 1 bad fd", syscall(SYS_pread64, 99, b, 4, 1L));
  show("pread64 stdin", syscall(SYS_pread64, 0, b, 4, 0L));
  show("pread64 past end", syscall(SYS_pread64, fd, b, 4, 1L << 40));
  show("pwrite64 -1", syscall(SYS_pwrite64, fd, b, 4, -1L));
  show("pwrite64 0 rdonly", syscall(SYS_pwrite64, fd, b, 4, 0L));
  show("pwrite64 stdout", syscall(SYS_pwrite64, 1, b, 4, 0L));
  memset(b, 0, sizeof b);
  show("preadv 1", syscall(SYS_preadv, fd, iov, 2, 1L, 0L));
  printf("bytes %.3s\n", b);
  show("preadv -1", syscall(SYS_preadv, fd, iov, 2, -1L, 0L));
  show("preadv -1 bad fd", syscall(SYS_preadv, 99, iov, 2, -1L, 0L));
  show("preadv stdin", syscall(SYS_preadv, 0, iov, 2, 0L, 0L));
  show("pwritev -1", syscall(SYS_pwritev, fd, iov, 2, -1L, 0L));
  show("pwritev 0 rdonly", syscall(SYS_pwritev, fd, iov, 2, 0L, 0L));
  show("pwritev stdout", syscall(SYS_pwritev, 1, iov, 2, 0L, 0L));
  return 0;
}
