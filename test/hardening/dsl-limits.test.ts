// Issue 15: the DSL compiler has a size and nesting limit with located
// errors (no stack overflow, no quadratic parse: the fuzzer found a
// 20,000-element map key that took 15 s and 2.9 GB), and maps stop at
// max_map_keys as bpftrace's do, with one clear warning per map.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DslError } from "../../dsl/diagnostics.js";
import { compileProgram } from "../../dsl/index.js";
import { FakeTarget } from "../dsl/helpers.js";
import { buildC, requireMusl, runCli, samplePath } from "../helpers.js";
import { memoryBoundMiB, runMeasured } from "./measure.js";

const T = new FakeTarget();

function compileError(src: string): string {
  try {
    compileProgram(src, "deep.probe", T);
  } catch (e) {
    assert.ok(e instanceof DslError, `a DslError, got ${String(e)}`);
    return e.format().split("\n")[0]!;
  }
  assert.fail("compiled");
}

describe("the compiler's limits", () => {
  const chain = (op: string, n: number): string => Array<string>(n).fill("1").join(op);
  const cases: [string, string, string][] = [
    ["a 1000-term 1 < 1 < ...", `BEGIN < x = ${chain(" < ", 1000)} >`, "deep.probe:1:1035: error: more than 256 operators in one statement"],
    ["a 5000-term 1+1+...", `BEGIN < x = ${chain("+", 5000)} >`, "deep.probe:1:524: error: more than 256 operators in one statement"],
    ["10,000 !", `BEGIN < x = ${"!".repeat(10_000)}1 >`, "deep.probe:1:268: error: nesting deeper than 256 levels (brackets, blocks and unary operators)"],
    ["10,000 nested if", `BEGIN < ${"if (1) { ".repeat(10_000)}x = 1;${" }".repeat(10_000)} >`, "deep.probe:1:2307: error: nesting deeper than 256 levels (brackets, blocks and unary operators)"],
    ["a 200 KB program", `BEGIN < ${"x = 1; ".repeat(30_000)}>`, "deep.probe:1:65537: error: program too large: 210009 bytes (the limit is 65536)"],
    ["a 20,000-element map key", `BEGIN < @m[${"1, ".repeat(20_000)}1] = count() >`, "deep.probe:1:778: error: more than 256 comma-separated elements in one statement (arguments, map keys, attach points)"],
    ["printf with 10,000 arguments", `BEGIN < printf("x"${", 1".repeat(10_000)}) >`, "deep.probe:1:784: error: more than 256 comma-separated elements in one statement (arguments, map keys, attach points)"],
  ];
  for (const [what, src, want] of cases) test(what, () => assert.equal(compileError(src), want));

  test("up to the limits it compiles: 250 nested ifs around a 250-term chain", () => {
    compileProgram(`BEGIN < ${"if (1) { ".repeat(250)}x = ${chain(" < ", 250)};${" }".repeat(250)} >`, "deep.probe", T);
    compileProgram(`BEGIN < x = ${"!(".repeat(125)}${"1 ? ".repeat(125)}1${" : 1".repeat(125)}${")".repeat(125)} >`, "deep.probe", T);
    compileProgram(`BEGIN < @m[${"1, ".repeat(255)}1] = count() >`, "deep.probe", T);
  });

  // A block's `<` and `>` are delimiters, not operators: they end the statement count and nest.
  test("block delimiters are not operators: 256 operators in a < > block compile, 257 do not", () => {
    compileProgram(`BEGIN < x = ${chain(" < ", 256)} >`, "deep.probe", T);
    compileProgram(`BEGIN < x = ${chain(" > ", 256)} >`, "deep.probe", T);
    assert.equal(compileError(`BEGIN < x = ${chain(" > ", 257)} >`), "deep.probe:1:1035: error: more than 256 operators in one statement");
  });

  test("300 probe < > blocks on one line and 300 if (1) < > blocks in one handler compile", () => {
    compileProgram(Array.from({ length: 300 }, (_, i) => `probe test < @a${i} = 1 >`).join(" "), "deep.probe", T);
    compileProgram(`BEGIN < ${"if (1) < x = 1 > ".repeat(300)}>`, "deep.probe", T);
    compileProgram(`BEGIN < ${"while (x < 3) < x++ > ".repeat(300)}>`, "deep.probe", T);
  });

  test("< > blocks count as nesting: 250 nested if (1) < compile, 10,000 are refused", () => {
    compileProgram(`BEGIN < ${"if (1) < ".repeat(250)}x = 1${" >".repeat(250)} >`, "deep.probe", T);
    assert.equal(compileError(`BEGIN < ${"if (1) < ".repeat(10_000)}x = 1${" >".repeat(10_000)} >`), "deep.probe:1:2307: error: nesting deeper than 256 levels (brackets, blocks and unary operators)");
  });
});

