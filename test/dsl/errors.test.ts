// Error tests: every mistake is a DslError whose diagnostics carry a span
// and a message. As bpftrace's diagnostic tests do, the checks are
// structural: severity, the span as line:col-col, and the message's parts in
// order (names, "did you mean", where a kind was fixed), so that a rewording
// elsewhere in a message does not hide a wrong span. The rendered one-line
// format (file:line:col, the source line, the caret) is user-visible and is
// checked whole in "error format".

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DslError, type Diagnostic } from "../../dsl/diagnostics.js";
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

/** `line:col-col` (end exclusive), or `line:col-line:col` across lines. */
function spanText(e: DslError, d: Diagnostic): string {
  const a = e.source.lineCol(d.span.start);
  const b = e.source.lineCol(d.span.end);
  return `${a.line}:${a.col}-${b.line === a.line ? "" : `${b.line}:`}${b.col}`;
}

/** The program has exactly one error, at `at`, whose message holds `parts` in this order. */
function expectError(src: string, at: string, parts: readonly string[], opts: { unsafe?: boolean } = {}): void {
  const e = err(src, opts);
  assert.equal(e.exitCode, 2);
  assert.equal(e.diagnostics.length, 1, e.format());
  const d = e.diagnostics[0]!;
  assert.equal(d.severity, "error");
  assert.equal(spanText(e, d), at, `span of: ${d.message}`);
  let from = 0;
  for (const p of parts) {
    const i = d.message.indexOf(p, from);
    assert.ok(i >= 0, `${JSON.stringify(d.message)} should contain ${JSON.stringify(p)} after offset ${from}`);
    from = i + p.length;
  }
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
    expectError("probe test < c = count(; >", "1:24-25", ["syntax error", "unexpected ';'"]);
    // The rendered form of a syntax error: one caret under the token.
    formatted("probe test < c = count(; >", "e.probe:1:24: error: syntax error: unexpected ';'\nprobe test < c = count(; >\n                       ^");
  });
  it("statement needs a separator", () => {
    expectError("probe t < x ++ y >", "1:16-17", ["syntax error", "unexpected 'y'", "expected '>' or newline"]);
  });
  it("if without a block", () => {
    expectError("probe test < if (x) y++ >", "1:21-22", ["syntax error", "unexpected 'y'", "expected '<', '{' or newline"]);
  });
  it("end of input", () => {
    expectError("probe test < c = 1", "1:19-19", ["syntax error", "unexpected end of input", "expected '>', '?', newline or operator"]);
  });
  it("multi-line position", () => {
    expectError("probe test\n< x = 1\n  y = (2 +\n>", "4:1-2", ["syntax error", "unexpected '>'"]);
  });
  it("lexical errors", () => {
    expectError('probe test < x = "abc >', "1:18-24", ["unterminated string"]);
    expectError("probe test < x = 1 # >", "1:20-21", ["unexpected character '#'"]);
    expectError("probe test < /* x", "1:14-18", ["unterminated comment"]);
  });
  it("missing target and unknown probe types", () => {
    expectError("probe < x++ >", "1:1-6", ["expected a probe target after 'probe'", "e.g. 'probe main'"]);
    expectError("BEGN < x++ >", "1:1-5", ["unknown probe type 'BEGN'", "did you mean 'BEGIN'?"]);
  });
});

describe("targets", () => {
  it("unknown symbol: did you mean", () => {
    expectError("probe tst < >", "1:7-10", ["unknown symbol 'tst'", "did you mean 'test'?"]);
    expectError("probe ./libfoo.so:fo < >", "1:19-21", ["unknown symbol 'fo'", "in /work/libfoo.so", "did you mean 'foo'?"]);
    expectError("probe zzzzzz < >", "1:7-13", ["unknown symbol 'zzzzzz'"]);
    assert.doesNotMatch(err("probe zzzzzz < >").message, /did you mean/);
  });
  it("unknown binary: did you mean", () => {
    expectError("probe libfo.so:foo < >", "1:7-15", ["unknown binary 'libfo.so'", "did you mean 'libfoo.so'?"]);
  });
  it("offset inside an instruction lists the valid offsets", () => {
    const inside = ["is not an instruction boundary of test", "inside 'mov rbp, rsp' at test+1", "valid instruction offsets: 0, 1, 4, 5, 6"];
    expectError("probe test:2 < count++ >", "1:12-13", ["offset 2", ...inside]);
    expectError("probe test+3 < >", "1:12-13", ["offset 3", ...inside]);
    expectError("probe 0x55555555512b < >", "1:7-21", ["offset 2", ...inside]);
  });
  it("offset past the end", () => {
    expectError("probe test:0x9 < >", "1:12-15", ["offset 9 is past the end of test", "size 7", "valid instruction offsets: 0, 1, 4, 5, 6"]);
  });
  it("retprobe with an offset", () => {
    const parts = ["a retprobe attaches at the entry of test", "offset 4 is not allowed", "use 'probe test:4' for an instruction probe"];
    expectError("retprobe test:4 < count++ >", "1:15-16", parts);
    expectError("retprobe test:4 < >", "1:15-16", parts, { unsafe: true });
  });
  it("unmapped address", () => {
    expectError("probe 0x1 < >", "1:7-10", ["address 0x1 is not mapped from /work/t"]);
  });
  it("malformed targets", () => {
    expectError("probe test:1:2:3 < >", "1:7-17", ["malformed probe target 'test:1:2:3'", "expected SYMBOL, SYMBOL:OFFSET, SYMBOL+OFFSET or ADDRESS"]);
  });
});

