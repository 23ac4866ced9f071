// bpftrace's -d: the program's tree after parsing and after each pass, as
// text. Our passes do not rewrite the tree (they record what they learn in
// side tables), so each dump shows the tree with what the pass added: probe
// targets resolved to file, offset and address after resolve-targets, the
// variables' kinds after collect-vars, their slots after resources.

import { showBlock, showExpr, type Program } from "./ast.js";
import { showCType } from "./ctypes.js";
import { SourceText } from "./diagnostics.js";
import type { TargetInfo } from "./host.js";
import { parse } from "./parse.js";
import type { PassContext } from "./passes/context.js";
import { runPasses } from "./passes/index.js";

function showProgram(p: Program, ctx?: PassContext): string {
  let out = "";
  for (const d of p.structs) {
    // after the structs pass, each field with its offset and the size, as clang laid them out for bpftrace
    const layout = ctx?.structs.get(d.name)?.layout;
    const fields = layout !== undefined ? layout.fields.map((f) => `${showCType(f.type)} ${f.name} @${f.offset}`) : d.fields.map((f) => `${f.typeWords.join(" ")} ${"*".repeat(f.stars)}${f.name}${f.dims.map((n) => `[${n.value}]`).join("")}`);
    out += ` struct ${d.name} { ${fields.join("; ")} }${layout !== undefined ? ` size ${layout.size}` : ""}\n`;
  }
  for (const item of p.items) {
    if (item.kind === "config") out += ` config = { ${item.settings.map((s) => `${s.name} = ${s.value}`).join("; ")} }\n`;
    else if (item.kind === "special") out += ` ${item.which}\n  ${showBlock(item.body)}\n`;
    else {
      for (const t of item.targets) {
        out += ` ${t.alias ? `${t.keyword}:${t.text}` : `${t.keyword} ${t.text}`}\n`;
        for (const r of ctx?.resolved.get(t) ?? []) out += `  -> ${r.name}: ${r.kind} ${r.file} offset 0x${r.fileOffset.toString(16)} address 0x${r.addr.toString(16)}\n`;
        for (const e of ctx?.events.get(t) ?? []) out += `  -> ${e.name}: ${e.kind === "tracepoint" ? `syscall ${e.nr}, ${e.enter ? "entry" : "exit"}` : `every ${e.periodNs} ns${e.kind === "profile" ? " per CPU" : ""}`}\n`;
      }
      if (item.filter !== undefined) out += `  /${showExpr(item.filter)}/\n`;
      out += `  ${showBlock(item.body)}\n`;
    }
  }
  if (ctx !== undefined && ctx.vars.size > 0) {
    out += " variables:\n";
    for (const v of ctx.vars.values()) {
      const slot = ctx.storage.ids.get(v.name);
      out += `  ${v.name}: ${v.kind}${v.keyed ? `[${v.keyTypes.join(", ")}]` : ""}${slot !== undefined ? ` (slot ${slot})` : ""}\n`;
    }
  }
  return out;
}

/**
 * The dumps of -d: "Parser:" then "AST after: PASS" for each pass, each given
 * to `write` as soon as it is made, so that a program with an error shows the
 * trees up to the failing pass before its error, as bpftrace -d does. Throws
 * DslError as compileProgram does.
 */
export function debugDump(write: (s: string) => void, source: string, fileName: string, target: TargetInfo, params: readonly string[], unsafe: boolean): void {
  const src = new SourceText(fileName, source);
  const program = parse(src);
  write(`Parser:\n${showProgram(program)}\n`);
  runPasses(program, src, target, { unsafe, params }, (name, ctx) => write(`AST after: ${name}\n${showProgram(program, ctx)}\n`));
}
