// A child process of bench/run.ts: the command line with Cpu.prototype.run
// wrapped, so the process reports on stderr when the first guest instruction
// is about to run:
//
//   BENCH_IMPORTED_MS=<ms> BENCH_FIRST_INSN_MS=<ms> BENCH_EXIT_MS=<ms> BENCH_ENTRY=<bundle|modules>
//
// (times since process start: the CLI's modules imported, the first guest
// instruction about to run, process exit). The CLI is what bin/uprobe-lab
// loads: dist/cli.bundle.mjs when it is present and not older than
// cli/main.js (it exports its own copy of Cpu, which is the one wrapped),
// else cli/main.js and its modules.
//
// performance.now() counts from node's time origin, which is taken at the
// start of node's bootstrap.
//
//   node dist/bench/first-insn.js run -e 'probe main < exit() >' -- samples/bin/hello-O0

import * as fs from "node:fs";

interface CliModule {
  main(argv: string[]): Promise<void>;
  Cpu?: { prototype: unknown };
}

const mtime = (u: URL): number => {
  try {
    return fs.statSync(u).mtimeMs;
  } catch {
    return -1;
  }
};
const bundleUrl = new URL("../cli.bundle.mjs", import.meta.url);
const mainUrl = new URL("../cli/main.js", import.meta.url);
const useBundle = !process.env.UPROBE_LAB_NO_BUNDLE && mtime(bundleUrl) >= mtime(mainUrl) && mtime(mainUrl) >= 0;

let first: number | undefined;
let imported: number | undefined;
process.on("exit", () => {
  process.stderr.write(`BENCH_IMPORTED_MS=${imported ?? -1} BENCH_FIRST_INSN_MS=${first ?? -1} BENCH_EXIT_MS=${performance.now()} BENCH_ENTRY=${useBundle ? "bundle" : "modules"}\n`);
});

function wrapRun(proto: Record<string, unknown>): void {
  const orig = proto["run"] as (...a: unknown[]) => unknown;
  proto["run"] = function (this: unknown, ...a: unknown[]) {
    first ??= performance.now();
    return orig.apply(this, a);
  };
}

let cli: CliModule;
if (useBundle) {
  cli = (await import(bundleUrl.href)) as CliModule;
  wrapRun(cli.Cpu!.prototype as Record<string, unknown>);
} else {
  // the engine's Cpu is wrapped before the CLI's modules are imported
  const { Cpu } = await import("../engine/cpu/cpu.js");
  wrapRun(Cpu.prototype as unknown as Record<string, unknown>);
  cli = (await import(mainUrl.href)) as CliModule;
}
imported = performance.now();
await cli.main(process.argv.slice(2));
