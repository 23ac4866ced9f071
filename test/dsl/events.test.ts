// Event probes (dsl/probe-events.ts): interval and profile timers on the
// virtual clock, syscalls:sys_enter_* / sys_exit_* tracepoints with `args`.
// What is asserted is what our model makes deterministic: fire counts against
// the run's virtual time, the instants at which timers fire, the context each
// probe sees, the syscalls a program makes (against the program's own calls),
// and located errors. The outputs that compare with live bpftrace 0.17 are in
// the runtime suite (test/dsl/runtime/cases/tracepoint-*.txt).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileProgram, listEventProbes } from "../../dsl/index.js";
import { runSpec, type ProbeRun } from "../../lab/probe-run.js";
import { buildC, buildWith, requireMusl } from "../helpers.js";
import { FakeTarget, firstDiagnostic, readExample } from "./helpers.js";

const SPIN = `
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
__attribute__((noinline)) long spin(long n) { long s = 0; for (long i = 0; i < n; i++) s += i ^ (s >> 3); return s; }
__attribute__((noinline)) long outer(long n) { return spin(n); }
int main(int argc, char **argv) {
  long s = outer(argc > 1 ? 1000 : 200000);
  if (argc > 2) { struct timespec ts = { argv[2][0] == 'l' ? 2000 : 0, 10000000 }; nanosleep(&ts, 0); }
  int fd = openat(AT_FDCWD, "/nonexistent", O_RDONLY);
  write(1, "hi\\n", 3);
  write(2, "err\\n", 4);
  printf("%ld %d\\n", s & 1, fd);
  return 0;
}
`;

function spinBinary(): string {
  requireMusl();
  return buildC(SPIN, ["-O0", "-fno-omit-frame-pointer"], "events-spin");
}

async function run(program: string, args: string[] = [], programName?: string): Promise<ProbeRun> {
  return runSpec({ binary: spinBinary(), program, args, programName });
}

/** The value of a scalar map `@name: N` in the exit-time maps. */
function scalar(r: ProbeRun, name: string): number {
  const m = new RegExp(`^${name}: (-?\\d+)$`, "m").exec(r.maps);
  assert.ok(m, `${name} in ${r.maps}`);
  return Number(m[1]);
}


describe("interval probes", () => {
  it("fire once per period of virtual time, at the exact instants, as the tool (pid 999, uprobe-lab)", async () => {
    const r = await run('interval:us:50 { @n = count(); @bad = count(); if (nsecs % 50000 == 0 && pid == 999 && comm == "uprobe-lab") { @ok = count(); } }');
    assert.equal(r.status, 0);
    const n = scalar(r, "@n");
    assert.equal(n, Math.floor(r.virtual_ns / 50_000));
    assert.equal(scalar(r, "@ok"), n);
    assert.ok(n >= 5, `${n} firings in ${r.virtual_ns} ns`);
    // the run's stats list the event probe and its firings (the stderr table, the probe_stats line)
    assert.deepEqual(r.events, [{ probe: "interval:us:50", kind: "interval", hits: n }]);
  });

  it("the units: s, ms, us and hz give the same period", async () => {
    const a = await run("interval:ms:1 { @n = count(); }", ["short", "s"]);
    const b = await run("interval:hz:1000 { @n = count(); }", ["short", "s"]);
    const c = await run("interval:us:1000 { @n = count(); }", ["short", "s"]);
    assert.equal(scalar(a, "@n"), 10); // the 10 ms nanosleep, every CPU idle: the timer still fires
    assert.equal(scalar(b, "@n"), 10);
    assert.equal(scalar(c, "@n"), 10);
  });

  it("fire while every CPU idles, each at its own deadline", async () => {
    const r = await run('interval:ms:2 { printf("%d\\n", nsecs); }', ["short", "s"]);
    assert.equal(r.stdout.split("\n").filter((l) => /^\d+$/.test(l)).join(","), "2000000,4000000,6000000,8000000,10000000");
  });

  it("exit() in an interval stops the traced program", async () => {
    const r = await run("interval:us:20 { exit(); }");
    assert.equal(r.status, 0);
    assert.ok(!r.stdout.includes("hi"), r.stdout);
    assert.ok(r.virtual_ns >= 20_000 && r.virtual_ns < 30_000, `${r.virtual_ns}`);
  });

  it("a guest that sleeps for hours under interval:us:1 stops at the timer limit", async () => {
    const r = await run("interval:us:1 { @n = count(); }", ["short", "long"]);
    assert.equal(r.status, 124);
    assert.match(r.report ?? "", /timer limit of 1000000 interval\/profile firings reached/);
  });
});

