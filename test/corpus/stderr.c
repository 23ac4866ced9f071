/* stderr.c -- writes to stdout (buffered) and stderr (unbuffered), via
 * printf/fprintf/fputs/perror/write(2). The streams are compared separately. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	printf("stdout line 1\n");
	fprintf(stderr, "stderr line 1: %d\n", 123);
	fputs("stderr line 2 via fputs\n", stderr);
	errno = ENOENT;
	perror("perror says");
	fprintf(stderr, "strerror(EACCES)=%s\n", strerror(EACCES));
	write(2, "raw write to fd 2\n", 18);
	write(1, "raw write to fd 1\n", 18);
	printf("stdout line 2\n");
	fflush(stdout);
	for (int i = 0; i < 5; i++)
		fprintf(stderr, "err %d\n", i * i);
	return 0;
}
