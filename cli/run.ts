// `uprobe-lab run`: run a binary with probes written in the DSL.

import * as fs from "node:fs";
import { DslError } from "../dsl/index.js";
import { loadBinary } from "../engine/binary.js";
import { UserError } from "../engine/errors.js";
import { formatStatsTable, Session } from "../lab/session.js";
import { parseArgs } from "./args.js";
import { MACHINE_OPTIONS, machineOptions } from "./exec.js";
import { PROBE_HELP, PROBE_OPTIONS, probeFlags, type ProbeFlags } from "./probe-options.js";

export const RUN_HELP = `usage: uprobe-lab run [options] (-e PROGRAM | SCRIPT.probe) -- BINARY [ARGS...]

Run BINARY in the emulator with the probes of PROGRAM attached, on a model
of the kernel's uprobes. Guest output passes through; at exit the maps are
printed in bpftrace's format and a per-probe summary (path, hits, traps by
kind, virtual time) goes to stderr.

options:
  -e PROGRAM          the probe program (else SCRIPT.probe, the first argument)
${PROBE_HELP}  --stats             JSON engine summary on stderr
  --max-insns N, --max-mem SIZE, --allow PATH, --env KEY=VALUE, --lib-path DIR   as for exec

example:
  uprobe-lab run -e 'probe test:0 < count++ >' -- samples/bin/push-O0
`;

export interface ProgramSource {
  text: string;
  name: string;
}

/** Run a session from the command line; returns the exit status. */
export function runSession(program: ProgramSource, binaryPath: string, guestArgs: string[], f: ProbeFlags, p: ReturnType<typeof parseArgs>): number {
  const bin = loadBinary(binaryPath);
  const mo = machineOptions(p, binaryPath, guestArgs);
  const out = (s: string): void => void mo.io!.write(1, new TextEncoder().encode(s));
  const err = (s: string): void => void mo.io!.write(2, new TextEncoder().encode(s));
  let session: Session;
  try {
    session = new Session({
      binary: bin,
      program: program.text,
      programName: program.name,
      args: guestArgs,
      env: mo.env,
      io: mo.io,
      files: mo.files,
      libPath: mo.libPath,
      maxInsns: mo.maxInsns,
      maxMemory: mo.maxMemory,
      kernel: f.kernel,
      emulation: f.emulation,
      cost: f.cost,
      json: f.json,
      unsafe: f.unsafe,
      traceHits: f.traceHits,
    });
  } catch (e) {
    if (e instanceof DslError) {
      err(e.format().replace(/\n?$/, "\n"));
      return 2;
    }
    throw e;
  }
  for (const r of session.rejections()) err(`uprobe-lab: ${r}\n`);
  // warnings go to stderr like bpftrace's: the compiler's now, the runtime's (unreadable memory) after the run
  const warnings = session.program.warnings;
  let warned = 0;
  const flushWarnings = (): void => {
    for (; warned < warnings.length; warned++) err(warnings[warned]!.replace(/\n?$/, "\n"));
  };
  flushWarnings();
  const attached = session.probes.filter((x) => x.consumer.stats.path !== "rejected").length;
  if (f.json) out(`{"type": "attached_probes", "data": {"probes": ${attached}}}\n`);
  else if (!f.quiet) out(`Attaching ${attached} probe${attached === 1 ? "" : "s"}...\n`);
  const r = session.run();
  flushWarnings();
  if (f.json) {
    for (const line of session.mapsJson()) out(line + "\n");
    out(JSON.stringify(session.stats()) + "\n");
  } else out(session.mapsText());
  if (f.traceHits > 0) for (const e of session.trace()) err(f.json ? JSON.stringify({ type: "trace", data: e }) + "\n" : `trace: hit ${e.hit} +${e.ns}ns ${e.event}${e.addr ? " " + e.addr : ""}${e.detail ? ": " + e.detail : ""}\n`);
  if (!f.quiet && !f.json) err(formatStatsTable(session.stats()));
  if (r.report) err(`uprobe-lab: ${r.report}\n`);
  if (p.opts.has("--stats")) err(JSON.stringify(session.machine.stats()) + "\n");
  return r.status;
}

export function runCommand(argv: string[]): number {
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
    let text: string;
    try {
      text = fs.readFileSync(script, "utf8");
    } catch {
      throw new UserError(`${script}: cannot read the probe script`);
    }
    program = { text, name: script };
  }
  // the binary: after `--`, or the remaining positional
  const rest = p.rest.length ? p.rest : positional;
  const [binary, ...args] = rest.length ? rest : positional;
  if (!binary) throw new UserError("run: missing BINARY after -- (see uprobe-lab run --help)");
  return runSession(program, binary, args, probeFlags(p), p);
}
