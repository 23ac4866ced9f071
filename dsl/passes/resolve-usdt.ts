// Pass helper: resolve `usdt:` targets, as bpftrace 0.17 reads them:
//
//   usdt:BIN:PROVIDER:NAME   one probe (every site of it: a probe compiled in
//                            several places has one note per site)
//   usdt:BIN:NAME            the probe of that name, when one provider has it
//   usdt:BIN:prov:*  usdt:BIN:*  usdt:BIN:*:tick   wildcards in either part
//
// Each site becomes a ResolvedTarget of kind "uprobe" at the note's pc (the
// `nop` sys/sdt.h emits), carrying the site (arguments, semaphore) for code
// generation and attach. Unknown binaries, providers and names get a located
// "did you mean"; a site whose argument specs cannot be read still attaches,
// and argN in its block is refused (type check).

import type { TargetAtom, TargetSpec } from "../ast.js";
import type { Span } from "../diagnostics.js";
import type { ResolvedTarget, UsdtSite } from "../host.js";
import { didYouMean } from "../suggest.js";
import type { PassContext } from "./context.js";
import { hasWildcard, matchingFiles } from "./wildcards.js";

const spanOf = (a: { start: number; end: number }): Span => ({ start: a.start, end: a.end });

function globRe(glob: string): RegExp {
  return new RegExp(`^${glob.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}

/** The sites of one file that PROVIDER:NAME (either may be a glob, provider may be absent) names. */
export function matchingSites(sites: readonly UsdtSite[], provider: string | undefined, name: string): UsdtSite[] {
  const p = provider === undefined ? undefined : globRe(provider);
  const n = globRe(name);
  return sites.filter((s) => (p === undefined || p.test(s.provider)) && n.test(s.name));
}

/** bpftrace's probe name of a site: `usdt:FILE:PROVIDER:NAME`, the file as written (or as matched). */
const usdtName = (file: string, s: UsdtSite): string => `usdt:${file}:${s.provider}:${s.name}`;

export function resolveUsdt(ctx: PassContext, spec: TargetSpec, matchFile: (written: string, files: readonly string[]) => string | undefined): ResolvedTarget[] | undefined {
  const { target, bag } = ctx;
  const { atoms, seps } = spec;
  const usage = "expected usdt:BINARY:PROVIDER:NAME or usdt:BINARY:NAME (wildcards * in PROVIDER and NAME)";
  if (atoms.length < 2 || atoms.length > 3 || seps.some((s) => s !== ":") || atoms.slice(1).some((a) => a.kind === "number" || a.kind === "path")) {
    bag.error(spec.textSpan, `malformed usdt probe 'usdt:${spec.text}': ${usage}`);
    return undefined;
  }
  const fileAtom = atoms[0]!;
  const provAtom: TargetAtom | undefined = atoms.length === 3 ? atoms[1] : undefined;
  const nameAtom = atoms[atoms.length - 1]!;

  const files = target.files();
  const chosen = hasWildcard(fileAtom.text) ? matchingFiles(files, fileAtom.text) : [matchFile(fileAtom.text, files) ?? target.sameFile?.(fileAtom.text)].filter((f): f is string => f !== undefined);
  if (chosen.length === 0) {
    bag.error(spanOf(fileAtom), `unknown binary '${fileAtom.text}'${didYouMean(fileAtom.text, [...files, ...files.map((f) => f.slice(f.lastIndexOf("/") + 1))]) || ` (probeable files: ${files.join(", ")})`}`);
    return undefined;
  }

  const out: ResolvedTarget[] = [];
  const all: UsdtSite[] = [];
  for (const file of chosen) {
    const sites = target.usdtProbes?.(file) ?? [];
    all.push(...sites);
    const found = matchingSites(sites, provAtom?.text, nameAtom.text);
    // usdt:BIN:NAME needs one provider (bpftrace refuses an ambiguous name)
    const providers = [...new Set(found.map((s) => s.provider))];
    if (provAtom === undefined && !hasWildcard(nameAtom.text) && providers.length > 1) {
      // bpftrace 0.17: "namespace for usdt:./amb:start not specified, matched 2 probes"
      bag.error(spanOf(nameAtom), `provider (namespace) for usdt:${fileAtom.text}:${nameAtom.text} not specified, and ${found.length} probes match, of providers ${providers.join(", ")} (write usdt:${fileAtom.text}:${providers[0]}:${nameAtom.text}, or usdt:${fileAtom.text}:*:${nameAtom.text} for all)`);
      return undefined;
    }
    const shown = fileAtom.text.includes("/") && !hasWildcard(fileAtom.text) ? fileAtom.text : file;
    for (const s of found) {
      if (s.fileOffset < 0) {
        bag.error(spanOf(nameAtom), `usdt probe ${s.provider}:${s.name} of ${file}: its address 0x${s.addr.toString(16)} is in no loaded segment`);
        return undefined;
      }
      const sym = target.symbolAt(s.addr, file);
      const r: ResolvedTarget = {
        kind: "uprobe",
        file,
        addr: s.addr,
        fileOffset: s.fileOffset,
        offset: sym === undefined ? 0 : Number(s.addr - sym.addr),
        // bpftrace 0.17 names every usdt probe in full, the file as written: usdt:./app:prov:name
        name: usdtName(shown, s),
        unsafe: false,
        usdt: s,
      };
      if (sym !== undefined) r.symbol = sym.name;
      if (sym?.demangled !== undefined) r.demangled = sym.demangled;
      out.push(r);
    }
  }
  if (out.length > 0) return out;
  if (all.length === 0) {
    bag.error(spanOf(fileAtom), `${chosen.join(", ")} has no USDT probes (no .note.stapsdt section: build with <sys/sdt.h> probes)`);
    return undefined;
  }
  const known = [...new Set(all.map((s) => `${s.provider}:${s.name}`))];
  if (provAtom !== undefined && !hasWildcard(provAtom.text) && !all.some((s) => s.provider === provAtom.text)) {
    const provs = [...new Set(all.map((s) => s.provider))];
    bag.error(spanOf(provAtom), `unknown usdt provider '${provAtom.text}'${didYouMean(provAtom.text, provs) || ` (providers: ${provs.join(", ")})`}`);
    return undefined;
  }
  const written = provAtom === undefined ? nameAtom.text : `${provAtom.text}:${nameAtom.text}`;
  const hint = didYouMean(written, provAtom === undefined ? [...new Set(all.map((s) => s.name))] : known);
  bag.error(spanOf(nameAtom), `${hasWildcard(written) ? "no usdt probe matches" : "unknown usdt probe"} '${written}'${hint || ` (probes: ${known.join(", ")})`}`);
  return undefined;
}
