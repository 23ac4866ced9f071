/* signalfd (fs/signalfd.c): argument checks, blocked signals read as signalfd_siginfo records
   (several in one read), a blocking read woken by a signal from a child, poll and epoll
   readiness, a new mask on the same descriptor, and the signal staying pending for the
   descriptor that does not watch it. No pid is printed, only whether it is the sender's. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *what, long r) {
  printf("%s: %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
}

static int readable(int fd) {
  struct pollfd p = {fd, POLLIN, 0};
  return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

int main(void) {
  sigset_t m;
  sigemptyset(&m);
  sigaddset(&m, SIGUSR1);
  sigaddset(&m, SIGUSR2);
  sigaddset(&m, SIGRTMIN);
  sigprocmask(SIG_BLOCK, &m, 0);
  show("signalfd4(bad flags)", signalfd(-1, &m, 0x10));
  show("signalfd(stdout)", signalfd(1, &m, 0));
  show("signalfd(closed fd)", signalfd(99, &m, 0));
  int fd = signalfd(-1, &m, SFD_CLOEXEC);
  show("signalfd", fd >= 0);
  int nb = signalfd(-1, &m, SFD_NONBLOCK);
  struct signalfd_siginfo si[4];
  show("read of 100 bytes", read(fd, si, 100));
  show("nonblocking read, nothing pending", read(nb, si, sizeof si));
  show("write", write(fd, si, sizeof si[0]));
  printf("readable before: %#x\n", readable(fd));

  pid_t me = getpid();
  kill(me, SIGUSR2);
  kill(me, SIGUSR1);
  union sigval v = {.sival_int = 42};
  sigqueue(me, SIGRTMIN, v);
  printf("readable with three pending: %#x\n", readable(fd));
  long n = read(fd, si, sizeof si);
  printf("read: %ld bytes\n", n);
  for (long i = 0; i < n / (long)sizeof si[0]; i++)
    printf("  signo %u code %d from us %d\n", si[i].ssi_signo, si[i].ssi_code, si[i].ssi_pid == (unsigned)me);
  printf("readable after: %#x\n", readable(fd));

  /* a new mask on the same descriptor: SIGUSR2 stays pending for sigpending */
  sigset_t only1;
  sigemptyset(&only1);
  sigaddset(&only1, SIGUSR1);
  show("signalfd(fd, {SIGUSR1})", signalfd(fd, &only1, 0) == fd);
  kill(me, SIGUSR2);
  printf("readable for SIGUSR2 only: %#x\n", readable(fd));
  sigset_t pend;
  sigpending(&pend);
  printf("SIGUSR2 still pending: %d\n", sigismember(&pend, SIGUSR2));
  printf("the other descriptor reads it: %ld\n", read(nb, si, sizeof si));

  /* a blocking read and epoll_wait woken by a child's kill */
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    usleep(20000);
    kill(getppid(), SIGUSR1);
    usleep(20000);
    kill(getppid(), SIGUSR1);
    _exit(0);
  }
  n = read(fd, si, sizeof si);
  printf("blocking read: %ld bytes, signo %u, from the child %d\n", n, si[0].ssi_signo, si[0].ssi_pid == (unsigned)c);
  int ep = epoll_create1(0);
  struct epoll_event ev = {EPOLLIN, {.u64 = 5}}, out;
  show("epoll_ctl ADD signalfd", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
  int r = epoll_wait(ep, &out, 1, -1);
  printf("epoll_wait: %d events %#x data %llu\n", r, out.events, (unsigned long long)out.data.u64);
  n = read(fd, si, sizeof si);
  printf("read: %ld bytes, signo %u\n", n, si[0].ssi_signo);
  int st;
  waitpid(c, &st, 0);
  printf("child exit %d\n", WEXITSTATUS(st));
  return 0;
}
