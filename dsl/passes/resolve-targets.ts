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
// Unknown symbols and files get a "did you mean" from the symbol table.
// All errors of the pass are collected before it throws.

import type { ProbeItem, Program, TargetAtom, TargetSpec } from "../ast.js";
import { DiagnosticBag, SourceText, type Span } from "../diagnostics.js";
import type { ResolvedTarget, SymbolInfo, TargetInfo } from "../host.js";
import { didYouMean } from "../suggest.js";

export interface ResolveOptions {
  unsafe?: boolean;
}

/** Resolved targets, keyed by the spec node they came from. */
export type ResolvedTargets = Map<TargetSpec, ResolvedTarget>;

const spanOf = (a: { start: number; end: number }): Span => ({ start: a.start, end: a.end });

function baseName(p: string): string {
  const i = p.lastIndexOf("/");
  return i < 0 ? p : p.slice(i + 1);
}

function stripDot(p: string): string {
  return p.startsWith("./") ? p.slice(2) : p;
}

/** Find the probeable file a user wrote (`./t`, `t`, `/abs/t`, `libc.so.6`). */
export function matchFile(written: string, files: readonly string[]): string | undefined {
  if (files.includes(written)) return written;
  const w = stripDot(written);
  for (const f of files) if (stripDot(f) === w) return f;
  for (const f of files) if (f.endsWith("/" + w)) return f;
  if (!w.includes("/")) for (const f of files) if (baseName(f) === w) return f;
  // a library by its name alone, as bpftrace's uprobe:libc:malloc: libc -> libc.so.6
  if (!w.includes("/")) for (const f of files) if (baseName(f).startsWith(w + ".so")) return f;
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

export function resolveTargets(program: Program, src: SourceText, target: TargetInfo, opts: ResolveOptions = {}): ResolvedTargets {
  const bag = new DiagnosticBag(src);
  const out: ResolvedTargets = new Map();
  const unsafe = opts.unsafe === true;

  for (const item of program.items) {
    if (item.kind !== "probe") continue;
    for (const spec of (item as ProbeItem).targets) {
      const r = resolveOne(spec);
      if (r !== undefined) out.set(spec, r);
    }
  }
  bag.throwIfAny();
  return out;

  function resolveOne(spec: TargetSpec): ResolvedTarget | undefined {
    const { atoms, seps } = spec;
    let fileAtom: TargetAtom | undefined;
    let loc = 0;
    if (spec.alias) {
      if (atoms.length >= 2) {
        fileAtom = atoms[0];
        loc = 1;
        if (seps[0] !== ":") {
          bag.error(spanOf(atoms[1]!), `expected ':' after the file name in '${spec.keyword}:${spec.text}'`);
          return undefined;
        }
      }
    } else if ((atoms[0]!.kind === "path" || atoms[0]!.kind === "string") && atoms.length >= 2) {
      fileAtom = atoms[0];
      loc = 1;
      if (seps[0] !== ":") {
        bag.error(spanOf(atoms[1]!), `expected ':' after the file name`);
        return undefined;
      }
    } else if (atoms.length >= 2 && atoms[0]!.kind === "ident" && seps[0] === ":" && atoms[1]!.kind === "ident") {
      fileAtom = atoms[0];
      loc = 1;
    }

    let file = target.mainFile;
    if (fileAtom !== undefined) {
      const files = target.files();
      const m = matchFile(fileAtom.text, files);
      if (m === undefined) {
        const names = [...files, ...files.map(baseName)];
        const hint = didYouMean(fileAtom.text, names);
        bag.error(spanOf(fileAtom), `unknown binary '${fileAtom.text}'${hint || ` (probeable files: ${files.join(", ")})`}`);
        return undefined;
      }
      file = m;
    }

    const rest = atoms.slice(loc);
    const restSeps = seps.slice(loc);
    const malformed = (): undefined => {
      bag.error(spec.textSpan, `malformed probe target '${spec.text}': expected SYMBOL, SYMBOL:OFFSET, SYMBOL+OFFSET or ADDRESS`);
      return undefined;
    };
    if (rest.length === 0 || rest.length > 2) return malformed();

    const kind: ResolvedTarget["kind"] = spec.ret ? "uretprobe" : "uprobe";
    const name = spec.alias ? `${spec.keyword}:${spec.text}` : `${spec.keyword} ${spec.text}`;
    const first = rest[0]!;

    // Absolute address.
    if (rest.length === 1 && first.kind === "number") {
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
        return { kind, file, addr, fileOffset, offset: 0, name, unsafe: false };
      }
      const off = Number(addr - sym.addr);
      const ok = checkOffset(spec, sym, off, spanOf(first));
      if (ok === undefined) return undefined;
      return { kind, file, addr, fileOffset, symbol: sym.name, offset: off, name, unsafe: ok.unsafe };
    }

    if (first.kind !== "ident") return malformed();
    let off = 0;
    let offAtom: TargetAtom | undefined;
    if (rest.length === 2) {
      offAtom = rest[1]!;
      if (offAtom.kind !== "number" || restSeps[0] === undefined) return malformed();
      off = Number(parseNumber(offAtom.text));
      if (!Number.isSafeInteger(off)) return malformed();
    }
    const sym = target.lookupSymbol(first.text, file);
    if (sym === undefined) {
      const hint = didYouMean(first.text, target.symbolNames(file));
      const where = file === target.mainFile ? "" : ` in ${file}`;
      bag.error(spanOf(first), `unknown symbol '${first.text}'${where}${hint}`);
      return undefined;
    }
    const ok = checkOffset(spec, sym, off, offAtom !== undefined ? spanOf(offAtom) : spanOf(first));
    if (ok === undefined) return undefined;
    return {
      kind,
      file: sym.file || file,
      addr: sym.addr + BigInt(off),
      fileOffset: sym.fileOffset + off,
      symbol: sym.name,
      offset: off,
      name,
      unsafe: ok.unsafe,
    };
  }

  /** Validate `off` inside `sym`; undefined after reporting an error. */
  function checkOffset(spec: TargetSpec, sym: SymbolInfo, off: number, span: Span): { unsafe: boolean } | undefined {
    if (spec.ret && off !== 0) {
      bag.error(
        span,
        `a retprobe attaches at the entry of ${sym.name}: offset ${off} is not allowed (use 'probe ${sym.name}:${off}' for an instruction probe)`,
      );
      return undefined;
    }
    if (off === 0) return { unsafe: false };
    const offsets = target.instructionOffsets(sym);
    if (off < 0 || (sym.size > 0 && off >= sym.size)) {
      if (unsafe) return { unsafe: true };
      bag.error(span, `offset ${off} is past the end of ${sym.name} (size ${sym.size}); valid instruction offsets: ${offsetList(offsets)}`);
      return undefined;
    }
    if (offsets.includes(off)) return { unsafe: false };
    if (unsafe) return { unsafe: true };
    if (offsets.length === 0) {
      bag.error(span, `cannot check offset ${off} of ${sym.name}: its size is unknown (--unsafe attaches anyway)`);
      return undefined;
    }
    let startOf = 0;
    for (const o of offsets) if (o < off) startOf = o;
    const insn = target.disassembleAt(sym.addr + BigInt(startOf), sym.file);
    const inside = insn !== undefined ? ` (inside '${insn}' at ${sym.name}+${startOf})` : ` (inside the instruction at ${sym.name}+${startOf})`;
    bag.error(
      span,
      `offset ${off} is not an instruction boundary of ${sym.name}${inside}; valid instruction offsets: ${offsetList(offsets)}`,
    );
    return undefined;
  }
}
