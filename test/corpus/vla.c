/* vla.c -- variable-length arrays and alloca: dynamic stack adjustment
 * (sub %rax,%rsp, and $-16), frame pointer use at -O2, and recursion with
 * VLAs of varying size. */
#include <alloca.h>
#include <stdio.h>
#include <string.h>

__attribute__((noinline)) static long vla_sum(int n)
{
	long a[n];
	for (int i = 0; i < n; i++)
		a[i] = (long)i * i - n;
	long s = 0;
	for (int i = n - 1; i >= 0; i--)
		s = s * 3 + a[i];
	return s;
}

__attribute__((noinline)) static int alloca_rec(int depth)
{
	if (depth == 0)
		return 0;
	size_t sz = (size_t)(depth * 13 % 97 + 1);
	char *buf = alloca(sz);
	memset(buf, depth, sz);
	int r = alloca_rec(depth - 1);
	int s = 0;
	for (size_t i = 0; i < sz; i++)
		s += buf[i];
	return r + s;
}

__attribute__((noinline)) static long matrix_vla(int r, int c)
{
	int m[r][c];
	for (int i = 0; i < r; i++)
		for (int j = 0; j < c; j++)
			m[i][j] = i * c + j;
	long t = 0;
	for (int j = 0; j < c; j++)
		for (int i = 0; i < r; i++)
			t = t * 7 + m[i][j];
	return t + (long)sizeof m;
}

int main(void)
{
	long acc = 0;
	for (int n = 1; n < 300; n += 17)
		acc ^= vla_sum(n) + n;
	printf("vla acc %ld\n", acc);
	printf("alloca_rec(60) %d\n", alloca_rec(60));
	printf("matrix_vla %ld %ld\n", matrix_vla(3, 5), matrix_vla(17, 9));
	return 0;
}
