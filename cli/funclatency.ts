// `uprobe-lab funclatency`: bcc's funclatency on virtual time, expressed in
// the probe DSL (the same program as dsl/examples/funclatency.probe, with the
// function and the unit filled in).

import { funclatencyProgram } from "../dsl/funclatency.js";
import { UserError } from "../engine/index.js";
import { parseArgs } from "./args.js";
import { bccTarget } from "./bcc-target.js";
import { MACHINE_OPTIONS } from "./exec.js";
import { PROBE_HELP, PROBE_OPTIONS, probeFlags } from "./probe-options.js";
import { runSession } from "./run.js";

const FUNCLATENCY_HELP = `usage: uprobe-lab funclatency [-u | -m] [-F] [options] BINARY:FUNC [-- ARGS...]
       uprobe-lab funclatency [options] LIBRARY:FUNC -- PROGRAM [ARGS...]

Time FUNC in BINARY (virtual time: guest instructions plus the modelled
uprobe costs) and print a log2 histogram in bcc's format. The second form
times a function of a shared library (libc:malloc, libc.so.6:puts, or its
path) in the dynamically linked PROGRAM it runs.

  -u, --microseconds  microsecond histogram
  -m, --milliseconds  millisecond histogram
  -F, --function      one histogram per function (one function here: same output)
${PROBE_HELP}  --stats, --max-insns N, --max-mem SIZE, --allow PATH, --env KEY=VALUE, --lib-path DIR   as for exec
`;

export function funclatencyCommand(argv: string[]): Promise<number> | number {
  const p = parseArgs(
    argv,
    { ...MACHINE_OPTIONS, ...PROBE_OPTIONS, "-u": {}, "--microseconds": {}, "-m": {}, "--milliseconds": {}, "-F": {}, "--function": {}, "--help": {}, "-h": {} },
    true,
  );
  if (p.opts.has("--help") || p.opts.has("-h")) {
    process.stdout.write(FUNCLATENCY_HELP);
    return 0;
  }
  const pattern = p.positional[0];
  const t = bccTarget("funclatency", pattern, p.rest);
  if (t.func.includes("*")) throw new UserError("funclatency: wildcards are not supported yet (one function at a time)");
  const us = p.opts.has("-u") || p.opts.has("--microseconds");
  const ms = p.opts.has("-m") || p.opts.has("--milliseconds");
  if (us && ms) throw new UserError("funclatency: -u and -m exclude each other");
  const unit = us ? "usecs" : ms ? "msecs" : "nsecs";
  const f = { ...probeFlags(p), quiet: true };
  return runSession({ text: funclatencyProgram(pattern, t.target, unit, t.func), name: "funclatency" }, t.binary, t.args, f, p);
}
