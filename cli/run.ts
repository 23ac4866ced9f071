// `uprobe-lab run`: run a binary with probes written in the DSL.

import * as fs from "node:fs";
import { debugDump, DslError, jsonAttachedProbes, listEventProbes, listPatternFile, listProbes } from "../dsl/index.js";
import { loadBinary, readHostFile, UserError } from "../engine/index.js";
import { RunError, runSpec, type ProbeRun } from "../lab/probe-run.js";
import { ProcessTargetInfo } from "../lab/process-targets.js";
import type { RunSpec } from "../lab/run-spec.js";
import { formatStatsTable, probeStatsLine, type Session } from "../lab/session.js";
import { usdtVerbose } from "../lab/usdt-semaphores.js";
import { parseArgs, splitCommand } from "./args.js";
import { hostOptions, MACHINE_OPTIONS, statsLine } from "./exec.js";
import { PROBE_HELP, PROBE_OPTIONS, probeFlags, type ProbeFlags } from "./probe-options.js";

const RUN_HELP = `usage: uprobe-lab run [options] (-e PROGRAM | SCRIPT.probe) -- BINARY [ARGS...]
       uprobe-lab run [options] (-e PROGRAM | SCRIPT.bt) -c 'BINARY ARGS' [$1 $2 ...]

Run BINARY in the emulator with the probes of PROGRAM attached, on a model
of the kernel's uprobes. Guest output passes through; at exit the maps are
printed in bpftrace's format and a per-probe summary (path, hits, traps by
kind, virtual time) goes to stderr.

options:
  -e PROGRAM          the probe program (else SCRIPT.probe, the first argument)
  -c 'CMD ARGS'       bpftrace's way to name the traced command; then the words
                      after the script are the positional parameters $1, $2, ...
  -f text|json        output format (-f json is --json)
  -o FILE             the program's output (printf, maps) to FILE; the traced
                      program's own output stays on the terminal
  -d                  the program's tree after parsing and after each pass (stderr)
  -v                  per probe (on stderr, after the run): file, offset, symbol,
                      address, the instruction probed and the path the model took
  -l 'uprobe:FILE:F*' list the probes a pattern names (with -c CMD for a library
                      of CMD: -l 'uprobe:libc:str*' -c ./prog)
${PROBE_HELP}  --stats             JSON engine summary on stderr
  --max-insns N, --max-mem SIZE, --allow PATH, --env KEY=VALUE, --lib-path DIR, --tier interp|jit   as for exec

example:
  uprobe-lab run -e 'probe test:0 < count++ >' -- samples/bin/push-O0
`;

export interface ProgramSource {
  text: string;
  name: string;
  /** $1, $2, ...: bpftrace's positional parameters. */
  params?: string[];
}

