// C++ names in probe targets: the syntax (`ns::f`, `cpp:NAME`, quoted
// signatures, offsets) and its resolution against the committed g++ sample
// samples/bin/cpp_overload-O0 (through the engine's BinaryTargetInfo), in
// bpftrace's manner: a name without parameters means every overload, one
// probe each; a quoted signature means one function.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ProbeItem } from "../../dsl/ast.js";
import { DslError } from "../../dsl/diagnostics.js";
import { compileProgram, NULL_CONTEXT, type CompiledProgram } from "../../dsl/index.js";
import { parseText } from "../../dsl/parse.js";
import { withoutParameters } from "../../dsl/passes/resolve-targets.js";
import { loadBinary } from "../../engine/binary.js";
import { BinaryTargetInfo } from "../../lab/target-info.js";
import { samplePath } from "../helpers.js";
import { FakeTarget } from "./helpers.js";

const PATH = samplePath("cpp_overload-O0");
const BIN = loadBinary(PATH);
const T = new BinaryTargetInfo(BIN);

const addr = (mangled: string): bigint => BigInt(BIN.lookup(mangled)!.addr);

function compile(src: string): CompiledProgram {
  return compileProgram(src, "c.probe", T);
}

function err(src: string): DslError {
  try {
    compile(src);
  } catch (e) {
    if (e instanceof DslError) return e;
    throw e;
  }
  assert.fail(`expected an error for ${JSON.stringify(src)}`);
}

/** One error, at `at` (line:col-col), whose message holds `parts` in this order. */
function expectError(src: string, at: string, parts: readonly string[]): void {
  const e = err(src);
  assert.equal(e.diagnostics.length, 1, e.format());
  const d = e.diagnostics[0]!;
  const a = e.source.lineCol(d.span.start);
  assert.equal(`${a.line}:${a.col}-${e.source.lineCol(d.span.end).col}`, at, `span of: ${d.message}`);
  let from = 0;
  for (const p of parts) {
    const i = d.message.indexOf(p, from);
    assert.ok(i >= 0, `${JSON.stringify(d.message)} should contain ${JSON.stringify(p)} after offset ${from}`);
    from = i + p.length;
  }
}

/** [probe name, symbol, demangled, offset] of every compiled probe. */
function targets(src: string): Array<[string, string | undefined, string | undefined, number]> {
  return compile(src).probes.map((p) => [p.target.name, p.target.symbol, p.target.demangled, p.target.offset]);
}

const SCALE = [
  ["_ZN3geo5Shape5scaleEi", "geo::Shape::scale(int)"],
  ["_ZN3geo5Shape5scaleEd", "geo::Shape::scale(double)"],
  ["_ZN3geo5Shape5scaleEii", "geo::Shape::scale(int, int)"],
] as const;

describe("C++ target syntax", () => {
  it("qualified names are one atom; quoted names, cpp: and offsets combine as other atoms", () => {
    const forms: Array<[string, string[], string[], string[]]> = [
      ["ns::f", ["ident"], [], ["ns::f"]],
      ["ns::C::~C", ["ident"], [], ["ns::C::~C"]],
      ["ns::f:4", ["ident", "number"], [":"], ["ns::f", "4"]],
      ["ns::f+0x4", ["ident", "number"], ["+"], ["ns::f", "0x4"]],
      ["cpp:ns::f", ["ident", "ident"], [":"], ["cpp", "ns::f"]],
      ['cpp:"ns::f(int)"+4', ["ident", "string", "number"], [":", "+"], ["cpp", "ns::f(int)", "4"]],
      ['"ns::f(int, char const*)":4', ["string", "number"], [":"], ["ns::f(int, char const*)", "4"]],
      ['"ns::max<int>"', ["string"], [], ["ns::max<int>"]],
      ['./a.out:"ns::f"', ["path", "string"], [":"], ["./a.out", "ns::f"]],
      ["./a.out:cpp:ns::f", ["path", "ident", "ident"], [":", ":"], ["./a.out", "cpp", "ns::f"]],
      ["a.out:cpp:ns::f:4", ["ident", "ident", "ident", "number"], [":", ":", ":"], ["a.out", "cpp", "ns::f", "4"]],
      ["_ZN2ns1fEi", ["ident"], [], ["_ZN2ns1fEi"]],
    ];
    for (const [t, kinds, seps, texts] of forms) {
      const spec = (parseText(`probe ${t} < >`).items[0] as ProbeItem).targets[0]!;
      assert.deepEqual(spec.atoms.map((a) => a.kind), kinds, t);
      assert.deepEqual(spec.seps, seps, t);
      assert.deepEqual(spec.atoms.map((a) => a.text), texts, t);
      assert.equal(spec.text, t);
    }
    const alias = (parseText('uprobe:./a.out:cpp:"ns::f" { @n = count(); }').items[0] as ProbeItem).targets[0]!;
    assert.deepEqual([alias.keyword, alias.atoms.map((a) => a.kind), alias.atoms.map((a) => a.text)], ["uprobe", ["path", "ident", "string"], ["./a.out", "cpp", "ns::f"]]);
    const list = (parseText('probe ns::f, "ns::g(int)", retprobe ns::C::~C < >').items[0] as ProbeItem).targets;
    assert.deepEqual(list.map((t) => [t.keyword, t.text]), [["probe", "ns::f"], ["probe", '"ns::g(int)"'], ["retprobe", "ns::C::~C"]]);
  });

  it("parentheses and templates need quotes; a lone '::' is not a name", () => {
    assert.throws(() => parseText("probe ns::f(int) < >"), /unexpected character '\('/);
    assert.throws(() => parseText("probe ns:: < >"), DslError);
    assert.throws(() => parseText('probe "ns::f < >'), DslError);
  });

  it("the name before a signature's parameter list", () => {
    assert.equal(withoutParameters("ns::f(int)"), "ns::f");
    assert.equal(withoutParameters("ns::C::f(int) const &"), "ns::C::f");
    assert.equal(withoutParameters("ns::C::operator()(int)"), "ns::C::operator()");
    assert.equal(withoutParameters("f(void (*)(int))"), "f");
    assert.equal(withoutParameters("ns::f"), undefined);
  });
});

