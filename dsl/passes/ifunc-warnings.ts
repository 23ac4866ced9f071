// Pass: warn about probes on IFUNC resolvers.
//
// A probe at the entry of an IFUNC symbol (strlen, memcpy... in libc) sits on
// its resolver, which ld.so runs once to bind it: the kernel fires it there,
// not in the implementation callers reach. Say so, and name the candidates.

import { formatDiagnostic } from "../diagnostics.js";
import type { PassContext } from "./context.js";

export function ifuncWarnings(ctx: PassContext): void {
  const { program, src, target } = ctx;
  for (const item of program.items) {
    if (item.kind !== "probe") continue;
    for (const spec of item.targets) {
      if (spec.text.includes("*")) continue; // a wildcard's IFUNC matches were not named on purpose
      for (const t of [ctx.resolved.get(spec) ?? []].flat()) {
        if (t.symbol === undefined || t.offset !== 0 || !target.lookupSymbol(t.symbol, t.file)?.ifunc) continue;
        const impls = target.symbolNames(t.file).filter((n) => n.startsWith(`__${t.symbol}_`) && n.includes("sse2"));
        const hint = impls.length ? `; with this CPU (SSE2, no AVX) glibc picks ${impls.sort()[0]}: probe that` : "";
        const message = `${t.symbol} in ${t.file} is an IFUNC: this probe is on its resolver, which ld.so runs once to bind it, not on the implementation callers reach${hint}`;
        ctx.warnings.push(formatDiagnostic(src, { severity: "warning", message, span: spec.textSpan }));
      }
    }
  }
}
