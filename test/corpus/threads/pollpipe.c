/* poll, ppoll, select and epoll on pipes between a parent and its child (issue 11): readiness of
   the read and write ends, POLLHUP/EPOLLHUP when the writer goes, timeouts, POLLNVAL, epoll's
   level- and edge-triggered and one-shot items, and a signal interrupting poll and epoll_wait
   (EINTR even with SA_RESTART). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

static void nap(int ms) { usleep(ms * 1000); }

static const char *events(int e) {
  static char bufs[4][64];
  static int next;
  char *buf = bufs[next++ % 4];
  buf[0] = 0;
  if (e & POLLIN) strcat(buf, "IN ");
  if (e & POLLOUT) strcat(buf, "OUT ");
  if (e & POLLERR) strcat(buf, "ERR ");
  if (e & POLLHUP) strcat(buf, "HUP ");
  if (e & POLLNVAL) strcat(buf, "NVAL ");
  return buf;
}

/* a child writing three messages 20 ms apart, then closing after 20 ms more */
static pid_t writer(int *rfd) {
  int fd[2];
  pipe(fd);
  pid_t pid = fork();
  if (pid == 0) {
    close(fd[0]);
    for (int i = 0; i < 3; i++) {
      nap(20);
      char m[8];
      int n = snprintf(m, sizeof m, "msg%d", i);
      write(fd[1], m, n);
    }
    nap(20);
    _exit(0);
  }
  close(fd[1]);
  *rfd = fd[0];
  return pid;
}

static void with_poll(void) {
  int rfd;
  pid_t pid = writer(&rfd);
  for (;;) {
    struct pollfd p = {rfd, POLLIN, 0};
    int r = poll(&p, 1, 5000);
    char buf[16] = {0};
    int n = (p.revents & POLLIN) ? read(rfd, buf, sizeof buf - 1) : 0;
    printf("poll: %d [%s] %s\n", r, events(p.revents), buf);
    if (n == 0) break;
  }
  close(rfd);
  waitpid(pid, 0, 0);
}

static void with_select(void) {
  int rfd;
  pid_t pid = writer(&rfd);
  for (;;) {
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(rfd, &rs);
    struct timeval tv = {5, 0};
    int r = select(rfd + 1, &rs, 0, 0, &tv);
    char buf[16] = {0};
    int n = FD_ISSET(rfd, &rs) ? read(rfd, buf, sizeof buf - 1) : 0;
    printf("select: %d %s %s, time left %s\n", r, FD_ISSET(rfd, &rs) ? "readable" : "-", buf, tv.tv_sec == 4 || tv.tv_sec == 5 ? "about 5 s" : "wrong");
    if (n == 0) break;
  }
  close(rfd);
  waitpid(pid, 0, 0);
}

static void with_epoll(void) {
  int rfd;
  pid_t pid = writer(&rfd);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x1122334455667788ULL};
  int a1 = epoll_ctl(ep, EPOLL_CTL_ADD, rfd, &ev);
  int a2 = epoll_ctl(ep, EPOLL_CTL_ADD, rfd, &ev);
  printf("epoll_ctl add: %d; again: %d %s\n", a1, a2, strerror(errno));
  for (;;) {
    struct epoll_event out[4];
    int r = epoll_wait(ep, out, 4, 5000);
    char buf[16] = {0};
    int n = r > 0 && (out[0].events & EPOLLIN) ? read(rfd, buf, sizeof buf - 1) : 0;
    printf("epoll_wait: %d [%s] data %llx %s\n", r, r > 0 ? events(out[0].events) : "", r > 0 ? (unsigned long long)out[0].data.u64 : 0ULL, buf);
    if (n == 0) break;
  }
  close(ep);
  close(rfd);
  waitpid(pid, 0, 0);
}