describe("profile probes", () => {
  it("sample the running task on its CPU: pid, tid, comm and a symbolized ustack", async () => {
    const r = await run("profile:hz:20000 { @[comm, pid, tid, cpu] = count(); @s[ustack] = count(); @n = count(); }");
    assert.equal(r.status, 0);
    const n = scalar(r, "@n");
    // one task, always on CPU 0: one sample per period of the run
    assert.equal(n, Math.floor(r.virtual_ns / 50_000));
    assert.match(r.maps, new RegExp(`^@\\[events-spin-[0-9a-f]+, 1000, 1000, 0\\]: ${n}$`, "m"));
    assert.match(r.maps, /^\s+spin\+\d+\n\s+outer\+\d+\n\s+main\+\d+\n/m);
  });

  it("are deterministic: two runs give the same samples", async () => {
    const p = "profile:hz:99999 { @[ustack(3)] = count(); }";
    const a = await run(p);
    const b = await run(p);
    assert.equal(a.maps, b.maps);
    assert.ok(a.maps.includes("spin+"), a.maps);
  });
});

const THREADS = `
#include <pthread.h>
#include <stdio.h>
__attribute__((noinline)) long work(long n) { long s = 0; for (long i = 0; i < n; i++) s += i ^ (s >> 3); return s; }
static void *run(void *a) { return (void *)work((long)a); }
int main(void) {
  pthread_t t[3];
  for (long i = 0; i < 3; i++) pthread_create(&t[i], 0, run, (void *)(100000 + 50000 * i));
  long s = work(120000);
  for (int i = 0; i < 3; i++) { void *r; pthread_join(t[i], &r); s += (long)r; }
  printf("%ld\\n", s & 0xff);
  return 0;
}
`;

describe("timers and the schedule", () => {
  it("an interval or profile probe changes neither the instructions run nor the interleaving of threads", async () => {
    requireMusl();
    const binary = buildC(THREADS, ["-O0", "-fno-omit-frame-pointer", "-pthread"], "events-threads");
    const base = await runSpec({ binary, program: "BEGIN { }" });
    const timed = await runSpec({ binary, program: "interval:us:7 { @i = count(); } profile:hz:33333 { @[tid, cpu] = count(); }" });
    assert.equal(timed.status, 0);
    assert.equal(timed.stdout, base.stdout);
    assert.equal(timed.instructions, base.instructions);
    assert.equal(timed.virtual_ns, base.virtual_ns);
    // four threads on four virtual CPUs: each is sampled, on the CPU it ran on
    const sampled = new Set([...timed.maps.matchAll(/^@\[(\d+), \d\]: \d+$/gm)].map((m) => m[1]));
    assert.ok(sampled.size >= 4, timed.maps);
  });
});

describe("tracepoint:syscalls probes", () => {
  it("sys_enter_write gives the fd and count the program passed; sys_exit_write the return value", async () => {
    const r = await run("tracepoint:syscalls:sys_enter_write { @w[args->fd, args->count] = count(); } t:syscalls:sys_exit_write { @ret = sum(args->ret); }");
    assert.equal(r.status, 0);
    assert.match(r.maps, /^@w\[1, 3\]: 1$/m);
    assert.match(r.maps, /^@w\[2, 4\]: 1$/m);
    assert.equal(scalar(r, "@ret"), 3 + 4);
  });

  it("sys_enter_openat: str(args->filename), dfd as a raw s64; sys_exit_openat: -ENOENT", async () => {
    const r = await run('tracepoint:syscalls:sys_enter_openat { printf("%s %ld %d %d\\n", str(args->filename), args->dfd, args->flags, args->__syscall_nr); } tracepoint:syscalls:sys_exit_openat { printf("ret %d\\n", args->ret); }');
    // musl's openat adds O_LARGEFILE (0x8000)
    assert.match(r.stdout, /^\/nonexistent -100 32768 257\nret -2\n/m);
  });

  it("wildcards: one probe per tracepoint, named as bpftrace names it (a syscount)", async () => {
    const r = await run("tracepoint:syscalls:sys_enter_* { @[probe] = count(); }");
    assert.match(r.maps, /^@\[tracepoint:syscalls:sys_enter_write\]: 2$/m);
    assert.match(r.maps, /^@\[tracepoint:syscalls:sys_enter_writev\]: 1$/m); // musl's printf
    assert.match(r.maps, /^@\[tracepoint:syscalls:sys_enter_openat\]: 1$/m);
    assert.match(r.maps, /^@\[tracepoint:syscalls:sys_enter_exit_group\]: 1$/m);
    // a syscall we do not implement still enters (and exits with -ENOSYS): none here
    assert.doesNotMatch(r.maps, /sys_enter_execve/);
  });

  it("the context is the calling task: pid, comm, and its user stack at the syscall", async () => {
    const r = await run("tracepoint:syscalls:sys_enter_openat { @[pid, tid, ustack(2)] = count(); }");
    // the syscall wrapper in musl has no frame pointer: the walk from rbp skips main, as the kernel's does
    assert.match(r.maps, /^@\[1000, 1000, \n\s+\w+\+\d+\n\s+\w+\+\d+\n\]: 1$/m);
  });
});

