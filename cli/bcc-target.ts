// bcc's tool targets (funclatency, funccount, stackcount): `BINARY:FUNC
// [-- ARGS]` traces FUNC in BINARY, which runs; `LIBRARY:FUNC -- PROGRAM
// [ARGS]` traces a library's function in the program run after `--` (bcc
// attaches to the library in every process; here, in the one program run).
// FUNC may carry `*` wildcards; a C++ name (ns::f) means every overload.

import * as fs from "node:fs";
import { loadBinary, UserError } from "../engine/index.js";

export interface BccTarget {
  /** The program to run. */
  binary: string;
  /** Its arguments. */
  args: string[];
  /** The DSL target (`foo*`, `./lib.so:f`, `libc:malloc`). */
  target: string;
  /** The function part as written (what bcc prints). */
  func: string;
}

/** Parse `BINARY:FUNC` / `LIBRARY:FUNC` and what follows it (after an optional `--`). */
export function bccTarget(tool: string, pattern: string | undefined, after: readonly string[]): BccTarget {
  if (!pattern) throw new UserError(`${tool}: missing BINARY:FUNC (see uprobe-lab ${tool} --help)`);
  // BINARY ends at the first single ':' (C++ names such as ns::f carry '::')
  const colon = pattern.search(/(?<!:):(?!:)/);
  if (colon <= 0 || colon === pattern.length - 1) throw new UserError(`${tool}: '${pattern}' is not BINARY:FUNC`);
  const lib = pattern.slice(0, colon), func = pattern.slice(colon + 1);
  const rest = after[0] === "--" ? after.slice(1) : [...after]; // BINARY:FUNC -- ARGS: the "--" is not the guest's
  const plain = /^[A-Za-z_.$*][\w.$*]*$/.test(func);
  if (!plain && (!func.includes("::") || /["\n]/.test(func))) throw new UserError(`${tool}: '${func}' is not a function name`);
  const funcTarget = plain ? func : JSON.stringify(func); // a C++ name, quoted for the DSL: every overload
  // A library is a name (libc, c: bcc's spelling of libc) or a shared object (with a DT_SONAME), never run itself.
  const inLibrary = rest.length > 0 && (!fs.existsSync(lib) || isSharedLibrary(lib));
  if (!inLibrary && isSharedLibrary(lib)) throw new UserError(`${tool}: ${lib} is a shared library: name the program that loads it after -- (${tool} ${pattern} -- PROGRAM)`);
  if (inLibrary && !/^[\w./+-]+$/.test(lib)) throw new UserError(`${tool}: '${lib}' is not a library name`);
  const target = inLibrary ? `${lib.includes("/") && !lib.startsWith("/") && !lib.startsWith(".") ? "./" + lib : lib}:${funcTarget}` : funcTarget;
  return { binary: inLibrary ? rest[0]! : lib, args: inLibrary ? rest.slice(1) : rest, target, func };
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
