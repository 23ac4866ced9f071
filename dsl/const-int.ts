// Literal integer value of an expression: `4`, `-4`, `+0x10`. Arguments that
// must be known at compile time (lhist()'s min/max/step, print()'s top and
// div, str()'s length) are read with it by the passes that check them and by
// code generation that bakes them in; bpftrace folds such literals in its
// fold_literals pass.

import type { Expr } from "./ast.js";

export function constInt(e: Expr): bigint | undefined {
  if (e.kind === "number") return e.value;
  if (e.kind === "unary" && (e.op === "-" || e.op === "+")) {
    const v = constInt(e.operand);
    return v === undefined ? undefined : e.op === "-" ? BigInt.asIntN(64, -v) : v;
  }
  return undefined;
}