describe("event probes: errors", () => {
  const table: Array<[string, string, RegExp]> = [
    ["interval:mss:1 { }", "mss", /unknown interval unit 'mss' \(did you mean 'ms'\?\)/],
    ["interval:sec:1 { }", "sec", /unknown interval unit 'sec' \(units: s, ms, us, hz\)/],
    ["interval:ms:0 { }", "0", /interval count must be a positive integer, got 0/],
    ["profile:hz:0 { }", "0", /profile count must be a positive integer, got 0/],
    ["profile:hx:99 { }", "hx", /unknown profile unit 'hx' \(did you mean 'hz'\?\)/],
    ["interval:s { }", "s", /malformed interval probe 'interval:s'/],
    ["profile:hz:2000000 { }", "2000000", /the shortest the virtual clock fires is 1 us/],
    ["tracepoint:syscalls:sys_enter_opnat { }", "sys_enter_opnat", /unknown tracepoint 'syscalls:sys_enter_opnat' \(did you mean 'sys_enter_openat'/],
    ["tracepoint:sched:sched_switch { }", "sched", /unknown tracepoint category 'sched'.*only syscalls/],
    ["tracepoint:syscalls:sys_enter_nothing* { }", "sys_enter_nothing*", /no tracepoint matches/],
    ["tracepoint:syscalls:sys_enter_openat { @ = args->filenam; }", "filenam", /has no field 'filenam' \(did you mean 'filename'\?\); its fields: __syscall_nr, dfd, filename, flags, mode/],
    ["tracepoint:syscalls:sys_exit_* { @ = args->ret; } tracepoint:syscalls:sys_enter_read* { @ = args->fd; }", "fd", /has no field 'fd'/],
    ["probe test { @ = args->x; }", "args", /args: this probe has no args: test has no DWARF parameters \(build \/work\/t with -g for args\)/],
    ["interval:s:1 { @ = args->x; }", "args", /args: this probe has no args/],
    ["interval:s:1 { @ = arg0; }", "arg0", /arg0 is not available in an interval probe/],
    ["interval:s:1 { @[ustack] = count(); }", "ustack", /ustack is not available in an interval probe/],
    ["profile:hz:99 { @ = retval; }", "retval", /retval is not available in a profile probe/],
    ["kprobe:vfs_read { }", "kprobe:", /kprobe probes are not modelled here/],
  ];
  for (const [src, at, msg] of table) {
    it(src, () => {
      const e = firstDiagnostic(src);
      assert.match(e.message, msg);
      assert.equal(e.text, at);
    });
  }
});

describe("event probe spellings", () => {
  it("i:, p:, t: start an item; after a comma only the full names do (`t:4` there is a target in a file t)", () => {
    const p = compileProgram("probe test, t:test { @n = count(); } t:syscalls:sys_enter_read, tracepoint:syscalls:sys_exit_read { @r = count(); } i:ms:1 { } p:hz:99 { }", "x", new FakeTarget());
    assert.deepEqual(p.probes.map((x) => x.target.name), ["probe test", "probe t:test"]);
    assert.deepEqual(p.events.map((e) => e.event.name), ["tracepoint:syscalls:sys_enter_read", "tracepoint:syscalls:sys_exit_read", "interval:ms:1", "profile:hz:99"]);
  });
});

describe("-l for tracepoints", () => {
  it("lists the recorded tracepoints, sorted, with their fields for -lv", () => {
    assert.deepEqual(listEventProbes("tracepoint:syscalls:sys_exit_open*", false), [
      "tracepoint:syscalls:sys_exit_open",
      "tracepoint:syscalls:sys_exit_open_by_handle_at",
      "tracepoint:syscalls:sys_exit_open_tree",
      "tracepoint:syscalls:sys_exit_open_tree_attr",
      "tracepoint:syscalls:sys_exit_openat",
      "tracepoint:syscalls:sys_exit_openat2",
    ]);
    assert.deepEqual(listEventProbes("t:syscalls:sys_enter_openat", true), [
      "tracepoint:syscalls:sys_enter_openat",
      "    int __syscall_nr",
      "    int dfd",
      "    const char * filename",
      "    int flags",
      "    umode_t mode",
    ]);
    assert.equal(listEventProbes("tracepoint:syscalls:*", false)!.length, 720);
    assert.equal(listEventProbes("uprobe:./t:*", false), undefined);
  });
});

describe("dsl/examples with event probes", () => {
  it("syscount.bt counts the program's syscalls by tracepoint", async () => {
    const r = await run(readExample("syscount.bt"), [], "syscount.bt");
    assert.match(r.maps, /^@\[tracepoint:syscalls:sys_enter_write\]: 2$/m);
    assert.match(r.maps, /^@\[tracepoint:syscalls:sys_enter_openat\]: 1$/m);
  });

  it("opensnoop.bt prints the failed openat with its errno", async () => {
    const r = await run(readExample("opensnoop.bt"), [], "opensnoop.bt");
    assert.match(r.stdout, /^PID {4}COMM {15}FD ERR PATH\n1000 {3}events-spin-\w+ +-1 {3}2 \/nonexistent\n/);
  });

  it("profile.bt samples spin() under outer() under main()", async () => {
    const r = await run(readExample("profile.bt"), [], "profile.bt");
    assert.match(r.maps, /^\s+spin\+\d+\n\s+outer\+\d+\n\s+main\+\d+\n/m);
  });

  it("syscall-rate.bt prints once per virtual millisecond, through a 10 ms sleep", async () => {
    const r = await run(readExample("syscall-rate.bt"), ["short", "s"], "syscall-rate.bt");
    assert.equal(r.stdout.split("\n").filter((l) => l.startsWith("@n: ")).length, 10);
  });
});

const DWARF = `
#include <stdio.h>
#include <stddef.h>
struct pt { int x, y; };
__attribute__((noinline)) long f(int a, unsigned char b, const char *s, long c, struct pt *p, size_t n) { return a + b + c + p->x + (long)n + s[0]; }
int main(void) { struct pt p = {3, 4}; long t = 0; for (int i = 0; i < 3; i++) t += f(-5 - i, 200, "hey", 1L << 40, &p, 7); printf("%ld\\n", t); return 0; }
`;

describe("args in uprobes, from DWARF (-g)", () => {
  it("args->NAME / args.NAME read each parameter from its register, typed by its DWARF type", async () => {
    const binary = buildWith("gcc", DWARF, ["-g", "-O0"], "events-dwarf");
    const r = await runSpec({ binary, program: `uprobe:${binary}:f { printf("%d %d %s %ld %d %d\\n", args->a, args.b, str(args->s), args->c, args->n, *(int32 *)args->p); }`, args: [] });
    assert.equal(r.status, 0, r.report);
    assert.ok(r.stdout.startsWith("-5 200 hey 1099511627776 7 3\n-6 200 hey 1099511627776 7 3\n-7 200 hey 1099511627776 7 3\n"), r.stdout);
  });

  it("located errors: a name that is no parameter, a uretprobe, a binary without -g", async () => {
    const withG = buildWith("gcc", DWARF, ["-g", "-O0"], "events-dwarf");
    const without = buildWith("gcc", DWARF, ["-O0"], "events-nodwarf");
    const err = async (binary: string, program: string): Promise<string> => {
      try {
        await runSpec({ binary, program });
      } catch (e) {
        return (e as Error).message;
      }
      return assert.fail(`expected an error for ${program}`);
    };
    assert.match(await err(withG, `uprobe:${withG}:f { @ = args.x; }`), /has no argument 'x'.*its arguments in registers: a, b, s, c, p, n/);
    assert.match(await err(withG, `uretprobe:${withG}:f { @ = args.a; }`), /a uretprobe has none/);
    assert.match(await err(without, `uprobe:${without}:f { @ = args.a; }`), /f has no DWARF parameters \(build .* with -g for args\)/);
  });
});