describe("a probe handler's host cost", () => {
  test("300 x++ in one handler, ~10k hits: bounded memory (the optimizing compiler took 6.5 GB on BigInt.asIntN itself; found by test/fuzz)", () => {
    const r = runMeasured(["run", "-q", "--max-mem", "16M", "--max-insns", "100000", "-e", `probe test < ${"x++; ".repeat(300)}>`, "--", samplePath("push-O0")], { keepStdout: true });
    assert.equal(r.status, 124, r.stderr); // the instruction limit
    const x = Number(/^x: (\d+)$/m.exec(r.stdout)?.[1]);
    assert.ok(x > 0 && x % 300 === 0, `x: ${x}, 300 per hit`);
    assert.ok(r.peakMiB < memoryBoundMiB(16), `peak ${r.peakMiB} MiB`);
  });
});

describe("max_map_keys", () => {
  requireMusl();
  const bin = buildC(
    "#include <stdio.h>\n__attribute__((noinline)) long f(long x) { return x * 3; }\nint main(void) { long s = 0; for (long i = 0; i < 200000; i++) s += f(i); printf(\"%ld\\n\", s); return 0; }\n",
    ["-O1"],
    "map-keys",
  );

  test("200k distinct keys: the map keeps 4096 and warns once, naming it; host memory stays bounded", () => {
    const r = runMeasured(["run", "--max-mem", "16M", "-q", "-e", "probe f < @m[arg0] = count(); @n[arg0 % 3] = count() > END < print(@m, 1); clear(@m) >", "--", bin], { keepStdout: true });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^@m\[4095\]: 1$/m, "the first 4096 keys are kept");
    assert.match(r.stdout, /^@n\[0\]: 66667$/m, "other maps are unaffected");
    const warnings = r.stderr.split("\n").filter((l) => /WARNING/.test(l));
    assert.deepEqual(warnings, [
      "-e:1:11: WARNING: Map full; can't update element. Try increasing max_map_keys config (@m holds 4096 keys; further new keys are dropped, reported once per map)",
    ]);
    assert.ok(r.peakMiB < memoryBoundMiB(16), `peak ${r.peakMiB} MiB`);
  });

  test("config = { max_map_keys = N } sets it; JSON mode warns the same way", () => {
    const r = runCli(["run", "-q", "--json", "-e", "config = { max_map_keys = 10 } probe f < @m[arg0] = count() > END < print(@m) ; clear(@m) >", "--", bin]);
    assert.equal(r.status, 0, r.stderr);
    const m = r.stdout.split("\n").find((l) => l.includes('"@m"'));
    assert.ok(m, r.stdout);
    assert.equal(Object.keys((JSON.parse(m) as { data: { "@m": object } }).data["@m"]).length, 10);
    assert.match(r.stderr, /^-e:1:42: WARNING: Map full; can't update element\. Try increasing max_map_keys config \(@m holds 10 keys;/m);
  });

  test("max_map_keys out of range is a located error", () => {
    assert.equal(compileError("config = { max_map_keys = 0 } BEGIN < x = 1 >"), "deep.probe:1:27: error: max_map_keys must be a number of keys from 1 to 1000000");
  });
});
