// A probe's `args` (bpftrace's `args->NAME` / `args.NAME`): the one place
// where a field access on the bare identifier `args` is typed and compiled.
//
// bpftrace gives `args` to tracepoints, from their format files, and to
// uprobes with DWARF: here the syscalls:sys_enter_* / sys_exit_* tracepoints
// (dsl/syscall-tracepoints.ts, recorded from tracefs) and uprobes at the entry
// of a function of a binary built with -g (lab/dwarf-params.ts). A field is
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
import type { ResolvedTarget, TargetInfo } from "./host.js";
import type { ItemInfo } from "./passes/context.js";
import type { ResolvedEvent } from "./probe-events.js";
import { didYouMean } from "./suggest.js";
import type { TracepointField } from "./syscall-tracepoints.js";

/** Whether a field access reads a probe's `args` (its base is the bare identifier `args`). */
export function isProbeArgs(e: FieldAccess): boolean {
  return isArgsName(e.base);
}

function isArgsName(e: Expr): boolean {
  return e.kind === "var" && e.scope === "global" && e.name === "args";
}

/** One field of a probe's args: how to read its raw 64-bit value, and how wide and signed it is. */
interface ArgField {
  name: string;
  /** JavaScript reading the raw value as a bigint from `ctx`. */
  read: string;
  bytes: number;
  signed: boolean;
}

/** The args of one attach point, or why it has none. */
export interface ArgSet {
  probe: string;
  fields?: ArgField[];
  none?: string;
}

const NO_ARGS = "this probe has no args (bpftrace gives args to tracepoints and to uprobes with DWARF)";

/** A tracepoint's args: its record's fields, as bpftrace 0.17 types them. */
export function eventArgs(e: ResolvedEvent): ArgSet {
  if (e.kind !== "tracepoint") return { probe: e.name, none: NO_ARGS };
  return { probe: e.name, fields: e.fields.map((f, i) => ({ name: f[0], read: `ctx.tpArg(${i})`, ...fieldType(f) })) };
}

/** x86-64 SysV integer argument registers, by GPR number: rdi, rsi, rdx, rcx, r8, r9. */
const ARG_GPRS = [7, 6, 2, 1, 8, 9];

/**
 * A uprobe's args from DWARF (bpftrace's `args.NAME` on a binary built with -g): at a
 * function's entry only (offset 0), each parameter passed in a register, read from the
 * calling convention's register (rdi, rsi, rdx, rcx, r8, r9) as bpftrace does.
 */
export function targetArgs(t: ResolvedTarget, target: TargetInfo): ArgSet {
  if (t.kind !== "uprobe" || t.offset !== 0 || t.symbol === undefined) return { probe: t.name, none: t.kind === "uretprobe" ? "this probe has no args: they are read at a function's entry, and a uretprobe has none (save them in a uprobe)" : NO_ARGS };
  const sym = target.lookupSymbol(t.symbol, t.file);
  const params = sym === undefined ? undefined : target.functionParams?.(sym);
  if (params === undefined) return { probe: t.name, none: `this probe has no args: ${t.symbol} has no DWARF parameters (build ${t.file} with -g for args)` };
  const fields: ArgField[] = [];
  for (let i = 0; i < params.length && i < ARG_GPRS.length; i++) {
    const p = params[i]!;
    if (!p.integer) break; // a struct or floating-point parameter: the later ones are not where the integer sequence puts them
    fields.push({ name: p.name, read: `ctx.gpr(${ARG_GPRS[i]})`, bytes: Math.min(8, Math.max(1, p.bytes)), signed: p.signed });
  }
  return { probe: t.name, fields };
}

/** The type of `args->NAME` in the probe being checked; reports and returns undefined when there is none. */
export function probeArgType(bag: DiagnosticBag, e: FieldAccess, info: ItemInfo): Ty | undefined {
  const sets = info.argSets?.() ?? [];
  if (sets.length === 0) {
    bag.error(e.base, `args: ${NO_ARGS}`);
    return undefined;
  }
  // as bpftrace, a field must exist at every attach point of the probe (sys_enter_* have few in common)
  for (const set of sets) {
    if (set.fields === undefined) {
      bag.error(e.base, `args: ${set.none}`);
      return undefined;
    }
    if (set.fields.some((f) => f.name === e.name)) continue;
    const names = set.fields.map((f) => f.name);
    bag.error(e.nameSpan, `${set.probe} has no ${set.probe.startsWith("tracepoint:") ? "field" : "argument"} '${e.name}'${didYouMean(e.name, names)}; ${names.length ? `its ${set.probe.startsWith("tracepoint:") ? "fields" : "arguments in registers"}: ${names.join(", ")}` : "it has none in registers"}`);
    return undefined;
  }
  return "int";
}

/** Bytes and signedness of a tracepoint field's value as bpftrace 0.17 reads it. */
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

/** Code reading `args->NAME` at one attach point (only reached for accesses probeArgType accepted). */
export function probeArgCode(e: FieldAccess, args: (() => ArgSet) | undefined): string {
  const f = args?.().fields?.find((x) => x.name === e.name);
  if (f === undefined) throw new Error(`internal: args->${e.name} passed the checker at an attach point without it`);
  // the DSL's integers are int64 (as bpftrace's): a u64 above 2^63 prints as bpftrace prints it, via the printers
  if (f.bytes >= 8) return `N(64, ${f.read})`;
  return f.signed ? `BigInt.asIntN(${f.bytes * 8}, ${f.read})` : `BigInt.asUintN(${f.bytes * 8}, ${f.read})`;
}
