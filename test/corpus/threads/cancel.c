/* pthread_cancel of a thread blocked in a condition wait and of one in nanosleep; cleanup handlers run. */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int cleaned[2], ready;

static void cleanup(void *arg) {
  int i = (int)(long)arg;
  cleaned[i] = 1;
  if (i == 0) pthread_mutex_unlock(&m);
}

static void *waiter(void *arg) {
  (void)arg;
  pthread_mutex_lock(&m);
  pthread_cleanup_push(cleanup, (void *)0);
  ready++;
  for (;;) pthread_cond_wait(&cv, &m);
  pthread_cleanup_pop(0);
  return 0;
}

static void *sleeper(void *arg) {
  (void)arg;
  pthread_cleanup_push(cleanup, (void *)1);
  struct timespec ts = {100, 0};
  __atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
  for (;;) nanosleep(&ts, 0);
  pthread_cleanup_pop(0);
  return 0;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, 0, waiter, 0);
  pthread_create(&b, 0, sleeper, 0);
  for (;;) {
    pthread_mutex_lock(&m);
    int r = ready;
    pthread_mutex_unlock(&m);
    if (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) == 2 && r == 2) break;
    sched_yield();
  }
  pthread_cancel(a);
  pthread_cancel(b);
  void *ra, *rb;
  pthread_join(a, &ra);
  pthread_join(b, &rb);
  printf("a canceled=%d cleaned=%d; b canceled=%d cleaned=%d\n", ra == PTHREAD_CANCELED, cleaned[0], rb == PTHREAD_CANCELED, cleaned[1]);
  return 0;
}
