// Field access (`e.NAME`, `e->NAME`, `e.0`): it parses as a postfix operator
// binding tighter than casts, `*` and the unary operators, as in C and
// bpftrace, every parse is unique, and misuse is reported at the operator.
// A field of the bare identifier `args` is the probe-args hook's.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { showExpr, type FieldAccess, type ProbeItem } from "../../dsl/ast.js";
import { parseText } from "../../dsl/parse.js";
import { firstDiagnostic } from "./helpers.js";

function filter(src: string): string {
  return showExpr((parseText(`probe t / ${src} / < >`).items[0] as ProbeItem).filter!);
}


describe("field access: parse", () => {
  const table: Array<[string, string]> = [
    ["$p.x", "$p.x"],
    ["$p->x", "$p->x"],
    ["$p->next->x", "$p->next->x"],
    ["$t.0 + $t.1", "($t.0 + $t.1)"],
    ["*$p.x", "*$p.x"],
    ["-$p->x * 2", "((-$p->x) * 2)"],
    ["!$p.ok", "(!$p.ok)"],
    ["(int32)$p->x", "(int32)$p->x"],
    ["((int32 *)arg0)->x", "(int32 *)arg0->x"],
    ["@m[1, 2].x", "@m[1, 2].x"],
    ["f(1).x", "f(1).x"],
    ["args->filename", "args->filename"],
    ["args.count == 3", "(args.count == 3)"],
    ["$a->b > 1", "($a->b > 1)"],
  ];
  for (const [src, want] of table) it(src, () => assert.equal(filter(src), want));

  it("nests left to right, with spans for the name and the operator", () => {
    const e = (parseText("probe t / $p->a.b / < >").items[0] as ProbeItem).filter as FieldAccess;
    assert.equal(e.kind, "field");
    assert.equal(e.arrow, false);
    assert.equal(e.name, "b");
    assert.deepEqual(e.nameSpan, { start: 16, end: 17 });
    assert.deepEqual(e.opSpan, { start: 15, end: 16 });
    const inner = e.base as FieldAccess;
    assert.equal(inner.arrow, true);
    assert.deepEqual({ start: inner.start, end: inner.end }, { start: 10, end: 15 });
  });

  it("a newline after '->' or '.' continues the expression", () => {
    const p = parseText("probe t < @x = $p->\n  y; @z = $q.\n  w >");
    assert.equal(p.items.length, 1);
  });

  it("'->' ends neither a '<' block nor a decrement", () => {
    assert.equal(parseText("probe t < @x = $p->y >").items.length, 1);
    assert.equal(parseText("probe t < x-- >").items.length, 1);
  });
});

describe("field access: errors", () => {
  it("args in a probe without args: one located line at 'args'", () => {
    const e = firstDiagnostic("probe test < @x = args->count >");
    assert.equal(e.text, "args");
    assert.match(e.message, /^args: this probe has no args/);
  });

  it("args.NAME goes to the same hook", () => {
    assert.match(firstDiagnostic("probe test { printf(\"%d\\n\", args.count) }").message, /^args: this probe has no args/);
  });

  it("a field of an integer is reported at the operator", () => {
    const e = firstDiagnostic("probe test < @x = arg0->x >");
    assert.equal(e.text, "->");
    assert.match(e.message, /^Can not access field 'x' on expression of type 'unsigned int64': '->' needs a pointer to a struct/);
  });

  it("a field of a string", () => {
    const e = firstDiagnostic('probe test < @x = comm.len >');
    assert.equal(e.text, ".");
    assert.match(e.message, /^Can not access field 'len' on expression of type 'string'/);
  });
});
