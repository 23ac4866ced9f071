// Pass: resolve probe targets against the loaded binaries.
//
// Turns each `TargetSpec` (`test`, `test:4`, `test+4`, `0x401000`,
// `./lib.so:f`, `libc.so.6:malloc+8`, `uprobe:./t:test`) into a
// `ResolvedTarget` (file, virtual address, file offset, symbol + offset).
//
// What the kernel would do with a bad offset is the reason this pass exists:
// a uprobe registered in the middle of an instruction is accepted by
// uprobe_register() and then silently never fires (the int3 lands inside an
// instruction that is never decoded at that address). So an offset that is
// not an instruction boundary of its function, or that lies past the
// function's end, is an error here, and the message lists the valid offsets.
// `--unsafe` lets such probes through, marked `unsafe: true`, and the engine
// then models the kernel: registered, never hit.
//
// A retprobe attaches at a function entry (the kernel hijacks the return
// address there), so `retprobe f` == `retprobe f:0` and any other offset is
// an error, with or without --unsafe.
//
// C++ names, bpftrace's way: a demangled name (c++filt's spelling) finds the
// function: `probe ns::C::f`, `probe cpp:ns::f`, `probe ./t:"ns::f(int)"+4`,
// `uprobe:./t:cpp:"ns::f"`. Without a parameter list the name means every
// overload (and every function-template instance, `ns::max` or `ns::max<int>`),
// and the probe attaches to each of them, one probe per overload named by its
// signature (`probe "ns::f(int)"`), as bpftrace does; an offset then needs one
// function, and the error lists the signatures to choose from. A quoted full
// signature means exactly one function. Exact symbol names win (`probe
// _ZN2ns1fEi`, a C function), except after `cpp:`.
//
// Unknown symbols and files get a "did you mean" from the symbol table (C++
// functions by their demangled names). Every error is reported.

import type { ProbeItem, TargetAtom, TargetSpec } from "../ast.js";
import type { Span } from "../diagnostics.js";
import type { ResolvedTarget, SymbolInfo } from "../host.js";
import { isEventSpec, resolveEvent } from "../probe-events.js";
import { didYouMean } from "../suggest.js";
import type { PassContext } from "./context.js";
import { resolveUsdt } from "./resolve-usdt.js";
import { hasWildcard, matchingFiles, matchingFunctions } from "./wildcards.js";

const spanOf = (a: { start: number; end: number }): Span => ({ start: a.start, end: a.end });

function baseName(p: string): string {
  const i = p.lastIndexOf("/");
  return i < 0 ? p : p.slice(i + 1);
}

function stripDot(p: string): string {
  return p.startsWith("./") ? p.slice(2) : p;
}

/**
 * Find the probeable file a user wrote (`./t`, `t`, `/abs/t`, `libc.so.6`).
 * @public scripts/real-kernel-diff.mjs names files as the DSL does
 */
export function matchFile(written: string, files: readonly string[]): string | undefined {
  if (files.includes(written)) return written;
  const w = stripDot(written);
  for (const f of files) if (stripDot(f) === w) return f;
  for (const f of files) if (f.endsWith("/" + w)) return f;
  if (!w.includes("/")) for (const f of files) if (baseName(f) === w) return f;
  // a library by its name alone, as bpftrace's uprobe:libc:malloc: libc -> libc.so.6
  if (!w.includes("/")) for (const f of files) if (baseName(f).startsWith(w + ".so")) return f;
  // bcc's spelling: c:malloc is libc's (its library names drop the lib prefix)
  if (!w.includes("/")) for (const f of files) if (baseName(f).startsWith(`lib${w}.so`)) return f;
  return undefined;
}

function parseNumber(text: string): bigint {
  return BigInt(text);
}

function offsetList(offsets: readonly number[]): string {
  const shown = offsets.slice(0, 48).join(", ");
  return offsets.length > 48 ? `${shown}, ... (${offsets.length - 48} more)` : shown;
}

