/* stdin.c -- reads all of stdin with fread (musl stdio buffering over
 * read(2)), then prints byte/line/word counts, a checksum and the first
 * and last line. Also works with empty stdin. */
#include <stdio.h>
#include <string.h>

int main(void)
{
	static char data[1 << 16];
	size_t n = 0, r;
	while ((r = fread(data + n, 1, sizeof data - 1 - n, stdin)) > 0)
		n += r;
	data[n] = 0;
	unsigned long lines = 0, words = 0, sum = 0;
	int inword = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)data[i];
		sum = sum * 257 + c;
		if (c == '\n')
			lines++;
		if (c == ' ' || c == '\n' || c == '\t')
			inword = 0;
		else if (!inword) {
			inword = 1;
			words++;
		}
	}
	printf("bytes=%zu lines=%lu words=%lu sum=%016lx\n", n, lines, words, sum);
	char *nl = strchr(data, '\n');
	printf("first line: [%.*s]\n", nl ? (int)(nl - data) : (int)n, data);
	if (n) {
		size_t end = n;
		if (data[end - 1] == '\n')
			end--;
		size_t start = end;
		while (start > 0 && data[start - 1] != '\n')
			start--;
		printf("last line: [%.*s]\n", (int)(end - start), data + start);
	}
	return 0;
}
