/* timerfd (fs/timerfd.c): argument checks, one-shot and periodic timers read, polled and
   epolled, gettime's remaining time and interval, TFD_TIMER_ABSTIME (also in the past),
   disarming, a timer shared with a forked child. Only what does not depend on the host's
   timing is printed: expiration counts are exact where the timer cannot overrun between
   two reads, and bounds elsewhere. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void show(const char *what, long r) {
  printf("%s: %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
}

static struct itimerspec spec(long long value_ns, long long interval_ns) {
  struct itimerspec s = {{interval_ns / 1000000000, interval_ns % 1000000000}, {value_ns / 1000000000, value_ns % 1000000000}};
  return s;
}

static long ticks(int fd) {
  uint64_t n = 0;
  long r = read(fd, &n, sizeof n);
  return r == 8 ? (long)n : -1000 - errno;
}

static int readable(int fd) {
  struct pollfd p = {fd, POLLIN, 0};
  return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

int main(void) {
  show("timerfd_create(bad clock)", timerfd_create(99, 0));
  show("timerfd_create(CLOCK_PROCESS_CPUTIME_ID)", timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0));
  show("timerfd_create(bad flags)", timerfd_create(CLOCK_MONOTONIC, 0x10));
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  show("timerfd_create(CLOCK_MONOTONIC)", fd >= 0);
  struct stat st;
  fstat(fd, &st);
  printf("fstat: type bits %o, mode %o\n", st.st_mode & S_IFMT, st.st_mode & 0777);
  struct itimerspec s = spec(0, 0), cur;
  show("settime(stdout)", timerfd_settime(1, 0, &s, 0));
  show("settime(closed fd)", timerfd_settime(99, 0, &s, 0));
  s = spec(0, 0);
  s.it_value.tv_nsec = 1000000000;
  show("settime(nsec 1e9)", timerfd_settime(fd, 0, &s, 0));
  s = spec(1000000, 0);
  show("settime(bad flags)", timerfd_settime(fd, 4, &s, 0));
  char small[4];
  show("read of 4 bytes", read(fd, small, 4));
  show("write", write(fd, "12345678", 8));
  int nb = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  printf("nonblocking read, disarmed: %ld\n", ticks(nb));

  /* gettime of a long timer: the interval exactly, the value just under it */
  s = spec(10000000000LL, 1500000000LL);
  show("settime 10 s every 1.5 s", timerfd_settime(fd, 0, &s, 0));
  timerfd_gettime(fd, &cur);
  printf("gettime: interval %ld.%09ld, value in (9 s, 10 s]: %d\n", (long)cur.it_interval.tv_sec, cur.it_interval.tv_nsec,
         cur.it_value.tv_sec == 9 || (cur.it_value.tv_sec == 10 && cur.it_value.tv_nsec == 0));
  s = spec(0, 0);
  struct itimerspec old;
  show("settime 0 (disarm), old value", timerfd_settime(fd, 0, &s, &old));
  printf("old interval %ld.%09ld, old value > 9 s: %d\n", (long)old.it_interval.tv_sec, old.it_interval.tv_nsec, old.it_value.tv_sec >= 9);
  timerfd_gettime(fd, &cur);
  printf("gettime disarmed: value %ld.%09ld interval %ld.%09ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec, (long)cur.it_interval.tv_sec,
         cur.it_interval.tv_nsec);

  /* one-shot: not readable before, one expiration after a blocking read */
  s = spec(20000000, 0);
  timerfd_settime(fd, 0, &s, 0);
  printf("one-shot 20 ms: readable at once %#x\n", readable(fd));
  printf("blocking read: %ld\n", ticks(fd));
  timerfd_gettime(fd, &cur);
  printf("after it fired: value %ld.%09ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec);
  printf("readable after the read: %#x\n", readable(fd));

  /* periodic: a blocking read, then a sleep of 10 periods */
  s = spec(5000000, 5000000);
  timerfd_settime(fd, 0, &s, 0);
  printf("periodic 5 ms, first read >= 1: %d\n", ticks(fd) >= 1);
  struct timespec nap = {0, 50000000};
  nanosleep(&nap, 0);
  long n = ticks(fd);
  printf("after 50 ms: at least 9 expirations: %d\n", n >= 9);
  timerfd_gettime(fd, &cur);
  printf("gettime: interval %ld ns, value in (0, 5 ms]: %d\n", cur.it_interval.tv_nsec, cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 5000000);

  /* epoll waits for it */
  int ep = epoll_create1(0);
  struct epoll_event ev = {EPOLLIN, {.u64 = 7}}, out;
  show("epoll_ctl ADD timerfd", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
  s = spec(30000000, 0);
  timerfd_settime(fd, 0, &s, 0); /* resets the count */
  int r = epoll_wait(ep, &out, 1, -1);
  printf("epoll_wait: %d events %#x data %llu\n", r, out.events, (unsigned long long)out.data.u64);
  printf("read: %ld\n", ticks(fd));
  close(ep);

  /* absolute deadlines on CLOCK_MONOTONIC and CLOCK_REALTIME, one of them in the past */
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  s = spec(0, 0);
  s.it_value = now;
  s.it_value.tv_nsec += 10000000;
  if (s.it_value.tv_nsec >= 1000000000) s.it_value.tv_sec++, s.it_value.tv_nsec -= 1000000000;
  timerfd_settime(fd, TFD_TIMER_ABSTIME, &s, 0);
  printf("absolute +10 ms: %ld\n", ticks(fd));
  s = spec(0, 5000000); /* 50 ms before the last now (over 50 ms after boot, here and natively) */
  s.it_value = now;
  s.it_value.tv_nsec -= 50000000;
  if (s.it_value.tv_nsec < 0) s.it_value.tv_sec--, s.it_value.tv_nsec += 1000000000;
  timerfd_settime(fd, TFD_TIMER_ABSTIME, &s, 0);
  n = ticks(fd);
  printf("absolute 50 ms ago, every 5 ms: 10 to 13 expirations at once: %d\n", n >= 10 && n <= 13);
  int rt = timerfd_create(CLOCK_REALTIME, 0);
  clock_gettime(CLOCK_REALTIME, &now);
  s = spec(0, 0);
  s.it_value.tv_sec = now.tv_sec + 1;
  s.it_value.tv_nsec = 0;
  timerfd_settime(rt, TFD_TIMER_ABSTIME, &s, 0);
  printf("CLOCK_REALTIME at the next second: %ld\n", ticks(rt));

  /* a forked child reads the same timer */
  s = spec(15000000, 0);
  timerfd_settime(fd, 0, &s, 0);
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) _exit(ticks(fd) == 1 ? 0 : 1);
  int status;
  waitpid(c, &status, 0);
  printf("child read the shared timer: exit %d; parent's nonblocking poll now %#x\n", WEXITSTATUS(status), readable(fd));
  return 0;
}
