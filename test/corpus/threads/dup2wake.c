/* Replacing the last end of a pipe wakes its sleepers, as closing it does (fs/pipe.c pipe_release,
   reached from dup2's do_dup2 -> filp_close of the old file, and from exec's close of FD_CLOEXEC
   descriptors): a reader blocked in read gets end of file, a writer blocked on a full pipe gets
   EPIPE (SIGPIPE ignored), a poll on the read end gets POLLHUP. Each sleeper is given time to block
   first; the output does not depend on whether it had. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int p[2], q[2];

static void nap(void) {
  struct timespec ts = {0, 50 * 1000 * 1000};
  nanosleep(&ts, 0);
}

static void *reader(void *arg) {
  (void)arg;
  char c;
  long n = read(p[0], &c, 1);
  printf("thread reader: read %ld\n", n);
  return 0;
}

static void *writer(void *arg) {
  (void)arg;
  char buf[4096];
  memset(buf, 'x', sizeof buf);
  long n = write(p[1], buf, sizeof buf);
  printf("thread writer: write %ld %s\n", n, n < 0 ? strerror(errno) : "");
  return 0;
}

static void *poller(void *arg) {
  (void)arg;
  struct pollfd f = {p[0], POLLIN, 0};
  int r = poll(&f, 1, -1);
  printf("thread poller: poll %d revents%s%s\n", r, f.revents & POLLIN ? " POLLIN" : "", f.revents & POLLHUP ? " POLLHUP" : "");
  return 0;
}

/* a thread sleeps on p; main replaces one end of p (the only one of its kind) with q's read end */
static void threaded(void *(*fn)(void *), int replace_write_end, const char *what) {
  pthread_t t;
  pipe(p);
  pipe(q);
  if (fn == writer) {
    /* fill the pipe so that the writer blocks */
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    char buf[4096];
    memset(buf, 'f', sizeof buf);
    while (write(p[1], buf, sizeof buf) > 0) {
    }
    fcntl(p[1], F_SETFL, 0);
  }
  pthread_create(&t, 0, fn, 0);
  nap();
  printf("main: dup2 over the %s end (%s)\n", replace_write_end ? "write" : "read", what);
  fflush(stdout);
  dup2(q[0], replace_write_end ? p[1] : p[0]);
  pthread_join(t, 0);
  close(p[0]);
  close(p[1]);
  close(q[0]);
  close(q[1]);
}

/* a child that reads p and exits with `eof` at end of file; the parent keeps only p's write end */
static pid_t fork_reader(int eof) {
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    close(p[1]);
    char ch;
    long n = read(p[0], &ch, 1);
    printf("child reader: read %ld\n", n);
    fflush(stdout);
    _exit(n == 0 ? eof : eof + 1);
  }
  close(p[0]);
  return c;
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  if (argc > 1) {
    /* the exec'd image: the write end was FD_CLOEXEC, so exec closed it and the child saw end of file */
    int st;
    wait(&st);
    printf("after exec: child exited %d\n", WEXITSTATUS(st));
    return 0;
  }
  threaded(reader, 1, "a reader sleeps");
  threaded(writer, 0, "a writer sleeps on a full pipe");
  threaded(poller, 1, "a poller sleeps");

  /* another process reads; the parent holds the only write end and dup2s over it */
  pipe(p);
  pipe(q);
  pid_t c = fork_reader(3);
  nap();
  printf("parent: dup2 over the write end\n");
  fflush(stdout);
  dup2(q[0], p[1]);
  int st;
  waitpid(c, &st, 0);
  printf("parent: child exited %d\n", WEXITSTATUS(st));

  /* the same, the write end closed by exec (O_CLOEXEC) */
  pipe2(p, O_CLOEXEC);
  fork_reader(5);
  nap();
  printf("parent: exec with the write end FD_CLOEXEC\n");
  fflush(stdout);
  execl("/proc/self/exe", argv[0], "execd", (char *)0);
  printf("exec failed: %s\n", strerror(errno));
  return 1;
}
