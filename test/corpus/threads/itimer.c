/* alarm, setitimer and getitimer (issue 11): SIGALRM on the clock, SIGVTALRM and SIGPROF on the
   process's CPU time, SA_RESTART on a read interrupted by SIGALRM and by SIGCHLD, and a process
   that only waits for its alarm (not a deadlock: SIGALRM's default action kills it). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t alrm, vt, prof, chld;
static void on_sig(int s) {
  if (s == SIGALRM) alrm++;
  if (s == SIGVTALRM) vt++;
  if (s == SIGPROF) prof++;
  if (s == SIGCHLD) chld++;
}

static void handle(int sig, int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sig;
  sa.sa_flags = flags;
  sigaction(sig, &sa, 0);
}

static void read_with_alarm(int restart) {
  int fd[2];
  pipe(fd);
  pid_t pid = fork();
  if (pid == 0) {
    close(fd[0]);
    usleep(1500000);
    write(fd[1], "late", 4);
    _exit(0);
  }
  close(fd[1]);
  handle(SIGALRM, restart ? SA_RESTART : 0);
  alrm = 0;
  alarm(1);
  char buf[8];
  long r = read(fd[0], buf, sizeof buf);
  printf("read with alarm(1), %s: %ld%s, SIGALRM %d\n", restart ? "SA_RESTART" : "no SA_RESTART", r, r < 0 && errno == EINTR ? " EINTR" : "", alrm);
  close(fd[0]);
  waitpid(pid, 0, 0);
}

static void read_with_sigchld(int restart) {
  int fd[2];
  pipe(fd);
  handle(SIGCHLD, restart ? SA_RESTART : 0);
  chld = 0;
  pid_t quick = fork();
  if (quick == 0) {
    usleep(100000);
    _exit(3);
  }
  pid_t slow = fork();
  if (slow == 0) {
    usleep(300000);
    write(fd[1], "data", 4);
    usleep(200000); /* its SIGCHLD comes after the parent's report */
    _exit(0);
  }
  close(fd[1]);
  char buf[8];
  long r = read(fd[0], buf, sizeof buf);
  printf("read across SIGCHLD, %s: %ld%s, SIGCHLD %d\n", restart ? "SA_RESTART" : "no SA_RESTART", r, r < 0 && errno == EINTR ? " EINTR" : "", chld);
  close(fd[0]);
  while (waitpid(-1, 0, 0) > 0 || errno == EINTR) {}
  signal(SIGCHLD, SIG_DFL);
}

int main(void) {
  setvbuf(stdout, 0, _IONBF, 0);
  handle(SIGALRM, 0);
  printf("alarm(5) = %u\n", alarm(5));
  printf("alarm(2) = %u\n", alarm(2));
  printf("alarm(0) = %u\n", alarm(0));
  alarm(1);
  pause();
  printf("pause woke by SIGALRM: %d\n", alrm);

  /* a periodic ITIMER_REAL: 5 signals 10 ms apart, then disarmed */
  struct itimerval it = {{0, 10000}, {0, 10000}}, cur;
  setitimer(ITIMER_REAL, &it, 0);
  alrm = 0;
  while (alrm < 5) pause();
  getitimer(ITIMER_REAL, &cur);
  printf("periodic: %d signals; interval %ld us, value %s\n", alrm, (long)cur.it_interval.tv_usec, cur.it_value.tv_usec > 0 && cur.it_value.tv_usec <= 10000 ? "in (0, 10 ms]" : "wrong");
  struct itimerval zero = {{0, 0}, {0, 0}}, old;
  setitimer(ITIMER_REAL, &zero, &old);
  getitimer(ITIMER_REAL, &cur);
  printf("disarmed: old interval %ld us; now %ld.%06ld\n", (long)old.it_interval.tv_usec, (long)cur.it_value.tv_sec, (long)cur.it_value.tv_usec);
  struct itimerval bad = {{0, 1000000}, {0, 0}};
  int r = setitimer(ITIMER_REAL, &bad, 0);
  printf("usec 1000000: %d %s\n", r, strerror(errno));
  r = getitimer(7, &cur);
  printf("which 7: %d %s\n", r, strerror(errno));

  /* CPU time: SIGVTALRM and SIGPROF while spinning */
  handle(SIGVTALRM, 0);
  handle(SIGPROF, 0);
  struct itimerval cpu = {{0, 2000}, {0, 2000}};
  setitimer(ITIMER_VIRTUAL, &cpu, 0);
  volatile unsigned long spin = 0;
  while (vt < 3) spin++;
  setitimer(ITIMER_VIRTUAL, &zero, 0);
  setitimer(ITIMER_PROF, &cpu, 0);
  while (prof < 2) spin++;
  setitimer(ITIMER_PROF, &zero, 0);
  printf("SIGVTALRM %d, SIGPROF %d\n", vt, prof);

  read_with_alarm(0);
  read_with_alarm(1);
  read_with_sigchld(0);
  read_with_sigchld(1);

  /* a child that waits for nothing but its alarm: SIGALRM's default action ends it */
  pid_t pid = fork();
  if (pid == 0) {
    signal(SIGALRM, SIG_DFL);
    alarm(1);
    for (;;) pause();
  }
  int st;
  waitpid(pid, &st, 0);
  printf("child: killed by signal %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : -1);
  /* an alarm is not inherited by fork */
  alarm(3);
  pid = fork();
  if (pid == 0) _exit(alarm(0));
  waitpid(pid, &st, 0);
  printf("alarm in a forked child: %d; in the parent: %u\n", WEXITSTATUS(st), alarm(0));
  return 0;
}