describe("resolving C++ names in the g++ sample", () => {
  it("a name without parameters attaches to every overload, one probe each, named by its signature", () => {
    const want = SCALE.map(([m, d]) => [`probe cpp:"${d}"`, m, d, 0]);
    assert.deepEqual(targets("probe cpp:geo::Shape::scale < >"), want);
    assert.deepEqual(targets('probe cpp:"geo::Shape::scale" < >'), want);
    assert.deepEqual(targets("probe geo::Shape::scale < >"), SCALE.map(([m, d]) => [`probe "${d}"`, m, d, 0]));
    assert.deepEqual(
      targets(`uretprobe:${PATH}:cpp:geo::Shape::scale { @n = count(); }`).map((t) => t[0]),
      SCALE.map(([, d]) => `uretprobe:${PATH}:cpp:"${d}"`),
    );
    const p = compile("probe geo::Shape::scale < >");
    assert.deepEqual(p.probes.map((x) => x.target.addr), SCALE.map(([m]) => addr(m)));
    assert.deepEqual(p.probes.map((x) => x.target.fileOffset), SCALE.map(([m]) => BIN.lookup(m)!.fileOffset));
  });

  it("a quoted signature is one function; spaces do not count; offsets apply to it", () => {
    const one = (src: string) => compile(src).probes.map((x) => [x.target.name, x.target.symbol, x.target.offset, x.target.addr - addr("_ZN3geo5Shape5scaleEi")]);
    assert.deepEqual(one('probe "geo::Shape::scale(int)" < >'), [['probe "geo::Shape::scale(int)"', "_ZN3geo5Shape5scaleEi", 0, 0n]]);
    assert.deepEqual(one('probe "geo::Shape::scale( int )" < >'), [['probe "geo::Shape::scale( int )"', "_ZN3geo5Shape5scaleEi", 0, 0n]]);
    assert.deepEqual(one('probe "geo::Shape::scale(int)"+4 < >'), [['probe "geo::Shape::scale(int)"+4', "_ZN3geo5Shape5scaleEi", 4, 4n]]);
    assert.deepEqual(one('probe cpp:"geo::Shape::scale(int)":4 < >'), [['probe cpp:"geo::Shape::scale(int)":4', "_ZN3geo5Shape5scaleEi", 4, 4n]]);
    assert.deepEqual(one(`probe ${PATH}:"geo::Shape::scale(int)":4 < >`), [[`probe ${PATH}:"geo::Shape::scale(int)":4`, "_ZN3geo5Shape5scaleEi", 4, 4n]]);
    assert.deepEqual(one(`uprobe:${PATH}:cpp:"geo::Shape::scale(int)"+4 { @n = count(); }`), [[`uprobe:${PATH}:cpp:"geo::Shape::scale(int)"+4`, "_ZN3geo5Shape5scaleEi", 4, 4n]]);
  });

  it("mangled names keep working, and know their demangled name", () => {
    assert.deepEqual(targets("probe _ZN3geo5Shape5scaleEi:4 < >"), [["probe _ZN3geo5Shape5scaleEi:4", "_ZN3geo5Shape5scaleEi", "geo::Shape::scale(int)", 4]]);
    assert.deepEqual(targets("probe main < >"), [["probe main", "main", undefined, 0]]);
    assert.deepEqual(targets("probe cpp:main < >"), [["probe cpp:main", "main", undefined, 0]], "cpp: falls back to the exact name");
  });

  it("constructors, destructors, operators, templates, files", () => {
    const sym = (src: string) => compile(src).probes.map((x) => x.target.demangled);
    // C1 and C2 (D1 and D2) are one function at one address: one probe
    assert.deepEqual(sym("probe geo::Shape::Shape < >"), ["geo::Shape::Shape(int, int)"]);
    assert.deepEqual(sym("probe geo::Shape::~Shape < >"), ["geo::Shape::~Shape()"]);
    assert.deepEqual(sym('probe "geo::Shape::~Shape()" < >'), ["geo::Shape::~Shape()"]);
    assert.deepEqual(sym('probe "geo::operator<<" < >'), ["geo::operator<<(std::basic_ostream<char, std::char_traits<char> >&, geo::Shape const&)"]);
    for (const t of ["geo::twice", '"geo::twice<int>"', '"geo::twice<int>(int)"', '"int geo::twice<int>(int)"']) {
      assert.deepEqual(sym(`probe ${t} < >`), ["int geo::twice<int>(int)"], t);
    }
    assert.deepEqual(sym(`probe ./${PATH.slice(PATH.indexOf("samples/"))}:"geo::area" < >`), ["geo::area(geo::Shape const&)"]);
    assert.deepEqual(sym(`probe "${PATH}":"geo::area" < >`), ["geo::area(geo::Shape const&)"]);
    assert.deepEqual(sym('probe "cpp_overload-O0":cpp:geo::area < >'), ["geo::area(geo::Shape const&)"]);
  });

  it("func and usym() show demangled names", () => {
    const p = compile('probe cpp:geo::Shape::scale < printf("%s|", func) >\nretprobe "geo::area" < printf("%s|", func) >\nBEGIN < printf("%s|%s\\n", usym(' + `0x${(addr("_ZN3geo5Shape5scaleEd") + 4n).toString(16)}), usym(${addr("_ZN3geo4areaERKNS_5ShapeE")})) >`);
    p.runBegin(NULL_CONTEXT);
    for (const x of p.probes) x.handler(NULL_CONTEXT);
    assert.equal(
      p.output,
      "geo::Shape::scale(double)+4|geo::area(geo::Shape const&)\n" +
        "geo::Shape::scale(int)|geo::Shape::scale(double)|geo::Shape::scale(int, int)|geo::area(geo::Shape const&)|",
    );
  });
});

