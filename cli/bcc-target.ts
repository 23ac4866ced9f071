// bcc's tool targets (funclatency, funccount, stackcount): `BINARY:FUNC
// [-- ARGS]` traces FUNC in BINARY, which runs; `LIBRARY:FUNC -- PROGRAM
// [ARGS]` traces a library's function in the program run after `--` (bcc
// attaches to the library in every process; here, in the one program run).
// FUNC may carry `*` wildcards; a C++ name (ns::f) means every overload.

import * as fs from "node:fs";
import { listProbes } from "../dsl/index.js";
import { matchFile } from "../dsl/passes/resolve-targets.js";
import { matchingFunctions } from "../dsl/passes/wildcards.js";
import { didYouMean } from "../dsl/suggest.js";
import { loadBinary, UserError } from "../engine/index.js";
import { ProcessTargetInfo } from "../lab/process-targets.js";
import type { ToolInterval } from "../dsl/bcc-tools.js";
import type { Parsed } from "./args.js";
import { hostOptions } from "./exec.js";

export interface BccTarget {
  /** The program to run. */
  binary: string;
  /** Its arguments. */
  args: string[];
  /** The DSL target (`foo*`, `./lib.so:f`, `libc:malloc`). */
  target: string;
  /** The function part as written (what bcc prints). */
  func: string;
  /** The DSL file part of `target` (`libc`, `./lib.so`); undefined for the program itself. */
  file?: string;
}

