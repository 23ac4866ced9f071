// Error tests: every mistake is a DslError with file:line:col, the source
// line and a caret; exact texts for the main kinds of error.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DslError } from "../../dsl/diagnostics.js";
import { compileProgram } from "../../dsl/index.js";
import { FakeTarget } from "./helpers.js";

const T = new FakeTarget();

function err(src: string, opts: { unsafe?: boolean } = {}): DslError {
  try {
    compileProgram(src, "e.probe", T, opts);
  } catch (e) {
    if (e instanceof DslError) return e;
    throw e;
  }
  assert.fail(`expected an error for ${JSON.stringify(src)}`);
}

/** Exact formatted text. */
function formatted(src: string, want: string, opts: { unsafe?: boolean } = {}): void {
  assert.equal(err(src, opts).format(), want);
}

describe("error format", () => {
  it("file:line:col: error: msg, the line, a caret under the span", () => {
    formatted(
      "probe tset < count++ >",
      "e.probe:1:7: error: unknown symbol 'tset' (did you mean 'test'?)\nprobe tset < count++ >\n      ^~~~",
    );
  });
  it("fields of DslError", () => {
    const e = err("BEGIN < x = 1 >\nprobe test < y = nsec >");
    assert.equal(e.file, "e.probe");
    assert.equal(e.line, 2);
    assert.equal(e.col, 18);
    assert.equal(e.message, "unknown identifier 'nsec' (did you mean 'nsecs'?)");
    assert.equal(e.exitCode, 2);
  });
  it("tabs in the source line keep the caret aligned", () => {
    formatted("probe test <\n\tx = nsec\n>", "e.probe:2:6: error: unknown identifier 'nsec' (did you mean 'nsecs'?)\n\tx = nsec\n\t    ^~~~");
  });
  it("all errors of a pass are reported, in source order", () => {
    const e = err("probe test < a = nsec; b = \"s\" * 2; prinf(\"x\") >\nprobe tset < >");
    assert.deepEqual(
      e.diagnostics.map((d) => d.message),
      [
        "unknown identifier 'nsec' (did you mean 'nsecs'?)",
        "operator '*' needs integers, got a string",
        "unknown function 'prinf' (did you mean 'print' or 'printf'?)",
        "unknown symbol 'tset' (did you mean 'test'?)",
      ],
    );
  });
});

describe("syntax errors", () => {
  it("unexpected token, with position", () => {
    formatted("probe test < c = count(; >", "e.probe:1:24: error: syntax error: unexpected ';'\nprobe test < c = count(; >\n                       ^");
  });
  it("statement needs a separator", () => {
    formatted("probe t < x ++ y >", "e.probe:1:16: error: syntax error: unexpected 'y' (expected '>' or newline)\nprobe t < x ++ y >\n               ^");
  });
  it("if without a block", () => {
    formatted(
      "probe test < if (x) y++ >",
      "e.probe:1:21: error: syntax error: unexpected 'y' (expected '<', '{' or newline)\nprobe test < if (x) y++ >\n                    ^",
    );
  });
  it("end of input", () => {
    formatted(
      "probe test < c = 1",
      "e.probe:1:19: error: syntax error: unexpected end of input (expected '>', '?', newline or operator)\nprobe test < c = 1\n                  ^",
    );
  });
  it("multi-line position", () => {
    const e = err("probe test\n< x = 1\n  y = (2 +\n>");
    assert.equal(`${e.line}:${e.col}`, "4:1");
  });
  it("lexical errors", () => {
    formatted('probe test < x = "abc >', 'e.probe:1:18: error: unterminated string\nprobe test < x = "abc >\n                 ^~~~~~');
    formatted("probe test < x = 1 # >", "e.probe:1:20: error: unexpected character '#'\nprobe test < x = 1 # >\n                   ^");
    assert.equal(err("probe test < /* x").message, "unterminated comment");
  });
  it("missing target and unknown probe types", () => {
    assert.equal(err("probe < x++ >").message, "expected a probe target after 'probe' (e.g. 'probe main')");
    assert.equal(err("BEGN < x++ >").message, "unknown probe type 'BEGN' (did you mean 'BEGIN'?)");
  });
});

