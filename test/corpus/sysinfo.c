/* System information calls a program makes without thinking of them:
   sched_getcpu (getcpu, as glibc has no rseq area here), sysinfo, times,
   sysconf. Only what holds on every machine is printed. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <unistd.h>

int main(void) {
  struct sysinfo si;
  struct tms t;
  int r = sysinfo(&si);
  clock_t c = times(&t);
  printf("cpu_ok=%d sysinfo=%d unit=%u procs_ok=%d times_ok=%d nprocs_ok=%d pagesize=%ld\n", sched_getcpu() >= 0, r, si.mem_unit,
         si.procs >= 1, c != (clock_t)-1, sysconf(_SC_NPROCESSORS_ONLN) >= 1, sysconf(_SC_PAGESIZE));
  return 0;
}
