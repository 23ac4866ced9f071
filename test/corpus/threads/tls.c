/* __thread variables: each thread sees its own copy, initialised from the TLS image. */
#include <pthread.h>
#include <stdio.h>

static __thread long counter = 100;
static __thread char name[16] = "initial";

__attribute__((noinline)) long bump(long by) { return counter += by; }

static void *run(void *arg) {
  long id = (long)arg;
  snprintf(name, sizeof name, "thread-%ld", id);
  for (int i = 0; i < 1000; i++) bump(id);
  static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&m);
  static char out[4][64];
  snprintf(out[id], sizeof out[id], "%s counter=%ld", name, counter);
  pthread_mutex_unlock(&m);
  return out[id];
}

int main(void) {
  pthread_t t[4];
  for (long i = 0; i < 4; i++) pthread_create(&t[i], 0, run, (void *)i);
  for (int i = 0; i < 4; i++) {
    void *r;
    pthread_join(t[i], &r);
    puts((char *)r);
  }
  printf("main: %s counter=%ld\n", name, counter);
  return 0;
}
