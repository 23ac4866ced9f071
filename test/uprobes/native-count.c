/*
 * native-count: how many times the host CPU executes given instructions of a
 * program: the differential test's reference, independent of the emulator.
 *
 *   native-count BINARY ADDR... [-- ARGS...]
 *
 * ADDRs are hexadecimal virtual addresses (a static, non-PIE binary: the
 * link-time address is the run-time one). The program runs with an empty
 * environment, argv[0] = BINARY, stdin, stdout and stderr on /dev/null.
 * Output: one line "ADDR COUNT" per ADDR in argument order, then
 * "status N" (the exit status, or 128 + the signal that killed it), then
 * "method hw-breakpoints RUNS" or "method single-step".
 *
 * The counts come from the kernel's perf events: an instruction breakpoint
 * (perf_event_open, PERF_TYPE_BREAKPOINT, HW_BREAKPOINT_X) in counting mode
 * counts each execution in the kernel's #DB handler without stopping the
 * program. The CPU has 4 debug address registers, so the program runs once
 * per group of (at most) 4 addresses; it must behave the same every run.
 *
 * Where perf has no breakpoints (no debug registers, perf_event_paranoid, a
 * seccomp filter), or gives ones that never fire (some hypervisors accept the
 * event but do not pass the debug registers through: the self-test below
 * counts a known function in a forked child first), the program is single-stepped under ptrace instead (about
 * 100 times slower): every stop is the instruction at rip about to execute,
 * except a signal-delivery stop, which is handed back with the next step and
 * not counted (a faulting instruction did not complete; after the handler it
 * runs, and is counted, again).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

struct site {
  uint64_t addr;
  uint64_t count;
  int order;
};

static int by_addr(const void *a, const void *b) {
  uint64_t x = ((const struct site *)a)->addr, y = ((const struct site *)b)->addr;
  return x < y ? -1 : x > y;
}

static int by_order(const void *a, const void *b) {
  return ((const struct site *)a)->order - ((const struct site *)b)->order;
}

static void die(const char *what) {
  perror(what);
  exit(2);
}

/* The tracee: stdio on /dev/null, an empty environment; waits for a byte on `go` (if >= 0), then execs. */
static void child(int go, int traceme, char **targv) {
  char *envp[] = {NULL};
  int null = open("/dev/null", O_RDWR);
  if (null < 0) _exit(126);
  dup2(null, 0);
  dup2(null, 1);
  dup2(null, 2);
  if (go >= 0) {
    char c;
    if (read(go, &c, 1) != 1) _exit(126);
  }
  if (traceme && ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0) _exit(126);
  execve(targv[0], targv, envp);
  _exit(127);
}

static int exit_code(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* An instruction breakpoint counting executions of `addr` by `pid` in user mode, enabled at its execve or at once. */
static int breakpoint(pid_t pid, uint64_t addr, int on_exec) {
  struct perf_event_attr at;
  memset(&at, 0, sizeof at);
  at.type = PERF_TYPE_BREAKPOINT;
  at.size = sizeof at;
  at.bp_type = HW_BREAKPOINT_X;
  at.bp_addr = addr;
  at.bp_len = sizeof(long);
  at.disabled = on_exec;
  at.enable_on_exec = on_exec;
  at.exclude_kernel = 1;
  at.exclude_hv = 1;
  return (int)syscall(SYS_perf_event_open, &at, pid, -1, -1, 0);
}

/* A function the self-test's child calls SELF_TEST_CALLS times. */
#define SELF_TEST_CALLS 5
__attribute__((noinline)) static int self_test_target(int x) {
  __asm__ volatile("");
  return x + 1;
}

/* Whether an instruction breakpoint on another process counts its executions (not only opens). */
static int breakpoints_count(void) {
  int go[2];
  if (pipe(go) != 0) die("pipe");
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    char c;
    close(go[1]);
    if (read(go[0], &c, 1) != 1) _exit(126);
    volatile int sum = 0;
    for (int i = 0; i < SELF_TEST_CALLS; i++) sum += self_test_target(i);
    _exit(0);
  }
  close(go[0]);
  int fd = breakpoint(pid, (uint64_t)(uintptr_t)self_test_target, 0);
  if (fd >= 0 && write(go[1], "x", 1) != 1) die("write");
  close(go[1]);
  if (fd < 0) kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  if (fd < 0) return 0;
  uint64_t v = 0;
  if (read(fd, &v, sizeof v) != (ssize_t)sizeof v) v = 0;
  close(fd);
  return v == SELF_TEST_CALLS;
}

/*
 * Count sites[from..] with as many breakpoints as perf gives one process (the
 * debug registers): one run per group. Returns the number of runs, 0 when perf
 * gives none, -1 when two runs ended differently.
 */
