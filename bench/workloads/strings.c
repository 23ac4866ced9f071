/*
 * strings -- libc string routines (emulator-anchors.md §1): R rounds
 * (default 2e5) of strlen, memcpy, snprintf and strcmp on short strings.
 * Prints a checksum.
 *
 *   strings [R]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
	long rounds = argc > 1 ? atol(argv[1]) : 200000;
	static const char *words[] = {"alpha", "bravo-charlie", "delta echo foxtrot", "golf", "hotel india juliett kilo"};
	char buf[128], out[160];
	unsigned long sum = 0;
	for (long i = 0; i < rounds; i++) {
		const char *w = words[i % 5];
		size_t n = strlen(w);
		memcpy(buf, w, n + 1);
		int k = snprintf(out, sizeof out, "%s:%ld:%zu", buf, i, n);
		sum += (unsigned long)k + (unsigned long)(strcmp(out, buf) > 0) + (unsigned char)out[k / 2];
	}
	printf("%lu\n", sum);
	return 0;
}
