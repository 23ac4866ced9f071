/*
 * usdt-sem.c -- usdt.c's semaphore-guarded probe, in a unit of its own: with
 * _SDT_HAS_SEMAPHORES every probe of a unit names a semaphore.
 *
 * app_guarded_semaphore is the 2-byte counter in .probes that a tracer (or,
 * from Linux 4.20, the kernel through ref_ctr_offset) raises while the probe
 * is attached; the probe site is skipped while it is 0. guarded() returns 1
 * when the guard was open, so the program's own output shows it.
 */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

__extension__ unsigned short app_guarded_semaphore __attribute__((unused)) __attribute__((section(".probes")));

int guarded(int i)
{
	if (__builtin_expect(app_guarded_semaphore, 0)) {
		STAP_PROBE2(app, guarded, i, app_guarded_semaphore);
		return 1;
	}
	return 0;
}
