/* Stopped and continued children (issue 11): SIGSTOP/SIGTSTP stop a child, SIGCONT continues it,
   waitpid WUNTRACED/WCONTINUED and waitid WSTOPPED/WCONTINUED/WNOWAIT report it, SIGCHLD carries
   CLD_STOPPED/CLD_CONTINUED unless SA_NOCLDSTOP, and a call the stop interrupted restarts after
   the continue (read, nanosleep via restart_syscall), or fails with EINTR when SIGCONT has a
   handler without SA_RESTART. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void nap(int ms) { usleep(ms * 1000); }

static volatile sig_atomic_t codes[16], ncodes;
static void on_chld(int s, siginfo_t *si, void *u) {
  (void)s; (void)u;
  if (ncodes < 16) codes[ncodes++] = si->si_code;
}

static void show(const char *what, int st) {
  if (WIFSTOPPED(st)) printf("%s: stopped by %d\n", what, WSTOPSIG(st));
  else if (WIFCONTINUED(st)) printf("%s: continued\n", what);
  else if (WIFSIGNALED(st)) printf("%s: killed by %d\n", what, WTERMSIG(st));
  else if (WIFEXITED(st)) printf("%s: exited %d\n", what, WEXITSTATUS(st));
}

static void spinner(void) {
  pid_t pid = fork();
  if (pid == 0) {
    volatile unsigned long n = 0;
    for (;;) n++;
  }
  int st;
  nap(20);
  kill(pid, SIGSTOP);
  pid_t r = waitpid(pid, &st, WUNTRACED);
  show(r == pid ? "waitpid WUNTRACED" : "?", st);
  r = waitpid(pid, &st, WUNTRACED | WNOHANG);
  printf("again with WNOHANG: %d\n", r);
  nap(10);
  kill(pid, SIGCONT);
  r = waitpid(pid, &st, WCONTINUED);
  show(r == pid ? "waitpid WCONTINUED" : "?", st);
  nap(10);
  kill(pid, SIGSTOP);
  waitpid(pid, &st, WUNTRACED);
  nap(10);
  kill(pid, SIGTERM); /* pending while stopped */
  r = waitpid(pid, &st, WNOHANG);
  printf("SIGTERM to a stopped child, WNOHANG: %d\n", r);
  nap(10);
  kill(pid, SIGCONT);
  waitpid(pid, &st, 0);
  show("after SIGCONT", st);
}

static void self_stop(void) {
  int fd[2];
  pipe(fd);
  pid_t pid = fork();
  if (pid == 0) {
    close(fd[1]);
    /* a group of its own, whose parent is in another group of the session: not an orphaned
       process group, so the kernel does not discard SIGTSTP however the test was started
       (do_signal_stop via is_current_pgrp_orphaned; the emulator has no process groups) */
    setpgid(0, 0);
    raise(SIGTSTP);
    char c;
    read(fd[0], &c, 1);
    _exit(4);
  }
  close(fd[0]);
  siginfo_t si;
  memset(&si, 0, sizeof si);
  waitid(P_PID, pid, &si, WSTOPPED | WNOWAIT);
  printf("waitid WNOWAIT: code %d status %d\n", si.si_code, si.si_status);
  memset(&si, 0, sizeof si);
  waitid(P_PID, pid, &si, WSTOPPED);
  printf("waitid WSTOPPED: code %d status %d pid ok %d\n", si.si_code, si.si_status, si.si_pid == pid);
  kill(pid, SIGCONT);
  memset(&si, 0, sizeof si);
  waitid(P_PID, pid, &si, WCONTINUED);
  printf("waitid WCONTINUED: code %d status %d\n", si.si_code, si.si_status);
  write(fd[1], "x", 1);
  close(fd[1]);
  memset(&si, 0, sizeof si);
  waitid(P_PID, pid, &si, WEXITED);
  printf("waitid WEXITED: code %d status %d\n", si.si_code, si.si_status);
}

static void on_cont(int s) { (void)s; }

/* the child reads a pipe; stopped and continued meanwhile, then it gets its byte */
static void interrupted_read(int cont_handler) {
  int fd[2];
  pipe(fd);
  pid_t pid = fork();
  if (pid == 0) {
    close(fd[1]);
    if (cont_handler) {
      struct sigaction sa;
      memset(&sa, 0, sizeof sa);
      sa.sa_handler = on_cont;
      sigaction(SIGCONT, &sa, 0);
    }
    char c;
    long n = read(fd[0], &c, 1);
    _exit(n == 1 ? 1 : n < 0 && errno == EINTR ? 2 : 3);
  }
  close(fd[0]);
  int st;
  nap(20);
  kill(pid, SIGSTOP);
  waitpid(pid, &st, WUNTRACED);
  nap(10);
  kill(pid, SIGCONT);
  nap(20);
  write(fd[1], "x", 1);
  close(fd[1]);
  waitpid(pid, &st, 0);
  printf("read across stop and continue, %s: %s\n", cont_handler ? "SIGCONT handled" : "no handler",
         WEXITSTATUS(st) == 1 ? "got the byte" : WEXITSTATUS(st) == 2 ? "EINTR" : "?");
}

static void restarted_sleep(void) {
  pid_t pid = fork();
  if (pid == 0) {
    struct timespec ts = {0, 80000000};
    _exit(nanosleep(&ts, 0) == 0 ? 0 : 1);
  }
  int st;
  nap(20);
  kill(pid, SIGSTOP);
  waitpid(pid, &st, WUNTRACED);
  kill(pid, SIGCONT);
  waitpid(pid, &st, 0);
  printf("nanosleep across stop and continue: %s\n", WEXITSTATUS(st) == 0 ? "completed" : "interrupted");
}

int main(void) {
  setvbuf(stdout, 0, _IONBF, 0);
  signal(SIGPIPE, SIG_IGN); /* a child that got EINTR may be gone before the parent writes */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_chld;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigaction(SIGCHLD, &sa, 0);
  spinner();
  /* the last two (CLD_CONTINUED, then CLD_KILLED at once) may merge into one pending SIGCHLD */
  printf("SIGCHLD codes:");
  for (int i = 0; i < ncodes && i < 4; i++) printf(" %d", codes[i]);
  printf("\n");
  ncodes = 0;
  sa.sa_flags |= SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, 0);
  self_stop();
  printf("SIGCHLD codes with SA_NOCLDSTOP:");
  for (int i = 0; i < ncodes; i++) printf(" %d", codes[i]);
  printf("\n");
  signal(SIGCHLD, SIG_DFL);
  interrupted_read(0);
  interrupted_read(1);
  restarted_sleep();
  return 0;
}
