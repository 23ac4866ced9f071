// What the jit derives from a block's code alone (its source, how much of it
// is supported, the compiled function), kept for every Machine of the
// process by the code it came from: a block's address and bytes. The same
// address and bytes decode to the same instructions (64-bit code only is
// compiled), and codegen.ts is a function of those, so a second run of a
// program tiers up without generating source again (strings: tier-up was
// ~10 % of a warm run's main thread).

import type { Block } from "../cpu.js";

const KEYS = new WeakMap<Block, string>();

/** The block's code as a self-delimiting string: address, byte count, bytes (computed once per Block). */
export function codeKey(b: Block): string {
  let k = KEYS.get(b);
  if (k === undefined) {
    let bytes = "";
    for (const insn of b.insns) for (let j = 0; j < insn.bytes.length; j++) bytes += String.fromCharCode(insn.bytes[j]!);
    k = `${b.addr}/${bytes.length}:${bytes}`;
    KEYS.set(b, k);
  }
  return k;
}

/** A map from code keys that starts over when it holds `max` entries (a bound, not an LRU: the working set refills it). */
export class CodeMemo<T> {
  private readonly m = new Map<string, T>();
  constructor(private readonly max: number) {}

  /** The value kept for key, or make()'s, kept. */
  get(key: string, make: () => T): T {
    if (this.m.has(key)) return this.m.get(key) as T;
    const v = make();
    if (this.m.size >= this.max) this.m.clear();
    this.m.set(key, v);
    return v;
  }
}
