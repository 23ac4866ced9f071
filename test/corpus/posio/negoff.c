/* pread64/pwrite64/preadv/pwritev with negative, zero and past-the-end offsets (ksys_pread64,
 * do_preadv: a negative pos is EINVAL before the fd is looked up), through glibc's 64-bit-offset
 * wrappers, which split the offset in two registers for i386. Opens its own binary. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
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
  show("pread64 0", pread64(fd, b, 4, (off64_t)0));
  printf("bytes %02x %02x %02x %02x\n", (unsigned char)b[0], (unsigned char)b[1], (unsigned char)b[2], (unsigned char)b[3]);
  show("pread64 -1", pread64(fd, b, 4, (off64_t)-1));
  show("pread64 -4096", pread64(fd, b, 4, (off64_t)-4096));
  show("pread64 -1 bad fd", pread64(99, b, 4, (off64_t)-1));
  show("pread64 1 bad fd", pread64(99, b, 4, (off64_t)1));
  show("pread64 stdin", pread64(0, b, 4, (off64_t)0));
  show("pread64 past end", pread64(fd, b, 4, (off64_t)1 << 40));
  show("pwrite64 -1", pwrite64(fd, b, 4, (off64_t)-1));
  show("pwrite64 0 rdonly", pwrite64(fd, b, 4, (off64_t)0));
  show("pwrite64 stdout", pwrite64(1, b, 4, (off64_t)0));
  memset(b, 0, sizeof b);
  show("preadv 1", preadv64(fd, iov, 2, (off64_t)1));
  printf("bytes %.3s\n", b);
  show("preadv -1", preadv64(fd, iov, 2, (off64_t)-1));
  show("preadv -1 bad fd", preadv64(99, iov, 2, (off64_t)-1));
  show("preadv stdin", preadv64(0, iov, 2, (off64_t)0));
  show("pwritev -1", pwritev64(fd, iov, 2, (off64_t)-1));
  show("pwritev 0 rdonly", pwritev64(fd, iov, 2, (off64_t)0));
  show("pwritev stdout", pwritev64(1, iov, 2, (off64_t)0));
  return 0;
}