static int count_hw(struct site *sites, int nsites, char **targv, int *status) {
  int runs = 0, first_status = -1;
  for (int from = 0; from < nsites;) {
    int go[2];
    if (pipe(go) != 0) die("pipe");
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
      close(go[1]);
      child(go[0], 0, targv);
    }
    close(go[0]);
    int fds[8], n = 0;
    while (n < 8 && from + n < nsites) {
      int fd = breakpoint(pid, sites[from + n].addr, 1);
      if (fd < 0) break; /* ENOSPC past the last free debug register */
      fds[n++] = fd;
    }
    if (n == 0) { /* none at all: no hardware breakpoints here */
      kill(pid, SIGKILL);
      waitpid(pid, NULL, 0);
      close(go[1]);
      return 0;
    }
    if (write(go[1], "x", 1) != 1) die("write");
    close(go[1]);
    int st;
    if (waitpid(pid, &st, 0) < 0) die("waitpid");
    for (int i = 0; i < n; i++) {
      uint64_t v;
      if (read(fds[i], &v, sizeof v) != (ssize_t)sizeof v) die("read perf counter");
      sites[from + i].count = v;
      close(fds[i]);
    }
    if (first_status < 0) first_status = exit_code(st);
    else if (exit_code(st) != first_status) return -1;
    from += n;
    runs++;
  }
  *status = first_status;
  return runs;
}

static void count_step(struct site *sites, int nsites, char **targv, int *status) {
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) child(-1, 1, targv);
  int st, first = 1;
  for (;;) {
    if (waitpid(pid, &st, 0) < 0) die("waitpid");
    if (WIFEXITED(st) || WIFSIGNALED(st)) break;
    if (!WIFSTOPPED(st)) continue;
    int stopsig = WSTOPSIG(st), sig = 0;
    if (first) {
      first = 0; /* the stop after execve: rip is the entry point, about to run */
    } else if (stopsig != SIGTRAP) {
      sig = stopsig; /* a signal for the tracee: deliver it with the next step, count nothing */
    } else {
      /* a step ends with TRAP_TRACE (TRAP_BRKPT after a syscall); int3 or kill() is the tracee's own SIGTRAP */
      siginfo_t si;
      if (ptrace(PTRACE_GETSIGINFO, pid, NULL, &si) != 0) die("PTRACE_GETSIGINFO");
      if (si.si_code != TRAP_TRACE && si.si_code != TRAP_BRKPT) sig = SIGTRAP;
    }
    if (sig == 0) {
      errno = 0;
      long rip = ptrace(PTRACE_PEEKUSER, pid, (void *)offsetof(struct user, regs.rip), NULL);
      if (errno) die("PTRACE_PEEKUSER");
      struct site key = {.addr = (uint64_t)rip};
      struct site *s = bsearch(&key, sites, (size_t)nsites, sizeof *sites, by_addr);
      if (s) s->count++;
    }
    if (ptrace(PTRACE_SINGLESTEP, pid, NULL, (void *)(intptr_t)sig) != 0) die("PTRACE_SINGLESTEP");
  }
  *status = exit_code(st);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: native-count BINARY ADDR... [-- ARGS...]\n");
    return 2;
  }
  int nsites = 0, dashdash = argc;
  for (int i = 2; i < argc; i++)
    if (strcmp(argv[i], "--") == 0) {
      dashdash = i;
      break;
    }
  struct site *sites = calloc((size_t)argc, sizeof *sites);
  char **targv = calloc((size_t)argc + 1, sizeof *targv);
  if (!sites || !targv) die("calloc");
  for (int i = 2; i < dashdash; i++) {
    char *end;
    sites[nsites].addr = strtoull(argv[i], &end, 16);
    if (*end || end == argv[i]) {
      fprintf(stderr, "native-count: not a hexadecimal address: %s\n", argv[i]);
      return 2;
    }
    sites[nsites].order = nsites;
    nsites++;
  }
  /* the tracee's argv: BINARY, then what follows "--" */
  int targc = 0;
  targv[targc++] = argv[1];
  for (int i = dashdash + 1; i < argc; i++) targv[targc++] = argv[i];

  int status = 0;
  int runs = breakpoints_count() ? count_hw(sites, nsites, targv, &status) : 0;
  if (runs < 0) {
    fprintf(stderr, "native-count: %s ended differently from one run to the next\n", argv[1]);
    return 2;
  }
  if (runs == 0) {
    for (int i = 0; i < nsites; i++) sites[i].count = 0;
    qsort(sites, (size_t)nsites, sizeof *sites, by_addr);
    count_step(sites, nsites, targv, &status);
    qsort(sites, (size_t)nsites, sizeof *sites, by_order);
  }
  for (int i = 0; i < nsites; i++) printf("%llx %llu\n", (unsigned long long)sites[i].addr, (unsigned long long)sites[i].count);
  printf("status %d\n", status);
  if (runs > 0) printf("method hw-breakpoints %d\n", runs);
  else printf("method single-step\n");
  return 0;
}
