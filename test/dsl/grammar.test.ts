// Grammar tests: every construct parses to the expected tree, operator
// precedence and associativity follow C, and every parse is unique.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { showBlock, showExpr, type ProbeItem, type SpecialItem } from "../../dsl/ast.js";
import { parseText } from "../../dsl/parse.js";
import { tokenize } from "../../dsl/lexer.js";

/** The filter expression of `probe t / EXPR / < >`, as an S-expression. */
function expr(src: string): string {
  const p = parseText(`probe t / ${src} / < >`);
  return showExpr((p.items[0] as ProbeItem).filter!);
}

function body(src: string): string {
  const p = parseText(src);
  return p.items.map((i) => (i.kind === "config" ? "config" : showBlock(i.body))).join(" | ");
}

describe("precedence and associativity", () => {
  const table: Array<[string, string]> = [
    ["1 + 2 * 3", "(1 + (2 * 3))"],
    ["1 * 2 + 3", "((1 * 2) + 3)"],
    ["1 - 2 - 3", "((1 - 2) - 3)"],
    ["8 / 4 / 2", "((8 / 4) / 2)"],
    ["7 % 4 * 2", "((7 % 4) * 2)"],
    ["1 << 2 + 3", "(1 << (2 + 3))"],
    ["1 + 2 << 3", "((1 + 2) << 3)"],
    ["a >> 1 >> 2", "((a >> 1) >> 2)"],
    ["1 < 2 == 3 > 4", "((1 < 2) == (3 > 4))"],
    ["a <= b != c >= d", "((a <= b) != (c >= d))"],
    ["a << 1 < b", "((a << 1) < b)"],
    ["a & b == c", "(a & (b == c))"],
    ["a | b ^ c & d", "(a | (b ^ (c & d)))"],
    ["a ^ b | c", "((a ^ b) | c)"],
    ["a && b || c && d", "((a && b) || (c && d))"],
    ["a || b && c", "(a || (b && c))"],
    ["a | b && c | d", "((a | b) && (c | d))"],
    ["-a * b", "((-a) * b)"],
    ["- - a", "(-(-a))"],
    ["!a && b", "((!a) && b)"],
    ["~a & b", "((~a) & b)"],
    ["+a", "(+a)"],
    ["!(a && b)", "(!(a && b))"],
    ["(1 + 2) * 3", "((1 + 2) * 3)"],
    ["a ? b : c", "(a ? b : c)"],
    ["a ? b : c ? d : e", "(a ? b : (c ? d : e))"],
    ["a ? b ? c : d : e", "(a ? (b ? c : d) : e)"],
    ["a || b ? c + 1 : d", "((a || b) ? (c + 1) : d)"],
    ["m[1, \"x\"] + f(2, 3)", "(m[1, \"x\"] + f(2, 3))"],
    ["@m[tid] * 2", "(@m[tid] * 2)"],
    ["self.t + $x", "(self.t + $x)"],
    ["0x10 + 010 + 0b11 + 1_000", "(((16 + 8) + 3) + 1000)"],
    ["reg(\"rax\") - -1", "(reg(\"rax\") - (-1))"],
    ["1 - -2 * -3", "(1 - ((-2) * (-3)))"],
  ];
  for (const [src, want] of table) {
    it(src, () => assert.equal(expr(src), want));
  }
});

describe("probes and blocks", () => {
  it("probe test:0 < count++ >", () => {
    const p = parseText("probe test:0 < count++ >");
    const item = p.items[0] as ProbeItem;
    assert.equal(item.targets[0]!.keyword, "probe");
    assert.equal(item.targets[0]!.text, "test:0");
    assert.deepEqual(item.targets[0]!.atoms.map((a) => a.kind), ["ident", "number"]);
    assert.equal(showBlock(item.body), "{ count++ }");
  });

  it("target forms", () => {
    const forms: Array<[string, string[], string[]]> = [
      ["test", ["ident"], []],
      ["test:4", ["ident", "number"], [":"]],
      ["test:0x4", ["ident", "number"], [":"]],
      ["test+4", ["ident", "number"], ["+"]],
      ["0x401000", ["number"], []],
      ["./t:test", ["path", "ident"], [":"]],
      ["/usr/lib/libc.so.6:malloc+8", ["path", "ident", "number"], [":", "+"]],
      ["libc.so.6:malloc", ["ident", "ident"], [":"]],
      ['"my lib.so":f', ["string", "ident"], [":"]],
      ["libstdc++:_ZNSo5flushEv", ["path", "ident"], [":"]],
      ["libstdc++.so.6:f+4", ["path", "ident", "number"], [":", "+"]],
      ["foo.cold", ["ident"], []],
      ["malloc@@GLIBC_2.2.5", ["ident"], []],
    ];
    for (const [t, kinds, seps] of forms) {
      const item = parseText(`probe ${t} < >`).items[0] as ProbeItem;
      assert.deepEqual(item.targets[0]!.atoms.map((a) => a.kind), kinds, t);
      assert.deepEqual(item.targets[0]!.seps, seps, t);
    }
  });

  it("retprobe, bpftrace aliases, several targets sharing a block", () => {
    const p = parseText('uprobe:./t:test, uretprobe:./t:test { @c[probe] = count(); }\nprobe a, b, retprobe c < x++ >');
    const a = p.items[0] as ProbeItem;
    assert.deepEqual(a.targets.map((t) => [t.keyword, t.ret, t.alias, t.text]), [
      ["uprobe", false, true, "./t:test"],
      ["uretprobe", true, true, "./t:test"],
    ]);
    const b = p.items[1] as ProbeItem;
    assert.deepEqual(b.targets.map((t) => [t.keyword, t.text]), [["probe", "a"], ["probe", "b"], ["retprobe", "c"]]);
  });

  it("BEGIN/END in both spellings, filters, braces", () => {
    const p = parseText("BEGIN < a = 1 >\nend { b = 2 }\nprobe t /x > 1/ { c = 3 }\nprobe t\n/ y /\n< d = 4 >");
    assert.deepEqual(p.items.map((i) => (i.kind === "special" ? (i as SpecialItem).which : i.kind)), ["BEGIN", "END", "probe", "probe"]);
    assert.equal(showExpr((p.items[2] as ProbeItem).filter!), "(x > 1)");
    assert.equal(showExpr((p.items[3] as ProbeItem).filter!), "y");
  });

  it("config block", () => {
    const p = parseText("config = { print_maps_on_exit = false; x = 1 }\nBEGIN < >");
    assert.equal(p.items[0]!.kind, "config");
  });
});