const hex = (v: bigint): string => "0x" + v.toString(16);

const isCpp = (a: TargetAtom | undefined): boolean => a !== undefined && a.kind === "ident" && a.text === "cpp";
const isName = (a: TargetAtom | undefined): a is TargetAtom => a !== undefined && (a.kind === "ident" || a.kind === "string");

/** How a symbol is shown in messages and probe names: demangled when it is C++. */
const display = (s: SymbolInfo): string => s.demangled ?? s.name;

function overloadList(syms: readonly SymbolInfo[]): string {
  const shown = syms.slice(0, 12).map(display);
  return shown.join(", ") + (syms.length > 12 ? `, ... (${syms.length - 12} more)` : "");
}

/**
 * `ns::f` from `ns::f(int) const` (the name before the parameter list), or
 * undefined when the text has no parameter list.
 */
export function withoutParameters(text: string): string | undefined {
  let t = text.trim();
  // Trailing qualifiers of a member function.
  for (;;) {
    const m = /\s*(?:const|volatile|&&|&|noexcept)$/.exec(t);
    if (m === null || m.index === 0) break;
    t = t.slice(0, m.index);
  }
  if (!t.endsWith(")")) return undefined;
  let depth = 0;
  for (let i = t.length - 1; i >= 0; i--) {
    const c = t[i];
    if (c === ")") depth++;
    else if (c === "(" && --depth === 0) {
      const name = t.slice(0, i).trim();
      return name.length > 0 ? name : undefined;
    }
  }
  return undefined;
}

/** The probe name of one overload: what was written, with the symbol replaced by the quoted signature. */
function expandedName(spec: TargetSpec, sym: TargetAtom, signature: string): string {
  const base = spec.textSpan.start;
  const text = spec.text.slice(0, sym.start - base) + JSON.stringify(signature) + spec.text.slice(sym.end - base);
  return spec.alias ? `${spec.keyword}:${text}` : `${spec.keyword} ${text}`;
}

