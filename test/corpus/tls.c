/* tls.c -- thread-local storage in a static binary: __thread variables
 * (initialized .tdata and zeroed .tbss) accessed via %fs, errno (also TLS
 * in musl), and the TLS block alignment. Single-threaded. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static __thread int tls_init = 12345;
static __thread long tls_zero;
static __thread char tls_buf[100] = "tls-string";
static __thread _Alignas(64) unsigned char tls_aligned[64];

__attribute__((noinline)) static long bump(int k)
{
	tls_zero += k;
	tls_init = tls_init * 3 + k;
	return tls_zero * 7 + tls_init;
}

int main(void)
{
	long acc = 0;
	for (int i = 0; i < 1000; i++)
		acc += bump(i);
	printf("tls_init=%d tls_zero=%ld acc=%ld\n", tls_init, tls_zero, acc);
	printf("tls_buf=[%s] len=%zu\n", tls_buf, strlen(tls_buf));
	strcat(tls_buf, "+more");
	printf("tls_buf=[%s]\n", tls_buf);
	printf("tls_aligned 64-byte aligned: %s, zero: %s\n", ((uintptr_t)tls_aligned % 64) == 0 ? "yes" : "NO",
	       tls_aligned[0] == 0 && tls_aligned[63] == 0 ? "yes" : "NO");
	errno = 0;
	int r = close(-1);
	printf("close(-1)=%d errno=%d (EBADF=%d)\n", r, errno, EBADF);
	errno = 0;
	r = (int)write(1, "", 0);
	printf("write(1,\"\",0)=%d errno=%d\n", r, errno);
	return 0;
}