describe("statements", () => {
  const table: Array<[string, string]> = [
    ["probe t < x = 1 >", "{ x = 1 }"],
    ["probe t < x += 1; x -= 2; x *= 3; x /= 4; x %= 5 >", "{ x += 1; x -= 2; x *= 3; x /= 4; x %= 5 }"],
    ["probe t < x &= 1; x |= 2; x ^= 3; x <<= 4; x >>= 5 >", "{ x &= 1; x |= 2; x ^= 3; x <<= 4; x >>= 5 }"],
    ["probe t < x++; x--; ++x; --x >", "{ x++; x--; ++x; --x }"],
    ["probe t < m[1]++; m[1, 2] = 3 >", "{ m[1]++; m[1, 2] = 3 }"],
    ['probe t < printf("%d\\n", 1); print(x); clear(m); delete(m[1]); exit() >', '{ printf("%d\\n", 1); print(x); clear(m); delete(m[1]); exit() }'],
    ["probe t < if (a) < b++ > >", "{ if a { b++ } }"],
    ["probe t < if (a) < b++ > else < c++ > >", "{ if a { b++ } else { c++ } }"],
    ["probe t < if (a) < b++ > else if (c) < d++ > else < e++ > >", "{ if a { b++ } else if c { d++ } else { e++ } }"],
    ["probe t < if (a) < b++ >\n else < c++ > >", "{ if a { b++ } else { c++ } }"],
    ["probe t < if (a) < b++ > c++ >", "{ if a { b++ }; c++ }"],
    ["probe t < if (a) < if (b) < c++ >> >", "{ if a { if b { c++ } } }"],
    ["probe t { if (a) { b++ } c++ }", "{ if a { b++ }; c++ }"],
    ["probe t < x = a > b >", "{ x = (a > b) }"],
    ["probe t < x = a < b >", "{ x = (a < b) }"],
    ["probe t < x = y >> 2 >", "{ x = (y >> 2) }"],
    ["probe t < return >", "{ return }"],
    ["probe t < >", "{  }"],
    ["probe t <\n\n  a = 1\n\n  b = 2;;\n  c = 3;\n>", "{ a = 1; b = 2; c = 3 }"],
    ["probe t < x = 1 +\n  2 >", "{ x = (1 + 2) }"],
    ["probe t < printf(\"%d %d\\n\",\n  1,\n  2) >", '{ printf("%d %d\\n", 1, 2) }'],
    ["probe t < x = 1 // comment\n y = 2 /* multi\nline */ >", "{ x = 1; y = 2 }"],
    ["probe t < s = \"a\\tb\\\"c\\x41\\101\" >", '{ s = "a\\tb\\"cAA" }'],
  ];
  for (const [src, want] of table) it(JSON.stringify(src), () => assert.equal(body(src), want));
});

describe("lexer", () => {
  it("probe is a keyword only before a target", () => {
    assert.deepEqual(tokenize("probe t < x = probe >").map((t) => t.type), ["probe", "tid", "binop", "name", "op", "name", "binop"]);
  });
  it("newlines: separators, collapsed, dropped inside parentheses and after operators", () => {
    const types = tokenize("a\n\n\nb (\n c\n) +\n d").map((t) => t.type);
    assert.deepEqual(types, ["name", "sep", "name", "op", "name", "op", "binop", "name"]);
  });
  it(">> closing two blocks is split", () => {
    assert.deepEqual(tokenize("< < x++ >>").slice(-2).map((t) => t.text), [">", ">"]);
    assert.deepEqual(tokenize("x = y >> 2").map((t) => t.text), ["x", "=", "y", ">>", "2"]);
  });
  it("tokens carry offsets", () => {
    const t = tokenize("  count++");
    assert.equal(t[0]!.offset, 2);
    assert.equal(t[1]!.offset, 7);
  });
});
