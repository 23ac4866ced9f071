// Pass: argN in a usdt probe must name one of the probe's arguments. bpftrace
// 0.17 finds out at attach time ("couldn't get argument 2 for ./app:prov:name");
// here it is a located error at compile time, naming the specs the note has.
// A site whose specs cannot be read refuses every argN, with the reason.

import type { Expr, ProbeItem, VarRef } from "../ast.js";
import { BUILTIN_VARS } from "../builtins.js";
import type { UsdtSite } from "../host.js";
import type { PassContext } from "./context.js";

/** Every builtin argN read in a subtree (any node shape: the AST is plain data). */
function argRefs(node: unknown, out: VarRef[]): void {
  if (node === null || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const n of node) argRefs(n, out);
    return;
  }
  const o = node as Partial<VarRef>;
  if (o.kind === "var" && o.scope === "global" && typeof o.name === "string" && /^arg\d+$/.test(o.name)) out.push(o as VarRef);
  for (const v of Object.values(node)) if (typeof v === "object") argRefs(v, out);
}

function describe(s: UsdtSite): string {
  return `usdt probe ${s.provider}:${s.name}`;
}

export function checkUsdtArgs(ctx: PassContext): void {
  for (const item of ctx.program.items) {
    if (item.kind !== "probe") continue;
    const sites = (item as ProbeItem).targets.flatMap((t) => ctx.resolved.get(t) ?? []).flatMap((r) => (r.usdt !== undefined ? [r.usdt] : []));
    if (sites.length === 0) continue;
    const refs: VarRef[] = [];
    argRefs([(item as ProbeItem).filter, (item as ProbeItem).body] as (Expr | undefined | object)[], refs);
    for (const ref of refs) {
      // a global of that name, not the builtin; or no builtin at all (arg6..: the type check said so, as bpftrace: "x86_64 doesn't support arg6")
      if (ctx.vars.has(ref.name) || BUILTIN_VARS[ref.name] === undefined) continue;
      const n = Number(ref.name.slice(3));
      for (const s of sites) {
        if (!Array.isArray(s.args)) {
          ctx.bag.error(ref, `${describe(s)} in ${s.file}: its argument specs '${s.argText}' cannot be read (column ${s.args.column + 1}: ${s.args.message}), so ${ref.name} has no value`);
          break;
        }
        if (n >= s.args.length) {
          const has = s.args.length === 0 ? "no arguments" : `${s.args.length} argument${s.args.length === 1 ? "" : "s"} (${s.args.map((a, i) => `arg${i} ${a.text}`).join(", ")})`;
          ctx.bag.error(ref, `${describe(s)} has ${has}: there is no ${ref.name}`);
          break;
        }
      }
    }
  }
}
