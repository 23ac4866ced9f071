// Wildcards in probe targets, as bpftrace matches them: `*` stands for any run
// of characters (bpftrace's wildcard match, src/utils.cpp wildcard_match) in
// the function part (`uprobe:./t:foo*`) and in the file part
// (`uprobe:libc*:malloc`). Each match becomes a probe of its own.

import type { TargetInfo } from "../host.js";

export const hasWildcard = (text: string): boolean => text.includes("*");

/** A glob with `*` only, as an anchored regular expression. */
export function globRegExp(glob: string): RegExp {
  const body = glob
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`);
}

/**
 * The function names of a file that a glob matches, in symbol-table order,
 * each once. Only names that resolve to a function count (the demangled
 * spellings symbolNames adds for "did you mean" do not).
 */
export function matchingFunctions(target: TargetInfo, file: string, glob: string): string[] {
  const re = globRegExp(glob);
  const out = new Set<string>();
  for (const n of target.symbolNames(file)) {
    if (n.includes(".part.")) continue; // bpftrace skips GCC's partial-inlining pieces (get_matches_in_stream)
    if (!out.has(n) && re.test(n) && target.lookupSymbol(n, file) !== undefined) out.add(n);
  }
  return [...out];
}

const baseName = (p: string): string => p.slice(p.lastIndexOf("/") + 1);

/** The probeable files a glob names: by path, `./`-less path, base name or a library's short name (`libc*`). */
export function matchingFiles(files: readonly string[], glob: string): string[] {
  const re = globRegExp(glob.startsWith("./") ? glob.slice(2) : glob);
  const shortName = (f: string): string => baseName(f).replace(/\.so(\..*)?$/, "");
  return files.filter((f) => re.test(f) || re.test(f.replace(/^\.\//, "")) || re.test(baseName(f)) || re.test(shortName(f)));
}
