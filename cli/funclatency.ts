// `uprobe-lab funclatency`: bcc's funclatency on virtual time, expressed in
// the probe DSL (the same program as dsl/examples/funclatency.probe, with the
// function and the unit filled in).

import * as fs from "node:fs";
import { funclatencyProgram } from "../dsl/funclatency.js";
import { loadBinary, UserError } from "../engine/index.js";
import { parseArgs } from "./args.js";
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
  if (!pattern) throw new UserError("funclatency: missing BINARY:FUNC (see uprobe-lab funclatency --help)");
  // BINARY ends at the first single ':' (C++ names such as ns::f carry '::')
  const colon = pattern.search(/(?<!:):(?!:)/);
  if (colon <= 0 || colon === pattern.length - 1) throw new UserError(`funclatency: '${pattern}' is not BINARY:FUNC`);
  const lib = pattern.slice(0, colon), func = pattern.slice(colon + 1);
  const rest = p.rest[0] === "--" ? p.rest.slice(1) : p.rest; // BINARY:FUNC -- ARGS: the "--" is not the guest's
  const plain = /^[A-Za-z_.$][\w.$]*$/.test(func);
  if (!plain && (!func.includes("::") || /["\n]/.test(func))) throw new UserError(`funclatency: '${func}' is not a function name`);
  const funcTarget = plain ? func : JSON.stringify(func); // a C++ name, quoted for the DSL: every overload
  // LIBRARY:FUNC -- PROGRAM: bcc attaches to the library in every process; here, in the one program run.
  // A library is a name (libc, c: bcc's spelling of libc) or a shared object (with a DT_SONAME), never run itself.
  const inLibrary = rest.length > 0 && (!fs.existsSync(lib) || isSharedLibrary(lib));
  if (!inLibrary && isSharedLibrary(lib)) throw new UserError(`funclatency: ${lib} is a shared library: name the program that loads it after -- (funclatency ${pattern} -- PROGRAM)`);
  if (inLibrary && !/^[\w./+-]+$/.test(lib)) throw new UserError(`funclatency: '${lib}' is not a library name`);
  const binary = inLibrary ? rest[0]! : lib;
  const target = inLibrary ? `${lib.includes("/") && !lib.startsWith("/") && !lib.startsWith(".") ? "./" + lib : lib}:${funcTarget}` : funcTarget;
  const us = p.opts.has("-u") || p.opts.has("--microseconds");
  const ms = p.opts.has("-m") || p.opts.has("--milliseconds");
  if (us && ms) throw new UserError("funclatency: -u and -m exclude each other");
  const unit = us ? "usecs" : ms ? "msecs" : "nsecs";
  const f = { ...probeFlags(p), quiet: true };
  return runSession({ text: funclatencyProgram(pattern, target, unit, func), name: "funclatency" }, binary, inLibrary ? rest.slice(1) : rest, f, p);
}

/**
 * A shared library rather than a program: ET_DYN with a DT_SONAME. (Not "no
 * PT_INTERP": glibc's libc.so.6 has one, and runs, printing its version.)
 */
function isSharedLibrary(file: string): boolean {
  try {
    const { elf } = loadBinary(file);
    return elf.type === 3 && elf.dynamic.soname !== undefined;
  } catch {
    return false;
  }
}
