// poll, ppoll, select, pselect6 and epoll on pipes (issue 11, docs/threads.md §2): a parent and
// its child talk through a pipe, against native runs (gcc dynamic, musl-gcc -static, whose select
// passes a copy of the timeout, and gcc -m32 against the x86-64 native output).

import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { buildWith, requireMusl, runCli, runNative } from "../helpers.js";
import { sameAsNative } from "./threads-native.js";

const SRC = path.join(PROJECT_ROOT, "test", "corpus", "threads", "pollpipe.c");


describe("poll, select, epoll on pipes: emulator vs native", () => {
  const glibc = (): string => buildWith("gcc", SRC, ["-O0"], "thr-pollpipe-dyn");
  test("gcc (glibc 2.36)", () => {
    sameAsNative(glibc());
    const out = runNative(glibc(), []).stdout;
    assert.match(out, /poll: 1 \[HUP \]/);
    assert.match(out, /epoll_wait: 1 \[HUP \] data 1122334455667788/);
    assert.match(out, /edge and level: first wait 2, second 1/);
  });
  test("musl-gcc -static", () => {
    requireMusl();
    sameAsNative(buildWith("musl-gcc", SRC, ["-static", "-O0"], "thr-pollpipe-musl"));
  });
  test("gcc -m32 (compat fd_set, _newselect, epoll)", () => sameAsNative(buildWith("gcc", SRC, ["-m32", "-O0"], "thr-pollpipe-i386"), glibc()));
  test("a task blocked in poll with no timeout and nothing to wake it is a deadlock, named", () => {
    const prog = `#include <poll.h>
#include <unistd.h>
int main(void) { int fd[2]; pipe(fd); struct pollfd p = {fd[0], POLLIN, 0}; return poll(&p, 1, -1); }`;
    const r = runCli(["exec", buildWith("gcc", prog, ["-O0"], "thr-polldead")]);
    assert.equal(r.status, 124);
    assert.match(r.stderr, /deadlock: every task is blocked and no timer is pending: thr-polldead-[0-9a-f]+\[\d+\] in poll fd 3 at 0x[0-9a-f]+/);
  });
});
