// A child process of bench/run.ts: the command line (cli/main.js, what
// bin/uprobe-lab imports) with Cpu.prototype.run wrapped, so the process
// reports on stderr when the first guest instruction is about to run:
//
//   BENCH_IMPORTED_MS=<ms> BENCH_FIRST_INSN_MS=<ms> BENCH_EXIT_MS=<ms>
//
// (times since process start: the CLI's modules imported, the first guest
// instruction about to run, process exit).
//
// performance.now() counts from node's time origin, which is taken at the
// start of node's bootstrap.
//
//   node dist/bench/first-insn.js run -e 'probe main < exit() >' -- samples/bin/hello-O0

import { Cpu } from "../engine/cpu/cpu.js";

const proto = Cpu.prototype as unknown as Record<string, unknown>;
const orig = proto["run"] as (...a: unknown[]) => unknown;
let first: number | undefined;
let imported: number | undefined;
proto["run"] = function (this: unknown, ...a: unknown[]) {
  first ??= performance.now();
  return orig.apply(this, a);
};
process.on("exit", () => {
  process.stderr.write(`BENCH_IMPORTED_MS=${imported ?? -1} BENCH_FIRST_INSN_MS=${first ?? -1} BENCH_EXIT_MS=${performance.now()}\n`);
});

const { main } = await import("../cli/main.js");
imported = performance.now();
await main(process.argv.slice(2));
