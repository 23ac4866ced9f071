/*
 * usdt-lib.c -- a shared library with a semaphore-guarded USDT probe
 * (bin/libusdtsem.so), and its caller when built with -DMAIN (bin/usdt-lib,
 * RUNPATH $ORIGIN). ld.so maps the library's text before its data, so on a
 * 4.20+ kernel the semaphore's increment waits until the data segment is
 * mapped (delayed_ref_ctr_inc). Built by scripts/record-bpftrace-suite.mjs.
 */
#include <stdio.h>
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

#ifdef MAIN
int lib_work(int n);

int main(void)
{
	int seen = 0;
	for (int i = 0; i < 5; i++) seen += lib_work(i);
	printf("lib guarded=%d\n", seen);
	return 0;
}
#else
__extension__ unsigned short lib_work_semaphore __attribute__((unused)) __attribute__((section(".probes")));

int lib_work(int n)
{
	if (__builtin_expect(lib_work_semaphore, 0)) {
		STAP_PROBE2(lib, work, n, lib_work_semaphore);
		return 1;
	}
	return 0;
}
#endif