/** bpftrace's -o FILE: what the tool prints (not the traced program) goes to FILE. */
function openOutput(file: string): (s: string) => void {
  let fd: number;
  try {
    fd = fs.openSync(file, "w");
  } catch (e) {
    throw new UserError(`-o ${file}: cannot write it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return (s) => void fs.writeSync(fd, s);
}

/**
 * Run a probe program from the command line; returns the exit status. The run
 * is the notebooks' (runSpec): the guest's streams are the terminal's, and
 * what bpftrace prints around a run (attach line, warnings, maps, summary) is
 * written here, from the Session at start and from the ProbeRun at the end.
 */
export async function runSession(program: ProgramSource, binaryPath: string, guestArgs: string[], f: ProbeFlags, p: ReturnType<typeof parseArgs>): Promise<number> {
  const host = hostOptions(p);
  // -d: the tree after parsing and after each pass, on stderr, before the run
  if (p.opts.has("-d")) {
    try {
      debugDump((s) => process.stderr.write(s), program.text, program.name, ProcessTargetInfo.forExecutable(loadBinary(binaryPath), host), program.params ?? [], f.spec.unsafe);
    } catch (e) {
      // a bad program: its located error after the trees made so far (bpftrace -d too), status 2 as without -d
      if (!(e instanceof DslError)) throw e;
      process.stderr.write(e.format().replace(/\n?$/, "\n"));
      return 2;
    }
  }
  const outFile = p.opts.get("-o")?.[0];
  const toFile = outFile === undefined ? undefined : openOutput(outFile);
  const spec: RunSpec = { binary: loadBinary(binaryPath), program: program.text, programName: program.name, params: program.params ?? [], args: guestArgs, ...host, ...f.spec };
  if (toFile !== undefined) spec.programOutput = toFile;
  const format = p.opts.get("-f")?.[0] || undefined; // (stackcount's -f is a flag, with no value)
  if (format !== undefined && format !== "json" && format !== "text") throw new UserError(`-f ${format}: the output formats are text and json`);
  if (format === "json") spec.json = true;
  const json = spec.json === true;
  const out = toFile ?? ((s: string): void => void host.io.write(1, new TextEncoder().encode(s)));
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
        // BEGIN and END are probes too: bpftrace counts them ("Attaching 3 probes..." for BEGIN, one uprobe, END)
        const special = (s.program.hasBegin ? 1 : 0) + (s.program.hasEnd ? 1 : 0);
        const attached = s.probes.filter((x) => x.consumer.stats.path !== "rejected").length + s.events.length + special;
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
    const maps = session!.mapsJson();
    if (maps.length) out("\n\n"); // bpftrace prints its two blank lines before the exit-time maps in JSON mode too
    for (const line of maps) out(line + "\n"); // bpftrace's own spacing, not re-serialized
    out(probeStatsLine({ ...run, cost_provenance: session!.cost.provenance }) + "\n");
  } else out(run.maps);
  if (f.spec.traceHits > 0) for (const e of run.trace) err(json ? JSON.stringify({ type: "trace", data: e }) + "\n" : `trace: hit ${e.hit} +${e.ns}ns ${e.event}${e.addr ? " " + e.addr : ""}${e.detail ? ": " + e.detail : ""}\n`);
  if (p.opts.has("-v")) for (const line of verboseProbes(session!)) err(line + "\n");
  if (!f.quiet && !json) err(formatStatsTable(run));
  if (run.report) err(`uprobe-lab: ${run.report}\n`);
  if (p.opts.has("--stats")) err(statsLine(session!.machine.stats()));
  return run.status;
}

/**
 * -v, per probe: where it resolved (file, file offset, symbol+offset, address),
 * the instruction it replaces, and the path the model took for it (emulated,
 * xol, ...; `pending` when it never fired, `rejected` with the kernel's reason).
 */
function verboseProbes(s: Session): string[] {
  return s.probes.map(({ compiled, consumer }) => {
    const t = compiled.target;
    const where = t.symbol !== undefined ? `${t.demangled ?? t.symbol}+${t.offset}` : "no symbol";
    const insn = s.targets.disassembleAt(t.addr, t.file) ?? "?";
    const st = consumer.stats;
    const path = st.path === "rejected" && st.error ? `rejected (${st.error.name}: ${st.error.why})` : st.path;
    const line = `${t.name}: ${t.kind} at ${t.file} offset 0x${t.fileOffset.toString(16)} (${where}, address 0x${t.addr.toString(16)}), instruction '${insn}', path ${path}`;
    return t.usdt === undefined ? line : line + usdtVerbose(t.usdt, s.stats().probes.find((r) => r.probe === t.name)?.semaphore);
  });
}

/** bpftrace's -l PATTERN: the probes of the file the pattern names (its libraries too), sorted. */
function listCommand(pattern: string, p: ReturnType<typeof parseArgs>): number {
  const events = listEventProbes(pattern, p.opts.has("-v"));
  if (events !== undefined) {
    process.stdout.write(events.map((n) => n + "\n").join(""));
    return 0;
  }
  const file = listPatternFile(pattern);
  const command = p.opts.get("-c")?.[0];
  const binary = command !== undefined ? splitCommand(command)[0] : (p.rest[0] ?? (file !== undefined && fs.existsSync(file) ? file : undefined));
  if (binary === undefined) throw new UserError(`run -l: '${pattern}' names no file to open (give uprobe:PATH:FUNCTION, or the program with -c CMD)`);
  const targets = ProcessTargetInfo.forExecutable(loadBinary(binary), hostOptions(p));
  let names: string[];
  try {
    names = listProbes(pattern, targets);
  } catch (e) {
    throw new UserError(`run -l: ${(e as Error).message}`);
  }
  process.stdout.write(names.map((n) => n + "\n").join(""));
  return 0;
}

export function runCommand(argv: string[]): Promise<number> | number {
  const p = parseArgs(argv, { ...MACHINE_OPTIONS, ...PROBE_OPTIONS, "-e": { value: true }, "-c": { value: true }, "-f": { value: true }, "-o": { value: true }, "-l": { value: true }, "-p": { value: true }, "-v": {}, "-d": {}, "--help": {}, "-h": {} }, false, 64);
  if (p.opts.has("--help") || p.opts.has("-h")) {
    process.stdout.write(RUN_HELP);
    return 0;
  }
  if (p.opts.has("-p")) throw new UserError("run: -p PID is not modelled here: the emulator traces only the process it starts (use -c 'CMD ARGS' or -- BINARY)");
  const list = p.opts.get("-l")?.[0];
  if (list !== undefined) return listCommand(list, p);
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
  // bpftrace's way: -c 'CMD ARGS' is the traced command; the words after the script are $1, $2, ...
  const command = p.opts.get("-c")?.[0];
  if (command !== undefined) {
    if (p.rest.length) throw new UserError("run: give the command either with -c 'CMD ARGS' or after --, not both");
    const [binary, ...args] = splitCommand(command);
    if (!binary) throw new UserError("run: -c needs a command");
    return runSession({ ...program, params: positional }, binary, args, probeFlags(p), p);
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
