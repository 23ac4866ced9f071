/* Three phases separated by a barrier; each thread reads its neighbours' results of the last phase. */
#include <pthread.h>
#include <stdio.h>

#define N 6
static pthread_barrier_t bar;
static long val[N];

__attribute__((noinline)) long step(long a, long b) { return (a * 31 + b) % 100003; }

static void *run(void *arg) {
  long id = (long)arg;
  val[id] = id + 1;
  for (int phase = 0; phase < 3; phase++) {
    pthread_barrier_wait(&bar);
    long next = step(val[id], val[(id + 1) % N]);
    pthread_barrier_wait(&bar);
    val[id] = next;
  }
  return 0;
}

int main(void) {
  pthread_t t[N];
  pthread_barrier_init(&bar, 0, N);
  for (long i = 0; i < N; i++) pthread_create(&t[i], 0, run, (void *)i);
  for (int i = 0; i < N; i++) pthread_join(t[i], 0);
  for (int i = 0; i < N; i++) printf("val[%d]=%ld\n", i, val[i]);
  return 0;
}
