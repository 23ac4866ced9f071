/* CPU affinity (issue 11): threads pin themselves with pthread_setaffinity_np / sched_setaffinity
   and report sched_getcpu, before and after yielding; an impossible mask is EINVAL. Uses CPUs 0
   and 1 only (run with at least 2 CPUs). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

static void pin(int cpu) {
  cpu_set_t s;
  CPU_ZERO(&s);
  CPU_SET(cpu, &s);
  if (sched_setaffinity(0, sizeof s, &s) != 0) printf("setaffinity %d: %s\n", cpu, strerror(errno));
}

static void *worker(void *arg) {
  int cpu = (int)(long)arg;
  pin(cpu);
  int same = 1;
  for (int i = 0; i < 50; i++) {
    for (volatile int k = 0; k < 2000; k++) {
    }
    sched_yield();
    if (sched_getcpu() != cpu) same = 0;
  }
  cpu_set_t s;
  sched_getaffinity(0, sizeof s, &s);
  return (void *)(long)(same * 10 + CPU_COUNT(&s));
}

int main(void) {
  pthread_t t[4];
  for (long i = 0; i < 4; i++) pthread_create(&t[i], 0, worker, (void *)(i % 2));
  for (int i = 0; i < 4; i++) {
    void *r;
    pthread_join(t[i], &r);
    long v = (long)r;
    printf("thread %d pinned to CPU %d: always there %s, CPUs in its mask %ld\n", i, i % 2, v / 10 ? "yes" : "no", v % 10);
  }
  pin(1);
  printf("main on CPU %d after pinning to 1\n", sched_getcpu());
  pin(0);
  printf("main on CPU %d after pinning to 0\n", sched_getcpu());
  cpu_set_t s;
  CPU_ZERO(&s);
  CPU_SET(40, &s);
  int r = sched_setaffinity(0, sizeof s, &s);
  printf("mask with only CPU 40: %d %s\n", r, strerror(errno));
  return 0;
}
