// Options shared by the commands that run probes (run, funclatency).

import { UserError } from "../engine/index.js";
import type { RunSpec } from "../lab/run-spec.js";
import type { OptionSpec, Parsed } from "./args.js";

export const PROBE_OPTIONS: Record<string, OptionSpec> = {
  "--kernel": { value: true },
  "--no-emulation": {},
  "--cost": { value: true },
  "--json": {},
  "--unsafe": {},
  "-q": {},
  "--trace": { value: true },
  "--no-sem-poke": {},
};

/** The modelled kernel's part of the RunSpec. */
type ProbeSpec = Pick<RunSpec, "kernel" | "cost"> & Required<Pick<RunSpec, "emulation" | "json" | "unsafe" | "traceHits" | "semaphorePoke">>;

export interface ProbeFlags {
  spec: ProbeSpec;
  /** -q: no per-probe summary (and no "Attaching" line). */
  quiet: boolean;
}

export function probeFlags(p: Parsed): ProbeFlags {
  return {
    spec: {
      kernel: p.opts.get("--kernel")?.[0],
      emulation: !p.opts.has("--no-emulation"),
      cost: p.opts.get("--cost")?.[0],
      json: p.opts.has("--json"),
      unsafe: p.opts.has("--unsafe"),
      traceHits: traceCount(p.opts.get("--trace")?.[0]),
      semaphorePoke: !p.opts.has("--no-sem-poke"),
    },
    quiet: p.opts.has("-q"),
  };
}

/** --trace N: a count of hits, so a non-negative integer. */
function traceCount(v: string | undefined): number {
  if (v === undefined) return 0;
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new UserError(`option --trace: expected a number of hits (0 or more), got '${v}'`);
  return Number(v);
}

export const PROBE_HELP = `  --kernel V          modelled kernel generation (default 6.18; see \`uprobe-lab kernels\`)
  --no-emulation      no emulation and no nop5 optimization: every hit single-steps
  --cost P            cost profile: kvm-6.18 (default), seed-2017-x86_64, instructions-only, or FILE.json
  --json              NDJSON output (bpftrace -f json style) ending with a stats line
  --unsafe            allow probes at offsets that are not instruction boundaries
  -q                  no per-probe summary on stderr
  --trace N           print the event trace of the first N hits on stderr (JSON lines with --json)
  --no-sem-poke       on a kernel before 4.20, do not raise USDT semaphores from the tool as
                      bpftrace and bcc do: a semaphore-guarded usdt probe stays dark
`;
