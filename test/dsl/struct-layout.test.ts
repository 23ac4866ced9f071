// Struct layout against gcc: the same definitions, laid out by ctypes.ts and
// compiled by gcc (x86-64, LP64), must give the same sizeof and offsetof for
// every field, including padding, nested structs, arrays and pointers.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { DiagnosticBag, SourceText } from "../../dsl/diagnostics.js";
import type { StructType } from "../../dsl/ctypes.js";
import { parseText } from "../../dsl/parse.js";
import { defineStructs } from "../../dsl/struct-defs.js";

const DEFS = `
struct pt { int x; int y; long z; char name[8]; }
struct a { char c; }
struct b { char c; int i; char d; }
struct q { short s; struct a in; long arr[3]; struct q *p; unsigned int u; char tail; }
struct mix { unsigned char u8; unsigned long long ull; signed char sc; short sh[3]; long long int lli; }
struct nest { struct b b2[2]; char c; struct pt pt; void *vp; char **argv; }
struct ints { uint8_t a; uint16_t b; uint32_t c; uint64_t d; int8_t e; int16_t f; int32_t g; int64_t h; }
struct grid { int m[2][3]; char tag; }
struct empty { }
struct ptronly { struct later *l; char c; }
struct later { int v; }
`;

/** C for gcc: the definitions (empty struct is GNU C) and one line per field: name offset size. */
function cProgram(table: Map<string, StructType>): string {
  let body = "";
  for (const st of table.values()) {
    body += `  printf("%s - %zu\\n", "${st.name}", sizeof(struct ${st.name}));\n`;
    for (const f of st.layout!.fields) body += `  printf("%s %s %zu\\n", "${st.name}", "${f.name}", offsetof(struct ${st.name}, ${f.name}));\n`;
  }
  const c = DEFS.replace(/\}\n/g, "};\n").replace("struct ints", "#include <stdint.h>\nstruct ints");
  return `#include <stdio.h>\n#include <stddef.h>\n${c}\nint main(void) {\n${body}  return 0;\n}\n`;
}

function ours(table: Map<string, StructType>): string {
  let out = "";
  for (const st of table.values()) {
    out += `${st.name} - ${st.layout!.size}\n`;
    for (const f of st.layout!.fields) out += `${st.name} ${f.name} ${f.offset}\n`;
  }
  return out;
}

describe("struct layout", () => {
  const bag = new DiagnosticBag(new SourceText("s.bt", DEFS));
  const table = new Map<string, StructType>();
  defineStructs(parseText(DEFS + "BEGIN { }").structs, bag, table);

  it("parses every definition without error", () => {
    assert.deepEqual(bag.list, []);
    assert.equal(table.size, 11);
  });

  it("sizeof and offsetof match gcc -m64", () => {
    const dir = mkdtempSync(join(tmpdir(), "layout-"));
    try {
      writeFileSync(join(dir, "l.c"), cProgram(table));
      execFileSync("gcc", ["-o", join(dir, "l"), join(dir, "l.c")]);
      const gcc = execFileSync(join(dir, "l"), { encoding: "utf8" });
      assert.equal(ours(table), gcc);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
