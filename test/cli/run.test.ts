// The command line end to end: `run` with the DSL on the samples (expected
// counts derived from the programs' own logic), `--json`, errors with
// locations, `funclatency`, and determinism.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { runCli, samplePath } from "../helpers.js";

const push = samplePath("push-O0");

describe("run", () => {
  test("count entries and returns, bpftrace's text format", () => {
    const r = runCli(["run", "-q", "-e", "probe test:0 < count++ > retprobe test < ret++ >", "--", push]);
    assert.equal(r.status, 0);
    // push.c prints the elapsed microseconds, then the maps follow bpftrace's blank lines
    assert.match(r.stdout, /^\d+\n\n\ncount: 1000000\nret: 1000000\n$/);
  });
  test("the per-probe summary on stderr names the path and the traps", () => {
    const r = runCli(["run", "--kernel", "4.16", "-e", "probe test:0 < n++ >", "--", push]);
    assert.match(r.stdout, /^Attaching 1 probe\.\.\./);
    assert.match(r.stderr, /probe test:0\s+emulated\s+1000000\s+1000000\s+0/);
  });
  test("--json: NDJSON ending with the stats line of the issue's shape", () => {
    const r = runCli(["run", "--json", "-e", "probe test:0 < count++ >", "--", push]);
    assert.equal(r.status, 0);
    const lines = r.stdout.trim().split("\n");
    assert.deepEqual(JSON.parse(lines[0]!), { type: "attached_probes", data: { probes: 1 } });
    const stats = JSON.parse(lines.at(-1)!);
    assert.deepEqual(Object.keys(stats), ["type", "kernel", "emulation", "cost", "virtual_ns", "instructions", "probes"]);
    assert.equal(stats.type, "probe_stats");
    assert.equal(stats.kernel, "6.18");
    assert.equal(stats.emulation, true);
    assert.equal(stats.cost, "kvm-6.18");
    const p = stats.probes[0];
    assert.deepEqual(Object.keys(p), ["probe", "kind", "symbol", "offset", "address", "hits", "path", "traps", "virtual_ns"]);
    assert.equal(p.probe, "probe test:0");
    assert.equal(p.kind, "uprobe");
    assert.equal(p.symbol, "test");
    assert.equal(p.offset, 0);
    assert.match(p.address, /^0x40[0-9a-f]+$/);
    assert.equal(p.hits, 1000000);
    assert.equal(p.path, "emulated");
    assert.deepEqual(p.traps, { int3: 1000000, single_step: 0, uret_trap: 0, uprobe_syscall: 0, uretprobe_syscall: 0 });
    assert.ok(lines.some((l) => l === '{"type": "map", "data": {"count": 1000000}}'), r.stdout);
  });
  test("a refused probe is reported plainly and in the JSON as rejected", () => {
    const r = runCli(["run", "--json", "-e", "probe probe_syscall < n++ >", "--kernel", "3.19", "--", samplePath("callsite-O0")]);
    assert.match(r.stderr, /probe probe_syscall: the kernel refuses this probe \(ENOTSUPP, 524\)/);
    const stats = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    assert.equal(stats.probes[0].path, "rejected");
    assert.match(stats.probes[0].error, /ENOTSUPP \(524\)/);
  });
  test("DSL errors: file:line:col, the line, a caret; status 2; nothing runs", () => {
    const r = runCli(["run", "-e", "probe tset < n++ >", "--", push]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^-e:1:7: error: .*tset.*\n.*probe tset.*\n\s+\^/);
    assert.match(r.stderr, /did you mean .*test/);
    assert.equal(r.stdout, "");
  });
  test("an offset inside an instruction lists the valid offsets; --unsafe lets it through", () => {
    const r = runCli(["run", "-e", "probe main:2 < n++ >", "--", push]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /0, 1, 4/);
    // inside an immediate, the int3 is never executed: the probe never fires (and the constant changes)
    const u = runCli(["run", "-q", "--unsafe", "-e", "probe probe_mov_imm:1 < n++ >", "--", samplePath("callsite-O0")]);
    assert.equal(u.status, 0);
    assert.match(u.stdout, /probe_mov_imm\s+123456cc/);
    assert.doesNotMatch(u.stdout, /^n:/m);
  });
  test("a script file; per-caller counts; argument histogram", () => {
    const r = runCli(["run", "-q", path.join(PROJECT_ROOT, "dsl", "examples", "count.probe"), "--", push]);
    assert.equal(r.status, 0, r.stderr);
  });
  test("identical runs print identical bytes", () => {
    const a = runCli(["run", "--json", "-e", "retprobe test < h = hist(nsecs - self.t) > probe test < self.t = nsecs >", "--", push]);
    const b = runCli(["run", "--json", "-e", "retprobe test < h = hist(nsecs - self.t) > probe test < self.t = nsecs >", "--", push]);
    assert.equal(a.stdout, b.stdout);
    assert.equal(a.stderr, b.stderr);
  });
});

describe("funclatency", () => {
  test("bcc's format on virtual time, and the shipped .probe script prints the same histogram", () => {
    const r = runCli(["funclatency", `${samplePath("funclat-O0")}:work`]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Tracing 1 functions for ".*funclat-O0:work"\.\.\. Hit Ctrl-C to end\.\n/);
    assert.match(r.stdout, /\n     nsecs               : count     distribution\n/);
    assert.match(r.stdout, /\navg = \d+ nsecs, total: \d+ nsecs, count: 3000\n\nDetaching\.\.\.\n$/);
    const script = fs.readFileSync(path.join(PROJECT_ROOT, "dsl", "examples", "funclatency.probe"), "utf8").replaceAll("test", "work");
    const tmp = path.join(PROJECT_ROOT, "dist", "funclatency-work.probe");
    fs.writeFileSync(tmp, script);
    const s = runCli(["run", "-q", tmp, "--", samplePath("funclat-O0")]);
    const hist = (t: string) => t.slice(t.indexOf("\n\n"));
    assert.equal(hist(s.stdout).replace(/\[\d+\]/, "[pid]"), hist(r.stdout).replace(/\[\d+\]/, "[pid]"));
  });
  test("-u gives microseconds", () => {
    const r = runCli(["funclatency", "-u", `${samplePath("funclat-O0")}:work`]);
    assert.match(r.stdout, /usecs\s+: count\s+distribution/);
  });
  test("a C++ name (every overload) and a library function (LIBRARY:FUNC -- PROGRAM)", () => {
    const cpp = runCli(["funclatency", `${samplePath("cpp_overload-O0")}:geo::area`]);
    assert.equal(cpp.status, 0, cpp.stderr);
    assert.match(cpp.stdout, /count: 10\n\nDetaching/, "geo::area is called 10 times (samples/cpp_overload.cpp)");
    const lib = runCli(["funclatency", "libc:exit", "--", samplePath("cpp_overload-O0")]);
    assert.equal(lib.status, 2, "a static binary has no libc.so.6 to probe");
    assert.match(lib.stderr, /unknown binary 'libc'/);
  });
  test("a bad pattern is a one-line error", () => {
    const r = runCli(["funclatency", "nocolon"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /not BINARY:FUNC/);
  });
});
