/* switch.c -- a dense switch (jump table through .rodata, an indirect jmp),
 * a sparse switch (compare tree / binary search) and a switch on chars. */
#include <stdio.h>

__attribute__((noinline)) static unsigned dense(unsigned x)
{
	switch (x) {
	case 0: return 7;
	case 1: return x * 3 + 1;
	case 2: return 11;
	case 3: return x << 4;
	case 4: return 0xdead;
	case 5: return x ^ 0x55;
	case 6: return 99;
	case 7: return x * x;
	case 8: return 1234;
	case 9: return x + 1000;
	case 10: return 5;
	case 11: return x * 17;
	case 12: return 42;
	case 13: return x - 3;
	case 14: return 0xbeef;
	case 15: return x | 0x100;
	case 16: return 16;
	case 17: return x * 29;
	case 18: return 3;
	case 19: return x >> 1;
	case 20: return 777;
	case 21: return x + x;
	case 22: return 1;
	case 23: return x * 5 + 2;
	case 24: return 24;
	case 25: return ~x & 0xff;
	case 26: return 2600;
	case 27: return x % 7;
	case 28: return 8;
	case 29: return x * 1001;
	case 30: return 30000;
	case 31: return x ^ 0xffff;
	default: return 0xffffffffu;
	}
}

__attribute__((noinline)) static int sparse(int x)
{
	switch (x) {
	case -1000: return 1;
	case -7: return 2;
	case 3: return 3;
	case 100: return 4;
	case 1024: return 5;
	case 4096: return 6;
	case 65536: return 7;
	case 1000000: return 8;
	default: return 0;
	}
}

__attribute__((noinline)) static int classify(char c)
{
	switch (c) {
	case 'a': case 'e': case 'i': case 'o': case 'u': return 1;
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9': return 2;
	case ' ': case '\t': case '\n': return 3;
	case '.': case ',': case ';': case '!': case '?': return 4;
	default: return 0;
	}
}

int main(void)
{
	unsigned long sum = 0;
	for (unsigned i = 0; i < 40; i++) {
		unsigned v = dense(i);
		sum = sum * 31 + v;
		printf("%u%c", v, (i % 10 == 9) ? '\n' : ' ');
	}
	printf("dense checksum %lu\n", sum);
	static const int probes[] = {-1000, -7, 0, 3, 99, 100, 1024, 4095, 4096, 65536, 999999, 1000000};
	for (unsigned i = 0; i < sizeof probes / sizeof probes[0]; i++)
		printf("sparse(%d)=%d\n", probes[i], sparse(probes[i]));
	const char *text = "Hello, world! 42 vowels and 7 digits; ok?\tend.\n";
	int counts[5] = {0};
	for (const char *p = text; *p; p++)
		counts[classify(*p)]++;
	printf("classes: other=%d vowel=%d digit=%d space=%d punct=%d\n",
	       counts[0], counts[1], counts[2], counts[3], counts[4]);
	return 0;
}
