// Pass: storage for the globals, maps and per-thread variables
// (bpftrace's resource_analyser, which assigns map ids before codegen).
//
// One runtime slot per variable the collect pass found, numbered in the
// order of their first assignment.

import type { VarMeta } from "../value.js";
import type { PassContext } from "./context.js";

export function allocateStorage(ctx: PassContext): void {
  const { ids, metas } = ctx.storage;
  for (const v of ctx.vars.values()) {
    const id = metas.length;
    ids.set(v.name, id);
    const m: VarMeta = { id, name: v.name, scope: v.scope, kind: v.kind, keyed: v.keyed };
    if (v.lhist !== undefined) m.lhist = v.lhist;
    metas.push(m);
  }
}
