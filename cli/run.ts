// `uprobe-lab run`: run a binary with probes written in the DSL.

import { jsonAttachedProbes } from "../dsl/index.js";
import { loadBinary, readHostFile, UserError } from "../engine/index.js";
import { RunError, runSpec, type ProbeRun } from "../lab/probe-run.js";
import type { RunSpec } from "../lab/run-spec.js";
import { formatStatsTable, probeStatsLine, type Session } from "../lab/session.js";
import { parseArgs } from "./args.js";
import { hostOptions, MACHINE_OPTIONS, statsLine } from "./exec.js";
import { PROBE_HELP, PROBE_OPTIONS, probeFlags, type ProbeFlags } from "./probe-options.js";

const RUN_HELP = `usage: uprobe-lab run [options] (-e PROGRAM | SCRIPT.probe) -- BINARY [ARGS...]

Run BINARY in the emulator with the probes of PROGRAM attached, on a model
of the kernel's uprobes. Guest output passes through; at exit the maps are
printed in bpftrace's format and a per-probe summary (path, hits, traps by
kind, virtual time) goes to stderr.

options:
  -e PROGRAM          the probe program (else SCRIPT.probe, the first argument)
${PROBE_HELP}  --stats             JSON engine summary on stderr
  --max-insns N, --max-mem SIZE, --allow PATH, --env KEY=VALUE, --lib-path DIR, --tier interp|jit   as for exec

example:
  uprobe-lab run -e 'probe test:0 < count++ >' -- samples/bin/push-O0
`;

export interface ProgramSource {
  text: string;
  name: string;
}

/**
 * Run a probe program from the command line; returns the exit status. The run
 * is the notebooks' (runSpec): the guest's streams are the terminal's, and
 * what bpftrace prints around a run (attach line, warnings, maps, summary) is
 * written here, from the Session at start and from the ProbeRun at the end.
 */
export async function runSession(program: ProgramSource, binaryPath: string, guestArgs: string[], f: ProbeFlags, p: ReturnType<typeof parseArgs>): Promise<number> {
  const host = hostOptions(p);
  const spec: RunSpec = { binary: loadBinary(binaryPath), program: program.text, programName: program.name, args: guestArgs, ...host, ...f.spec };
  const json = f.spec.json;
  const out = (s: string): void => void host.io.write(1, new TextEncoder().encode(s));
  const err = (s: string): void => void host.io.write(2, new TextEncoder().encode(s));
  // warnings go to stderr like bpftrace's: the compiler's before the run, the runtime's (unreadable memory) after it
  const warn = (w: string): void => err(w.replace(/\n?$/, "\n"));
  let session: Session | undefined;
  let compileWarnings = 0;
  let run: ProbeRun;
  try {
    run = await runSpec(spec, {
      sliceInsns: 50_000_000,
      onStart: (s) => {
        session = s;
        for (const r of s.rejections()) err(`uprobe-lab: ${r}\n`);
        compileWarnings = s.program.warnings.length;
        s.program.warnings.forEach(warn);
        const attached = s.probes.filter((x) => x.consumer.stats.path !== "rejected").length;
        if (json) out(jsonAttachedProbes(attached) + "\n");
        else if (!f.quiet) out(`Attaching ${attached} probe${attached === 1 ? "" : "s"}...\n`);
      },
    });
  } catch (e) {
    if (e instanceof RunError && e.kind === "dsl") {
      err(e.message.replace(/\n?$/, "\n"));
      return 2;
    }
    throw e instanceof RunError && e.cause !== undefined ? e.cause : e; // main reports a UserError or an internal one
  }
  run.warnings.slice(compileWarnings).forEach(warn);
  if (json) {
    for (const line of session!.mapsJson()) out(line + "\n"); // bpftrace's own spacing, not re-serialized
    out(probeStatsLine(run) + "\n");
  } else out(run.maps);
  if (f.spec.traceHits > 0) for (const e of run.trace) err(json ? JSON.stringify({ type: "trace", data: e }) + "\n" : `trace: hit ${e.hit} +${e.ns}ns ${e.event}${e.addr ? " " + e.addr : ""}${e.detail ? ": " + e.detail : ""}\n`);
  if (!f.quiet && !json) err(formatStatsTable(run));
  if (run.report) err(`uprobe-lab: ${run.report}\n`);
  if (p.opts.has("--stats")) err(statsLine(session!.machine.stats()));
  return run.status;
}

export function runCommand(argv: string[]): Promise<number> | number {
  const p = parseArgs(argv, { ...MACHINE_OPTIONS, ...PROBE_OPTIONS, "-e": { value: true }, "--help": {}, "-h": {} }, false, 2);
  if (p.opts.has("--help") || p.opts.has("-h")) {
    process.stdout.write(RUN_HELP);
    return 0;
  }
  let program: ProgramSource;
  const positional = [...p.positional];
  const inline = p.opts.get("-e")?.[0];
  if (inline !== undefined) program = { text: inline, name: "-e" };
  else {
    const script = positional.shift();
    if (!script) throw new UserError("run: give a program with -e PROGRAM or a SCRIPT.probe (see uprobe-lab run --help)");
    // a regular file of at most 1 MiB (a FIFO would block, /dev/zero grow); the compiler has its own limits
    const text = new TextDecoder().decode(readHostFile(script, `probe script ${script}`, 1 << 20));
    program = { text, name: script };
  }
  // with `--`, the binary is after it: anything else before it is a mistake, not a silently dropped word
  if (p.rest.length && positional.length)
    throw new UserError(`run: unexpected argument '${positional[0]}' before -- (the program is -e PROGRAM or SCRIPT.probe; BINARY and its arguments come after --)`);
  // the binary: after `--`, or the remaining positional
  const rest = p.rest.length ? p.rest : positional;
  const [binary, ...args] = rest.length ? rest : positional;
  if (!binary) throw new UserError("run: missing BINARY after -- (see uprobe-lab run --help)");
  return runSession(program, binary, args, probeFlags(p), p);
}
