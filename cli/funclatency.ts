// `uprobe-lab funclatency`: bcc's funclatency on virtual time, expressed in
// the probe DSL (funclatencyTool() in dsl/funclatency.ts; -v prints it).
// Flags as bcc's tools/funclatency.py: -u -m -F -i -d -T -r -l -v; -p is
// refused.

import { funclatencyTool } from "../dsl/funclatency.js";
import { UserError } from "../engine/index.js";
import { parseArgs } from "./args.js";
import { bccTarget, refusePid, splitShortFlags, TOOL_OPTIONS, toolFunctions, toolInterval, withoutFlags } from "./bcc-target.js";
import { MACHINE_OPTIONS } from "./exec.js";
import { PROBE_HELP, PROBE_OPTIONS, probeFlags } from "./probe-options.js";
import { runSession } from "./run.js";

const FUNCLATENCY_HELP = `usage: uprobe-lab funclatency [-u | -m] [-F] [-i SECS] [-d SECS] [-T] [-r] [-l LEVEL] [-v] [options] BINARY:FUNC [-- ARGS...]
       uprobe-lab funclatency [options] LIBRARY:FUNC -- PROGRAM [ARGS...]

Time FUNC in BINARY (virtual time: guest instructions plus the modelled
uprobe costs) and print a log2 histogram per function in bcc's format. FUNC
may hold * wildcards (./t:foo*, c:str*): one probe pair per match. The
second form times a function of a shared library (c:malloc, libc:malloc,
libc.so.6:puts, or its path) in the dynamically linked PROGRAM it runs.

  -u, --microseconds  microsecond histogram
  -m, --milliseconds  millisecond histogram
  -F, --function      a histogram per function (bcc keys user functions by
                      function and process anyway: the same output)
  -i, --interval SECS a report every SECS seconds of virtual time
  -d, --duration SECS stop tracing (and the program) after SECS virtual seconds
  -T, --timestamp     the time (%H:%M:%S, virtual clock from 2026-01-01) on each report
  -r, --regexp        FUNC is a regular expression (matched from the start of
                      each symbol name), not a * wildcard
  -l, --level LEVEL   time nested and recursive calls: entries go on one LIFO
                      of LEVEL slots, as bcc's BPF_STACK
  -v, --verbose       print the generated DSL program first (bcc prints its BPF C)
  -p, --pid PID       not modelled: the emulator traces only the process it starts
${PROBE_HELP}  --stats, --max-insns N, --max-mem SIZE, --allow PATH, --env KEY=VALUE, --lib-path DIR   as for exec
`;

const OPTIONS = {
  ...MACHINE_OPTIONS,
  ...PROBE_OPTIONS,
  ...TOOL_OPTIONS,
  "-u": {},
  "--microseconds": {},
  "-m": {},
  "--milliseconds": {},
  "-F": {},
  "--function": {},
  "-l": { value: true },
  "--level": { value: true },
  "-v": {},
  "--verbose": {},
};

export function funclatencyCommand(argv: string[]): Promise<number> | number {
  const p = parseArgs(splitShortFlags(argv, "pidl"), OPTIONS, true);
  if (p.opts.has("--help") || p.opts.has("-h")) {
    process.stdout.write(FUNCLATENCY_HELP);
    return 0;
  }
  refusePid("funclatency", p);
  const has = (a: string, b: string): boolean => p.opts.has(a) || p.opts.has(b);
  const us = has("-u", "--microseconds");
  const ms = has("-m", "--milliseconds");
  if (us && ms) throw new UserError("funclatency: -u and -m exclude each other");
  const levelText = p.opts.get("-l")?.[0] ?? p.opts.get("--level")?.[0];
  if (levelText !== undefined && (!/^\d+$/.test(levelText) || Number(levelText) < 1 || Number(levelText) > 64)) {
    throw new UserError(`funclatency: -l ${levelText}: give the nesting level, 1 to 64`);
  }
  const pattern = p.positional[0];
  const regex = has("-r", "--regexp");
  const t = bccTarget("funclatency", pattern, p.rest, regex);
  const fns = toolFunctions("funclatency", pattern!, t, p, regex);
  const interval = toolInterval("funclatency", p);
  const text = funclatencyTool({
    pattern: pattern!,
    targets: fns.targets,
    matched: fns.names.length,
    unit: us ? "usecs" : ms ? "msecs" : "nsecs",
    ...(levelText !== undefined ? { level: Number(levelText) } : {}),
    timestamp: has("-T", "--timestamp"),
    ...(interval !== undefined ? { interval } : {}),
  });
  if (has("-v", "--verbose")) process.stdout.write(text + "\n");
  const run = withoutFlags(p, ["-d", "-v", "-l", "-f", "-o"]);
  return runSession({ text, name: "funclatency" }, t.binary, t.args, { ...probeFlags(p), quiet: true }, run);
}
