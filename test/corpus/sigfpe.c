/* sigfpe.c -- integer division by zero: the idiv raises #DE, the kernel
 * delivers SIGFPE (default action: terminate), exit status 128+8 = 136.
 * stdout is flushed explicitly first so the partial output is compared. */
#include <stdio.h>

int main(void)
{
	volatile int zero = 0, x = 1000;
	printf("about to divide %d by %d\n", x, zero);
	fflush(stdout);
	fprintf(stderr, "dying of SIGFPE\n");
	int r = x / zero;
	printf("not reached %d\n", r);
	return 0;
}
