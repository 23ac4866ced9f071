// The output format the runtime writes through: bpftrace's Output class
// (src/output.h), with TextOutput (output-text.ts) and JsonOutput
// (output-json.ts) as its two implementations. The runtime is given one at
// construction, so it imports neither.

import type { TupleValue } from "./tuple-value.js";
import type { Value, VarEntry, VarMeta } from "./value.js";

export interface Printer {
  /** printf()'s formatted text. */
  printf(text: string): string;
  /** print(value). */
  value(v: Value | TupleValue): string;
  /** print(map [, top [, div]]): one variable in the exit format ("" when it prints nothing). */
  variable(meta: VarMeta, entries: readonly VarEntry[], top: number, div: number): string;
  /** print_log2() in a format of its own (JSON); absent: bcc's text histogram. */
  log2?(section: string | undefined, hist: readonly number[], unit: string): string;
}
