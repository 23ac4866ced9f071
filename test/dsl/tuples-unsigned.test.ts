// Tuples and uint64: located errors for tuple misuse (bpftrace 0.17's words
// where it has them), and printf's length modifiers reading 32/16/8/64 bits
// of a 64-bit argument as libc does under bpftrace 0.17 (measured there:
// `%d` of 5000000000 is 705032704, `%u` of -1 is 4294967295).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DslError } from "../../dsl/diagnostics.js";
import { compileProgram } from "../../dsl/index.js";
import { formatterFor, parseFormat, sprintf } from "../../dsl/printf.js";
import { FakeTarget } from "./helpers.js";

function one(src: string, text: string, message: RegExp): void {
  try {
    compileProgram(src, "t.bt", new FakeTarget(), {});
  } catch (e) {
    if (!(e instanceof DslError)) throw e;
    const ds = e.diagnostics.map((d) => [src.slice(d.span.start, d.span.end), d.message]);
    assert.equal(ds.length, 1, JSON.stringify(ds));
    assert.equal(ds[0]![0], text);
    assert.match(ds[0]![1]!, message);
    return;
  }
  assert.fail(`expected an error for ${src}`);
}

describe("tuple errors", () => {
  it("an index past the tuple", () => one("probe test { $t = (1, 2); @e = $t.5 }", "$t.5", /^Invalid tuple index: 5\. Found 2 elements in tuple\.$/));
  it("a tuple as a map key", () => one("probe test { @g[(1, 2)] = 1 }", "(1, 2)", /^tuple cannot be used as a map key\. Try a multi-key associative array instead/));
  it("arithmetic, printf and comparison on a tuple", () => {
    one("probe test { $t = (1, 2); @h = $t + 1 }", "$t", /^operator '\+' needs integers, got a tuple$/);
    one('probe test { $t = (1, 2); printf("%d", $t) }', "$t", /^printf\(\): %d needs an integer, got tuple$/);
    one("probe test { $t = (1, 2); @c = $t == $t }", "$t == $t", /^tuples cannot be compared/);
  });
  it("a named field or '->' on a tuple", () => {
    one("probe test { $t = (1, 2); @x = $t.x }", "x", /^a tuple's elements are numbered/);
    one("probe test { $t = (1, 2); @x = $t->x }", "->", /^'->' needs a pointer to a struct/);
  });
  it("++ and zero() on a tuple", () => {
    one("probe test { $t = (1, 2); $t++ }", "$t", /^'\+\+' needs an integer, and \$t is a tuple$/);
    one("probe test { @t = (1, 2); zero(@t) }", "@t", /^zero\(\) needs a numeric variable, and @t holds a tuple$/);
  });
  it("an index on an integer", () => one("probe test { @x = arg0.0 }", ".", /^Can not access index '0' on expression of type 'int64': it is not a tuple$/));
  it("a variable keeps one tuple type", () => {
    one('probe test { $t = (1, 2); $t = (1, "a") }', '(1, "a")', /^type mismatch for \$t: trying to assign a tuple of type '\(int64, string\)' when it already holds '\(int64, int64\)'$/);
    one('probe test { @t = (1, 2) }\nprobe test { @t = ("a", 2) }', '("a", 2)', /^type mismatch for @t/);
  });
});

describe("printf length modifiers (bpftrace 0.17 on libc)", () => {
  const fmt = (f: string, v: bigint): string => {
    const p = parseFormat(f);
    assert.ok(p.ok);
    return formatterFor(p.specs[0]!)(v);
  };
  it("no modifier reads 32 bits", () => {
    assert.equal(fmt("%d", 5000000000n), "705032704");
    assert.equal(fmt("%5d", -5000000000n), "-705032704");
    assert.equal(fmt("%u", -1n), "4294967295");
    assert.equal(fmt("%x", 5000000000n), "2a05f200");
    assert.equal(fmt("%X", 4294967295n), "FFFFFFFF");
  });
  it("h reads 16, hh 8, l ll z j 64", () => {
    assert.equal(fmt("%hd", 70000n), "4464");
    assert.equal(fmt("%hu", 70000n), "4464");
    assert.equal(fmt("%hhd", 300n), "44");
    assert.equal(fmt("%ld", 5000000000n), "5000000000");
    assert.equal(fmt("%lu", -1n), "18446744073709551615");
    assert.equal(fmt("%llx", -1n), "ffffffffffffffff");
    assert.equal(fmt("%zu", 18446744073709551615n), "18446744073709551615");
    assert.equal(fmt("%ld", 18446744073709551615n), "-1");
  });
  it("%p reads 64; sprintf (print_rows' bcc tables) reads 64 for any modifier", () => {
    assert.equal(fmt("%p", 0x7ffe00001234n), "0x7ffe00001234");
    assert.equal(sprintf("%d %u", 5000000000n, -1n), "5000000000 18446744073709551615");
  });
});
