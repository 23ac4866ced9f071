/* SA_RESTART (issue 11): a handled signal interrupts a blocking call. With SA_RESTART the
   kernel restarts read, wait4 and an untimed futex wait (-ERESTARTSYS); without it they fail
   with EINTR. nanosleep and a timed futex wait (-ERESTART_RESTARTBLOCK) and pause
   (-ERESTARTNOHAND) fail with EINTR either way. A signal that is ignored (SIGCHLD by default)
   does not interrupt anything. */
#define _GNU_SOURCE
#include <errno.h>
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t handled;
static void on_usr1(int s) { (void)s; handled++; }

static void nap(long ms) {
  struct timespec ts = {0, ms * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

static void install(int restart) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sa.sa_flags = restart ? SA_RESTART : 0;
  sigaction(SIGUSR1, &sa, 0);
}

static const char *err(long r) { return r < 0 ? (errno == EINTR ? "EINTR" : strerror(errno)) : "ok"; }

/* a child signals the parent, then later writes to the pipe */
static void pipe_read(int restart) {
  int fd[2];
  pipe(fd);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    close(fd[0]);
    nap(20);
    kill(parent, SIGUSR1);
    nap(20);
    write(fd[1], "hello", 5);
    _exit(0);
  }
  close(fd[1]);
  char buf[16];
  handled = 0;
  long r = read(fd[0], buf, sizeof buf);
  printf("read %s: %ld %s, handler ran %d\n", restart ? "SA_RESTART" : "no SA_RESTART", r, err(r), handled);
  if (r < 0) {
    r = read(fd[0], buf, sizeof buf);
    printf("  read again: %ld\n", r);
  }
  close(fd[0]);
  waitpid(pid, 0, 0);
}

static void wait_child(int restart) {
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    nap(20);
    kill(parent, SIGUSR1);
    nap(20);
    _exit(7);
  }
  int st = 0;
  handled = 0;
  long r = waitpid(pid, &st, 0);
  printf("waitpid %s: %s, handler ran %d\n", restart ? "SA_RESTART" : "no SA_RESTART", r == pid ? "the child" : err(r), handled);
  if (r < 0) r = waitpid(pid, &st, 0);
  printf("  child status %d\n", WEXITSTATUS(st));
}

static int word;
static pthread_t main_thread;

static void *poker(void *arg) {
  (void)arg;
  nap(20);
  pthread_kill(main_thread, SIGUSR1);
  nap(20);
  __atomic_store_n(&word, 1, __ATOMIC_SEQ_CST);
  syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0);
  return 0;
}

static void futex_wait(int restart, int timed) {
  pthread_t t;
  word = 0;
  handled = 0;
  pthread_create(&t, 0, poker, 0);
  struct timespec ts = {5, 0};
  long r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, timed ? &ts : 0, 0, 0);
  printf("futex wait%s %s: %s, handler ran %d\n", timed ? " (timed)" : "", restart ? "SA_RESTART" : "no SA_RESTART", err(r), handled);
  pthread_join(t, 0);
}

static void *sleeper_poker(void *arg) {
  (void)arg;
  nap(20);
  pthread_kill(main_thread, SIGUSR1);
  return 0;
}

static void sleep_interrupted(int restart) {
  pthread_t t;
  handled = 0;
  pthread_create(&t, 0, sleeper_poker, 0);
  struct timespec ts = {2, 0}, rem = {0, 0};
  long r = nanosleep(&ts, &rem);
  printf("nanosleep %s: %s, handler ran %d, remaining %s\n", restart ? "SA_RESTART" : "no SA_RESTART", err(r), handled,
         rem.tv_sec == 1 && rem.tv_nsec > 900000000L ? "about 1.98 s" : "wrong");
  pthread_join(t, 0);
  pthread_create(&t, 0, sleeper_poker, 0);
  r = pause();
  printf("pause %s: %s, handler ran %d\n", restart ? "SA_RESTART" : "no SA_RESTART", err(r), handled);
  pthread_join(t, 0);
}

/* SIGCHLD is ignored by default: a child's exit does not interrupt the parent's read */
static void ignored_sigchld(void) {
  int fd[2];
  pipe(fd);
  pid_t quick = fork();
  if (quick == 0) _exit(0);
  pid_t slow = fork();
  if (slow == 0) {
    nap(40);
    write(fd[1], "late", 4);
    _exit(0);
  }
  close(fd[1]);
  char buf[8];
  long r = read(fd[0], buf, sizeof buf);
  printf("read across an ignored SIGCHLD: %ld %s\n", r, err(r));
  waitpid(quick, 0, 0);
  waitpid(slow, 0, 0);
  close(fd[0]);
}

int main(void) {
  setvbuf(stdout, 0, _IONBF, 0);
  main_thread = pthread_self();
  for (int restart = 0; restart < 2; restart++) {
    install(restart);
    pipe_read(restart);
    wait_child(restart);
    futex_wait(restart, 0);
    futex_wait(restart, 1);
    sleep_interrupted(restart);
  }
  ignored_sigchld();
  return 0;
}
