/* 4 threads: private integer work with a mutex-protected shared total every 64 rounds
   (futex waits and wakes under contention); the printed result does not depend on the
   interleaving. */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long total;

static void *run(void *arg) {
  unsigned long x = (unsigned long)arg * 2654435761u + 1, local = 0;
  for (int i = 0; i < 500000; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    local += x & 0xff;
    if ((i & 63) == 0) {
      pthread_mutex_lock(&lock);
      total += local;
      local = 0;
      pthread_mutex_unlock(&lock);
    }
  }
  pthread_mutex_lock(&lock);
  total += local;
  pthread_mutex_unlock(&lock);
  return 0;
}

int main(void) {
  pthread_t t[4];
  for (long i = 0; i < 4; i++) pthread_create(&t[i], 0, run, (void *)(i + 1));
  for (int i = 0; i < 4; i++) pthread_join(t[i], 0);
  printf("total=%lu\n", total);
  return 0;
}
