/* Not compared with native runs: prints the order in which three threads got through a
   shared counter, which shows the scheduler's interleaving (determinism tests). */
#include <pthread.h>
#include <stdio.h>

#define N 3
#define STEPS 4000
static int order[N * STEPS];
static int next;

__attribute__((noinline)) void record(int id) { order[__atomic_fetch_add(&next, 1, __ATOMIC_SEQ_CST)] = id; }

static void *run(void *arg) {
  int id = (int)(long)arg;
  for (int i = 0; i < STEPS; i++) {
    record(id);
    for (volatile int k = 0; k < 20; k++) {
    }
  }
  return 0;
}

int main(void) {
  pthread_t t[N];
  for (long i = 0; i < N; i++) pthread_create(&t[i], 0, run, (void *)i);
  for (int i = 0; i < N; i++) pthread_join(t[i], 0);
  /* run-length encoded: "0x812 1x300 ..." */
  int prev = order[0], len = 0, runs = 0;
  for (int i = 0; i <= N * STEPS; i++) {
    if (i < N * STEPS && order[i] == prev) {
      len++;
      continue;
    }
    printf("%dx%d ", prev, len);
    runs++;
    if (i < N * STEPS) prev = order[i], len = 1;
  }
  printf("\nruns=%d\n", runs);
  return 0;
}
