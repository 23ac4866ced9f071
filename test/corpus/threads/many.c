/* 64 threads at once, each calling a probed function: more threads than the XOL page has slots. */
#include <pthread.h>
#include <stdio.h>

#define N 64
static pthread_barrier_t bar;

__attribute__((noinline)) long hot(long x) { return x * 3 + 1; }

static void *run(void *arg) {
  long id = (long)arg, s = 0;
  pthread_barrier_wait(&bar);
  for (int i = 0; i < 50; i++) s += hot(id + i);
  return (void *)s;
}

int main(void) {
  pthread_t t[N];
  pthread_barrier_init(&bar, 0, N);
  for (long i = 0; i < N; i++) pthread_create(&t[i], 0, run, (void *)i);
  long s = 0;
  for (int i = 0; i < N; i++) {
    void *r;
    pthread_join(t[i], &r);
    s += (long)r;
  }
  printf("threads=%d sum=%ld\n", N, s);
  return 0;
}
