/* Four threads add to one counter under a pthread mutex; the joins return each thread's value. */
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long total;

__attribute__((noinline)) long work(long id) {
  for (int i = 0; i < 20000; i++) {
    pthread_mutex_lock(&lock);
    total += id;
    pthread_mutex_unlock(&lock);
  }
  return id * 2;
}

static void *run(void *arg) { return (void *)work((long)arg); }

int main(void) {
  pthread_t t[4];
  for (long i = 0; i < 4; i++) pthread_create(&t[i], 0, run, (void *)(i + 1));
  long sum = 0;
  for (int i = 0; i < 4; i++) {
    void *r;
    pthread_join(t[i], &r);
    sum += (long)r;
  }
  printf("total=%ld sum=%ld\n", total, sum);
  return 0;
}