static void readiness(void) {
  int fd[2];
  pipe2(fd, O_NONBLOCK);
  struct pollfd p[3] = {{fd[0], POLLIN, 0}, {fd[1], POLLOUT, 0}, {99, POLLIN, 0}};
  int r = poll(p, 3, 0);
  printf("empty pipe: %d; read end [%s] write end [%s] fd 99 [%s]\n", r, events(p[0].revents), events(p[1].revents), events(p[2].revents));
  char big[4096];
  memset(big, 'x', sizeof big);
  int total = 0, n;
  while ((n = write(fd[1], big, sizeof big)) > 0) total += n;
  r = poll(p, 2, 0);
  printf("full pipe (%d bytes): %d; read end [%s] write end [%s]\n", total, r, events(p[0].revents), events(p[1].revents));
  r = poll(p, 2, 30);
  printf("poll with a 30 ms timeout: %d\n", r);
  close(fd[0]);
  r = poll(&p[1], 1, 0);
  printf("no reader: %d [%s]\n", r, events(p[1].revents));
  close(fd[1]);
  struct timeval tv = {0, 30000};
  r = select(0, 0, 0, 0, &tv);
  printf("select as a sleep: %d, time left %ld.%06ld\n", r, (long)tv.tv_sec, (long)tv.tv_usec);
  struct timespec ts = {0, 10000000};
  r = ppoll(0, 0, &ts, 0);
  printf("ppoll as a sleep: %d\n", r);
}

static void edge_and_oneshot(void) {
  int fd[2];
  pipe(fd);
  int ep = epoll_create1(0);
  struct epoll_event lt = {.events = EPOLLIN, .data.u32 = 1}, out[2];
  int lt_fd = dup(fd[0]);
  epoll_ctl(ep, EPOLL_CTL_ADD, fd[0], &(struct epoll_event){.events = EPOLLIN | EPOLLET, .data.u32 = 2});
  epoll_ctl(ep, EPOLL_CTL_ADD, lt_fd, &lt);
  write(fd[1], "ab", 2);
  int r1 = epoll_wait(ep, out, 2, 0);
  int r2 = epoll_wait(ep, out, 2, 0);
  printf("edge and level: first wait %d, second %d (data %u)\n", r1, r2, out[0].data.u32);
  write(fd[1], "c", 1);
  r1 = epoll_wait(ep, out, 2, 0);
  printf("after another write: %d\n", r1);
  close(ep);
  ep = epoll_create1(0);
  epoll_ctl(ep, EPOLL_CTL_ADD, fd[0], &(struct epoll_event){.events = EPOLLIN | EPOLLONESHOT, .data.u32 = 3});
  r1 = epoll_wait(ep, out, 2, 0);
  r2 = epoll_wait(ep, out, 2, 0);
  epoll_ctl(ep, EPOLL_CTL_MOD, fd[0], &(struct epoll_event){.events = EPOLLIN | EPOLLONESHOT, .data.u32 = 4});
  int r3 = epoll_wait(ep, out, 2, 0);
  printf("one-shot: %d, then %d, after MOD %d (data %u)\n", r1, r2, r3, out[0].data.u32);
  int r4 = epoll_ctl(ep, EPOLL_CTL_DEL, fd[1], 0);
  printf("del of an absent fd: %d %s\n", r4, strerror(errno));
  close(ep);
  close(fd[0]);
  close(fd[1]);
  close(lt_fd);
}

static volatile sig_atomic_t hits;
static void on_alrm(int s) { (void)s; hits++; }

static void interrupted(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alrm;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGALRM, &sa, 0);
  int fd[2];
  pipe(fd);
  struct pollfd p = {fd[0], POLLIN, 0};
  alarm(1);
  int r = poll(&p, 1, -1);
  printf("poll interrupted (SA_RESTART): %d %s, handler %d\n", r, r < 0 && errno == EINTR ? "EINTR" : "?", hits);
  int ep = epoll_create1(0);
  epoll_ctl(ep, EPOLL_CTL_ADD, fd[0], &(struct epoll_event){.events = EPOLLIN});
  alarm(1);
  struct epoll_event out;
  r = epoll_wait(ep, &out, 1, -1);
  printf("epoll_wait interrupted (SA_RESTART): %d %s, handler %d\n", r, r < 0 && errno == EINTR ? "EINTR" : "?", hits);
  close(ep);
  close(fd[0]);
  close(fd[1]);
}

int main(void) {
  setvbuf(stdout, 0, _IONBF, 0);
  with_poll();
  with_select();
  with_epoll();
  readiness();
  edge_and_oneshot();
  interrupted();
  return 0;
}
