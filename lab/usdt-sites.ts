// The DSL's view of a file's USDT probes (dsl/host.ts UsdtSite), from the
// engine's note reader: each note's pc and semaphore at the file's load bias,
// and per argument a reader over the hit's registers and memory. A symbol in
// a memory operand (`-4@counter(%rip)`, a global) is resolved here to its
// address, as bcc's argument parser does.

import type { UsdtArgReader, UsdtSite } from "../dsl/host.js";
import { readUsdtNotes, usdtArgReader, type Binary, type UsdtArg } from "../engine/index.js";

const cache = new WeakMap<Binary, UsdtSite[]>();

/** A symbol in a memory operand becomes its address: `sym+4(%rip)` reads sym+4, whatever rip is. */
function withSymbol(arg: UsdtArg, bin: Binary): UsdtArg | string {
  const op = arg.operand;
  if (op.kind !== "mem" || op.symbol === undefined) return arg;
  const s = bin.lookup(op.symbol);
  if (s === undefined) return `argument '${arg.text}' names '${op.symbol}', which is not in the symbol table`;
  const base = op.base === -1 ? undefined : op.base;
  const resolved: { kind: "mem"; disp: bigint; base?: number; index?: number; scale: number } = { kind: "mem", disp: BigInt(s.addr) + op.disp, scale: op.scale };
  if (base !== undefined) resolved.base = base;
  if (op.index !== undefined) resolved.index = op.index;
  return { ...arg, operand: resolved };
}

function readers(args: UsdtArg[], bin: Binary, argText: string): UsdtSite["args"] {
  const out: UsdtArgReader[] = [];
  for (const a of args) {
    const r = withSymbol(a, bin);
    if (typeof r === "string") return { column: Math.max(0, argText.indexOf(a.text)), message: r };
    out.push({ text: a.text, read: usdtArgReader(r) }); // a HitContext is the reader's UsdtRegs
  }
  return out;
}

/** Every USDT probe site of a binary (empty when it has no .note.stapsdt). */
export function usdtSites(bin: Binary): UsdtSite[] {
  let sites = cache.get(bin);
  if (sites !== undefined) return sites;
  sites = readUsdtNotes(bin.elf).map((n) => {
    const addr = n.pc + bin.bias;
    const site: UsdtSite = {
      provider: n.provider,
      name: n.name,
      file: bin.path,
      addr: BigInt(addr),
      fileOffset: bin.fileOffsetOf(addr),
      argText: n.argText,
      args: Array.isArray(n.args) ? readers(n.args, bin, n.argText) : { column: n.args.column, message: n.args.message },
    };
    if (n.semaphore !== 0) site.semaphore = { addr: BigInt(n.semaphore + bin.bias), fileOffset: n.semaphoreOffset };
    return site;
  });
  cache.set(bin, sites);
  return sites;
}