describe("targets", () => {
  it("unknown symbol: did you mean", () => {
    assert.equal(err("probe tst < >").message, "unknown symbol 'tst' (did you mean 'test'?)");
    assert.equal(err("probe ./libfoo.so:fo < >").message, "unknown symbol 'fo' in /work/libfoo.so (did you mean 'foo'?)");
    assert.equal(err("probe zzzzzz < >").message, "unknown symbol 'zzzzzz'");
  });
  it("unknown binary: did you mean", () => {
    assert.equal(err("probe libfo.so:foo < >").message, "unknown binary 'libfo.so' (did you mean 'libfoo.so'?)");
  });
  it("offset inside an instruction lists the valid offsets", () => {
    formatted(
      "probe test:2 < count++ >",
      "e.probe:1:12: error: offset 2 is not an instruction boundary of test (inside 'mov rbp, rsp' at test+1); valid instruction offsets: 0, 1, 4, 5, 6\nprobe test:2 < count++ >\n           ^",
    );
    assert.match(err("probe test+3 < >").message, /offset 3 is not an instruction boundary/);
    assert.match(err("probe 0x55555555512b < >").message, /offset 2 is not an instruction boundary of test/);
  });
  it("offset past the end", () => {
    assert.equal(err("probe test:0x9 < >").message, "offset 9 is past the end of test (size 7); valid instruction offsets: 0, 1, 4, 5, 6");
  });
  it("retprobe with an offset", () => {
    formatted(
      "retprobe test:4 < count++ >",
      "e.probe:1:15: error: a retprobe attaches at the entry of test: offset 4 is not allowed (use 'probe test:4' for an instruction probe)\nretprobe test:4 < count++ >\n              ^",
    );
    assert.match(err("retprobe test:4 < >", { unsafe: true }).message, /retprobe attaches/);
  });
  it("unmapped address", () => {
    assert.equal(err("probe 0x1 < >").message, "address 0x1 is not mapped from /work/t");
  });
  it("malformed targets", () => {
    assert.match(err("probe test:1:2:3 < >").message, /malformed probe target/);
  });
});

