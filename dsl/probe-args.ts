// A probe's `args` (bpftrace's `args->NAME` / `args.NAME`): the one place
// where a field access on the bare identifier `args` is typed and compiled.
//
// bpftrace gives `args` to tracepoints, from their format files, and to
// uprobes with DWARF. Here the syscalls:sys_enter_* / sys_exit_* tracepoints
// have them (dsl/syscall-tracepoints.ts, recorded from tracefs). A field is
// read from the event's record as bpftrace 0.17 types it: the record stores
// each syscall argument as an 8-byte unsigned long (the raw register), and
// bpftrace's TracepointFormatParser::adjust_integer_types turns an 8-byte
// `int` into s64 and `unsigned int`/`u32`/`pid_t`/`uid_t`/`gid_t` into u64;
// any other type keeps its C size (`umode_t` reads the low 2 bytes,
// `clockid_t` the low 4, sign-extended), pointers are 8-byte integers
// (`str(args->filename)` reads the string).

import type { Expr, FieldAccess } from "./ast.js";
import type { Ty } from "./builtins.js";
import type { DiagnosticBag } from "./diagnostics.js";
import type { ItemInfo } from "./passes/context.js";
import type { ResolvedEvent, TracepointEvent } from "./probe-events.js";
import { didYouMean } from "./suggest.js";
import type { TracepointField } from "./syscall-tracepoints.js";

/** Whether a field access reads a probe's `args` (its base is the bare identifier `args`). */
export function isProbeArgs(e: FieldAccess): boolean {
  return isArgsName(e.base);
}

function isArgsName(e: Expr): boolean {
  return e.kind === "var" && e.scope === "global" && e.name === "args";
}

const tracepointsOf = (info: ItemInfo): TracepointEvent[] => (info.events ?? []).filter((e): e is TracepointEvent => e.kind === "tracepoint");

/** The type of `args->NAME` in the probe being checked; reports and returns undefined when there is none. */
export function probeArgType(bag: DiagnosticBag, e: FieldAccess, info: ItemInfo): Ty | undefined {
  const tps = tracepointsOf(info);
  if (tps.length === 0 || [...info.where].some((w) => w !== "tracepoint")) {
    bag.error(e.base, "args: this probe has no args (bpftrace gives args to tracepoints and to uprobes with DWARF)");
    return undefined;
  }
  // as bpftrace, a field must exist in every tracepoint the probe names (sys_enter_* has few in common)
  for (const tp of tps) {
    if (tp.fields.some((f) => f[0] === e.name)) continue;
    const names = tp.fields.map((f) => f[0]);
    bag.error(e.nameSpan, `${tp.name} has no field '${e.name}'${didYouMean(e.name, names)}; its fields: ${names.join(", ")}`);
    return undefined;
  }
  return "int";
}

/** Bytes and signedness of a field's value as bpftrace 0.17 reads it. */
function fieldType(f: TracepointField): { bytes: number; signed: boolean } {
  const [, type, , size, signed] = f;
  if (type.includes("*") || type.includes("[")) return { bytes: 8, signed: false };
  if (size === 8) {
    if (type === "int") return { bytes: 8, signed: true }; // s64
    if (["unsigned int", "unsigned", "u32", "pid_t", "uid_t", "gid_t"].includes(type)) return { bytes: 8, signed: false }; // u64
  }
  const c = C_TYPES[type];
  return c ?? { bytes: size, signed };
}

/** C types of the syscall tracepoints' fields whose size is not the record's 8 bytes. */
const C_TYPES: Readonly<Record<string, { bytes: number; signed: boolean }>> = {
  int: { bytes: 4, signed: true },
  "unsigned int": { bytes: 4, signed: false },
  long: { bytes: 8, signed: true },
  "unsigned long": { bytes: 8, signed: false },
  size_t: { bytes: 8, signed: false },
  umode_t: { bytes: 2, signed: false },
  clockid_t: { bytes: 4, signed: true },
  timer_t: { bytes: 4, signed: true },
  key_serial_t: { bytes: 4, signed: true },
  qid_t: { bytes: 4, signed: false },
  rwf_t: { bytes: 4, signed: true },
  off_t: { bytes: 8, signed: true },
  loff_t: { bytes: 8, signed: true },
};

/** Code reading `args->NAME` of the event a handler is generated for (only reached for accesses probeArgType accepted). */
export function probeArgCode(e: FieldAccess, event: ResolvedEvent | undefined): string {
  const i = event?.kind === "tracepoint" ? event.fields.findIndex((f) => f[0] === e.name) : -1;
  if (i < 0) throw new Error(`internal: args->${e.name} passed the checker in a probe without that field`);
  const { bytes, signed } = fieldType((event as TracepointEvent).fields[i]!);
  // the DSL's integers are int64 (as bpftrace's): a u64 above 2^63 prints as bpftrace prints it, via the printers
  const raw = `ctx.tpArg(${i})`;
  if (bytes === 8) return `N(64, ${raw})`;
  return signed ? `BigInt.asIntN(${bytes * 8}, ${raw})` : `BigInt.asUintN(${bytes * 8}, ${raw})`;
}
