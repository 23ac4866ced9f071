/* A signal-handling thread: sigwait for signals every thread blocks (kill and pthread_kill
   of the process), sigtimedwait's timeout, and sigsuspend in main woken by a thread. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got_usr2;
static pthread_t main_thread;

static void on_usr2(int s) { got_usr2 = s; }

static void *waiter(void *arg) {
  sigset_t *set = arg;
  int sig, seen = 0;
  for (int i = 0; i < 2; i++) {
    sigwait(set, &sig);
    seen += sig;
  }
  struct timespec ts = {0, 5000000};
  int r = sigtimedwait(set, 0, &ts);
  printf("waiter: sum of signals %d, then sigtimedwait %d (%s)\n", seen, r, r < 0 && errno == EAGAIN ? "EAGAIN" : "?");
  pthread_kill(main_thread, SIGUSR2);
  return 0;
}

int main(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &set, 0);
  signal(SIGUSR2, on_usr2);
  main_thread = pthread_self();
  sigset_t waitset;
  sigemptyset(&waitset);
  sigaddset(&waitset, SIGUSR1);
  sigaddset(&waitset, SIGTERM);
  pthread_t t;
  pthread_create(&t, 0, waiter, &waitset);
  kill(getpid(), SIGUSR1);
  kill(getpid(), SIGTERM);
  sigset_t during = set; /* SIGUSR2 unblocked only inside sigsuspend */
  sigdelset(&during, SIGUSR2);
  while (!got_usr2) sigsuspend(&during);
  pthread_join(t, 0);
  printf("main: sigsuspend returned after signal %d\n", (int)got_usr2);
  return 0;
}
