// bpftrace's command line on `run`: what it refuses, in one located line.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { findDebugFile } from "../../engine/debug-file.js";
import { parseElf } from "../../engine/os/elf.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { runCli } from "../helpers.js";

const bt = path.join(PROJECT_ROOT, "test/dsl/runtime/bin/bt");

describe("run, bpftrace's way", () => {
  test("kernel probe types: one line with the reason, status 2", () => {
    const r = runCli(["run", "-e", "kprobe:vfs_read { @ = count(); }", "-c", bt]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^-e:1:1: error: kprobe probes are not modelled here: the emulator runs user space only/);
    const k = runCli(["run", "-e", "uprobe:" + bt + ":foo_add { @[kstack] = count(); }", "-c", bt]);
    assert.match(k.stderr, /error: kstack is not modelled here/);
  });
  test("-v: per probe, the file, offset, instruction and the path the model took", () => {
    const r = runCli(["run", "-q", "-v", "-e", `uprobe:${bt}:foo_add { n++ }`, "-c", bt]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^uprobe:\S+:foo_add: uprobe at \S+\/bt offset 0x1136 \(foo_add\+0, address 0x401136\), instruction 'push %rbp', path emulated$/m);
  });
  test("-d: the tree after parsing and after each pass, with the resolved targets", () => {
    const r = runCli(["run", "-q", "-d", "-e", `uprobe:${bt}:foo* { @[probe] = count(); }`, "-c", bt]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^Parser:\n uprobe:\S+:foo\*\n  \{ @\[probe\] = count\(\) \}\n\nAST after: resolve-targets\n/);
    assert.match(r.stderr, /\n  -> uprobe:\S+:foo_add: uprobe \S+ offset 0x1136 address 0x401136\n/);
    assert.match(r.stderr, /\nAST after: resources\n[^]*\n  @: count\[string\] \(slot 0\)\n/);
  });
  test("-d on a program with an error: the trees so far, then the located error (status 2, no internal error)", () => {
    const r = runCli(["run", "-d", "-e", 'BEGIN { printf("%d\\n", nosuch); }', "-c", bt]);
    assert.equal(r.status, 2, r.stderr);
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.match(r.stderr, /^Parser:\n BEGIN\n[^]*\n-e:1:24: error: unknown identifier 'nosuch'\nBEGIN \{ printf\("%d\\n", nosuch\); \}\n {23}\^~~~~~\n$/);
  });
  test("-p PID is refused with the reason", () => {
    const r = runCli(["run", "-p", "1", "-e", "uprobe:x:y {}"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /-p PID is not modelled here: the emulator traces only the process it starts/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
  test("-c with -- is ambiguous; -f takes text or json", () => {
    assert.match(runCli(["run", "-e", "BEGIN {}", "-c", bt, "--", bt]).stderr, /either with -c 'CMD ARGS' or after --/);
    assert.match(runCli(["run", "-f", "xml", "-e", "BEGIN {}", "-c", bt]).stderr, /-f xml: the output formats are text and json/);
  });
  test("-o FILE gets the program's output, the terminal keeps the traced program's", () => {
    const out = path.join(PROJECT_ROOT, "dist", "bpftrace-cli-o.txt");
    const r = runCli(["run", "-o", out, "-e", "uprobe:" + bt + ":foo_sub { @n = count(); }", "-c", bt]);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, "t=720\n");
    assert.equal(fs.readFileSync(out, "utf8"), "Attaching 1 probe...\n\n\n@n: 10\n");
  });
});

describe("funclatency, bcc's spellings", () => {
  test("a library by its path traces that library in the program after --, never runs it", () => {
    const r = runCli(["funclatency", "/lib/x86_64-linux-gnu/libc.so.6:strlen", "--", bt]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /GNU C Library/);
    assert.match(r.stdout, /^Tracing 1 functions for "\/lib\/x86_64-linux-gnu\/libc\.so\.6:strlen"\.\.\. Hit Ctrl-C to end\.\nt=720\n/);
    assert.match(r.stdout, /\nFunction = strlen \[1000\]\n/);
  });
  test("bcc's c:FUNC is libc's; the PID in the header is the traced process's", () => {
    const r = runCli(["funclatency", "c:strlen", "--", bt]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\nFunction = strlen \[1000\]\n/);
  });
  test("a library without a program is an error, not a run of the library", () => {
    const r = runCli(["funclatency", "/lib/x86_64-linux-gnu/libc.so.6:strlen"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /is a shared library: name the program that loads it after --/);
  });
});

// bt.c calls foo_add(i, 2) from main and foo_add(n, 1) through outer -> inner, 10 times each, and foo_sub 10 times.
describe("funccount and stackcount, bcc's output", () => {
  test("funccount with a wildcard: bcc's table, ascending", () => {
    const r = runCli(["funccount", "./bt:foo*".replace("./bt", bt)]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout,
      `Tracing 2 functions for "${bt}:foo*"... Hit Ctrl-C to end.\nt=720\n\nFUNC                                    COUNT\nfoo_sub                                    10\nfoo_add                                    20\nDetaching...\n`,
    );
  });
  test("stackcount: one block per user stack (frame pointers, the caller added at entry), and -f folded", () => {
    // main's caller is a local function of libc: named only from libc6-dbg's debug file, as bcc names it
    const libc = "/lib/x86_64-linux-gnu/libc.so.6";
    const caller = findDebugFile(parseElf(libc, fs.readFileSync(libc)), libc) !== undefined ? "__libc_start_call_main" : "\\[unknown\\]";
    const r = runCli(["stackcount", `${bt}:foo_add`]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`\\n {2}foo_add\\n {2}inner\\n {2}outer\\n {2}main\\n {2}${caller}\\n {4}bt \\[1000\\]\\n {4}10\\n\\n`));
    assert.match(r.stdout, new RegExp(`\\n {2}foo_add\\n {2}main\\n {2}${caller}\\n {4}bt \\[1000\\]\\n {4}10\\n\\n`));
    const f = runCli(["stackcount", "-f", `${bt}:foo_add`]);
    assert.match(f.stdout, new RegExp(`\\nbt;${caller};main;outer;inner;foo_add 10\\n`));
    assert.match(f.stdout, new RegExp(`\\nbt;${caller};main;foo_add 10\\n`));
  });
});
