// Pass: the script's struct definitions (bpftrace 0.17 hands them to clang
// before the probes are analysed). Each becomes a StructType with its C
// layout (ctypes.ts), in definition order: a field may be a struct defined
// earlier, or a pointer to any struct (a pointer needs no layout, so a
// struct may point at itself or at one defined later).

import type { StructDef, StructFieldDecl } from "./ast.js";
import { layOut, TYPE_WORDS, typeFromWords, type CType, type StructType } from "./ctypes.js";
import type { DiagnosticBag } from "./diagnostics.js";
import { didYouMean } from "./suggest.js";

/** Build the struct table; every mistake is reported at its field. */
export function defineStructs(defs: readonly StructDef[], bag: DiagnosticBag, table: Map<string, StructType>): void {
  // declared first, so that pointers to later (or the same) structs resolve
  for (const d of defs) {
    if (table.has(d.name)) bag.error(d.nameSpan, `redefinition of 'struct ${d.name}'`);
    else table.set(d.name, { k: "struct", name: d.name, layout: undefined });
  }
  const done = new Set<string>();
  for (const d of defs) {
    const st = table.get(d.name)!;
    if (done.has(d.name)) continue;
    const fields: Array<{ name: string; type: CType }> = [];
    const seen = new Set<string>();
    for (const f of d.fields) {
      const t = fieldType(f, table, done, bag);
      if (t === undefined) continue;
      if (seen.has(f.name)) bag.error(f.nameSpan, `duplicate member '${f.name}' in 'struct ${d.name}'`);
      seen.add(f.name);
      fields.push({ name: f.name, type: t });
    }
    st.layout = layOut(fields);
    done.add(d.name);
  }
}

function fieldType(f: StructFieldDecl, table: ReadonlyMap<string, StructType>, done: ReadonlySet<string>, bag: DiagnosticBag): CType | undefined {
  const base = typeFromWords(f.typeWords, table);
  if ("error" in base) {
    // suggest for the word that is wrong: the struct name, or the first word that is no type word
    const hint = f.typeWords[0] === "struct"
      ? didYouMean(f.typeWords[1] ?? "", table.keys())
      : didYouMean(f.typeWords.find((w) => !TYPE_WORDS.includes(w)) ?? "", TYPE_WORDS);
    bag.error(f.typeSpan, `${base.error}${hint}`);
    return undefined;
  }
  let t: CType = base;
  for (let i = 0; i < f.stars; i++) t = { k: "ptr", to: t };
  if (f.stars === 0) {
    // by value, a struct must be complete: defined before this one (C: "field has incomplete type")
    if (t.k === "struct" && !done.has(t.name)) {
      bag.error(f.typeSpan, `field '${f.name}' has incomplete type 'struct ${t.name}' (define it before, or use a pointer)`);
      return undefined;
    }
    if (t.k === "void") {
      bag.error(f.typeSpan, `field '${f.name}' declared void`);
      return undefined;
    }
  }
  for (const d of [...f.dims].reverse()) {
    if (d.error !== undefined || d.value < 0n || d.value > 1n << 20n) {
      bag.error(d, `array size must be 0 to ${1 << 20}`);
      return undefined;
    }
    t = { k: "array", elem: t, n: Number(d.value) };
  }
  return t;
}
