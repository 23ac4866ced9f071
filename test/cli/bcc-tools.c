/*
 * bcc-tools.c -- the traced program of test/cli/bcc-tools.test.ts (built
 * there with gcc -O0 -fno-omit-frame-pointer: dynamically linked, so c:malloc
 * is libc's). It prints how often it called each function, so the tools'
 * counts can be checked against the real call counts.
 *
 *   round r (0, 1, 2, ...): work_b() 5*(r+1) times (each calls work_a()),
 *   malloc(100 + r) and free(), fib(5) (15 recursive calls), then a sleep of
 *   one second, so -i 1 sees one round per report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int calls_a, calls_b, calls_fib, calls_malloc;

__attribute__((noinline)) int work_a(int x) { calls_a++; return x * 3; }
__attribute__((noinline)) int work_b(int x) { calls_b++; return x + work_a(x); }
__attribute__((noinline)) int fib(int n) { calls_fib++; return n < 2 ? n : fib(n - 1) + fib(n - 2); }
__attribute__((noinline)) void nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, 0);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 3;
	long t = 0;
	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < 5 * (r + 1); i++) t += work_b(i);
		char *p = malloc(100 + r);
		calls_malloc++;
		p[0] = 1;
		t += p[0];
		free(p);
		t += fib(5);
		nap(1000);
	}
	printf("t=%ld work_a=%d work_b=%d fib=%d malloc=%d\n", t, calls_a, calls_b, calls_fib, calls_malloc);
	return 0;
}
