/*
 * signal.c -- ustack(cfi) through a signal frame (test/engine/cfi-unwind.test.ts):
 * leaf runs in a SIGUSR1 handler that raise() delivered inside work(), so the
 * walk passes glibc's __restore_rt (its CIE has 'S', its registers come from
 * the sigcontext by DW_CFA_expression) into the interrupted frames.
 */
#include <signal.h>
#include <stdio.h>
volatile long sink;
__attribute__((noinline)) long leaf(long x) { sink += x; return x; }
static void handler(int s) { leaf(s); }
__attribute__((noinline)) long work(long n) { for (long i = 0; i < n; i++) { sink += i; if (i == n / 2) raise(SIGUSR1); } return sink; }
int main(void) { signal(SIGUSR1, handler); printf("%ld\n", work(100)); return 0; }
