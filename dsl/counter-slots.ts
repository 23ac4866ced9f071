// Counter slots: globals and unkeyed maps that the program only counts with
// (`x++`, `x--`, `@x = count()`), never reads or writes otherwise. Their hits
// add to a JS number (Runtime.K) instead of a BigInt, which allocates; the
// BigInt value is folded in only where it is read (runtime.ts fold). Any
// other mention of the name (a read, an assignment, print, clear, delete)
// leaves the slot an ordinary one.

import type { Program } from "./ast.js";

/** How a counter slot combines: `x++`/`x--` wrap as int64 (N(64, ...)), count() adds without wrapping. */
export const enum CounterKind {
  None = 0,
  Wrap = 1,
  Count = 2,
}

/** A counter slot's pending count is folded into its BigInt before it reaches 2^52 (numbers are exact below 2^53). */
export const COUNTER_FOLD_AT = 2 ** 52;

type Node = { kind?: unknown } & Record<string, unknown>;

/** The counter slots of a program, by variable name (sigil included). */
export function counterSlots(program: Program): Map<string, CounterKind> {
  const uses = new Map<string, CounterKind | "other">();
  const note = (name: string, k: CounterKind | "other"): void => {
    const had = uses.get(name);
    uses.set(name, had === undefined || had === k ? k : "other");
  };
  const seen = new WeakSet<object>(); // resolved struct types can refer to themselves (`->next`)
  const walk = (n: unknown): void => {
    if (n === null || typeof n !== "object" || seen.has(n)) return;
    seen.add(n);
    if (Array.isArray(n)) {
      for (const x of n) walk(x);
      return;
    }
    const o = n as Node;
    if (o.kind === "incdec" && isPlainVar(o["target"])) {
      note((o["target"] as Node)["name"] as string, CounterKind.Wrap);
      return;
    }
    if (o.kind === "assign" && o["op"] === "=" && isPlainVar(o["target"]) && isCountCall(o["value"])) {
      note((o["target"] as Node)["name"] as string, CounterKind.Count);
      return;
    }
    if (o.kind === "var") note(o["name"] as string, "other");
    for (const key of Object.keys(o)) if (typeof o[key] === "object") walk(o[key]);
  };
  walk(program.items);
  const out = new Map<string, CounterKind>();
  for (const [name, k] of uses) if (k !== "other") out.set(name, k);
  return out;
}

/** A global or a map used without a key (not `$x`, not `self.x`). */
function isPlainVar(t: unknown): boolean {
  const v = t as Node | undefined;
  return v !== undefined && v.kind === "var" && (v["scope"] === "global" || v["scope"] === "map");
}

function isCountCall(e: unknown): boolean {
  const c = e as Node | undefined;
  return c !== undefined && c.kind === "call" && c["name"] === "count" && Array.isArray(c["args"]) && (c["args"] as unknown[]).length === 0;
}
