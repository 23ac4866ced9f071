/* One thread dereferences NULL while the others call a probed function (stepping out of line
   under --no-emulation): the whole process dies of SIGSEGV, as natively. */
#include <pthread.h>
#include <stdio.h>

static volatile int *volatile nowhere;

__attribute__((noinline)) long hot(long x) { return x * 5 + 2; }

static void *busy(void *arg) {
  long s = (long)arg;
  for (;;) s += hot(s);
  return 0;
}

static void *crash(void *arg) {
  (void)arg;
  for (int i = 0; i < 200; i++) hot(i);
  return (void *)(long)*nowhere;
}

int main(void) {
  pthread_t t[4];
  for (long i = 0; i < 3; i++) pthread_create(&t[i], 0, busy, (void *)i);
  pthread_create(&t[3], 0, crash, 0);
  pthread_join(t[3], 0);
  puts("unreachable");
  return 0;
}
