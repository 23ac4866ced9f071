/*
 * usdt.c -- the USDT program of the bpftrace runtime suite (test/dsl/runtime).
 *
 * Built with usdt-sem.c by scripts/record-bpftrace-suite.mjs as bin/usdt
 * (gcc -O0 -fno-omit-frame-pointer -no-pie: arguments in memory, -4@-20(%rbp))
 * and bin/usdt-O2 (gcc -O2, PIE: arguments in registers and constants,
 * 4@%eax, 4@$5). <sys/sdt.h> is systemtap-sdt-dev's. Ten rounds; the output
 * is deterministic.
 *
 *   app:tick(i, big, small)   int, a negative long, an unsigned char that wraps past 255
 *   app:name(names[i%3], 5)   a string pointer and a constant
 *   lib:neg(-i)               a short, sign-extended
 *   app:guarded(i, sem)       guarded by its semaphore (usdt-sem.c): dark unless someone raises it
 *   app:done                  no arguments, once
 *   app:twice(x)              one probe, two sites (two notes): in the loop, and once after it
 */
#include <stdio.h>
#include <sys/sdt.h>

int guarded(int i);

#define TWICE(x) DTRACE_PROBE1(app, twice, x)

int main(void)
{
	static const char *const names[] = { "zero", "one", "two" };
	/* reading the strings here faults their page in: bpftrace's str() cannot (bpf_probe_read_user) */
	long total = names[0][0] + names[1][0] + names[2][0];
	int seen = 0;
	for (int i = 0; i < 10; i++) {
		unsigned char small = (unsigned char)(250 + i);
		long big = -1000000000000L * i;
		short neg = (short)-i;
		DTRACE_PROBE3(app, tick, i, big, small);
		DTRACE_PROBE2(app, name, names[i % 3], 5);
		DTRACE_PROBE1(lib, neg, neg);
		seen += guarded(i);
		total += i + small;
		TWICE(i);
	}
	TWICE(100);
	DTRACE_PROBE(app, done);
	printf("total=%ld guarded=%d\n", total, seen);
	return 0;
}