describe("C++ target errors", () => {
  it("an offset on a name with several overloads lists their signatures", () => {
    assert.equal(
      err("probe geo::Shape::scale:4 < >").format(),
      "c.probe:1:25: error: 'geo::Shape::scale' names 3 functions and an offset needs one: geo::Shape::scale(int), geo::Shape::scale(double), geo::Shape::scale(int, int) (quote the full signature: probe \"geo::Shape::scale(int)\":4)\nprobe geo::Shape::scale:4 < >\n                        ^",
    );
  });

  it("the suggested spelling keeps the way the target was written", () => {
    assert.match(err(`uprobe:${PATH}:cpp:geo::Shape::scale+4 { }`).message, new RegExp(`\\(quote the full signature: uprobe:${PATH}:cpp:"geo::Shape::scale\\(int\\)"\\+4\\)$`));
  });

  it("a signature no overload has lists the overloads", () => {
    expectError('probe "geo::Shape::scale(long)" < >', "1:7-32", [
      "no overload of 'geo::Shape::scale' has the signature 'geo::Shape::scale(long)'",
      "there are: geo::Shape::scale(int), geo::Shape::scale(double), geo::Shape::scale(int, int)",
    ]);
  });

  it("did you mean: demangled names for C++ symbols, mangled ones for a mangled typo", () => {
    expectError("probe geo::Shape::scael < >", "1:7-24", ["unknown symbol 'geo::Shape::scael'", "did you mean 'geo::Shape::scale', 'geo::Shape::Shape' or 'geo::Shape::~Shape'?"]);
    expectError('probe "geo::aera" < >', "1:7-18", ["unknown symbol 'geo::aera'", "did you mean 'geo::area'?"]);
    assert.match(err("probe _ZN3geo5Shape5scalEi < >").message, /did you mean '_ZN3geo5Shape5scaleEi'/);
  });

  it("offset checks and the retprobe rule speak demangled names", () => {
    assert.match(err('probe "geo::Shape::scale(int)":3 < >').message, /^offset 3 is not an instruction boundary of geo::Shape::scale\(int\) \(inside '.*' at geo::Shape::scale\(int\)\+1\); valid instruction offsets: 0, 1, 4,/);
    expectError('retprobe "geo::Shape::scale(int)":4 < >', "1:35-36", [
      "a retprobe attaches at the entry of geo::Shape::scale(int)",
      "offset 4 is not allowed",
      "use 'probe \"geo::Shape::scale(int)\":4' for an instruction probe",
    ]);
  });

  it("a TargetInfo without C++ support: demangled names are unknown symbols", () => {
    assert.throws(() => compileProgram("probe ns::f < >", "c.probe", new FakeTarget()), /unknown symbol 'ns::f'/);
    assert.throws(() => compileProgram('probe cpp:"ns::f(int)" < >', "c.probe", new FakeTarget()), /unknown symbol 'ns::f\(int\)'/);
  });
});
