// `uprobe-lab exec BINARY [ARGS...]`: run a static x86-64 ELF in the emulator.

import * as fs from "node:fs";
import { DEFAULT_CPUS, DEFAULT_MAX_TASKS, DEFAULT_QUANTUM, defaultTier, isTier, loadBinary, Machine, MIN_MEMORY, ProcessIo, readHostFile, UserError, type MachineOptions, type Tier } from "../engine/index.js";
import { optNumber, parseArgs, type OptionSpec, type Parsed } from "./args.js";

const EXEC_HELP = `usage: uprobe-lab exec [options] BINARY [ARGS...]

Run an x86-64 Linux ELF in the emulator: static (ET_EXEC, static-PIE) or
dynamically linked (ld.so and the libraries come read-only from the library
directories: /lib64 /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib /usr/lib
and any --lib-path).
Guest stdin/stdout/stderr are the terminal's; the exit status is the guest's
(128+signal if it died of a signal, 124 if a limit stopped it).

options:
  --stats             print a JSON summary on stderr at exit
  --max-insns N       stop after N guest instructions (default 20G)
  --max-mem SIZE      cap guest memory (default 1G, at least 1M; suffixes K M G)
  --allow PATH        let the guest open host file PATH read-only (repeatable;
                      symlinks resolved and the file read at start, --stats shows it)
  --lib-path DIR      let a dynamically linked guest load libraries from DIR too
                      (repeatable; ld.so still searches RUNPATH and LD_LIBRARY_PATH:
                      pass --env LD_LIBRARY_PATH=DIR as you would natively)
  --env KEY=VALUE     add to the guest environment (empty by default; repeatable)
  --cpus N            virtual CPUs the guest's threads run on (default 4; only
                      this changes the interleaving: docs/threads.md)
  --quantum N         retired instructions a task runs before the next one takes
                      its CPU (default 100000, from 1000 to 1000000000; with --cpus
                      the only thing that changes the interleaving)
  --sched MODE        instructions (default): only retired program instructions
                      end a quantum, so probes never change the schedule;
                      probe-cost: what probes cost delays the task too, so the
                      schedule can change with probes (docs/threads.md)
  --max-tasks N       stop when more than N threads and processes are alive (default 512)
  --tier interp|jit   execution tier: the interpreter, or hot blocks compiled to
                      JavaScript (same output, counts and virtual time; default interp)
`;

/** Options shared by exec and run. */
export const MACHINE_OPTIONS: Record<string, OptionSpec> = {
  "--stats": {},
  "--max-insns": { value: true },
  "--max-mem": { value: true },
  "--allow": { value: true, repeat: true },
  "--lib-path": { value: true, repeat: true },
  "--env": { value: true, repeat: true },
  "--cpus": { value: true },
  "--quantum": { value: true },
  "--sched": { value: true },
  "--max-tasks": { value: true },
  "--tier": { value: true },
};

/** The guest's world from the command line: what exec gives the Machine and run puts in the RunSpec. */
export type HostOptions = Required<Pick<MachineOptions, "env" | "io" | "files" | "libPath" | "maxInsns" | "maxMemory" | "cpus" | "quantum" | "sched" | "maxTasks" | "tier">>;

/** Each --allow PATH (the name the guest opens) and the host file it resolved to at start, for --stats. */
const allowedResolved = new Map<string, string>();

export function hostOptions(p: Parsed): HostOptions {
  const files = new Map<string, Uint8Array>();
  const maxMemory = optNumber(p, "--max-mem", 1024 ** 3);
  if (maxMemory < MIN_MEMORY) throw new UserError(`option --max-mem: ${p.opts.get("--max-mem")![0]} is below the minimum of 1M (the guest's image, stack and libc need more)`);
  for (const path of p.opts.get("--allow") ?? []) {
    // Symlinks are resolved once, here, and the real file is read now: a link (in /tmp, say) swapped
    // after the user looked at it changes nothing; --stats shows what was read.
    let real: string;
    try {
      real = fs.realpathSync(path);
    } catch {
      throw new UserError(`--allow ${path}: no such file`);
    }
    files.set(path, readHostFile(real, `--allow ${path}`));
    allowedResolved.set(path, real);
  }
  // a name is what envp entries start with: "=x" has none (execve would pass it, but nothing could read it)
  for (const kv of p.opts.get("--env") ?? []) if (!/^[^=]+=/.test(kv)) throw new UserError(`option --env: ${kv}: expected KEY=VALUE with a non-empty KEY`);
  const libPath = p.opts.get("--lib-path") ?? [];
  for (const d of libPath) if (!fs.existsSync(d) || !fs.statSync(d).isDirectory()) throw new UserError(`--lib-path ${d}: not a directory`);
  return {
    env: p.opts.get("--env") ?? [],
    io: new ProcessIo(),
    files,
    libPath,
    maxInsns: optNumber(p, "--max-insns", 20_000_000_000),
    maxMemory,
    cpus: optCount(p, "--cpus", DEFAULT_CPUS, 64),
    quantum: optCount(p, "--quantum", DEFAULT_QUANTUM, 1e9, 1000),
    sched: optSched(p),
    maxTasks: optCount(p, "--max-tasks", DEFAULT_MAX_TASKS, 1 << 16),
    tier: optTier(p),
  };
}

/** A whole number in min..max. */
function optCount(p: Parsed, name: string, def: number, max: number, min = 1): number {
  const n = optNumber(p, name, def);
  if (!Number.isInteger(n) || n < min || n > max) throw new UserError(`option ${name}: ${p.opts.get(name)![0]} is not a whole number from ${min} to ${max}`);
  return n;
}

/** --sched instructions|probe-cost. */
function optSched(p: Parsed): "instructions" | "probe-cost" {
  const v = p.opts.get("--sched")?.[0] ?? "instructions";
  if (v !== "instructions" && v !== "probe-cost") throw new UserError(`option --sched: ${v}: expected instructions or probe-cost`);
  return v;
}

/** --tier interp|jit (default: UPROBE_LAB_TIER, else interp). */
function optTier(p: Parsed): Tier {
  const v = p.opts.get("--tier")?.[0];
  if (v === undefined) return defaultTier();
  if (!isTier(v)) throw new UserError(`option --tier: ${v}: expected interp or jit`);
  return v;
}

/** The --stats line: the machine's figures, plus the resolved --allow files when there are any. */
export function statsLine(stats: Record<string, unknown>): string {
  const allowed = allowedResolved.size ? { allowed: Object.fromEntries(allowedResolved) } : {};
  return JSON.stringify({ ...stats, ...allowed }) + "\n";
}

export function execCommand(argv: string[]): number {
  const p = parseArgs(argv, { ...MACHINE_OPTIONS, "--help": {}, "-h": {} }, true);
  if (p.opts.has("--help") || p.opts.has("-h")) {
    process.stdout.write(EXEC_HELP);
    return 0;
  }
  const path = p.positional[0];
  if (!path) throw new UserError("exec: missing BINARY (see uprobe-lab exec --help)");
  const bin = loadBinary(path);
  // as a shell (and a pipe reading the output) sees it: orphans run to their end
  const m = new Machine(bin, { argv: [path, ...p.rest], ...hostOptions(p), orphans: "run" });
  const r = m.run();
  if (r.report) process.stderr.write(`uprobe-lab: ${r.report}\n`);
  if (p.opts.has("--stats")) process.stderr.write(statsLine(m.stats()));
  return r.status;
}
