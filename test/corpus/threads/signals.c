/* Thread-directed signals (pthread_kill) reach the named thread; a process-directed one
   (kill) reaches the only thread that does not block it. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static pthread_t target;
static volatile sig_atomic_t hits_target, hits_other, usr2_in_receiver, go;

static void on_usr1(int s) {
  (void)s;
  if (pthread_equal(pthread_self(), target)) hits_target++;
  else hits_other++;
}

static void on_usr2(int s) {
  (void)s;
  usr2_in_receiver = pthread_equal(pthread_self(), target) ? 1 : 2;
}

static void *run(void *arg) {
  (void)arg;
  sigset_t s;
  sigemptyset(&s);
  pthread_sigmask(SIG_SETMASK, &s, 0); /* the only thread with SIGUSR2 unblocked */
  while (!go || !usr2_in_receiver) sched_yield();
  return 0;
}

int main(void) {
  signal(SIGUSR1, on_usr1);
  signal(SIGUSR2, on_usr2);
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &s, 0); /* inherited by the thread, which unblocks it */
  pthread_create(&target, 0, run, 0);
  for (int i = 0; i < 3; i++) pthread_kill(target, SIGUSR1);
  raise(SIGUSR1);
  kill(getpid(), SIGUSR2);
  go = 1;
  pthread_join(target, 0);
  printf("usr1: target=%d other=%d; usr2 handled by %s\n", hits_target > 0, hits_other, usr2_in_receiver == 1 ? "the unblocked thread" : "main");
  return 0;
}
