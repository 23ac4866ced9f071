// Issue 15, the memory manager as Linux has it, each compared with a native
// run of the same static binary:
// - a file mapping that reaches past EOF: the page holding EOF maps
//   (zero-filled past it); a page wholly past EOF is SIGBUS with BUS_ADRERR
//   for a user access (filemap_fault's VM_FAULT_SIGBUS) and EFAULT for the
//   kernel's own; a forbidden access is still SIGSEGV (access_error first);
// - MAP_GROWSDOWN: an anonymous private mapping grows on a fault just below
//   it (expand_downwards), up to RLIMIT_STACK in all, never into the
//   stack_guard_gap above an accessible mapping below it; a file or shared
//   MAP_GROWSDOWN mapping is EINVAL.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { buildC, requireMusl, runEmulated, runNative } from "../helpers.js";

const PROGRAM = String.raw`
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
static sigjmp_buf jb;
static char *base;
static void on_fault(int s, siginfo_t *si, void *uc) {
  printf("  %s code %d at %+ld\n", s == SIGBUS ? "SIGBUS" : "SIGSEGV", si->si_code, (long)((char *)si->si_addr - base));
  siglongjmp(jb, 1);
}
static void touch(const char *what, char *p, int write) {
  printf("%s:\n", what);
  if (sigsetjmp(jb, 1) == 0) {
    if (write) *(volatile char *)p = 1;
    else (void)*(volatile char *)p;
    printf("  ok\n");
  }
}
static char *at(unsigned long a, size_t len, int prot, int flags) {
  char *p = mmap((void *)a, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | flags, -1, 0);
  if (p == MAP_FAILED) printf("mmap at %#lx: %s\n", a, strerror(errno));
  return p;
}
static void past_eof(const char *file) {
  int fd = open(file, O_RDONLY); /* 5000 bytes: EOF is in the second page */
  char *p = base = mmap(0, 4 * 4096, PROT_READ, MAP_PRIVATE, fd, 0);
  touch("read the first page", p + 100, 0);
  touch("read the page holding EOF, past EOF", p + 4096 + 1000, 0);
  printf("  reads %d\n", p[4096 + 1000]);
  touch("read a page past EOF", p + 2 * 4096, 0);
  touch("read the last page, past EOF", p + 3 * 4096 + 17, 0);
  touch("write a read-only page past EOF", p + 2 * 4096, 1);
  long n = write(1, p + 2 * 4096, 1);
  printf("write(2) from a page past EOF: %ld %s\n", n, n < 0 ? strerror(errno) : "");
  char *q = base = mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  touch("write the page holding EOF", q + 4096 + 2000, 1);
  touch("write a page past EOF", q + 2 * 4096 + 8, 1);
  n = read(fd, q + 2 * 4096, 10);
  printf("read(2) into a page past EOF: %ld %s\n", n, n < 0 ? strerror(errno) : "");
  char *r = base = mmap(0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 8192);
  touch("read a mapping at an offset past EOF", r, 0);
  printf("call into it:\n");
  if (sigsetjmp(jb, 1) == 0) ((void (*)(void))r)();
  printf("MAP_GROWSDOWN of a file: %s\n", mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_GROWSDOWN, fd, 0) == MAP_FAILED ? strerror(errno) : "ok");
  printf("MAP_GROWSDOWN, shared anonymous: %s\n",
         mmap(0, 4096, PROT_READ, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0) == MAP_FAILED ? strerror(errno) : "ok");
}
static void grows_down(void) {
  char *g = base = at(0x200000000, 4096, PROT_READ | PROT_WRITE, MAP_GROWSDOWN);
  touch("growsdown: the mapping", g, 1);
  touch("growsdown: a page below", g - 4096, 1);
  touch("growsdown: 1 MiB below", g - (1 << 20), 1);
  printf("  mprotect of the grown part: %d\n", mprotect(g - (1 << 20), 4096, PROT_READ | PROT_WRITE));
  touch("growsdown: 9 MiB below, past RLIMIT_STACK", g - (9 << 20), 1);
  /* an accessible mapping 1.5 MiB below: the 1 MiB guard gap stops growth 0.5 MiB down */
  char *h = base = at(0x300000000, 4096, PROT_READ | PROT_WRITE, MAP_GROWSDOWN);
  at(0x300000000 - 0x180000, 4096, PROT_READ, 0);
  touch("gap: down to the gap", h - 0x7f000, 1);
  touch("gap: into the gap", h - 0x80000, 1);
  /* a PROT_NONE mapping below has no gap */
  char *k = base = at(0x400000000, 4096, PROT_READ | PROT_WRITE, MAP_GROWSDOWN);
  at(0x400000000 - 0x4000, 4096, PROT_NONE, 0);
  touch("PROT_NONE below: grows up to it", k - 0x3000, 1);
  /* a smaller RLIMIT_STACK bounds later growth (the size counts the whole mapping) */
  struct rlimit rl = { 256 << 10, RLIM_INFINITY };
  setrlimit(RLIMIT_STACK, &rl);
  char *m = base = at(0x500000000, 2 * 4096, PROT_READ | PROT_WRITE, MAP_GROWSDOWN);
  touch("rlimit 256K: 240K below", m - (240 << 10), 1);
  touch("rlimit 256K: 256K below", m - (256 << 10), 1);
}
int main(int argc, char **argv) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGBUS, &sa, 0);
  sigaction(SIGSEGV, &sa, 0);
  setvbuf(stdout, 0, _IONBF, 0);
  past_eof(argv[1]);
  grows_down();
  /* with no handler, a page past EOF kills: status 135 */
  signal(SIGBUS, SIG_DFL);
  int fd = open(argv[1], O_RDONLY);
  char *p = mmap(0, 3 * 4096, PROT_READ, MAP_PRIVATE, fd, 0);
  return p[2 * 4096];
}
`;

describe("the memory manager faults as Linux", () => {
  test("a file mapped past EOF: SIGBUS (BUS_ADRERR) on pages wholly past it; MAP_GROWSDOWN grows with the guard gap and RLIMIT_STACK", () => {
    requireMusl();
    const bin = buildC(PROGRAM, ["-O1"], "mm-faults");
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "uprobe-lab-mm-")), "data");
    const bytes = new Uint8Array(5000).fill(0x41);
    fs.writeFileSync(file, bytes);
    const n = runNative(bin, [file]);
    const e = runEmulated(bin, [file], "", {}, { files: new Map([[file, bytes]]) });
    assert.equal(e.stdout, n.stdout);
    assert.equal(e.status, n.status, e.machine.result().report);
    assert.equal(n.status, 135, "killed by SIGBUS");
    // what the comparison covers, so a change on either side cannot make it vacuous
    assert.match(n.stdout, /read a page past EOF:\n {2}SIGBUS code 2 at \+8192\n/);
    assert.match(n.stdout, /write a read-only page past EOF:\n {2}SIGSEGV code 2/);
    assert.match(n.stdout, /growsdown: 1 MiB below:\n {2}ok\n/);
    assert.match(n.stdout, /gap: into the gap:\n {2}SIGSEGV code 1/);
    assert.match(n.stdout, /MAP_GROWSDOWN of a file: Invalid argument/);
    assert.match(e.machine.result().report ?? "", /killed by SIGBUS \(BUS_ADRERR, address 0x[0-9a-f]+\)/);
  });
});
