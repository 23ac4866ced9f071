// Issue 15, "No internal errors from guest or user input (status 70 is a
// bug)": hostile syscall arguments get Linux's answer; bad loader and command
// line input gets one line naming the option or the limit, with status 2.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { loadBinary, Machine, UserError } from "../../engine/index.js";
import { buildC, buildWith, requireMusl, runCli, samplePath } from "../helpers.js";
import { HUGE_COUNTS } from "./guests.js";

requireMusl();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "uprobe-lab-clean-"));
const hello = samplePath("hello-O0");

function assertUsage(r: { stdout: string; stderr: string; status: number }, pattern: RegExp): void {
  assert.equal(r.status, 2, r.stderr);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line, got: ${r.stderr}`);
  assert.match(lines[0]!, /^uprobe-lab: /);
  assert.doesNotMatch(r.stderr, /internal error/);
  assert.match(lines[0]!, pattern);
}

describe("syscalls with hostile counts return what Linux returns", () => {
  test("getrandom(buf, -1), read(0, buf, -1), write(1, buf, -1) on the CLI's streams", () => {
    const bin = buildC(HUGE_COUNTS, ["-O1"], "huge-counts");
    const r = runCli(["exec", bin], "some input");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout,
      // the stack is 2 GiB (MAX_RW_COUNT) from the top of user space: access_ok fails
      "getrandom stack -1 14\ngetrandom low 4096\ngetrandom flags -1 22\nread -1 14\nwrite -1 14\n",
    );
  });
});

describe("the loader: clean errors, Linux's argument limits", () => {
  test("two 100 KB arguments and 40k environment strings run, as under Linux's ARG_MAX rules", () => {
    const bin = buildC('#include <stdio.h>\n#include <string.h>\nextern char **environ;\nint main(int c, char **v){ int n = 0; size_t l = 0; while (environ[n]) n++; for (int i = 1; i < c; i++) l += strlen(v[i]); printf("%d %zu %d\\n", c, l, n); return 0; }\n', ["-O1"], "arg-limits");
    const a = "a".repeat(100_000);
    let m = new Machine(loadBinary(bin), { argv: [bin, a, a] });
    assert.equal(m.run().status, 0);
    assert.equal(new TextDecoder().decode(Buffer.concat((m.io as unknown as { out: Uint8Array[] }).out)), "3 200000 0\n");
    const env = Array.from({ length: 40_000 }, (_, i) => `V${i}=1`);
    m = new Machine(loadBinary(bin), { argv: [bin], env });
    assert.equal(m.run().status, 0);
  });

  test("beyond them, E2BIG as a one-line error", () => {
    const bin = loadBinary(hello);
    assert.throws(() => new Machine(bin, { argv: [hello, "a".repeat(131_072)] }), (e) => e instanceof UserError && /^execve: argument list too long \(E2BIG\): argument 1 is 131073 bytes with its NUL, above MAX_ARG_STRLEN \(131072\)$/.test(e.message));
    const many = Array.from({ length: 30 }, () => "a".repeat(100_000));
    assert.throws(() => new Machine(bin, { argv: [hello, ...many] }), (e) => e instanceof UserError && /E2BIG.*above RLIMIT_STACK\/4 \(2097152\)/.test(e.message));
  });

  test("a PT_INTERP with no room left for it", () => {
    const dyn = Uint8Array.from(fs.readFileSync(buildWith("gcc", "int main(void){return 0;}\n", ["-O2", "-no-pie"], "no-room")));
    const dv = new DataView(dyn.buffer);
    const phoff = Number(dv.getBigUint64(32, true));
    for (let i = 0; i < dv.getUint16(56, true); i++) {
      const ph = phoff + i * 56;
      if (dv.getUint32(ph, true) !== 0x6474e551) continue; // GNU_STACK becomes a bss covering the address space below mmap_base
      dv.setUint32(ph, 1, true);
      dv.setBigUint64(ph + 16, 0x10000n, true);
      dv.setBigUint64(ph + 32, 0n, true);
      dv.setBigUint64(ph + 40, 0x7ffff7fff000n - 0x10000n, true);
    }
    const p = path.join(dir, "no-room");
    fs.writeFileSync(p, dyn);
    assertUsage(runCli(["exec", p]), /no room for the interpreter: its PT_LOAD segments span \d+ bytes/);
  });
});

describe("command line input", () => {
  const fifo = path.join(dir, "fifo");
  execFileSync("mkfifo", [fifo]);
  const cases: [string, string[], RegExp][] = [
    ["--max-mem 0", ["exec", "--max-mem", "0", hello], /option --max-mem: 0 is below the minimum of 1M/],
    ["--max-mem 1", ["exec", "--max-mem", "1", hello], /option --max-mem: 1 is below the minimum of 1M/],
    ["--max-mem 1.5K", ["exec", "--max-mem", "1.5K", hello], /option --max-mem: 1\.5K is below the minimum of 1M/],
    ["--max-mem 4K", ["exec", "--max-mem", "4K", hello], /option --max-mem: 4K is below the minimum of 1M/],
    ["a FIFO as the binary", ["exec", fifo], /fifo: is a FIFO, not a regular file$/],
    ["/dev/zero as the binary", ["exec", "/dev/zero"], /^uprobe-lab: \/dev\/zero: is a character device, not a regular file$/],
    ["a FIFO as --allow", ["exec", "--allow", fifo, hello], /--allow .*fifo: is a FIFO, not a regular file$/],
    ["/dev/zero as --allow", ["exec", "--allow", "/dev/zero", hello], /--allow \/dev\/zero: is a character device, not a regular file$/],
    ["a FIFO as the script", ["run", fifo, "--", hello], /probe script .*fifo: is a FIFO, not a regular file$/],
    ["/dev/zero as the script", ["run", "/dev/zero", "--", hello], /probe script \/dev\/zero: is a character device/],
    ["--trace abc", ["run", "--trace", "abc", "-e", "BEGIN < exit() >", "--", hello], /option --trace: expected a number of hits \(0 or more\), got 'abc'/],
    ["--trace -1", ["run", "--trace", "-1", "-e", "BEGIN < exit() >", "--", hello], /option --trace: expected a number of hits \(0 or more\), got '-1'/],
    ["an extra positional argument to run", ["run", "-e", "BEGIN < exit() >", "extra", "--", hello], /run: unexpected argument 'extra' before --/],
    ["--env =x", ["exec", "--env", "=x", hello], /option --env: =x: expected KEY=VALUE with a non-empty KEY/],
  ];
  for (const [what, args, pattern] of cases) test(what, () => assertUsage(runCli(args), pattern));

  test("a cost file holding only a name", () => {
    const p = path.join(dir, "name-only.json");
    fs.writeFileSync(p, '{"name": "mine"}');
    assertUsage(runCli(["run", "--cost", p, "-e", "BEGIN < exit() >", "--", hello]), /--cost .*name-only\.json: no "costs" object/);
  });

  test("--max-mem 1M runs a static hello world", () => {
    const r = runCli(["exec", "--max-mem", "1M", hello]);
    assert.equal(r.status, 0, r.stderr);
  });
});