/** Parse `BINARY:FUNC` / `LIBRARY:FUNC` and what follows it (after an optional `--`). */
export function bccTarget(tool: string, pattern: string | undefined, after: readonly string[], regex = false): BccTarget {
  if (!pattern) throw new UserError(`${tool}: missing BINARY:FUNC (see uprobe-lab ${tool} --help)`);
  // BINARY ends at the first single ':' (C++ names such as ns::f carry '::')
  const colon = pattern.search(/(?<!:):(?!:)/);
  if (colon <= 0 || colon === pattern.length - 1) throw new UserError(`${tool}: '${pattern}' is not BINARY:FUNC`);
  const lib = pattern.slice(0, colon), func = pattern.slice(colon + 1);
  const rest = after[0] === "--" ? after.slice(1) : [...after]; // BINARY:FUNC -- ARGS: the "--" is not the guest's
  const plain = /^[A-Za-z_.$*][\w.$*]*$/.test(func);
  if (!regex && !plain && (!func.includes("::") || /["\n]/.test(func))) throw new UserError(`${tool}: '${func}' is not a function name`);
  const funcTarget = plain ? func : JSON.stringify(func); // a C++ name, quoted for the DSL: every overload
  // A library is a name (libc, c: bcc's spelling of libc) or a shared object (with a DT_SONAME), never run itself.
  const inLibrary = rest.length > 0 && (!fs.existsSync(lib) || isSharedLibrary(lib));
  if (rest.length === 0 && !fs.existsSync(lib)) throw new UserError(`${tool}: no program '${lib}': for a library's function, name the program that loads it after -- (${tool} ${pattern} -- PROGRAM)`);
  if (!inLibrary && isSharedLibrary(lib)) throw new UserError(`${tool}: ${lib} is a shared library: name the program that loads it after -- (${tool} ${pattern} -- PROGRAM)`);
  if (inLibrary && !/^[\w./+-]+$/.test(lib)) throw new UserError(`${tool}: '${lib}' is not a library name`);
  const file = inLibrary ? (lib.includes("/") && !lib.startsWith("/") && !lib.startsWith(".") ? "./" + lib : lib) : undefined;
  const target = file !== undefined ? `${file}:${funcTarget}` : funcTarget;
  return { binary: inLibrary ? rest[0]! : lib, args: inLibrary ? rest.slice(1) : rest, target, func, ...(file !== undefined ? { file } : {}) };
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

/** The functions a tool's pattern matches, and the DSL targets that attach to them. */
export interface ToolFunctions {
  /** Matched function names (bcc's "Tracing N functions"). */
  names: string[];
  /** DSL targets: the wildcard pattern itself, or (-r) one target per matched function. */
  targets: string[];
}

/** A name as a DSL target: plain, or quoted (C++ signatures). */
const asTarget = (name: string): string => (/^[A-Za-z_.$][\w.$]*$/.test(name) ? name : JSON.stringify(name));

/**
 * Resolve a tool's pattern as bcc does: `*` wildcards (bcc turns them into
 * `^...$`), or with -r a regular expression matched from the start of each
 * symbol name (bcc's re.match). Nothing matched is one line with a "did you
 * mean" (bcc says `0 functions matched by "PATTERN". Exiting.`).
 */
export function toolFunctions(tool: string, pattern: string, t: BccTarget, p: Parsed, regex: boolean): ToolFunctions {
  const info = ProcessTargetInfo.forExecutable(loadBinary(t.binary), hostOptions(p));
  const file = t.file ?? info.mainFile;
  let all: string[];
  try {
    all = listProbes(`uprobe:${file}:*`, info).map((n) => n.slice(n.indexOf(":", "uprobe:".length + 1) + 1));
  } catch (e) {
    const m = /no probeable file '([^']*)' \(files: (.*)\)$/.exec((e as Error).message);
    throw new UserError(`${tool}: ${m !== null ? `unknown binary '${m[1]}': ${t.binary} loads no such file (files: ${m[2]})` : (e as Error).message}`);
  }
  const real = matchFile(file, info.files()) ?? info.sameFile?.(file) ?? file;
  let names: string[];
  if (regex) {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${t.func})`);
    } catch (e) {
      throw new UserError(`${tool}: -r '${t.func}' is not a regular expression: ${(e as Error).message}`);
    }
    names = matchingFunctions(info, real, "*").filter((n) => re.test(n));
  } else if (t.func.includes("*")) names = matchingFunctions(info, real, t.func);
  else names = t.func.includes("::") || all.includes(t.func) ? [t.func] : []; // a C++ name is an overload set: the DSL resolves it
  if (names.length === 0) {
    const hint = regex ? "" : t.func.includes("*") ? wildcardHint(t.func, all) : didYouMean(t.func, all);
    throw new UserError(`${tool}: 0 functions matched by "${pattern}"${hint || ` (${file} has ${all.length} functions)`}`);
  }
  // bcc attaches once per address, to the first name (in symbol-table order) found there: aliases such as
  // __libc_malloc and malloc are one function (funccount's "addresses" set; BPF.get_user_addresses)
  const seen = new Set<bigint>();
  const unique = names.filter((n) => {
    const a = info.lookupSymbol(n, real)?.addr;
    if (a === undefined) return true;
    if (seen.has(a)) return false;
    seen.add(a);
    return true;
  });
  const explicit = regex || unique.length < names.length;
  const targets = explicit ? unique.map((n) => (t.file !== undefined ? `${t.file}:${asTarget(n)}` : asTarget(n))) : [t.target];
  return { names: unique, targets };
}

/** "did you mean" for a wildcard: its literal start against the names' starts of the same length (`wrk*` -> `work_a`). */
function wildcardHint(glob: string, names: readonly string[]): string {
  const stem = glob.slice(0, glob.indexOf("*"));
  if (stem === "") return "";
  const byStart = new Map<string, string>();
  for (const n of names) if (!byStart.has(n.slice(0, stem.length))) byStart.set(n.slice(0, stem.length), n);
  const m = /'([^']*)'/.exec(didYouMean(stem, byStart.keys()));
  return m === null ? "" : ` (did you mean '${byStart.get(m[1]!)}'?)`;
}

/** bcc's combined short flags (`-mTi 5`, `-Ti 5`) as separate ones; `valued` flags take the rest of the word or the next one. Stops at `--` and at the pattern. */
export function splitShortFlags(argv: readonly string[], valued: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--" || !a.startsWith("-") || a.startsWith("--") || a.length <= 2) {
      out.push(a);
      if (a === "--" || !a.startsWith("-")) return out.concat(argv.slice(i + 1));
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      out.push("-" + c);
      if (valued.includes(c)) {
        if (j + 1 < a.length) out.push(a.slice(j + 1));
        break;
      }
    }
  }
  return out;
}

/** A whole number of seconds > 0 (bcc's type=int). */
function seconds(tool: string, flag: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) === 0) throw new UserError(`${tool}: ${flag} ${v}: give a whole number of seconds, at least 1`);
  return Number(v);
}

/** -i INTERVAL and -d DURATION, bcc's way (-d alone: one report, at the duration), on the virtual clock. */
export function toolInterval(tool: string, p: Parsed): ToolInterval | undefined {
  const i = p.opts.get("-i")?.[0] ?? p.opts.get("--interval")?.[0];
  const d = p.opts.get("-d")?.[0] ?? p.opts.get("--duration")?.[0];
  if (i === undefined && d === undefined) return undefined;
  const dur = d === undefined ? undefined : seconds(tool, "-d", d);
  const every = i === undefined ? dur! : seconds(tool, "-i", i);
  return { every, ...(dur !== undefined ? { duration: dur } : {}) };
}

/** The tool's own flags taken out, so the run does not read them as `run`'s (-d, -v, -l, -f). */
export function withoutFlags(p: Parsed, flags: readonly string[]): Parsed {
  const opts = new Map([...p.opts].filter(([k]) => !flags.includes(k)));
  return { ...p, opts };
}

/** -p PID: refused with the reason, as for `run`. */
export function refusePid(tool: string, p: Parsed): void {
  if (p.opts.has("-p") || p.opts.has("--pid")) throw new UserError(`${tool}: -p PID is not modelled here: the emulator traces only the process it starts`);
}

/** bcc's options shared by funclatency, funccount and stackcount. */
export const TOOL_OPTIONS = {
  "-p": { value: true },
  "--pid": { value: true },
  "-i": { value: true },
  "--interval": { value: true },
  "-d": { value: true },
  "--duration": { value: true },
  "-T": {},
  "--timestamp": {},
  "-r": {},
  "--regexp": {},
  "--help": {},
  "-h": {},
} as const;
