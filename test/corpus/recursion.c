/* recursion.c -- Ackermann, naive Fibonacci, mutual recursion and a
 * recursive string reversal: deep call/ret chains and stack use. */
#include <stdio.h>
#include <string.h>

static unsigned long calls;

__attribute__((noinline)) static unsigned long ack(unsigned long m, unsigned long n)
{
	calls++;
	if (m == 0)
		return n + 1;
	if (n == 0)
		return ack(m - 1, 1);
	return ack(m - 1, ack(m, n - 1));
}

__attribute__((noinline)) static unsigned long fib(unsigned n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static int is_odd(unsigned n);
__attribute__((noinline)) static int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }
__attribute__((noinline)) static int is_odd(unsigned n) { return n == 0 ? 0 : is_even(n - 1); }

__attribute__((noinline)) static void rev(char *s, int i, int j)
{
	if (i >= j)
		return;
	char t = s[i];
	s[i] = s[j];
	s[j] = t;
	rev(s, i + 1, j - 1);
}

int main(void)
{
	for (unsigned long m = 0; m <= 2; m++)
		for (unsigned long n = 0; n <= 4; n++) {
			calls = 0;
			unsigned long r = ack(m, n);
			printf("ack(%lu,%lu)=%lu calls=%lu\n", m, n, r, calls);
		}
	calls = 0;
	printf("ack(3,4)=%lu calls=%lu\n", ack(3, 4), calls);
	for (unsigned n = 0; n <= 22; n += 2)
		printf("fib(%u)=%lu\n", n, fib(n));
	printf("is_even(777)=%d is_odd(1000)=%d\n", is_even(777), is_odd(1000));
	char s[] = "the quick brown fox jumps over the lazy dog";
	rev(s, 0, (int)strlen(s) - 1);
	printf("%s\n", s);
	return 0;
}
