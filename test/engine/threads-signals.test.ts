// Interrupted system calls, interval timers and job control (issue 11, docs/threads.md §2): SA_RESTART
// and the kernel's restart codes, alarm/setitimer/getitimer, stopped and continued children, against native runs of test/corpus/threads
// programs built with gcc (dynamic), musl-gcc -static and gcc -m32 (whose reference is the
// native x86-64 build: the program prints the same on both).

import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { buildWith, requireMusl, runEmulated, runNative } from "../helpers.js";
import { sameAsNative } from "./threads-native.js";

const DIR = path.join(PROJECT_ROOT, "test", "corpus", "threads");
const src = (name: string): string => path.join(DIR, `${name}.c`);

const glibc = (name: string): string => buildWith("gcc", src(name), ["-O0", "-pthread"], `thr-${name}-dyn`);
const musl = (name: string): string => buildWith("musl-gcc", src(name), ["-static", "-O0"], `thr-${name}-musl`);
const i386 = (name: string): string => buildWith("gcc", src(name), ["-m32", "-O0", "-pthread"], `thr-${name}-i386`);


describe("SA_RESTART and the restart codes: emulator vs native", () => {
  test("gcc -pthread (glibc 2.36)", () => {
    const bin = glibc("restart");
    sameAsNative(bin);
    // the program is not vacuous: both answers occur
    const out = runNative(bin, []).stdout;
    assert.match(out, /read no SA_RESTART: -1 EINTR/);
    assert.match(out, /read SA_RESTART: 5 ok/);
    assert.match(out, /futex wait SA_RESTART: ok/);
    assert.match(out, /nanosleep SA_RESTART: EINTR, handler ran 1, remaining about 1\.98 s/);
    assert.match(out, /read across an ignored SIGCHLD: 4 ok/);
  });
  test("musl-gcc -static", () => {
    requireMusl();
    sameAsNative(musl("restart"));
  });
  test("gcc -m32 (i386: int $0x80 restarts, restart_syscall is 0)", () => sameAsNative(i386("restart"), glibc("restart")));
});

describe("alarm, setitimer, getitimer: emulator vs native", () => {
  test("gcc (glibc 2.36)", () => {
    const bin = glibc("itimer");
    sameAsNative(bin);
    const out = runNative(bin, []).stdout;
    assert.match(out, /read with alarm\(1\), no SA_RESTART: -1 EINTR, SIGALRM 1/);
    assert.match(out, /child: killed by signal 14/);
  });
  test("musl-gcc -static", () => {
    requireMusl();
    sameAsNative(musl("itimer"));
  });
  test("gcc -m32 (compat itimerval)", () => sameAsNative(i386("itimer"), glibc("itimer")));
  test("a process waiting only for its alarm is not a deadlock; two runs are byte-identical", () => {
    const a = runEmulated(glibc("itimer"), []);
    const b = runEmulated(glibc("itimer"), []);
    assert.equal(a.status, 0);
    assert.equal(a.stdout, b.stdout);
  });
});

describe("stopped and continued children: emulator vs native", () => {
  test("gcc (glibc 2.36)", () => {
    const bin = glibc("stopcont");
    sameAsNative(bin);
    const out = runNative(bin, []).stdout;
    assert.match(out, /waitpid WUNTRACED: stopped by 19/);
    assert.match(out, /waitid WCONTINUED: code 6 status 18/);
    assert.match(out, /SIGCHLD codes: 5 6 5 6\n/);
    assert.match(out, /read across stop and continue, SIGCONT handled: EINTR/);
  });
  test("musl-gcc -static", () => {
    requireMusl();
    sameAsNative(musl("stopcont"));
  });
  test("gcc -m32", () => sameAsNative(i386("stopcont"), glibc("stopcont")));
});
