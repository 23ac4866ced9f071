/* sigsegv.c -- NULL pointer store: page fault on an unmapped page, SIGSEGV
 * (default action: terminate), exit status 128+11 = 139. */
#include <stdio.h>

int main(void)
{
	volatile int *volatile p = 0;
	printf("about to write through NULL\n");
	fflush(stdout);
	*p = 42;
	printf("not reached\n");
	return 0;
}
