// A probe's `args` (bpftrace's `args->NAME` / `args.NAME`): the one place
// where a field access on the bare identifier `args` is typed and compiled.
//
// bpftrace gives `args` to probes whose arguments have known names and types
// (tracepoints from their format files, uprobes from DWARF). Probes here have
// none yet, so the check reports that at the access; the probe kinds that do
// have args fill in both functions.

import type { Expr, FieldAccess } from "./ast.js";
import type { Ty } from "./builtins.js";
import type { DiagnosticBag } from "./diagnostics.js";

/** Whether a field access reads a probe's `args` (its base is the bare identifier `args`). */
export function isProbeArgs(e: FieldAccess): boolean {
  return isArgsName(e.base);
}

function isArgsName(e: Expr): boolean {
  return e.kind === "var" && e.scope === "global" && e.name === "args";
}

/** The type of `args->NAME` in the probe being checked; reports and returns undefined when there is none. */
export function probeArgType(bag: DiagnosticBag, e: FieldAccess): Ty | undefined {
  bag.error(e.base, "args: this probe has no args (bpftrace gives args to tracepoints and to uprobes with DWARF)");
  return undefined;
}

/** Code reading `args->NAME` (only reached for accesses probeArgType accepted). */
export function probeArgCode(e: FieldAccess): string {
  throw new Error(`internal: args->${e.name} passed the checker in a probe without args`);
}
