/* exit_return.c -- returning 3 from main (exit status 3), with a large
 * buffered stdout that must be flushed by exit. */
#include <stdio.h>

int main(void)
{
	for (int i = 0; i < 500; i++)
		printf("line %03d of buffered output\n", i);
	return 3;
}
