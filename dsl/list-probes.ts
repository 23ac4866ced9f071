// bpftrace's -l: the probes a pattern names (`uprobe:./t:foo*`,
// `uretprobe:/lib/x86_64-linux-gnu/libc.so.6:str*`), one per function, sorted
// as bpftrace lists them.

import type { TargetInfo } from "./host.js";
import { matchFile } from "./passes/resolve-targets.js";
import { matchingSites } from "./passes/resolve-usdt.js";
import { hasWildcard, matchingFiles, matchingFunctions } from "./passes/wildcards.js";

const TYPES: Readonly<Record<string, string>> = { uprobe: "uprobe", u: "uprobe", uretprobe: "uretprobe", ur: "uretprobe", usdt: "usdt", U: "usdt" };

/** The file part of a -l pattern (`./t` in `uprobe:./t:foo*`), to know which binary to open; undefined when the pattern is not a uprobe one. */
export function listPatternFile(pattern: string): string | undefined {
  const m = /^([a-zA-Z]+):([^:]+)(?::|$)/.exec(pattern);
  return m !== null && TYPES[m[1]!] !== undefined ? m[2] : undefined;
}

/** `TYPE:FILE:GLOB` -> the matching probe names; throws an Error with a one-line reason for a pattern it cannot read. */
export function listProbes(pattern: string, target: TargetInfo): string[] {
  const m = /^([a-zA-Z]+):([^:]+)(?::(.*))?$/.exec(pattern);
  if (m === null || TYPES[m[1]!] === undefined) throw new Error(`cannot list '${pattern}': give uprobe:FILE:FUNCTION (wildcards *), uretprobe:..., u:..., ur:... or usdt:FILE:PROVIDER:NAME`);
  const type = TYPES[m[1]!]!;
  const file = m[2]!;
  const glob = m[3] === undefined || m[3] === "" ? "*" : m[3];
  const files = hasWildcard(file) ? matchingFiles(target.files(), file) : [matchFile(file, target.files()) ?? target.sameFile?.(file)].filter((f): f is string => f !== undefined);
  if (files.length === 0) throw new Error(`cannot list '${pattern}': no probeable file '${file}' (files: ${target.files().join(", ")})`);
  const out: string[] = [];
  for (const f of files) {
    const shown = file.includes("/") && !hasWildcard(file) ? file : f;
    if (type === "usdt") {
      // usdt:FILE:NAME matches the name under any provider, usdt:FILE:PROV:NAME both (bpftrace's -l)
      const parts = glob.split(":");
      const sites = matchingSites(target.usdtProbes?.(f) ?? [], parts.length > 1 ? parts[0] : undefined, parts.length > 1 ? parts.slice(1).join(":") : parts[0]!);
      for (const n of new Set(sites.map((s) => `${s.provider}:${s.name}`))) out.push(`usdt:${shown}:${n}`);
      continue;
    }
    for (const n of matchingFunctions(target, f, glob)) out.push(`${type}:${shown}:${n}`);
  }
  return out.sort();
}
