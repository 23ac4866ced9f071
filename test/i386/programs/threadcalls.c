/* 32-bit thread, wait and futex calls the threads corpus does not reach: a robust mutex whose
   owner thread exits (compat_exit_robust_list: EOWNERDEAD), get_robust_list's 4-byte head and
   12-byte length, waitid's compat siginfo, wait4 with a compat rusage, the i386 futex's
   old_timespec32 timeout, and sigtimedwait's siginfo for a kill(). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t m;

static void *die_holding(void *arg) {
  (void)arg;
  pthread_mutex_lock(&m);
  return 0; /* exits with the robust mutex held */
}

struct old_timespec32 { int32_t sec, nsec; };

/* "robust": only the robust mutex (qemu-user ignores set_robust_list, so there the lock hangs). */
static int robust(void) {
  pthread_mutexattr_t a;
  pthread_mutexattr_init(&a);
  pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(&m, &a);
  pthread_t t;
  pthread_create(&t, 0, die_holding, 0);
  pthread_join(t, 0);
  int r = pthread_mutex_lock(&m);
  printf("robust: lock after the owner died: %s\n", r == EOWNERDEAD ? "EOWNERDEAD" : strerror(r));
  pthread_mutex_consistent(&m);
  pthread_mutex_unlock(&m);

  uint32_t head = 0, len = 0;
  long g = syscall(SYS_get_robust_list, 0, &head, &len);
  printf("get_robust_list: %ld, head set %d, len %u\n", g, head != 0, len);
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1) return robust();
  int r;
  fflush(stdout);
  pid_t p = fork();
  if (p == 0) _exit(7);
  siginfo_t si;
  memset(&si, 0xff, sizeof si);
  r = waitid(P_PID, p, &si, WEXITED);
  printf("waitid: %d signo %d code %d pid ok %d status %d\n", r, si.si_signo, si.si_code, si.si_pid == p, si.si_status);

  fflush(stdout);
  p = fork();
  if (p == 0) _exit(3);
  struct { struct rusage ru; uint32_t canary; } ru;
  ru.canary = 0xabababab;
  int st;
  pid_t w = wait4(p, &st, 0, &ru.ru);
  printf("wait4: pid ok %d exit %d, rusage %u bytes, canary kept %d\n", w == p, WEXITSTATUS(st), (unsigned)sizeof ru.ru, ru.canary == 0xabababab);

  int word = 1;
  struct old_timespec32 ts = {0, 2000000};
  long f = syscall(SYS_futex, &word, 0 /* FUTEX_WAIT */, 1, &ts, 0, 0);
  printf("futex (old_timespec32 timeout): %ld %s\n", f, f < 0 && errno == ETIMEDOUT ? "ETIMEDOUT" : strerror(errno));

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, 0);
  kill(getpid(), SIGUSR1);
  memset(&si, 0, sizeof si);
  struct timespec tv = {1, 0};
  int s = sigtimedwait(&set, &si, &tv);
  printf("sigtimedwait: %d code %d pid ok %d uid %d\n", s, si.si_code, si.si_pid == getpid(), si.si_uid == getuid());
  return 0;
}
