/* strings.c -- musl string functions (several have x86_64 asm versions:
 * memcpy, memmove, memset): strlen, strcmp, strncmp, memcpy, memmove
 * (overlapping both ways), memset, memcmp, strchr, strrchr, strstr, strtok,
 * strspn, strcspn, strcpy, strcat, strncpy, at many lengths/alignments. */
#include <stdio.h>
#include <string.h>

static unsigned long h = 5381;
static void mix(unsigned long v) { h = h * 33 ^ v; }
static void mixbuf(const unsigned char *p, size_t n) { for (size_t i = 0; i < n; i++) mix(p[i]); }

int main(void)
{
	static unsigned char src[600], dst[700];
	for (int i = 0; i < 600; i++)
		src[i] = (unsigned char)(i * 7 + 3);

	for (size_t off = 0; off < 16; off++)
		for (size_t n = 0; n < 300; n += 13) {
			memset(dst, 0xee, sizeof dst);
			memcpy(dst + off, src + (15 - off), n);
			mixbuf(dst, 340);
		}
	printf("memcpy %016lx\n", h);

	for (size_t n = 1; n < 200; n += 17) {
		memcpy(dst, src, 600);
		memmove(dst + 5, dst, n);      /* overlap, dst > src */
		memmove(dst + 100, dst + 103, n); /* overlap, dst < src */
		mixbuf(dst, 400);
	}
	printf("memmove %016lx\n", h);

	for (size_t n = 0; n < 260; n += 7) {
		memset(dst + (n & 7), (int)n, n);
		mixbuf(dst, 280);
	}
	printf("memset %016lx\n", h);

	char s[128];
	for (int len = 0; len < 100; len += 9) {
		memset(s, 'x', (size_t)len);
		s[len] = 0;
		mix(strlen(s));
		mix(strlen(s + (len > 3 ? 3 : 0)));
	}
	printf("strlen %016lx\n", h);

	const char *words[] = {"alpha", "alphabet", "beta", "", "Alpha", "alpha", "gamma", "alp"};
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 8; j++) {
			int c = strcmp(words[i], words[j]);
			int c3 = strncmp(words[i], words[j], 3);
			int m = memcmp(words[i], words[j], 3);
			mix((unsigned long)((c > 0) - (c < 0) + 1) * 9 + (unsigned long)((c3 > 0) - (c3 < 0) + 1) * 3 + (unsigned long)((m > 0) - (m < 0) + 1));
		}
	printf("strcmp %016lx\n", h);

	const char *hay = "the rain in spain stays mainly in the plain";
	printf("strchr %ld strrchr %ld strchr-nul %ld\n", strchr(hay, 'a') - hay, strrchr(hay, 'a') - hay, strchr(hay, 0) - hay);
	printf("strstr ain=%ld plain=%ld xyz=%s empty=%ld\n", strstr(hay, "ain") - hay, strstr(hay, "plain") - hay,
	       strstr(hay, "xyz") ? "found" : "null", strstr(hay, "") - hay);
	printf("strspn %zu strcspn %zu\n", strspn(hay, "the "), strcspn(hay, "xyzs"));

	char buf[128];
	strcpy(buf, "a,b;;c,,d;e");
	int ntok = 0;
	for (char *t = strtok(buf, ",;"); t; t = strtok(NULL, ",;"))
		printf("tok[%d]=%s\n", ntok++, t);
	strcpy(buf, "foo");
	strcat(buf, "bar");
	strncat(buf, "bazqux", 3);
	printf("strcat %s\n", buf);
	memset(buf, 'Z', 16);
	strncpy(buf, "abc", 8);
	printf("strncpy %d %d %d %c\n", buf[3], buf[7], buf[8] == 'Z', buf[0]);
	printf("final %016lx\n", h);
	return 0;
}
