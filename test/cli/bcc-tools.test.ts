// bcc's tools as commands (funclatency, funccount, stackcount, trace): bcc's
// flags and output formats, on test/cli/bcc-tools.c. The program prints how
// often it called each function; the native run's line is the reference the
// tools' counts must equal.

import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { buildWith, runCli, runNative } from "../helpers.js";

const SRC = path.join(PROJECT_ROOT, "test/cli/bcc-tools.c");
const bin = buildWith("gcc", SRC, ["-O0", "-fno-omit-frame-pointer"], "bcc-tools");
/** The native run (3 rounds): its own call counts. */
const native = runNative(bin, []).stdout;
const calls = (name: string): number => Number(new RegExp(`\\b${name}=(\\d+)`).exec(native)![1]);

/** bcc's funclatency sections: function -> count of its histogram rows. */
function sections(out: string): Record<string, number> {
  const res: Record<string, number> = {};
  for (const part of out.split("\nFunction = ").slice(1)) {
    const name = part.slice(0, part.indexOf(" ["));
    const rows = [...part.matchAll(/^ +\d+ -> \d+ +: (\d+) +\|/gm)].reduce((n, m) => n + Number(m[1]), 0);
    res[name] = (res[name] ?? 0) + rows;
  }
  return res;
}

/** funccount's FUNC/COUNT rows of one report. */
function countRows(report: string): Record<string, number> {
  return Object.fromEntries([...report.matchAll(/^(\S+) +(\d+)$/gm)].map((m) => [m[1]!, Number(m[2])]));
}