export function resolveTargets(ctx: PassContext): void {
  const { program, target, bag } = ctx;
  const out = ctx.resolved;
  const unsafe = ctx.flags.unsafe;

  for (const item of program.items) {
    if (item.kind !== "probe") continue;
    for (const spec of (item as ProbeItem).targets) {
      if (isEventSpec(spec)) {
        const e = resolveEvent(ctx, spec);
        if (e !== undefined) ctx.events.set(spec, e);
        continue;
      }
      const r = resolveOne(spec);
      if (r !== undefined) out.set(spec, r);
    }
  }

  function resolveOne(spec: TargetSpec): ResolvedTarget[] | undefined {
    if (spec.keyword === "usdt") return resolveUsdt(ctx, spec, matchFile);
    const { atoms, seps } = spec;
    let fileAtom: TargetAtom | undefined;
    let loc = 0;
    const a0 = atoms[0]!;
    const a1 = atoms[1];
    if (spec.alias) {
      // bpftrace's spelling always names the file first; `uprobe:cpp:ns::f`
      // (no file, language prefix) is accepted when no file is called cpp.
      const cppFirst = isCpp(a0) && seps[0] === ":" && isName(a1) && matchFile(a0.text, target.files()) === undefined;
      if (atoms.length >= 2 && !cppFirst) {
        fileAtom = a0;
        loc = 1;
        if (seps[0] !== ":") {
          bag.error(spanOf(atoms[1]!), `expected ':' after the file name in '${spec.keyword}:${spec.text}'`);
          return undefined;
        }
      }
    } else if (a0.kind === "path" && atoms.length >= 2) {
      fileAtom = a0;
      loc = 1;
      if (seps[0] !== ":") {
        bag.error(spanOf(atoms[1]!), `expected ':' after the file name`);
        return undefined;
      }
    } else if (a0.kind === "string" && a1 !== undefined && seps[0] === ":") {
      // `"my lib.so":f` and `"my lib.so":0x401000` name a file;
      // `"ns::f(int)":4` is a (C++) symbol and an offset.
      if (a1.kind !== "number" || matchFile(a0.text, target.files()) !== undefined) {
        fileAtom = a0;
        loc = 1;
      }
    } else if (a0.kind === "ident" && !isCpp(a0) && a1 !== undefined && seps[0] === ":" && isName(a1)) {
      fileAtom = a0;
      loc = 1;
    }

    let chosen = [target.mainFile];
    if (fileAtom !== undefined) {
      const files = target.files();
      const m = hasWildcard(fileAtom.text) ? matchingFiles(files, fileAtom.text) : [matchFile(fileAtom.text, files) ?? target.sameFile?.(fileAtom.text)];
      if (m.length === 0 || m[0] === undefined) {
        const names = [...files, ...files.map(baseName)];
        const hint = didYouMean(fileAtom.text, names);
        const what = hasWildcard(fileAtom.text) ? "no probeable file matches" : "unknown binary";
        bag.error(spanOf(fileAtom), `${what} '${fileAtom.text}'${hint || ` (probeable files: ${files.join(", ")})`}`);
        return undefined;
      }
      chosen = m as string[];
    }
    const out: ResolvedTarget[] = [];
    for (const file of chosen) {
      const r = resolveIn(spec, file, fileAtom, atoms.slice(loc), seps.slice(loc));
      if (r === undefined) return undefined;
      // a file wildcard: each match is named by its file, as bpftrace expands it
      if (fileAtom !== undefined && hasWildcard(fileAtom.text) && !hasWildcard(atoms[atoms.length - 1]!.text)) for (const t of r) t.name = expandFile(spec, fileAtom, file);
      out.push(...r);
    }
    const sym = atoms[atoms.length - 1]!;
    if (out.length === 0) {
      // only a wildcard can match nothing
      const file = chosen.length === 1 ? chosen[0]! : undefined;
      const where = file === undefined ? ` in ${chosen.length} files` : file === target.mainFile ? "" : ` in ${file}`;
      const hint = file === undefined ? "" : didYouMean(sym.text.replace(/\*/g, ""), target.symbolNames(file));
      bag.error(spanOf(sym), `no function matches '${sym.text}'${where}${hint}`);
      return undefined;
    }
    return out;
  }

  /** The targets of the part after the file (`test`, `test+4`, `foo*`, `0x401000`, `cpp:ns::f`) in one file. */
  function resolveIn(spec: TargetSpec, file: string, fileAtom: TargetAtom | undefined, rest: TargetAtom[], restSeps: Array<":" | "+">): ResolvedTarget[] | undefined {
    // `cpp:NAME`: NAME is a demangled C++ name (bpftrace's language prefix).
    let cpp = false;
    if (isCpp(rest[0]) && restSeps[0] === ":" && isName(rest[1])) {
      cpp = true;
      rest = rest.slice(1);
      restSeps = restSeps.slice(1);
    }
    const malformed = (): undefined => {
      bag.error(
        spec.textSpan,
        `malformed probe target '${spec.text}': expected SYMBOL, SYMBOL:OFFSET, SYMBOL+OFFSET or ADDRESS (a C++ name with spaces, parentheses or <...> is quoted: "ns::f(int)")`,
      );
      return undefined;
    };
    if (rest.length === 0 || rest.length > 2) return malformed();

    const kind: ResolvedTarget["kind"] = spec.ret ? "uretprobe" : "uprobe";
    const name = spec.alias ? `${spec.keyword}:${spec.text}` : `${spec.keyword} ${spec.text}`;
    const first = rest[0]!;

    // Absolute address.
    if (rest.length === 1 && first.kind === "number" && !cpp) {
      const addr = parseNumber(first.text);
      const fileOffset = target.fileOffsetOf(addr, file);
      if (fileOffset === undefined) {
        bag.error(spanOf(first), `address ${hex(addr)} is not mapped from ${file}`);
        return undefined;
      }
      const sym = target.symbolAt(addr, file);
      if (sym === undefined) {
        if (spec.ret) {
          bag.error(spanOf(first), `a retprobe must attach at a function entry, and ${hex(addr)} is in no known function`);
          return undefined;
        }
        return [{ kind, file, addr, fileOffset, offset: 0, name, unsafe: false }];
      }
      const off = Number(addr - sym.addr);
      const ok = checkOffset(spec, sym, off, spanOf(first));
      if (ok === undefined) return undefined;
      const r: ResolvedTarget = { kind, file, addr, fileOffset, symbol: sym.name, offset: off, name, unsafe: ok.unsafe };
      if (sym.demangled !== undefined) r.demangled = sym.demangled;
      return [r];
    }

    if (!isName(first)) return malformed();
    let off = 0;
    let offAtom: TargetAtom | undefined;
    if (rest.length === 2) {
      offAtom = rest[1]!;
      if (offAtom.kind !== "number" || restSeps[0] === undefined) return malformed();
      off = Number(parseNumber(offAtom.text));
      if (!Number.isSafeInteger(off)) return malformed();
    }
    const syms = lookup(first.text, file, cpp);
    if (hasWildcard(first.text)) {
      if (offAtom !== undefined) {
        bag.error(spanOf(offAtom), `a wildcard ('${first.text}') takes no offset: an offset needs one function`);
        return undefined;
      }
      return wildcardTargets(spec, file, fileAtom, first.text, kind);
    }
    if (syms.length === 0) {
      if (fileAtom !== undefined && hasWildcard(fileAtom.text)) return []; // a file the wildcard matched without this function
      unknownSymbol(first, file);
      return undefined;
    }
    if (syms.length > 1 && off !== 0) {
      bag.error(
        spanOf(offAtom!),
        `'${first.text}' names ${syms.length} functions and an offset needs one: ${overloadList(syms)} (quote the full signature: ${expandedName(spec, first, display(syms[0]!))})`,
      );
      return undefined;
    }
    const results: ResolvedTarget[] = [];
    for (const sym of syms) {
      const ok = checkOffset(spec, sym, off, offAtom !== undefined ? spanOf(offAtom) : spanOf(first));
      if (ok === undefined) return undefined;
      const r: ResolvedTarget = {
        kind,
        file: sym.file || file,
        addr: sym.addr + BigInt(off),
        fileOffset: sym.fileOffset + off,
        symbol: sym.name,
        offset: off,
        // Several overloads: one probe each, named by its full signature, as
        // bpftrace expands `uprobe:./t:cpp:f` into one probe per overload.
        name: syms.length === 1 ? name : expandedName(spec, first, display(sym)),
        unsafe: ok.unsafe,
      };
      if (sym.demangled !== undefined) r.demangled = sym.demangled;
      results.push(r);
    }
    return results;
  }

  /** The probe name with a wildcard file part replaced by the file it matched. */
  function expandFile(spec: TargetSpec, fileAtom: TargetAtom, file: string): string {
    const base = spec.textSpan.start;
    const text = spec.text.slice(0, fileAtom.start - base) + file + spec.text.slice(fileAtom.end - base);
    return spec.alias ? `${spec.keyword}:${text}` : `${spec.keyword} ${text}`;
  }

  /** One probe per function a wildcard matches, named as bpftrace expands it (`uprobe:./t:foo_add`). */
  function wildcardTargets(spec: TargetSpec, file: string, fileAtom: TargetAtom | undefined, glob: string, kind: ResolvedTarget["kind"]): ResolvedTarget[] {
    const shownFile = fileAtom === undefined ? undefined : fileAtom.text.includes("/") && !hasWildcard(fileAtom.text) ? fileAtom.text : file;
    return matchingFunctions(target, file, glob).map((n) => {
      const sym = target.lookupSymbol(n, file)!;
      const name = spec.alias ? `${spec.keyword}:${shownFile === undefined ? "" : shownFile + ":"}${n}` : `${spec.keyword} ${fileAtom === undefined ? "" : (shownFile ?? "") + ":"}${n}`;
      const r: ResolvedTarget = { kind, file: sym.file || file, addr: sym.addr, fileOffset: sym.fileOffset, symbol: sym.name, offset: 0, name, unsafe: false };
      if (sym.demangled !== undefined) r.demangled = sym.demangled;
      return r;
    });
  }

  /**
   * The functions a name means: an exact symbol name first (a C name or a
   * mangled one, `_ZN2ns1fEi`), else C++ functions by demangled name (every
   * overload of `ns::f`, or the one `ns::f(int)`). With `cpp:` the demangled
   * names come first.
   */
  function lookup(text: string, file: string, cpp: boolean): SymbolInfo[] {
    if (!cpp) {
      const exact = target.lookupSymbol(text, file);
      if (exact !== undefined) return [exact];
    }
    const found = target.lookupDemangled?.(text, file) ?? [];
    if (found.length > 0 || !cpp) return found;
    const exact = target.lookupSymbol(text, file);
    return exact !== undefined ? [exact] : [];
  }

  function unknownSymbol(atom: TargetAtom, file: string): void {
    const text = atom.text;
    const where = file === target.mainFile ? "" : ` in ${file}`;
    // A signature that matches no overload: list the overloads there are.
    const base = withoutParameters(text);
    if (base !== undefined) {
      const overloads = target.lookupDemangled?.(base, file) ?? [];
      if (overloads.length > 0) {
        bag.error(spanOf(atom), `no overload of '${base}' has the signature '${text}'${where}; there are: ${overloadList(overloads)}`);
        return;
      }
    }
    // Suggest demangled names for C++ symbols (mangled ones only to someone typing one).
    const mangled = text.startsWith("_Z");
    const names = target.symbolNames(file).filter((n) => mangled || !n.startsWith("_Z"));
    bag.error(spanOf(atom), `unknown symbol '${text}'${where}${didYouMean(text, names)}`);
  }

  /** Validate `off` inside `sym`; undefined after reporting an error. */
  function checkOffset(spec: TargetSpec, sym: SymbolInfo, off: number, span: Span): { unsafe: boolean } | undefined {
    const shown = display(sym);
    if (spec.ret && off !== 0) {
      const spelled = sym.demangled !== undefined ? JSON.stringify(sym.demangled) : sym.name;
      bag.error(
        span,
        `a retprobe attaches at the entry of ${shown}: offset ${off} is not allowed (use 'probe ${spelled}:${off}' for an instruction probe)`,
      );
      return undefined;
    }
    if (off === 0) return { unsafe: false };
    const offsets = target.instructionOffsets(sym);
    if (off < 0 || (sym.size > 0 && off >= sym.size)) {
      if (unsafe) return { unsafe: true };
      bag.error(span, `offset ${off} is past the end of ${shown} (size ${sym.size}); valid instruction offsets: ${offsetList(offsets)}`);
      return undefined;
    }
    if (offsets.includes(off)) return { unsafe: false };
    if (unsafe) return { unsafe: true };
    if (offsets.length === 0) {
      bag.error(span, `cannot check offset ${off} of ${shown}: its size is unknown (--unsafe attaches anyway)`);
      return undefined;
    }
    let startOf = 0;
    for (const o of offsets) if (o < off) startOf = o;
    const insn = target.disassembleAt(sym.addr + BigInt(startOf), sym.file);
    const inside = insn !== undefined ? ` (inside '${insn}' at ${shown}+${startOf})` : ` (inside the instruction at ${shown}+${startOf})`;
    bag.error(
      span,
      `offset ${off} is not an instruction boundary of ${shown}${inside}; valid instruction offsets: ${offsetList(offsets)}`,
    );
    return undefined;
  }
}
