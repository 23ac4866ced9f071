// Located errors for struct definitions and struct reads: each mistake is one
// diagnostic at the right place, with bpftrace 0.17's wording where it has
// one and a "did you mean" for misspelt names.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DslError } from "../../dsl/diagnostics.js";
import { compileProgram } from "../../dsl/index.js";
import { FakeTarget } from "./helpers.js";

const PT = "struct pt { int x; int y; long z; char name[8]; struct pt *next; }\n";

/** The program's errors as [underlined text, message]. */
function errors(src: string): Array<[string, string]> {
  try {
    compileProgram(src, "s.bt", new FakeTarget(), {});
  } catch (e) {
    if (!(e instanceof DslError)) throw e;
    return e.diagnostics.map((d) => [src.slice(d.span.start, d.span.end), d.message]);
  }
  assert.fail(`expected an error for ${src}`);
}

function one(src: string, text: string, message: RegExp): void {
  const es = errors(src);
  assert.equal(es.length, 1, JSON.stringify(es));
  assert.equal(es[0]![0], text);
  assert.match(es[0]![1], message);
}

describe("struct errors", () => {
  it("unknown field, with did you mean", () => {
    one(`${PT}probe test { @a = ((struct pt *)arg0)->nmae }`, "nmae", /^Struct\/union of type 'struct pt' does not contain a field named 'nmae' \(did you mean 'name'\?\)$/);
  });
  it("unknown struct in a cast and in sizeof", () => {
    one(`${PT}probe test { @a = ((struct pq *)arg0)->x }`, "struct pq", /^Unknown struct\/union: 'struct pq' \(did you mean 'pt'\?\)$/);
    one(`${PT}probe test { @a = sizeof(struct tp) }`, "sizeof(struct tp)", /^Unknown struct\/union: 'struct tp'/);
  });
  it("'.' on a pointer and '->' on a struct (bpftrace's messages)", () => {
    one(`${PT}probe test { $p = (struct pt *)arg0; @a = $p.x }`, ".", /^Can not access field 'x' on type 'struct pt \*'\. Try dereferencing it first, or using '->'$/);
    one(`${PT}probe test { @a = (*(struct pt *)arg0)->x }`, "->", /^Can not dereference struct\/union of type 'struct pt'\. It is not a pointer\./);
  });
  it("through a pointer field: ->next->x reads; ->next.x does not", () => {
    assert.doesNotThrow(() => compileProgram(`${PT}probe test { @a = ((struct pt *)arg0)->next->next->x }`, "s.bt", new FakeTarget(), {}));
    one(`${PT}probe test { @a = ((struct pt *)arg0)->next.x }`, ".", /^Can not access field 'x' on type 'struct pt \*'/);
  });
  it("a char array is a string: [] is refused, as bpftrace 0.17 does", () => {
    one(`${PT}probe test { @a = ((struct pt *)arg0)->name[1] }`, "((struct pt *)arg0)->name[1]".slice(1), /^The array index operator \[\] can only be used on arrays and pointers, found string\.$/);
  });
  it("a constant index past the array", () => {
    one(`struct s { int v[2]; }\nprobe test { @a = ((struct s *)arg0)->v[2] }`, "2", /^the index 2 is out of bounds for array of size 2$/);
  });
  it("a whole struct is not a value", () => {
    one(`${PT}probe test { @a = *(struct pt *)arg0 }`, "*(struct pt *)arg0", /^struct pt is a whole struct/);
    one(`struct xy { int x; } struct o { struct xy p; }\nprobe test { @a = ((struct o *)arg0)->p }`, "((struct o *)arg0)->p".slice(1), /^struct xy is a whole struct/);
  });
  it("definitions: unknown field type with did you mean, incomplete type, duplicates", () => {
    one(`struct s { unsigend int x; }\nprobe test { @a = sizeof(struct s) }`, "unsigend int", /^unknown type 'unsigend int' \(did you mean 'unsigned'\?\)$/);
    one(`struct s { struct t in; } struct t { int x; }\nprobe test { @a = sizeof(struct s) }`, "struct t", /^field 'in' has incomplete type 'struct t'/);
    one(`struct s { int x; long x; }\nprobe test { @a = sizeof(struct s) }`, "x", /^duplicate member 'x' in 'struct s'$/);
    one(`struct s { int x; } struct s { int y; }\nprobe test { @a = sizeof(struct s) }`, "s", /^redefinition of 'struct s'$/);
  });
  it("a field of a non-struct", () => {
    one(`probe test { @a = tid->x }`, "->", /^Can not access field 'x' on expression of type 'int64'/);
  });
  it("the error format: file:line:col, the line, the underline", () => {
    try {
      compileProgram(`${PT}probe test { @a = ((struct pt *)arg0)->nmae }`, "s.bt", new FakeTarget(), {});
      assert.fail("no error");
    } catch (e) {
      assert.ok(e instanceof DslError);
      assert.equal(
        e.format(),
        "s.bt:2:40: error: Struct/union of type 'struct pt' does not contain a field named 'nmae' (did you mean 'name'?)\n" +
          "probe test { @a = ((struct pt *)arg0)->nmae }\n" +
          "                                       ^~~~",
      );
    }
  });
});
