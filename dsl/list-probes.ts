// bpftrace's -l: the probes a pattern names (`uprobe:./t:foo*`,
// `uretprobe:/lib/x86_64-linux-gnu/libc.so.6:str*`), one per function, sorted
// as bpftrace lists them.

import type { TargetInfo } from "./host.js";
import { matchFile } from "./passes/resolve-targets.js";
import { hasWildcard, matchingFiles, matchingFunctions } from "./passes/wildcards.js";

const TYPES: Readonly<Record<string, string>> = { uprobe: "uprobe", u: "uprobe", uretprobe: "uretprobe", ur: "uretprobe" };

/** The file part of a -l pattern (`./t` in `uprobe:./t:foo*`), to know which binary to open; undefined when the pattern is not a uprobe one. */
export function listPatternFile(pattern: string): string | undefined {
  const m = /^([a-z]+):([^:]+)(?::|$)/.exec(pattern);
  return m !== null && TYPES[m[1]!] !== undefined ? m[2] : undefined;
}

/** `TYPE:FILE:GLOB` -> the matching probe names; throws an Error with a one-line reason for a pattern it cannot read. */
export function listProbes(pattern: string, target: TargetInfo): string[] {
  const m = /^([a-z]+):([^:]+)(?::(.*))?$/.exec(pattern);
  if (m === null || TYPES[m[1]!] === undefined) throw new Error(`cannot list '${pattern}': give uprobe:FILE:FUNCTION (wildcards *), uretprobe:..., u:... or ur:...`);
  const type = TYPES[m[1]!]!;
  const file = m[2]!;
  const glob = m[3] === undefined || m[3] === "" ? "*" : m[3];
  const files = hasWildcard(file) ? matchingFiles(target.files(), file) : [matchFile(file, target.files()) ?? target.sameFile?.(file)].filter((f): f is string => f !== undefined);
  if (files.length === 0) throw new Error(`cannot list '${pattern}': no probeable file '${file}' (files: ${target.files().join(", ")})`);
  const out: string[] = [];
  for (const f of files) {
    const shown = file.includes("/") && !hasWildcard(file) ? file : f;
    for (const n of matchingFunctions(target, f, glob)) out.push(`${type}:${shown}:${n}`);
  }
  return out.sort();
}
