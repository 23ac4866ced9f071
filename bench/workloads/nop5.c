/*
 * nop5 -- a hot loop calling hit(), whose first instruction is the 5-byte
 * nop 0f 1f 44 00 00 (the site the kernel's uprobe optimization, 6.18+,
 * turns into a call). R calls (default 1e6). Probe it with
 *   uprobe-lab run -e 'probe hit:0 < count++ >' -- nop5
 */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) long hit(long x) {
	__asm__ volatile(".byte 0x0f,0x1f,0x44,0x00,0x00");
	return x * 3 + 1;
}

int main(int argc, char **argv) {
	long rounds = argc > 1 ? atol(argv[1]) : 1000000;
	long s = 0;
	for (long i = 0; i < rounds; i++) s += hit(i);
	printf("%ld\n", s);
	return 0;
}
