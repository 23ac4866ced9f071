/* A bounded queue: two producers, two consumers, a condition variable each way. */
#include <pthread.h>
#include <stdio.h>

#define CAP 8
#define PER 500
static int q[CAP], head, count;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t notfull = PTHREAD_COND_INITIALIZER, notempty = PTHREAD_COND_INITIALIZER;

__attribute__((noinline)) void put(int v) {
  pthread_mutex_lock(&m);
  while (count == CAP) pthread_cond_wait(&notfull, &m);
  q[(head + count++) % CAP] = v;
  pthread_cond_signal(&notempty);
  pthread_mutex_unlock(&m);
}

__attribute__((noinline)) int get(void) {
  pthread_mutex_lock(&m);
  while (count == 0) pthread_cond_wait(&notempty, &m);
  int v = q[head];
  head = (head + 1) % CAP;
  count--;
  pthread_cond_signal(&notfull);
  pthread_mutex_unlock(&m);
  return v;
}

static void *producer(void *arg) {
  for (int i = 1; i <= PER; i++) put(i * (int)(long)arg);
  return 0;
}

static void *consumer(void *arg) {
  long s = 0;
  for (int i = 0; i < PER; i++) s += get();
  (void)arg;
  return (void *)s;
}

int main(void) {
  pthread_t p[2], c[2];
  for (long i = 0; i < 2; i++) pthread_create(&p[i], 0, producer, (void *)(i + 1));
  for (long i = 0; i < 2; i++) pthread_create(&c[i], 0, consumer, 0);
  long s = 0;
  for (int i = 0; i < 2; i++) {
    void *r;
    pthread_join(p[i], 0);
    pthread_join(c[i], &r);
    s += (long)r;
  }
  printf("consumed sum=%ld (expected %ld)\n", s, 3L * PER * (PER + 1) / 2);
  return 0;
}