describe("semantic errors", () => {
  // [program, span, message parts]
  const table: Array<[string, string, string[]]> = [
    ["probe test < x = nsec >", "1:18-22", ["unknown identifier 'nsec'", "did you mean 'nsecs'?"]],
    ["probe test < prinf(\"x\") >", "1:14-19", ["unknown function 'prinf'", "did you mean 'print' or 'printf'?"]],
    ["probe test < x = hist() >", "1:18-24", ["hist() requires 1 argument", "0 provided"]],
    ["probe test < x = lhist(arg0, 1) >", "1:18-32", ["lhist() requires 4 arguments", "2 provided"]],
    ["probe test < x = str(1, 2, 3) >", "1:18-30", ["str() requires 1 to 2 arguments", "3 provided"]],
    ["probe test < x = count(1) >", "1:18-26", ["count() requires no arguments", "1 provided"]],
    ["probe test < x = \"s\" + 1 >", "1:18-21", ["operator '+' needs integers, got a string"]],
    ["probe test < x = comm == 1 >", "1:18-27", ["type mismatch for '=='", "comparing 'string' with 'int64'"]],
    ["probe test < x = 1; x = \"s\" >", "1:25-28", ["type mismatch for x", "trying to assign value of type 'string' when variable already contains a value of type 'int64'", "since 1:14"]],
    ["probe test < c = count(); c = 1 >", "1:31-32", ["type mismatch for c", "trying to assign value of type 'int64' when variable already contains a value of type 'count'", "since 1:14"]],
    ["probe test < c = count(); c = sum(1) >", "1:31-37", ["type mismatch for c", "trying to assign value of type 'sum' when variable already contains a value of type 'count'", "since 1:14"]],
    ["probe test < c = count(); c++ >", "1:27-28", ["'++' needs an integer variable, and c holds count", "since 1:14"]],
    ["retprobe test < x = arg0 >", "1:21-25", ["arg0 is not available in a retprobe", "the argument registers are gone by then", "save it on entry, e.g. self.arg0 = arg0"]],
    ["probe test < x = retval >", "1:18-24", ["retval is not available in a probe", "use a retprobe"]],
    ["probe test, retprobe test < x = retval >", "1:33-39", ["retval is not available in a probe", "use a retprobe"]],
    ["BEGIN < x = arg0 >", "1:13-17", ["arg0 is not available in BEGIN/END"]],
    ["END < x = reg(\"rax\") >", "1:11-14", ["reg() is not available in BEGIN/END"]],
    ["probe test < x = reg(\"rxa\") >", "1:22-27", ["unknown register 'rxa'", "did you mean 'rax'?", "registers: rax..r15, rip", "or bpftrace's ax, di, ip, sp, ..."]],
    ["probe test < x = reg(comm) >", "1:22-26", ["reg() needs a register name as a string literal", "e.g. reg(\"rax\")"]],
    ["probe test < printf(\"%d %s\\n\", 1) >", "1:14-34", ["printf()", "the format has 2 conversions but 1 argument was given"]],
    ["probe test < printf(\"%d\\n\", 1, 2) >", "1:32-33", ["printf()", "the format has 1 conversion but 2 arguments were given"]],
    ["probe test < printf(\"%d\\n\", comm) >", "1:29-33", ["printf()", "%d needs an integer, got string"]],
    ["probe test < printf(\"%s\\n\", 1) >", "1:29-30", ["printf()", "%s needs a string, got int64"]],
    ["probe test < printf(\"%q\\n\", 1) >", "1:21-27", ["printf", "unknown conversion '%q'"]],
    ["probe test < printf(comm) >", "1:21-25", ["printf() format must be a string literal"]],
    ["probe test < m[1] = 1; m[\"a\"] = 2 >", "1:26-29", ["key 1 of 'm' is int64", "since 1:14", "not string"]],
    ["probe test < m[1] = 1; m[1, 2] = 2 >", "1:24-31", ["'m' has 1 key", "since 1:14", "not 2"]],
    ["probe test < m[1] = 1; x = m >", "1:28-29", ["'m' is a map", "first used with a key at 1:14", "use m[...]"]],
    ["probe test < x = 1; y = x[1] >", "1:25-29", ["'x' is not a map", "first assigned without a key at 1:14", "so it cannot be indexed"]],
    ["probe test < h = hist(1); x = h + 1 >", "1:31-32", ["h holds hist, which cannot be used as a value", "print it with print(h)"]],
    ["probe test < count() >", "1:14-21", ["count() must be assigned to a global or a map", "x = count(...)"]],
    ["probe test < x = 1 + count() >", "1:22-29", ["count() must be assigned directly to a global or a map", "x = count(...)"]],
    ["probe test < self.x = count() >", "1:23-30", ["count() must be assigned to a global or a map, not to 'self.x'"]],
    ["probe test < str(arg0) >", "1:14-23", ["the value of str() is not used"]],
    ["probe test < x = print(1) >", "1:18-26", ["print() has no value"]],
    ["probe test < if (comm) < x++ > >", "1:18-22", ["an if condition needs an integer, got a string"]],
    ["probe test / comm / < x++ >", "1:14-18", ["a filter needs an integer, got a string"]],
    ["probe test < $x = $y >", "1:19-21", ["unknown variable '$y'", "did you mean '$x'?"]],
    ["probe test < y = $x; $x = 1 >", "1:18-20", ["variable '$x' is used before it is assigned"]],
    ["probe test < x = self.y >", "1:18-24", ["unknown per-thread variable 'self.y'"]],
    ["probe test < x = @y >", "1:18-20", ["unknown map '@y'"]],
    ["probe test < tid = 1 >", "1:14-17", ["cannot assign to builtin 'tid'"]],
    ["probe test < x = 99999999999999999999999 >", "1:18-41", ["integer literal '99999999999999999999999' does not fit in 64 bits"]],
    ["probe test < x = 09 >", "1:18-20", ["invalid octal literal '09'"]],
    ["probe test < x = \"\\q\" >", "1:18-22", ["unknown escape sequence '\\q'"]],
    ["probe test < x = lhist(arg0, 10, 0, 1) >", "1:34-35", ["lhist() max must be greater than min"]],
    ["probe test < x = lhist(arg0, 0, 10, 0) >", "1:37-38", ["lhist() step must be positive"]],
    ["probe test < x = lhist(arg0, 0, arg1, 1) >", "1:33-37", ["lhist() max must be an integer literal"]],
    ["probe test < x = lhist(arg0, 0, 10, 1); x = lhist(arg0, 0, 20, 1) >", "1:45-66", ["lhist parameters of x differ from its first assignment at 1:14"]],
    ["probe test < x = c ? 1 : \"a\" ; c = 1 >", "1:18-29", ["the branches of '?:' have different types", "'int64' and 'string'"]],
    ["probe test < delete(m) ; m[1] = 2 >", "1:21-22", ["delete() needs a map element", "delete(m[key]) or delete(m, key)"]],
    ["probe test < clear(nsecs) >", "1:20-25", ["clear() needs a global or map name"]],
    ["probe test < x = 1; print_log2(x) >", "1:32-33", ["print_log2() needs a hist() variable, and x holds int64"]],
    ["config = { print_maps_on_exit = maybe }", "1:33-38", ["print_maps_on_exit must be true or false"]],
    ["config = { print_map_on_exit = 0 }", "1:12-29", ["unknown config setting 'print_map_on_exit'", "did you mean 'print_maps_on_exit'?"]],
    ["conf = { print_maps_on_exit = 0 }", "1:1-5", ["unknown top-level assignment to 'conf'", "only 'config = { ... }' is allowed here"]],
    ["probe test < x = @m(1) >", "1:18-20", ["unknown function '@m'"]],
  ];
  for (const [src, at, parts] of table) {
    it(src, () => expectError(src, at, parts));
  }
});
