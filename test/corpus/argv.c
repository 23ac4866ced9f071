/* argv.c -- argc/argv/envp layout: prints argc, every argv string with its
 * length, checks argv[argc] == NULL, and prints the value of a fixed
 * environment variable if present (UPROBE_LAB_TEST). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	printf("argc=%d\n", argc);
	for (int i = 1; i < argc; i++)
		printf("argv[%d]=[%s] len=%zu\n", i, argv[i], strlen(argv[i]));
	printf("argv[argc]==NULL: %s\n", argv[argc] == NULL ? "yes" : "no");
	const char *e = getenv("UPROBE_LAB_TEST");
	printf("UPROBE_LAB_TEST=%s\n", e ? e : "(unset)");
	return 0;
}
