// %%probe cells: the first line's words and options, the program keeping the
// cell's line numbers, and the one-line errors for bad first lines.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CELL_PROGRAM_NAME, isProbeCell, MagicError, parseProbeCell, shellWords } from "../../kernel/magic.js";

describe("%%probe parsing", () => {
  test("recognises %%probe cells only", () => {
    assert.equal(isProbeCell("%%probe push-O0\nprobe test < x++ >"), true);
    assert.equal(isProbeCell("\n  %%probe push-O0\n"), true);
    assert.equal(isProbeCell("%%probex push-O0"), false);
    assert.equal(isProbeCell("const x = 1 // %%probe"), false);
    assert.equal(isProbeCell(""), false);
  });

  test("shell words: quotes and backslashes", () => {
    assert.deepEqual(shellWords(` a "b c" 'd e' f\\ g "h\\"i" `), ["a", "b c", "d e", "f g", 'h"i']);
    assert.deepEqual(shellWords(`x "" y`), ["x", "", "y"]);
    assert.throws(() => shellWords(`a "b`), MagicError);
    assert.throws(() => shellWords(`a 'b`), /unterminated ' quote/);
  });

  test("binary, guest arguments and options in any order", () => {
    const s = parseProbeCell("%%probe push-O0 one two --kernel 4.16 --no-emulation --cost seed-2017-x86_64\nprobe test:0 < count++ >");
    assert.equal(s.binary, "push-O0");
    assert.deepEqual(s.args, ["one", "two"]);
    assert.equal(s.kernel, "4.16");
    assert.equal(s.emulation, false);
    assert.equal(s.cost, "seed-2017-x86_64");
    assert.equal(s.programName, CELL_PROGRAM_NAME);
  });

  test("--opt=value, --trace, --unsafe, --env, --stdin, --max-insns", () => {
    const s = parseProbeCell("%%probe --kernel=3.14 --trace 2 --unsafe --env A=1 --env B=2 --stdin 'hello world' --max-insns 1_000 ./a.out\nprobe main < n++ >");
    assert.equal(s.binary, "./a.out");
    assert.equal(s.kernel, "3.14");
    assert.equal(s.traceHits, 2);
    assert.equal(s.unsafe, true);
    assert.deepEqual(s.env, ["A=1", "B=2"]);
    assert.equal(s.stdin, "hello world");
    assert.equal(s.maxInsns, 1000);
    assert.equal(s.emulation, undefined);
  });

  test("--lib-path, repeatable: library directories for a dynamically linked binary", () => {
    const s = parseProbeCell("%%probe ./a.out --lib-path /opt/lib --lib-path=build/lib\nprobe main < n++ >");
    assert.deepEqual(s.libPath, ["/opt/lib", "build/lib"]);
  });

  test("-- ends the options: the rest is the guest's argv", () => {
    const s = parseProbeCell("%%probe push-O0 --kernel 6.18 -- --kernel x -v\nprobe test < n++ >");
    assert.deepEqual(s.args, ["--kernel", "x", "-v"]);
    assert.equal(s.kernel, "6.18");
    const t = parseProbeCell("%%probe -- push-O0 --x\nprobe test < n++ >");
    assert.equal(t.binary, "push-O0");
    assert.deepEqual(t.args, ["--x"]);
  });

  test("the program keeps the cell's line numbers", () => {
    const s = parseProbeCell("%%probe push-O0\nprobe test:0 < count++ >\nretprobe test < r++ >");
    const lines = s.program.split("\n");
    assert.equal(lines[0], "");
    assert.equal(lines[1], "probe test:0 < count++ >");
    assert.equal(lines[2], "retprobe test < r++ >");
    const t = parseProbeCell("\n\n%%probe push-O0\nprobe test < n++ >");
    assert.equal(t.program.split("\n")[3], "probe test < n++ >");
  });

  test("one-line errors for bad first lines", () => {
    assert.throws(() => parseProbeCell("%%probe\nprobe test < n++ >"), /missing BINARY/);
    assert.throws(() => parseProbeCell("%%probe push-O0"), /no probe program/);
    assert.throws(() => parseProbeCell("%%probe push-O0\n   \n"), /no probe program/);
    assert.throws(() => parseProbeCell("%%probe push-O0 --kernal 4.16\nprobe test < n++ >"), /unknown option --kernal/);
    assert.throws(() => parseProbeCell("%%probe push-O0 --kernel\nprobe test < n++ >"), /--kernel needs a value/);
    assert.throws(() => parseProbeCell("%%probe push-O0 --trace many\nprobe test < n++ >"), /--trace needs a non-negative integer/);
    assert.throws(() => parseProbeCell("%%probe push-O0 --env NOEQUALS\nprobe test < n++ >"), /expected KEY=VALUE/);
    assert.throws(() => parseProbeCell("const x = 1"), /not a %%probe cell/);
  });
});
