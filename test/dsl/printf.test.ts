// printf: the C format subset, checked against glibc's output for 64-bit
// arguments.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseFormat, sprintf } from "../../dsl/printf.js";
import { firstDiagnostic } from "./helpers.js";

describe("printf conversions", () => {
  const table: Array<[string, Array<bigint | string>, string]> = [
    ["%d", [42n], "42"],
    ["%d", [-5n], "-5"],
    ["%i", [7n], "7"],
    ["%5d|", [42n], "   42|"],
    ["%-5d|", [42n], "42   |"],
    ["%05d", [42n], "00042"],
    ["%05d", [-42n], "-0042"],
    ["%+d %+d", [5n, -5n], "+5 -5"],
    ["% d", [5n], " 5"],
    ["%.3d", [5n], "005"],
    ["%8.3d|", [5n], "     005|"],
    ["%08.3d|", [5n], "     005|"],
    ["%.0d|", [0n], "|"],
    ["%u", [-1n], "18446744073709551615"],
    ["%lu %llu %ld %lld %hd %hhd %zd", [1n, 2n, 3n, 4n, 5n, 6n, 7n], "1 2 3 4 5 6 7"],
    ["%x %X", [255n, 255n], "ff FF"],
    ["%lx", [-1n], "ffffffffffffffff"],
    ["%#x %#X %#x", [255n, 255n, 0n], "0xff 0XFF 0"],
    ["%08x", [0xbeefn], "0000beef"],
    ["%#010x", [0xbeefn], "0x0000beef"],
    ["%o %#o", [8n, 8n], "10 010"],
    ["%c%c%c", [72n, 105n, 0x121n], "Hi!"],
    ["%3c|%-3c|", [65n, 66n], "  A|B  |"],
    ["%p %p", [0n, 0x1000n], "(nil) 0x1000"],
    ["%s", ["abc"], "abc"],
    ["%5s|%-5s|", ["abc", "abc"], "  abc|abc  |"],
    ["%.2s|%5.1s|", ["abc", "abc"], "ab|    a|"],
    ["100%% %d%%", [5n], "100% 5%"],
    ["no conversions\n", [], "no conversions\n"],
    ["%d %s %x", [-1n, "x", 16n], "-1 x 10"],
  ];
  for (const [fmt, args, want] of table) it(JSON.stringify(fmt), () => assert.equal(sprintf(fmt, ...args), want));
});

describe("format parsing", () => {
  it("argument types", () => {
    const p = parseFormat("%d %s %c %p %-08lx");
    assert.ok(p.ok);
    if (p.ok) assert.deepEqual(p.specs.map((s) => [s.text, s.arg]), [["%d", "int"], ["%s", "string"], ["%c", "int"], ["%p", "int"], ["%-08lx", "int"]]);
  });
  it("errors", () => {
    assert.deepEqual(parseFormat("%q"), { ok: false, offset: 1, message: "printf: unknown conversion '%q'" });
    assert.equal((parseFormat("abc %") as { message: string }).message, "printf: incomplete conversion at the end of the format");
    assert.equal((parseFormat("%*d") as { message: string }).message, "printf: '*' widths are not supported");
  });
});

describe("bpftrace 0.17's printf does not know %i (measured live; runtime case printf-percent-i)", () => {
  it("an argument for it is one too many, as bpftrace's 'Too many arguments (1 supplied, 0 expected)'", () => {
    assert.deepEqual(firstDiagnostic('BEGIN { printf("%i\\n", 1); }'), { text: "1", message: "printf(): the format has 0 conversions but 1 argument was given (bpftrace 0.17 does not know %i: it is text there; use %d)" });
  });
  it("before a conversion it would take that conversion's argument (garbage in 0.17): refused, located at the %i", () => {
    assert.deepEqual(firstDiagnostic('BEGIN { printf("a %-5li %d\\n", 1); }'), { text: "%-5li", message: "printf(): bpftrace 0.17 does not know %i: it would hand the next conversion's argument to it and print garbage; use %d" });
  });
  it("without an argument it is text; C's dialect (sprintf, Python's %) still knows it", () => {
    const p = parseFormat("%d %5i|", { bpftrace: true });
    assert.ok(p.ok);
    if (p.ok) assert.deepEqual([p.specs.length, p.parts.at(-1), p.literalI], [1, " %5i|", [3]]);
    assert.equal(sprintf("%i", 7n), "7");
  });
});
