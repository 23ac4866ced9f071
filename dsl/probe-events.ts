// Event probes: `interval:`, `profile:` and `tracepoint:syscalls:` (bpftrace's
// names and short aliases `i:`, `p:`, `t:`). They attach to no address: the
// timers fire on the virtual clock (engine/os/timers.ts), the tracepoints
// from the syscall layer (engine/os/syscall-trace.ts). This file checks what
// was written and turns each spec into a ResolvedEvent (docs in dsl/README.md,
// "Event probes").
//
//   interval:UNIT:N   UNIT s, ms, us or hz; one timer, no task context (as BEGIN)
//   profile:UNIT:N    UNIT hz, s, ms or us; one timer per virtual CPU, sampling the running task
//   tracepoint:syscalls:sys_enter_NAME / sys_exit_NAME, `*` wildcards in both parts

import type { EventKeyword, TargetSpec } from "./ast.js";
import type { Where } from "./builtins.js";
import type { PassContext } from "./passes/context.js";
import { globRegExp, hasWildcard } from "./passes/wildcards.js";
import { didYouMean } from "./suggest.js";
import { SYSCALL_TRACEPOINTS, type TracepointField } from "./syscall-tracepoints.js";

interface TimerEvent {
  kind: "interval" | "profile";
  /** Period on the virtual clock, ns (hz: 10^9 / N, rounded down). */
  periodNs: number;
  /** The probe's name as bpftrace prints it: `interval:s:1`. */
  name: string;
}

interface TracepointEvent {
  kind: "tracepoint";
  /** x86-64 syscall number. */
  nr: number;
  /** sys_enter (true) or sys_exit. */
  enter: boolean;
  /** Fields of the event after the common_* header, as tracefs lists them. */
  fields: readonly TracepointField[];
  /** `tracepoint:syscalls:sys_enter_openat`. */
  name: string;
}

export type ResolvedEvent = TimerEvent | TracepointEvent;

const isEventKeyword = (k: TargetSpec["keyword"]): k is EventKeyword => k === "interval" || k === "profile" || k === "tracepoint";

export const isEventSpec = (spec: TargetSpec): boolean => isEventKeyword(spec.keyword);

/** What kind of context a probe's block runs in (builtins check it). */
export function whereOf(spec: TargetSpec): Where {
  switch (spec.keyword) {
    case "interval":
      return "interval"; // no task: pid/comm are the tool's, as in BEGIN/END
    case "profile":
      return "sample";
    case "tracepoint":
      return "tracepoint";
    default:
      return spec.ret ? "return" : "entry";
  }
}

/** ns per unit; hz is a frequency. */
const UNITS: Readonly<Record<EventKeyword, readonly string[]>> = {
  interval: ["s", "ms", "us", "hz"],
  profile: ["hz", "s", "ms", "us"],
  tracepoint: [],
};
const NS: Readonly<Record<string, number>> = { s: 1e9, ms: 1e6, us: 1e3 };

