/* exit_call.c -- exit(42) from a nested function: atexit handlers run in
 * reverse order and stdio is flushed before exit_group(42). */
#include <stdio.h>
#include <stdlib.h>

static void h1(void) { printf("atexit handler 1\n"); }
static void h2(void) { printf("atexit handler 2\n"); }

__attribute__((noinline)) static void leave(int code)
{
	printf("leaving with %d\n", code);
	exit(code);
}

int main(void)
{
	atexit(h1);
	atexit(h2);
	printf("buffered line, not yet flushed\n");
	leave(42);
	printf("not reached\n");
	return 0;
}
