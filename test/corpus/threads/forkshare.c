// fork shares each open file description (fs/file.c dup_fd copies the table,
// not the files): a child's read moves the parent's offset, and flags the child
// sets with F_SETFL show in the parent; dup'ed descriptors share them too.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *who, int fd) {
  unsigned char b[4];
  ssize_t n = read(fd, b, 4);
  printf("%s read %zd: %02x %02x %02x %02x, now at %ld\n", who, n, b[0], b[1], b[2], b[3], (long)lseek(fd, 0, SEEK_CUR));
  fflush(stdout);
}

int main(void) {
  int fd = open("/proc/self/exe", O_RDONLY);
  if (fd < 0) { perror("open"); return 1; }
  int dupfd = dup(fd);
  pid_t p = fork();
  if (p == 0) {
    show("child", fd);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    _exit(0);
  }
  waitpid(p, 0, 0);
  show("parent", fd);
  show("parent's dup", dupfd);
  printf("O_NONBLOCK set by the child, seen by the parent: %d\n", (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
  /* F_SETFL's O_NONBLOCK takes effect: an empty pipe's read fails with EAGAIN instead of sleeping */
  int pp[2];
  pipe(pp);
  fcntl(pp[0], F_SETFL, fcntl(pp[0], F_GETFL) | O_NONBLOCK);
  char c;
  ssize_t r = read(pp[0], &c, 1);
  printf("empty pipe, O_NONBLOCK by F_SETFL: %zd %s\n", r, r < 0 && errno == EAGAIN ? "EAGAIN" : "?");
  return 0;
}
