// `uprobe-lab trace`: bcc's trace in its common form (dsl/bcc-trace.ts says
// which), as a DSL program, on the one program it runs:
//
//   uprobe-lab trace './t:foo "x=%d", arg1' 'r:./t:foo "ret=%d", retval' [-- ARGS]
//   uprobe-lab trace 'c:malloc "size=%d", arg1' -- PROGRAM [ARGS]

import { parseTraceProbe, traceProgram, type TraceOptions } from "../dsl/bcc-trace.js";
import { UserError } from "../engine/index.js";
import { parseArgs } from "./args.js";
import { bccTarget, refusePid, splitShortFlags, toolFunctions } from "./bcc-target.js";
import { MACHINE_OPTIONS } from "./exec.js";
import { PROBE_HELP, PROBE_OPTIONS, probeFlags } from "./probe-options.js";
import { runSession } from "./run.js";

const TRACE_HELP = `usage: uprobe-lab trace [options] PROBE [PROBE...] [-- ARGS...]
       uprobe-lab trace [options] PROBE [PROBE...] -- PROGRAM [ARGS...]

Print a line per call (bcc's trace). PROBE is [p:|r:]LIB:FUNC [(FILTER)]
["FORMAT"[, ARG...]]: LIB is the program (./t) or a library of PROGRAM (c,
libc, or a path); r: fires at the return. ARG and FILTER use arg1..arg6 (the
first six integer arguments), retval, $pid (thread), $tgid (process), $cpu;
FORMAT takes %d %u %x %c %s (and h/l/ll forms), as trace.py.

  -t, --timestamp     TIME column: seconds since tracing began (virtual clock)
  -T, --time          TIME column: the time of day (%H:%M:%S, virtual clock from 2026-01-01)
  -M, --max-events N  stop after N events (and the program with them)
  -v, --verbose       print the generated DSL program first (bcc prints its BPF C)
  -p, --pid PID       not modelled: the emulator traces only the process it starts
${PROBE_HELP}  --stats, --max-insns N, --max-mem SIZE, --allow PATH, --env KEY=VALUE, --lib-path DIR   as for exec

examples:
  uprobe-lab trace './t:foo_add "a=%d b=%d", arg1, arg2'
  uprobe-lab trace 'r:./t:foo_add (retval > 5) "ret=%d", retval'
  uprobe-lab trace 'c:malloc "size=%d", arg1' -- ./prog
`;

const OPTIONS = {
  ...MACHINE_OPTIONS,
  ...PROBE_OPTIONS,
  "-t": {},
  "--timestamp": {},
  "-T": {},
  "--time": {},
  "-M": { value: true },
  "--max-events": { value: true },
  "-v": {},
  "--verbose": {},
  "-p": { value: true },
  "--pid": { value: true },
  "-L": { value: true },
  "--tid": { value: true },
  "--help": {},
  "-h": {},
};

/** The probes: every word before `--` (each one probe, quoted as for bcc); what follows `--` runs. */
function splitProbes(words: readonly string[]): { probes: string[]; after: string[] } {
  const dd = words.indexOf("--");
  return dd < 0 ? { probes: [...words], after: [] } : { probes: words.slice(0, dd), after: words.slice(dd) };
}

export function traceCommand(argv: string[]): Promise<number> | number {
  const p = parseArgs(splitShortFlags(argv, "pLM"), OPTIONS, true);
  if (p.opts.has("--help") || p.opts.has("-h")) {
    process.stdout.write(TRACE_HELP);
    return 0;
  }
  refusePid("trace", p);
  if (p.opts.has("-L") || p.opts.has("--tid")) throw new UserError("trace: -L TID is not modelled here: the emulator traces every thread of the process it starts");
  const { probes: words, after } = splitProbes([...p.positional, ...p.rest]);
  if (words.length === 0) throw new UserError("trace: missing PROBE, e.g. './t:foo \"x=%d\", arg1' (see uprobe-lab trace --help)");
  const probes = words.map((w) => {
    try {
      return parseTraceProbe(w);
    } catch (e) {
      throw new UserError(`trace: ${(e as Error).message}`);
    }
  });
  const targets = probes.map((x) => bccTarget("trace", `${x.library}:${x.function}`, after));
  const first = targets[0]!;
  // each function must exist ("did you mean" otherwise), in the program that runs
  targets.forEach((t, i) => toolFunctions("trace", `${probes[i]!.library}:${probes[i]!.function}`, { ...t, binary: first.binary }, p, false));
  // every probe runs in the first one's program: a library probe names it after --
  const dslTargets = targets.map((t, i) => (t.file !== undefined || t.binary === first.binary ? t.target : `${probes[i]!.library}:${t.target}`));
  const o: TraceOptions = {};
  if (p.opts.has("-t") || p.opts.has("--timestamp")) o.time = "offset";
  else if (p.opts.has("-T") || p.opts.has("--time")) o.time = "clock";
  const max = p.opts.get("-M")?.[0] ?? p.opts.get("--max-events")?.[0];
  if (max !== undefined) {
    if (!/^\d+$/.test(max) || Number(max) < 1) throw new UserError(`trace: -M ${max}: give a number of events, at least 1`);
    o.maxEvents = Number(max);
  }
  const text = traceProgram(probes, dslTargets, o);
  if (p.opts.has("-v") || p.opts.has("--verbose")) process.stdout.write(text + "\n");
  const run = { ...p, opts: new Map([...p.opts].filter(([k]) => !["-v", "-t", "-T", "-d", "-f", "-o", "-l"].includes(k))) };
  return runSession({ text, name: "trace" }, first.binary, first.args, { ...probeFlags(p), quiet: true }, run);
}
