/* strtol.c -- number parsing and formatting round trips: strtol/strtoul/
 * strtoll with bases 0/2/8/10/16/36, end pointers and ERANGE, atoi,
 * sscanf of integers and strings, and snprintf back to text. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	const char *in[] = {"0", "42", "-42", "  +17xyz", "0x1F", "0777", "0b101", "z", "9223372036854775807",
			    "9223372036854775808", "-9223372036854775809", "18446744073709551615", "   ", "-0"};
	for (unsigned i = 0; i < sizeof in / sizeof in[0]; i++) {
		char *end;
		errno = 0;
		long v = strtol(in[i], &end, 0);
		int e1 = errno;
		errno = 0;
		unsigned long u = strtoul(in[i], NULL, 10);
		int e2 = errno;
		printf("[%s] strtol0=%ld used=%ld erange=%d strtoul10=%lu erange=%d\n", in[i], v, (long)(end - in[i]),
		       e1 == ERANGE, u, e2 == ERANGE);
	}
	int bases[] = {2, 8, 10, 16, 36};
	for (int i = 0; i < 5; i++)
		printf("base %d: %lld\n", bases[i], strtoll("1010zz", NULL, bases[i]));
	printf("atoi %d %d %d\n", atoi("123abc"), atoi("-0042"), atoi("x9"));
	int a, b;
	char word[16];
	unsigned x;
	int n = sscanf("  17 -5 hello 0xff", "%d %d %15s %x", &a, &b, word, &x);
	printf("sscanf n=%d a=%d b=%d word=%s x=%u\n", n, a, b, word, x);
	char buf[64];
	long roundtrip = 0;
	for (long k = -1000; k <= 1000; k += 37) {
		snprintf(buf, sizeof buf, "%ld", k * 1234567);
		roundtrip += strtol(buf, NULL, 10) == k * 1234567;
	}
	printf("roundtrips ok: %ld\n", roundtrip);
	return 0;
}
