// The standard streams behave as what the user handed the run (engine/os/std-streams.ts):
// test/corpus/stdio/stdinpoll.c polls, selects, epolls and fstats descriptors 0-2 and is run
// natively and under the command line with the same shell redirections: pipes, a regular
// file, /dev/null. (The corpus harness cannot show this: node's spawnSync hands a child
// Unix sockets, not pipes.) The library's BufferIo is a pipe whose writer has closed.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { buildC, requireMusl, runEmulated } from "../helpers.js";

const SRC = path.join(PROJECT_ROOT, "test", "corpus", "stdio", "stdinpoll.c");
const CLI = path.join(PROJECT_ROOT, "bin", "uprobe-lab");
const INPUT = "a pipe on stdin, polled before each read\nsecond line\n\tthird line, longer, so that several reads of 7 bytes are needed\n";

/** Run `sh -c script` with $RUN the program (native) or the emulator running it; returns what landed in $OUT. */
function shell(script: string, run: string, dir: string): string {
  const out = path.join(dir, "out.txt");
  fs.rmSync(out, { force: true });
  const r = spawnSync("sh", ["-c", script], { env: { RUN: run, IN: path.join(dir, "in.txt"), OUT: out, PATH: process.env.PATH ?? "/usr/bin:/bin" }, encoding: "utf8" });
  assert.equal(r.status, 0, `sh -c '${script}' with RUN=${run}: ${r.stderr}`);
  return fs.readFileSync(out, "utf8");
}

describe("standard streams: what the user gave, as on Linux", () => {
  requireMusl();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "uprobe-lab-stdio-"));
  fs.writeFileSync(path.join(dir, "in.txt"), INPUT);
  const bin = buildC(SRC, ["-O2"], "stdinpoll");
  const emulated = `${process.execPath} ${CLI} exec ${bin}`;
  const setups: [string, string, RegExp][] = [
    ["stdin, stdout and stderr pipes", 'cat "$IN" | $RUN 2>&1 | cat > "$OUT"', /stdin fifo[^]*epoll_ctl ADD 0: 0\n/],
    ["an empty pipe on stdin", 'cat /dev/null | $RUN 2>&1 | cat > "$OUT"', /read 0: revents 0x10, 0 bytes/],
    ["a regular file on stdin and stdout, /dev/null on stderr", '$RUN < "$IN" > "$OUT" 2>/dev/null', /stdin regular[^]*epoll_ctl ADD 0: -1 Operation not permitted/],
    ["/dev/null on stdin, a pipe on stdout and stderr", '$RUN < /dev/null 2>&1 | cat > "$OUT"', /stdin chr mode 666 rdev 1:3/],
  ];
  for (const [name, script, shape] of setups) {
    test(name, () => {
      const native = shell(script, bin, dir);
      assert.match(native, shape, "the native run is the reference");
      assert.equal(shell(script, emulated, dir), native);
    });
  }

  test("the library's BufferIo: a pipe holding the whole input, its writer gone", () => {
    const native = shell('cat "$IN" | $RUN 2>&1 | cat > "$OUT"', bin, dir);
    const emu = runEmulated(bin, [], INPUT);
    assert.equal(emu.stdout, native);
    assert.equal(emu.status, 0);
  });
});
