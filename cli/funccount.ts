// `uprobe-lab funccount` and `uprobe-lab stackcount`: bcc's tools of the same
// names, as DSL programs (dsl/bcc-tools.ts), on the one program they run.
// Flags as bcc's tools/funccount.py (-i -d -T -r -D) and tools/stackcount.py
// (-i -D -T -r -P -U -f --debug); -p is refused.

import { funccountProgram, stackcountProgram } from "../dsl/index.js";
import { UserError } from "../engine/index.js";
import { parseArgs, type OptionSpec, type Parsed } from "./args.js";
import { bccTarget, refusePid, splitShortFlags, TOOL_OPTIONS, toolFunctions, toolInterval, withoutFlags } from "./bcc-target.js";
import { MACHINE_OPTIONS } from "./exec.js";
import { PROBE_HELP, PROBE_OPTIONS, probeFlags } from "./probe-options.js";
import { runSession } from "./run.js";

const help = (tool: string, what: string, extra: string): string => `usage: uprobe-lab ${tool} [options] BINARY:FUNC [-- ARGS...]
       uprobe-lab ${tool} [options] LIBRARY:FUNC -- PROGRAM [ARGS...]

${what} FUNC may hold * wildcards (./t:foo*, c:str*);
LIBRARY is a name (libc, or bcc's c), or a path.

  -i, --interval SECS a report every SECS seconds of virtual time
${extra}  -T, --timestamp     the time (%H:%M:%S, virtual clock from 2026-01-01) on each report
  -r, --regexp        FUNC is a regular expression (matched from the start of
                      each symbol name), not a * wildcard
  -p, --pid PID       not modelled: the emulator traces only the process it starts
${PROBE_HELP}  --stats, --max-insns N, --max-mem SIZE, --allow PATH, --env KEY=VALUE, --lib-path DIR   as for exec
`;

const FUNCCOUNT_HELP = help(
  "funccount",
  "Count the calls of FUNC (bcc's funccount, on the modelled uprobes).",
  "  -d, --duration SECS stop tracing (and the program) after SECS virtual seconds\n  -D, --debug         print the generated DSL program first (bcc prints its BPF C)\n",
);

const STACKCOUNT_HELP = help(
  "stackcount",
  "Count the distinct user stacks that call FUNC (bcc's stackcount; stacks walked by frame pointers, as the kernel's helper walks them).",
  "  -D, --duration SECS stop tracing (and the program) after SECS virtual seconds\n" +
    "  -d, --delimited     accepted: bcc puts a delimiter between kernel and user stacks, and there is no kernel stack here\n" +
    "  -f, --folded        one folded line per stack (comm;root;...;leaf count), for flame graphs\n" +
    "  -P, --perpid        stacks per process (a user function's stacks are always per process, as bcc's)\n" +
    "  -U                  user stacks only (the only ones here: -K is refused)\n" +
    "  --debug             print the generated DSL program first (bcc prints its BPF C)\n" +
    "  --unwind fp|cfi     walk stacks by frame pointers (fp, the default: what bcc sees) or by .eh_frame (cfi: whole stacks without frame pointers)\n",
);

interface Tool {
  name: "funccount" | "stackcount";
  help: string;
  options: Record<string, OptionSpec>;
  /** Flags that take a value (for bcc's combined short flags, -Ti 5). */
  valued: string;
  /** Its duration flag (funccount -d, stackcount -D) and its debug flag. */
  duration: string;
  debug: readonly string[];
}

/** The tool's duration flag read as -d/--duration by toolInterval(). */
function normalizeDuration(p: Parsed, flag: string): Parsed {
  const d = p.opts.get(flag);
  const opts = new Map([...p.opts].filter(([k]) => k !== flag && k !== "-d"));
  if (d !== undefined) opts.set("--duration", d);
  return { ...p, opts };
}

function toolCommand(tool: Tool, argv: string[]): Promise<number> | number {
  const raw = parseArgs(splitShortFlags(argv, tool.valued), { ...MACHINE_OPTIONS, ...PROBE_OPTIONS, ...TOOL_OPTIONS, ...tool.options }, true);
  if (raw.opts.has("--help") || raw.opts.has("-h")) {
    process.stdout.write(tool.help);
    return 0;
  }
  refusePid(tool.name, raw);
  if (raw.opts.has("-K")) throw new UserError(`${tool.name}: -K: kernel stacks are not modelled here: the emulator runs user space only (user stacks are the default)`);
  const debug = tool.debug.some((f) => raw.opts.has(f));
  const p = normalizeDuration(raw, tool.duration);
  const pattern = p.positional[0];
  const regex = p.opts.has("-r") || p.opts.has("--regexp");
  const t = bccTarget(tool.name, pattern, p.rest, regex);
  const fns = toolFunctions(tool.name, pattern!, t, p, regex);
  const interval = toolInterval(tool.name, p);
  const o = { timestamp: p.opts.has("-T") || p.opts.has("--timestamp"), ...(interval !== undefined ? { interval } : {}) };
  const target = fns.targets.join(", ");
  const folded = p.opts.has("-f") || p.opts.has("--folded");
  const text = tool.name === "funccount" ? funccountProgram(pattern!, target, fns.names.length, o) : stackcountProgram(pattern!, target, fns.names.length, folded, { ...o, unwind: unwinder(p.opts.get("--unwind")?.[0]) });
  if (debug) process.stdout.write(text + "\n");
  const run = withoutFlags(p, ["-d", "--duration", "-D", "--debug", "-v", "-f", "-o", "-l", "--unwind"]);
  return runSession({ text, name: tool.name }, t.binary, t.args, { ...probeFlags(p), quiet: true }, run);
}

export function funccountCommand(argv: string[]): Promise<number> | number {
  return toolCommand({ name: "funccount", help: FUNCCOUNT_HELP, options: { "-D": {}, "--debug": {} }, valued: "pid", duration: "-d", debug: ["-D", "--debug"] }, argv);
}

/** stackcount --unwind: fp (the kernel helper's frame-pointer walk, the default) or cfi (ours: .eh_frame, as ustack(cfi)). */
function unwinder(v: string | undefined): "fp" | "cfi" {
  if (v === undefined || v === "fp" || v === "cfi") return v ?? "fp";
  throw new UserError(`stackcount: --unwind ${v}: the unwinders are fp (frame pointers, as the kernel's helper) and cfi (.eh_frame)`);
}

export function stackcountCommand(argv: string[]): Promise<number> | number {
  const options = { "-D": { value: true }, "-d": {}, "--delimited": {}, "-f": {}, "--folded": {}, "-P": {}, "--perpid": {}, "-U": {}, "--user-stacks-only": {}, "-K": {}, "--kernel-stacks-only": {}, "--debug": {}, "--unwind": { value: true } };
  return toolCommand({ name: "stackcount", help: STACKCOUNT_HELP, options, valued: "piD", duration: "-D", debug: ["--debug"] }, argv);
}
