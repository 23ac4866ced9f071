/* Process groups and sessions (kernel/sys.c): inherited at fork, setpgid on the caller and on a
   child (EACCES once it has exec'ed, EPERM across sessions or for a session leader), setsid
   (EPERM for a group leader), getpgid/getsid, and kill/waitpid with pid 0 and -pgid reaching
   only that group. Only relations between pids are printed, never a pid. Children report
   through their exit status. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *what, long r) {
  printf("%s: %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
}

static char wait_byte(int fd) {
  char b = 0;
  while (read(fd, &b, 1) < 0 && errno == EINTR) {
  }
  return b;
}

/* A child that waits for a byte on fd, then exits with code. */
static pid_t waiter(int fd, int code) {
  fflush(stdout);
  pid_t c = fork();
  if (c == 0) {
    wait_byte(fd);
    _exit(code);
  }
  return c;
}

static void status(const char *what, pid_t got, pid_t want, int st) {
  printf("%s: %s, ", what, got == want ? "the child" : got < 0 ? strerror(errno) : "another pid");
  if (WIFEXITED(st)) printf("exit %d\n", WEXITSTATUS(st));
  else if (WIFSIGNALED(st)) printf("signal %d\n", WTERMSIG(st));
  else printf("?\n");
}

int main(int argc, char **argv) {
  if (argc == 4 && !strcmp(argv[1], "execed")) {
    /* after exec: tell the parent on one pipe, then wait for its go on another */
    if (write(atoi(argv[3]), "e", 1) != 1) return 9;
    wait_byte(atoi(argv[2]));
    return 7;
  }
  pid_t me = getpid(), pg = getpgrp(), sid = getsid(0);
  printf("leads its group: %d, its session: %d\n", pg == me, sid == me);
  printf("getpgid(0) %d, getpgid(me) %d, getsid(me) %d\n", getpgid(0) == pg, getpgid(me) == pg, getsid(me) == sid);
  show("getpgid(no such pid)", getpgid(999999));
  show("getsid(no such pid)", getsid(999999));
  show("setpgid(0, -1)", setpgid(0, -1));
  show("setpgid(no such pid, 0)", setpgid(999999, 0));
  show("setpgid(0, no such group)", setpgid(0, 999998));

  int p[2], q[2], r[2];
  if (pipe(p) || pipe(q) || pipe(r)) return 1;

  /* a child inherits the group; the parent moves it to its own group and back */
  pid_t c = waiter(p[0], 3);
  printf("child in our group: %d, our session: %d\n", getpgid(c) == pg, getsid(c) == sid);
  show("setpgid(child, 0)", setpgid(c, 0));
  printf("child leads its group: %d\n", getpgid(c) == c);
  show("setpgid(child, our group)", setpgid(c, pg));
  show("setpgid(child, child)", setpgid(c, c));
  show("kill(-child, 0)", kill(-c, 0));
  int st = 0;
  show("waitpid(-child, WNOHANG)", waitpid(-c, &st, WNOHANG));
  show("waitpid(0, WNOHANG): no child in our group", waitpid(0, &st, WNOHANG));
  if (write(p[1], "g", 1) != 1) return 1;
  pid_t got = waitpid(-c, &st, 0);
  status("waitpid(-child)", got, c, st);
  show("kill(-child, 0) after it was reaped", kill(-c, 0));
  show("waitpid(-child) after", waitpid(-c, &st, 0));

  /* after exec, the parent may no longer move it */
  fflush(stdout);
  c = fork();
  if (c == 0) {
    char go[16], told[16];
    snprintf(go, sizeof go, "%d", q[0]);
    snprintf(told, sizeof told, "%d", r[1]);
    execl("/proc/self/exe", "pgrp", "execed", go, told, (char *)0);
    _exit(8);
  }
  if (wait_byte(r[0]) != 'e') return 1;
  show("setpgid(child after exec, 0)", setpgid(c, 0));
  if (write(q[1], "g", 1) != 1) return 1;
  got = waitpid(c, &st, 0);
  status("the exec'ed child", got, c, st);

  /* a group leader cannot make a session; a new session's leader cannot change group */
  fflush(stdout);
  c = fork();
  if (c == 0) {
    if (setpgid(0, 0)) _exit(1);
    if (setsid() != -1 || errno != EPERM) _exit(2);
    _exit(0);
  }
  got = waitpid(c, &st, 0);
  status("setsid in a group leader is EPERM", got, c, st);
  fflush(stdout);
  c = fork();
  if (c == 0) {
    pid_t s = setsid();
    if (s != getpid() || getsid(0) != s || getpgrp() != s) _exit(1);
    if (setpgid(0, 0) != -1 || errno != EPERM) _exit(2);
    wait_byte(p[0]);
    _exit(0);
  }
  for (int i = 0; getsid(c) != c; i++) { /* until the child made its session */
    if (i == 5000) {
      printf("the child made no session\n");
      return 1;
    }
    usleep(1000);
  }
  show("setpgid(child in another session, 0)", setpgid(c, 0));
  show("setpgid(child in another session, our group)", setpgid(c, pg));
  if (write(p[1], "g", 1) != 1) return 1;
  got = waitpid(c, &st, 0);
  status("the session leader", got, c, st);

  /* the parent makes a session of its own (so that kill(0) below stays inside this program) */
  pid_t s = setsid();
  printf("setsid: new session %d, leads group %d, session %d\n", s == me, getpgrp() == me, getsid(0) == me);
  show("setsid again", setsid());

  /* kill(0) reaches our group only: one child stays in it, one has its own */
  c = waiter(p[0], 4);
  pid_t other = waiter(p[0], 5);
  setpgid(other, other);
  signal(SIGUSR1, SIG_IGN);
  show("kill(0, SIGUSR1)", kill(0, SIGUSR1));
  got = waitpid(0, &st, 0); /* ours: killed */
  status("waitpid(0)", got, c, st);
  if (write(p[1], "g", 1) != 1) return 1;
  got = waitpid(-other, &st, 0);
  status("waitpid(-other)", got, other, st);
  return 0;
}
