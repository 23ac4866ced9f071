// `uprobe-lab funccount` and `uprobe-lab stackcount`: bcc's tools of the same
// names, as DSL programs (dsl/bcc-tools.ts), on the one program they run.

import { funccountProgram, listProbes, stackcountProgram } from "../dsl/index.js";
import { loadBinary, UserError } from "../engine/index.js";
import { ProcessTargetInfo } from "../lab/process-targets.js";
import { parseArgs } from "./args.js";
import { bccTarget, type BccTarget } from "./bcc-target.js";
import { hostOptions, MACHINE_OPTIONS } from "./exec.js";
import { PROBE_HELP, PROBE_OPTIONS, probeFlags } from "./probe-options.js";
import { runSession } from "./run.js";

const help = (tool: string, what: string, extra: string): string => `usage: uprobe-lab ${tool} [options] BINARY:FUNC [-- ARGS...]
       uprobe-lab ${tool} [options] LIBRARY:FUNC -- PROGRAM [ARGS...]

${what} FUNC may hold * wildcards (./t:foo*, c:str*);
LIBRARY is a name (libc, or bcc's c), or a path.
${extra}${PROBE_HELP}  --stats, --max-insns N, --max-mem SIZE, --allow PATH, --env KEY=VALUE, --lib-path DIR   as for exec
`;

/** How many functions the target matches (bcc's "Tracing N functions"), as -l lists them. */
function matched(tool: string, t: BccTarget, p: ReturnType<typeof parseArgs>): number {
  const targets = ProcessTargetInfo.forExecutable(loadBinary(t.binary), hostOptions(p));
  const colon = t.target.search(/(?<!:):(?!:)/);
  const file = colon > 0 ? t.target.slice(0, colon) : targets.mainFile;
  const func = colon > 0 ? t.target.slice(colon + 1) : t.target;
  try {
    return listProbes(`uprobe:${file}:${func}`, targets).length;
  } catch (e) {
    throw new UserError(`${tool}: ${(e as Error).message}`);
  }
}

function toolCommand(tool: "funccount" | "stackcount", argv: string[], text: string, extra: Record<string, object>): Promise<number> | number {
  const p = parseArgs(argv, { ...MACHINE_OPTIONS, ...PROBE_OPTIONS, ...extra, "-p": { value: true }, "--help": {}, "-h": {} }, true);
  if (p.opts.has("--help") || p.opts.has("-h")) {
    process.stdout.write(text);
    return 0;
  }
  if (p.opts.has("-p")) throw new UserError(`${tool}: -p PID is not modelled here: the emulator traces only the process it starts`);
  const pattern = p.positional[0];
  const t = bccTarget(tool, pattern, p.rest);
  const n = matched(tool, t, p);
  const program = tool === "funccount" ? funccountProgram(pattern!, t.target, n) : stackcountProgram(pattern!, t.target, n, p.opts.has("-f") || p.opts.has("--folded"), unwinder(p.opts.get("--unwind")?.[0]));
  return runSession({ text: program, name: tool }, t.binary, t.args, { ...probeFlags(p), quiet: true }, p);
}

export function funccountCommand(argv: string[]): Promise<number> | number {
  return toolCommand("funccount", argv, help("funccount", "Count the calls of FUNC (bcc's funccount, on the modelled uprobes).", ""), {});
}

/** stackcount --unwind: fp (the kernel helper's frame-pointer walk, the default) or cfi (ours: .eh_frame, as ustack(cfi)). */
function unwinder(v: string | undefined): "fp" | "cfi" {
  if (v === undefined || v === "fp" || v === "cfi") return v ?? "fp";
  throw new UserError(`stackcount: --unwind ${v}: the unwinders are fp (frame pointers, as the kernel's helper) and cfi (.eh_frame)`);
}

export function stackcountCommand(argv: string[]): Promise<number> | number {
  const extra = "\n  -f, --folded        one folded line per stack (comm;root;...;leaf count), for flame graphs\n  --unwind fp|cfi     walk stacks by frame pointers (fp, the default: what bcc sees) or by .eh_frame (cfi: whole stacks without frame pointers)\n";
  return toolCommand("stackcount", argv, help("stackcount", "Count the distinct user stacks that call FUNC (bcc's stackcount; stacks walked by frame pointers, as the kernel's helper walks them).", extra), { "-f": {}, "--folded": {}, "--unwind": { value: true } });
}
