/*
 * hello.c -- the smallest useful sample.
 *
 * What it demonstrates: loader + libc start-up + printf/stdio buffering +
 * exit_group.  printf with ints (signed, unsigned, hex, negative, 64-bit) and
 * strings, then exit status 0.  Also built as a static-PIE (hello-O0-pie,
 * hello-O2-pie) so the loader can be tested on ET_DYN: the output is the same
 * because nothing address-dependent is printed.
 *
 * Probe targets: greet() (a normal C function; at -O0 it starts with
 * "push %rbp"), and main.
 */
#include <stdio.h>

__attribute__((noinline)) int greet(const char *who, int n)
{
	return printf("hello, %s! n=%d\n", who, n);
}

int main(void)
{
	int total = 0;
	total += greet("world", 1);
	total += greet("uprobe-lab", 2);
	printf("ints: %d %d %u %x %X %ld %lld\n", 0, -42, 4000000000u, 0xbeef, 0xcafe,
	       -1234567890123L, 9223372036854775807LL);
	printf("strings: [%s] [%10s] [%-10s] [%.3s]\n", "abc", "right", "left", "truncate");
	printf("chars: %c%c%c\n", 'o', 'k', '!');
	printf("total chars from greet: %d\n", total);
	return 0;
}