/** Every tracepoint the syscall layer fires: `syscalls:sys_enter_openat`, ... */
function allSyscallTracepoints(): { name: string; nr: number; enter: boolean; fields: readonly TracepointField[] }[] {
  const out: { name: string; nr: number; enter: boolean; fields: readonly TracepointField[] }[] = [];
  for (const t of SYSCALL_TRACEPOINTS) {
    out.push({ name: `sys_enter_${t.name}`, nr: t.nr, enter: true, fields: t.enter });
    out.push({ name: `sys_exit_${t.name}`, nr: t.nr, enter: false, fields: t.exit });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Resolve the event specs of the program into ctx.events (errors into ctx.bag). */
export function resolveEvent(ctx: PassContext, spec: TargetSpec): ResolvedEvent[] | undefined {
  return spec.keyword === "tracepoint" ? resolveTracepoint(ctx, spec) : resolveTimer(ctx, spec, spec.keyword as "interval" | "profile");
}

function resolveTimer(ctx: PassContext, spec: TargetSpec, kind: "interval" | "profile"): TimerEvent[] | undefined {
  const units = UNITS[kind];
  const [unit, count] = spec.atoms;
  if (spec.atoms.length !== 2 || spec.seps[0] !== ":" || unit!.kind !== "ident" || count!.kind !== "number") {
    ctx.bag.error(spec.textSpan, `malformed ${kind} probe '${kind}:${spec.text}': expected ${kind}:UNIT:N with UNIT one of ${units.join(", ")} (e.g. ${kind}:${units[0]}:1)`);
    return undefined;
  }
  if (!units.includes(unit!.text)) {
    ctx.bag.error(unit!, `unknown ${kind} unit '${unit!.text}'${didYouMean(unit!.text, units) || ` (units: ${units.join(", ")})`}`);
    return undefined;
  }
  const n = Number(count!.text);
  if (!Number.isSafeInteger(n) || n <= 0) {
    ctx.bag.error(count!, `${kind} count must be a positive integer, got ${count!.text}`);
    return undefined;
  }
  const periodNs = unit!.text === "hz" ? Math.floor(1e9 / n) : n * NS[unit!.text]!;
  if (periodNs < 1000 || !Number.isSafeInteger(periodNs)) {
    // below 1 us a timer would fire every few guest instructions: bpftrace's perf timers cannot either
    ctx.bag.error(count!, `${kind}:${unit!.text}:${n} is a period of ${periodNs} ns; the shortest the virtual clock fires is 1 us`);
    return undefined;
  }
  return [{ kind, periodNs, name: `${kind}:${unit!.text}:${n}` }];
}

function resolveTracepoint(ctx: PassContext, spec: TargetSpec): TracepointEvent[] | undefined {
  const [cat, ev] = spec.atoms;
  if (spec.atoms.length !== 2 || spec.seps[0] !== ":" || cat!.kind !== "ident" || ev!.kind !== "ident") {
    ctx.bag.error(spec.textSpan, `malformed tracepoint probe 'tracepoint:${spec.text}': expected tracepoint:syscalls:sys_enter_NAME or sys_exit_NAME`);
    return undefined;
  }
  if (!(hasWildcard(cat!.text) ? globRegExp(cat!.text).test("syscalls") : cat!.text === "syscalls")) {
    ctx.bag.error(
      cat!,
      `unknown tracepoint category '${cat!.text}'${didYouMean(cat!.text, ["syscalls"])}: only syscalls:sys_enter_*/sys_exit_* are modelled (the emulator's syscall layer fires them; there are no other kernel events)`,
    );
    return undefined;
  }
  const all = allSyscallTracepoints();
  const re = globRegExp(ev!.text);
  const hits = hasWildcard(ev!.text) ? all.filter((t) => re.test(t.name)) : all.filter((t) => t.name === ev!.text);
  if (hits.length === 0) {
    const what = hasWildcard(ev!.text) ? "no tracepoint matches" : "unknown tracepoint";
    const hint = didYouMean(ev!.text, all.map((t) => t.name));
    ctx.bag.error(ev!, `${what} 'syscalls:${ev!.text}'${hint || " (uprobe-lab run -l 'tracepoint:syscalls:*' lists them)"}`);
    return undefined;
  }
  return hits.map((t) => ({ kind: "tracepoint", nr: t.nr, enter: t.enter, fields: t.fields, name: `tracepoint:syscalls:${t.name}` }));
}

/**
 * bpftrace's -l for tracepoints: `tracepoint:syscalls:sys_enter_open*` (also `t:`, and `*` in
 * the category) -> the names, sorted; with verbose, each followed by its fields as -lv shows
 * them. undefined when the pattern is not a tracepoint one.
 */
export function listEventProbes(pattern: string, verbose: boolean): string[] | undefined {
  const m = /^(?:tracepoint|t):([^:]*)(?::(.*))?$/.exec(pattern);
  if (m === null) return undefined;
  if (!globRegExp(m[1] === "" ? "*" : m[1]!).test("syscalls")) return [];
  const re = globRegExp(m[2] === undefined || m[2] === "" ? "*" : m[2]);
  const out: string[] = [];
  for (const t of allSyscallTracepoints()) {
    if (!re.test(t.name)) continue;
    out.push(`tracepoint:syscalls:${t.name}`);
    if (verbose) for (const [name, type] of t.fields) out.push(`    ${type} ${name}`);
  }
  return out;
}
