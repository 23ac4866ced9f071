// The guests of issue 15's regression tests: small C programs, each the
// reproducer of one item (built with musl-gcc -static by the tests).

/** writev: iovecs that all point at one buffer (argv[1] iovecs of argv[2] MiB), then the > 4 GiB and bad-length cases. */
export const WRITEV = String.raw`
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/uio.h>
#include <sys/mman.h>
int main(int argc, char **argv) {
  int n = atoi(argv[1]);
  size_t sz = (size_t)atoi(argv[2]) << 20;
  char *buf = mmap(0, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  memset(buf, 'x', sz);
  struct iovec *iov = calloc(n, sizeof *iov);
  for (int i = 0; i < n; i++) { iov[i].iov_base = buf; iov[i].iov_len = sz; }
  long r = writev(1, iov, n);
  fprintf(stderr, "writev %ld\n", r);
  /* 5 GiB from a buffer in .bss: clamped to MAX_RW_COUNT, then a short count where the mapping ends */
  static char low[8192];
  struct iovec big[2] = { { low, 4096 }, { low, 5UL << 30 } };
  r = writev(1, big, 2);
  fprintf(stderr, "big %s\n", r > 4096 && r < 0x7ffff000L ? "short" : "wrong");
  /* the same from the top-down mmap'd buffer: 2 GiB past it is beyond TASK_SIZE, access_ok fails */
  big[1].iov_base = buf;
  r = writev(1, big, 2);
  fprintf(stderr, "high %ld %d\n", r, r < 0 ? errno : 0);
  struct iovec neg = { buf, (size_t)-1 };
  r = writev(1, &neg, 1);
  fprintf(stderr, "neg %ld %d\n", r, r < 0 ? errno : 0);
  return 0;
}
`;

/**
 * The page cache: map one page of an allowed file (argv[1]), touch it, unmap; argv[2] times, each at
 * the next offset, round the file (a page wholly past EOF would be SIGBUS, as on Linux).
 */
export const PAGE_CACHE = String.raw`
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
int main(int argc, char **argv) {
  int fd = open(argv[1], O_RDONLY);
  long n = atol(argv[2]), sum = 0;
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0) { perror("open"); return 1; }
  long pages = st.st_size / 4096;
  for (long i = 0; i < n; i++) {
    volatile char *p = mmap(0, 4096, PROT_READ, MAP_PRIVATE, fd, (off_t)(i % pages) * 4096);
    if (p == MAP_FAILED) { perror("mmap"); return 1; }
    sum += p[0];
    munmap((void *)p, 4096);
  }
  printf("touched %ld pages, sum %ld\n", n, sum);
  return 0;
}
`;

/** munmap/mprotect/mmap of huge ranges: costs what is mapped, not the range. */
export const HUGE_RANGES = String.raw`
#include <stdio.h>
#include <errno.h>
#include <sys/mman.h>
int main(void) {
  size_t tb64 = 1UL << 46;
  char *p = mmap(0, tb64, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  printf("mmap 2^46 %s\n", p == MAP_FAILED ? "failed" : "ok");
  printf("mprotect %d\n", mprotect(p, tb64, PROT_READ | PROT_WRITE));
  p[0] = 1; p[tb64 - 1] = 2;
  printf("mprotect back %d\n", mprotect(p, tb64, PROT_READ));
  printf("munmap %d\n", munmap(p, tb64));
  void *q = mmap(0, 1UL << 47, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  printf("mmap 2^47 %s %d\n", q == MAP_FAILED ? "failed" : "ok", errno);
  printf("munmap of nothing %d\n", munmap((void *)0x100000000000, tb64));
  return 0;
}
`;

/** Pending signals: a blocked SIGUSR1 sent 100k times; blocked real-time signals up to RLIMIT_SIGPENDING. */
export const SIGNALS = String.raw`
#include <stdio.h>
#include <signal.h>
#include <errno.h>
#include <unistd.h>
#include <sys/resource.h>
static volatile int usr1, rt;
static void h1(int s) { usr1++; }
static void h2(int s) { rt++; }
int main(void) {
  struct rlimit rl;
  getrlimit(RLIMIT_SIGPENDING, &rl);
  signal(SIGUSR1, h1);
  signal(SIGRTMIN, h2);
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGUSR1);
  sigaddset(&s, SIGRTMIN);
  sigprocmask(SIG_BLOCK, &s, 0);
  for (int i = 0; i < 100000; i++) kill(getpid(), SIGUSR1);
  int queued = 0, eagain = 0;
  for (int i = 0; i < 10000; i++) {
    if (raise(SIGRTMIN) == 0) queued++;
    else if (errno == EAGAIN) eagain++;
  }
  sigprocmask(SIG_UNBLOCK, &s, 0);
  printf("limit %ld queued %d eagain %d usr1 %d rt %d\n", (long)rl.rlim_cur, queued, eagain, usr1, rt);
  return 0;
}
`;

/** The VMA count: 30k adjacent one-page mmaps (merged, as on Linux), then alternating protections until ENOMEM. */
export const MAP_COUNT = String.raw`
#include <stdio.h>
#include <errno.h>
#include <sys/mman.h>
int main(void) {
  int ok = 0;
  for (int i = 0; i < 30000; i++)
    if (mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED) ok++;
  printf("same prot: %d mapped\n", ok);
  int n = 0, err = 0;
  for (int i = 0; i < 100000; i++) {
    if (mmap(0, 4096, i & 1 ? PROT_READ : PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED) { err = errno; break; }
    n++;
  }
  printf("alternating: %d mapped, then errno %d\n", n, err);
  return 0;
}
`;

/** Syscalls with counts of 2^64 - 1: what Linux returns, never an internal error. */
export const HUGE_COUNTS = String.raw`
#include <stdio.h>
#include <errno.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/mman.h>
static char low[64];
int main(void) {
  char stack[64];
  long r = getrandom(stack, (size_t)-1, 0);
  printf("getrandom stack %ld %d\n", r, r < 0 ? errno : 0);
  /* two pages low in user space: access_ok passes, the copy stops at the end of the mapping */
  char *p = mmap((void *)0x10000000, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  r = getrandom(p + 4096, (size_t)-1, 0);
  printf("getrandom low %ld\n", r);
  r = getrandom(low, 16, 0x100);
  printf("getrandom flags %ld %d\n", r, r < 0 ? errno : 0);
  r = read(0, stack, (size_t)-1);
  printf("read %ld %d\n", r, r < 0 ? errno : 0);
  r = write(1, stack, (size_t)-1);
  printf("write %ld %d\n", r, r < 0 ? errno : 0);
  return 0;
}
`;
