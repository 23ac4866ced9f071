// Which execution tier a CPU uses: the closure interpreter only, or the
// interpreter with hot blocks compiled to JavaScript (jit/README.md).

export type Tier = "interp" | "jit";

const TIERS: readonly Tier[] = ["interp", "jit"];

export function isTier(s: string): s is Tier {
  return (TIERS as readonly string[]).includes(s);
}

/**
 * The tier of a CPU created without one: UPROBE_LAB_TIER when it names a tier
 * (test runs under both tiers), else interp.
 */
export function defaultTier(): Tier {
  const env = typeof process !== "undefined" ? process.env["UPROBE_LAB_TIER"] : undefined;
  return env !== undefined && isTier(env) ? env : "interp";
}

/** Executions of a block before it is compiled: UPROBE_LAB_JIT_HOT (1 compiles every block on its first run, for tests), else 64. */
export function hotThreshold(): number {
  const env = typeof process !== "undefined" ? process.env["UPROBE_LAB_JIT_HOT"] : undefined;
  const n = env === undefined ? NaN : Number(env);
  return Number.isInteger(n) && n >= 1 ? n : 64;
}