describe("funclatency, bcc's flags", () => {
  test("a wildcard: one section per function and process, bcc's header; with -l 2 the nested calls count too, and counts equal the real calls", () => {
    const r = runCli(["funclatency", "-l", "2", `${bin}:work*`]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Tracing 2 functions for ".*:work\*"\.\.\. Hit Ctrl-C to end\.\n/);
    assert.match(r.stdout, /\nFunction = work_a \[1000\]\n {5}nsecs {15}: count {5}distribution\n/);
    assert.deepEqual(sections(r.stdout), { work_a: calls("work_a"), work_b: calls("work_b") });
    assert.match(r.stdout, new RegExp(`\\navg = \\d+ nsecs, total: \\d+ nsecs, count: ${calls("work_a") + calls("work_b")}\\n\\nDetaching\\.\\.\\.\\n$`));
  });
  test("without -l, bcc's per-thread start: an outer call's start is overwritten by the nested one, its return is missed", () => {
    const r = runCli(["funclatency", "-F", `${bin}:work*`]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(sections(r.stdout), { work_a: calls("work_a") });
  });
  test("-i 1 -T: a report per virtual second, stamped, histograms cleared, avg cumulative (as bcc's avg array)", () => {
    const r = runCli(["funclatency", "-l2", "-Ti", "1", `${bin}:work*`]);
    assert.equal(r.status, 0, r.stderr);
    const reports = r.stdout.split(/\n\n(?=\d\d:\d\d:\d\d\n)/).slice(1);
    assert.deepEqual(reports.map((x) => x.slice(0, 8)), ["00:00:01", "00:00:02", "00:00:03", "00:00:03"]);
    assert.deepEqual(reports.slice(0, 3).map(sections), [1, 2, 3].map((k) => ({ work_a: 5 * k, work_b: 5 * k })), "round r calls work_b 5(r+1) times, then sleeps a second");
    assert.deepEqual(sections(reports[3]!), {}, "nothing after the last sleep");
    assert.deepEqual(reports.map((x) => Number(/count: (\d+)/.exec(x)![1])), [10, 30, 60, 60]);
    assert.equal(reports.filter((x) => x.includes("Detaching...")).length, 1);
    assert.ok(reports[3]!.endsWith("Detaching...\n"));
  });
  test("-d 2: one report at two virtual seconds, then the run stops (status 0)", () => {
    const r = runCli(["funclatency", "-l", "2", "-d", "2", "-m", `${bin}:work_*`]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(sections(r.stdout), { work_a: 15, work_b: 15 });
    assert.match(r.stdout, /msecs/);
    assert.doesNotMatch(r.stdout, /t=/, "the program was stopped before it printed");
  });
  test("-r: a regular expression matched from the start of the symbol name", () => {
    const r = runCli(["funclatency", "-r", `${bin}:(fib|work_a)$`]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Tracing 2 functions for/);
    assert.deepEqual(Object.keys(sections(r.stdout)).sort(), ["fib", "work_a"]);
  });
  test("-v prints the DSL program first; --json has no text rows", () => {
    const v = runCli(["funclatency", "-v", `${bin}:fib`]);
    assert.match(v.stdout, /^config = \{ print_maps_on_exit = false \}\n[^]*\nprobe fib < self\.start = nsecs; self\.fn = func >\n[^]*\nTracing 1 functions/);
    const j = runCli(["funclatency", "--json", `${bin}:fib`]);
    assert.equal(j.status, 0, j.stderr);
    const lines = j.stdout.trimEnd().split("\n").filter((l) => !l.startsWith("t="));
    for (const l of lines) assert.doesNotThrow(() => JSON.parse(l), l);
    const hist = lines.map((l) => JSON.parse(l) as { type: string; data: { section?: string; buckets?: { count: number }[] } }).find((x) => x.type === "log2_hist")!;
    assert.equal(hist.data.section, "Function = fib [1000]");
    assert.ok(hist.data.buckets!.reduce((n, b) => n + b.count, 0) > 0);
  });
  test("errors: one line each", () => {
    const cases: [string[], RegExp][] = [
      [["funclatency", `${bin}:wark*`], /^uprobe-lab: funclatency: 0 functions matched by ".*:wark\*" \(did you mean 'work_a'/],
      [["funclatency", `${bin}:fob`], /did you mean 'fib'/],
      [["funclatency", "-p", "1", `${bin}:fib`], /-p PID is not modelled here: the emulator traces only the process it starts/],
      [["funclatency", "-x", `${bin}:fib`], /^uprobe-lab: unknown option -x \(try --help\)$/m],
      [["funclatency", "-u", "-m", `${bin}:fib`], /-u and -m exclude each other/],
      [["funclatency", "-i", "0", `${bin}:fib`], /-i 0: give a whole number of seconds/],
      [["funclatency", "-l", "x", `${bin}:fib`], /-l x: give the nesting level/],
      [["funclatency", "-r", `${bin}:(`], /is not a regular expression/],
      [["funccount", "c:malloc"], /no program 'c': for a library's function, name the program that loads it after --/],
    ];
    for (const [argv, re] of cases) {
      const r = runCli(argv);
      assert.equal(r.status, 2, argv.join(" "));
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    }
  });
});

describe("funccount and stackcount, bcc's flags", () => {
  test("funccount -Ti 1: a FUNC/COUNT table per virtual second, cleared; the totals equal the real calls", () => {
    const r = runCli(["funccount", "-Ti", "1", `${bin}:*`]);
    assert.equal(r.status, 0, r.stderr);
    const reports = r.stdout.split(/\n\n(?=\d\d:\d\d:\d\d\n)/).slice(1);
    assert.equal(reports.length, 4);
    for (const rep of reports) assert.match(rep, /^\d\d:\d\d:\d\d\nFUNC {36}COUNT\n/);
    const total = (f: string): number => reports.reduce((n, rep) => n + (countRows(rep)[f] ?? 0), 0);
    for (const f of ["work_a", "work_b", "fib"]) assert.equal(total(f), calls(f), f);
    assert.deepEqual([countRows(reports[0]!).work_b, countRows(reports[1]!).work_b, countRows(reports[2]!).work_b], [5, 10, 15]);
    assert.ok(r.stdout.endsWith("Detaching...\n"));
  });
  test("funccount c:malloc -- PROGRAM and -r: the real count; -d stops early", () => {
    const r = runCli(["funccount", "-r", "c:^malloc$", "--", bin]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Tracing 1 functions for "c:\^malloc\$"/);
    assert.ok(countRows(r.stdout).malloc! >= calls("malloc"), "the program's mallocs, and stdio's own buffer");
    // aliases at one address are one function, as bcc attaches once per address
    const alias = runCli(["funccount", "-r", "c:^(malloc|__libc_malloc)$", "--", bin]);
    assert.match(alias.stdout, /^Tracing 1 functions for/);
    assert.equal(Object.keys(countRows(alias.stdout)).length, 1);
    const d = runCli(["funccount", "-d", "1", `${bin}:work_b`]);
    assert.equal(countRows(d.stdout).work_b, 5);
    const dbg = runCli(["funccount", "-D", `${bin}:fib`]);
    assert.match(dbg.stdout, /^config = [^]*\nprobe fib < @counts\[func\] = count\(\) >\n/);
  });
  test("stackcount -f: bcc's folded lines alone (no banner, no Detaching); -D and -i", () => {
    const f = runCli(["stackcount", "-f", `${bin}:work_a`]);
    assert.equal(f.status, 0, f.stderr);
    assert.match(f.stdout, /^bcc-tools-\w+;(\[unknown\];|__libc_start_call_main;)?main;work_b;work_a 30\n/m);
    assert.doesNotMatch(f.stdout, /Tracing|Detaching/);
    const d = runCli(["stackcount", "-PU", "-D", "1", `${bin}:work_a`]);
    assert.match(d.stdout, /^Tracing 1 functions[^]*\n {2}work_a\n {2}work_b\n {2}main\n[^]*\n {4}5\n\nDetaching\.\.\.\n$/);
    assert.match(runCli(["stackcount", "-K", `${bin}:work_a`]).stderr, /kernel stacks are not modelled here/);
    const i = runCli(["stackcount", "-i", "1", "-f", `${bin}:work_a`]);
    assert.deepEqual([...i.stdout.matchAll(/;work_a (\d+)$/gm)].map((m) => Number(m[1])), [5, 10, 15], "one folded report per virtual second");
  });
});

describe("trace, bcc's format", () => {
  test("entry and return probes, a library function, a filter: bcc's columns", () => {
    const r = runCli(["trace", `${bin}:work_b "x=%d", arg1`, `r:${bin}:fib (retval > 3) "ret=%d", retval`, 'c:malloc "size=%d", arg1', "--", "1"]);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assert.equal(lines[0], "PID     TID     COMM            FUNC             -");
    assert.equal(lines[1], `1000    1000    ${path.basename(bin).slice(0, 15).padEnd(15)} work_b           x=0`, "comm is the first 15 bytes of the name (TASK_COMM_LEN)");
    const rows = lines.slice(1).filter((l) => /^1000 /.test(l));
    assert.equal(rows.filter((l) => / work_b +x=\d$/.test(l)).length, 5);
    assert.deepEqual(rows.filter((l) => / fib /.test(l)).map((l) => l.replace(/^.* fib +/, "")), ["ret=5"], "fib(5) returns 5; the smaller returns are filtered out");
    assert.ok(rows.some((l) => / malloc +size=100$/.test(l)));
  });
  test("-t: bcc's TIME column (seconds since tracing began); -M stops after N events; no message: no '-'", () => {
    const r = runCli(["trace", "-t", "-M", "3", `${bin}:work_b "%u %x", arg1, arg1`]);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert.equal(lines[0], "TIME     PID     TID     COMM            FUNC             -");
    assert.equal(lines.length, 4);
    assert.match(lines[3]!, /^0\.\d{6} 1000    1000    \S+ +work_b           2 2$/);
    assert.equal(runCli(["trace", `${bin}:fib`, "--", "1"]).stdout.split("\n")[0], "PID     TID     COMM            FUNC             ");
  });
  test("errors: one line, bcc's reasons", () => {
    const cases: [string[], RegExp][] = [
      [["trace", `${bin}:wrk_b "x"`], /0 functions matched by ".*:wrk_b" \(did you mean 'work_b'\?\)/],
      [["trace", "do_sys_open"], /kernel functions are not modelled here/],
      [["trace", `${bin}:fib(int n) "x"`], /function signatures need C headers/],
      [["trace", `${bin}:fib "%d %d", arg1`], /the format has 2 conversions and 1 value follow it/],
      [["trace", `t:sched:switch`], /kernel tracepoints \(t:\) are not modelled here/],
      [["trace", "-p", "1", `${bin}:fib`], /-p PID is not modelled here/],
    ];
    for (const [argv, re] of cases) {
      const r = runCli(argv);
      assert.equal(r.status, 2, argv.join(" "));
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    }
  });
});

describe("the tools as DSL programs, from the notebook API", () => {
  test("runProbes(funccountProgram(..., { interval })): bcc's per-second reports (an interval probe), as the command prints them", async () => {
    const api = await import("../../kernel/api.js");
    const r = await api.runProbes(bin, api.funccountProgram("work_b", "work_b", 1, { interval: { every: 1 } }), { quiet: true });
    const cli = runCli(["funccount", "-i", "1", `${bin}:work_b`]);
    const reports = (s: string): string[] => s.split("\nFUNC").slice(1).map((x) => x.slice(0, x.indexOf("\n\n") < 0 ? undefined : x.indexOf("\n\n")));
    assert.deepEqual(reports(r.stdout).map((x) => countRows(x).work_b), [5, 10, 15, undefined], "the last report, at exit, is empty");
    assert.deepEqual(reports(r.stdout).map(countRows), reports(cli.stdout).map(countRows));
  });
});