describe("semantic errors", () => {
  const table: Array<[string, string]> = [
    ["probe test < x = nsec >", "unknown identifier 'nsec' (did you mean 'nsecs'?)"],
    ['probe test < prinf("x") >', "unknown function 'prinf' (did you mean 'print' or 'printf'?)"],
    ["probe test < x = hist() >", "hist() requires 1 argument (0 provided)"],
    ["probe test < x = lhist(arg0, 1) >", "lhist() requires 4 arguments (2 provided)"],
    ["probe test < x = str(1, 2, 3) >", "str() requires 1 to 2 arguments (3 provided)"],
    ["probe test < x = count(1) >", "count() requires 0 arguments (1 provided)"],
    ['probe test < x = "s" + 1 >', "operator '+' needs integers, got a string"],
    ['probe test < x = comm == 1 >', "type mismatch for '==': comparing 'string' with 'int64'"],
    ['probe test < x = 1; x = "s" >', "type mismatch for x: trying to assign value of type 'string' when variable already contains a value of type 'int64' (since 1:14)"],
    ["probe test < c = count(); c = 1 >", "type mismatch for c: trying to assign value of type 'int64' when variable already contains a value of type 'count' (since 1:14)"],
    ["probe test < c = count(); c = sum(1) >", "type mismatch for c: trying to assign value of type 'sum' when variable already contains a value of type 'count' (since 1:14)"],
    ["probe test < c = count(); c++ >", "'++' needs an integer variable, and c holds count (since 1:14)"],
    ["retprobe test < x = arg0 >", "arg0 is not available in a retprobe (the argument registers are gone by then: save it on entry, e.g. self.arg0 = arg0)"],
    ["probe test < x = retval >", "retval is not available in a probe (use a retprobe)"],
    ["probe test, retprobe test < x = retval >", "retval is not available in a probe (use a retprobe)"],
    ["BEGIN < x = arg0 >", "arg0 is not available in BEGIN/END"],
    ["END < x = reg(\"rax\") >", "reg() is not available in BEGIN/END"],
    ['probe test < x = reg("rxa") >', "unknown register 'rxa' (did you mean 'rax'?); registers: rax..r15, rip (or bpftrace's ax, di, ip, sp, ...)"],
    ["probe test < x = reg(comm) >", 'reg() needs a register name as a string literal, e.g. reg("rax")'],
    ['probe test < printf("%d %s\\n", 1) >', "printf(): the format has 2 conversions but 1 argument was given"],
    ['probe test < printf("%d\\n", 1, 2) >', "printf(): the format has 1 conversion but 2 arguments were given"],
    ['probe test < printf("%d\\n", comm) >', "printf(): %d needs an integer, got string"],
    ['probe test < printf("%s\\n", 1) >', "printf(): %s needs a string, got int64"],
    ['probe test < printf("%q\\n", 1) >', "printf: unknown conversion '%q'"],
    ["probe test < printf(comm) >", "printf() format must be a string literal"],
    ['probe test < m[1] = 1; m["a"] = 2 >', "key 1 of 'm' is int64 (since 1:14), not string"],
    ["probe test < m[1] = 1; m[1, 2] = 2 >", "'m' has 1 key (since 1:14), not 2"],
    ["probe test < m[1] = 1; x = m >", "'m' is a map (first used with a key at 1:14): use m[...]"],
    ["probe test < x = 1; y = x[1] >", "'x' is not a map (first assigned without a key at 1:14), so it cannot be indexed"],
    ["probe test < h = hist(1); x = h + 1 >", "h holds hist, which cannot be used as a value (print it with print(h))"],
    ["probe test < count() >", "count() must be assigned to a global or a map: x = count(...)"],
    ["probe test < x = 1 + count() >", "count() must be assigned directly to a global or a map: x = count(...)"],
    ["probe test < self.x = count() >", "count() must be assigned to a global or a map, not to 'self.x'"],
    ["probe test < str(arg0) >", "the value of str() is not used"],
    ["probe test < x = print(1) >", "print() has no value"],
    ["probe test < if (comm) < x++ > >", "an if condition needs an integer, got a string"],
    ["probe test / comm / < x++ >", "a filter needs an integer, got a string"],
    ["probe test < $x = $y >", "unknown variable '$y' (did you mean '$x'?)"],
    ["probe test < y = $x; $x = 1 >", "variable '$x' is used before it is assigned"],
    ["probe test < x = self.y >", "unknown per-thread variable 'self.y'"],
    ["probe test < x = @y >", "unknown map '@y'"],
    ["probe test < tid = 1 >", "cannot assign to builtin 'tid'"],
    ["probe test < x = 99999999999999999999999 >", "integer literal '99999999999999999999999' does not fit in 64 bits"],
    ["probe test < x = 09 >", "invalid octal literal '09'"],
    ['probe test < x = "\\q" >', "unknown escape sequence '\\q'"],
    ["probe test < x = lhist(arg0, 10, 0, 1) >", "lhist() max must be greater than min"],
    ["probe test < x = lhist(arg0, 0, 10, 0) >", "lhist() step must be positive"],
    ["probe test < x = lhist(arg0, 0, arg1, 1) >", "lhist() max must be an integer literal"],
    ["probe test < x = lhist(arg0, 0, 10, 1); x = lhist(arg0, 0, 20, 1) >", "lhist parameters of x differ from its first assignment at 1:14"],
    ["probe test < x = c ? 1 : \"a\" ; c = 1 >", "the branches of '?:' have different types ('int64' and 'string')"],
    ["probe test < delete(m) ; m[1] = 2 >", "delete() needs a map element: delete(m[key]) or delete(m, key)"],
    ["probe test < clear(nsecs) >", "clear() needs a global or map name"],
    ["probe test < x = 1; print_log2(x) >", "print_log2() needs a hist() variable, and x holds int64"],
    ["config = { print_maps_on_exit = maybe }", "print_maps_on_exit must be true or false"],
    ["config = { print_map_on_exit = 0 }", "unknown config setting 'print_map_on_exit' (did you mean 'print_maps_on_exit'?)"],
    ["conf = { print_maps_on_exit = 0 }", "unknown top-level assignment to 'conf' (only 'config = { ... }' is allowed here)"],
    ["probe test < x = @m(1) >", "unknown function '@m'"],
  ];
  for (const [src, msg] of table) {
    it(src, () => {
      const e = err(src);
      assert.equal(e.message, msg);
      assert.ok(e.line >= 1 && e.col >= 1);
    });
  }
});
