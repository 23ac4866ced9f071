// uint64 values: bpftrace types `(uint64)x` and unsigned 64-bit struct
// fields as unsigned, so that they print, compare, divide and shift as
// unsigned (`(uint64)-1` prints 18446744073709551615, `(uint64)-1 > 5` is
// 1, `(uint64)-1 / 2` is 9223372036854775807), where every other integer is
// int64. At run time such a value is held as a bigint in [0, 2^64) (the
// others in [-2^63, 2^63)); an expression is unsigned by C's usual
// arithmetic conversions: an arithmetic operator with a uint64 operand (for
// shifts, the left one), a scratch variable or map first assigned one, a
// sum of one. As in bpftrace 0.17 (measured), a uint64 map key prints
// signed, and min/max/hist/lhist/avg/stats take the value as int64.
//
// The builtins arg0..arg5, sarg0..sarg5 and retval are uint64, as in
// bpftrace 0.17 (measured: `@a = arg0 - 5` at arg0 = 0 prints
// 18446744073709551611, `(arg0 - 5) / 2` is 9223372036854775805 and
// `arg0 - 5 < 0` is 0); the others (nsecs, pid, reg(), u64(), ...) stay
// int64.

import type { Expr } from "./ast.js";
import type { CType } from "./ctypes.js";
import type { ItemInfo, PassContext } from "./passes/context.js";

/** Where an expression is typed: its item (scratch variables) and program (maps). */
export interface U64Env {
  readonly info: ItemInfo;
  readonly ctx: PassContext;
}

const u64Scratch = new WeakMap<ItemInfo, Set<string>>();
const u64Vars = new WeakMap<PassContext, Set<string>>();

/** bpftrace 0.17's uint64 builtins (measured: `arg0 - 5` prints 18446744073709551611, `arg0 - 5 < 0` is 0). */
const U64_BUILTINS = /^(arg[0-5]|sarg[0-5]|retval)$/;

const ARITH: ReadonlySet<string> = new Set(["+", "-", "*", "/", "%", "&", "|", "^"]);

const isU64C = (t: CType | undefined): boolean => t !== undefined && t.k === "int" && t.size === 8 && !t.signed;

export function isU64(e: Expr, env: U64Env): boolean {
  switch (e.kind) {
    case "cast":
      return !e.pointer && e.type === "uint64";
    case "field":
      return isU64C(e.field?.type);
    case "subscript":
      return isU64C(e.elem);
    case "binary":
      if (e.op === "<<" || e.op === ">>") return isU64(e.left, env);
      return ARITH.has(e.op) && (isU64(e.left, env) || isU64(e.right, env));
    case "unary":
      return e.op !== "!" && isU64(e.operand, env);
    case "ternary":
      return isU64(e.then, env) || isU64(e.else, env);
    case "var":
      if (e.scope === "scratch") return u64Scratch.get(env.info)?.has(e.name) === true;
      if (e.scope === "global" && U64_BUILTINS.test(e.name) && !env.ctx.vars.has(e.name)) return true;
      return u64Vars.get(env.ctx)?.has(e.name) === true;
    case "index":
      return u64Vars.get(env.ctx)?.has(e.target.name) === true;
    default:
      return false;
  }
}

/** A variable's first assignment (or a sum/min/max of it) decides whether it holds uint64. */
export function noteU64(env: U64Env, scope: "scratch" | "other", name: string, value: Expr): void {
  const table = scope === "scratch" ? u64Scratch : u64Vars;
  const key = scope === "scratch" ? env.info : env.ctx;
  let set = (table as WeakMap<object, Set<string>>).get(key);
  if (set === undefined) (table as WeakMap<object, Set<string>>).set(key, (set = new Set()));
  if (isU64(value, env)) set.add(name);
}

/** JS for C's binary arithmetic in uint64 (both operands converted, the result wrapped to 64 bits). */
export function u64Binary(op: string, a: string, b: string): string {
  const ua = `BigInt.asUintN(64, ${a})`;
  const ub = `BigInt.asUintN(64, ${b})`;
  switch (op) {
    case "/":
      return `((d) => d === 0n ? 0n : ${ua} / d)(${ub})`;
    case "%":
      return `((d) => d === 0n ? ${ua} : ${ua} % d)(${ub})`;
    case "<<":
      return `BigInt.asUintN(64, ${ua} << (${b} & 63n))`;
    case ">>":
      return `(${ua} >> (${b} & 63n))`;
    default:
      return `BigInt.asUintN(64, ${ua} ${op} ${ub})`;
  }
}
