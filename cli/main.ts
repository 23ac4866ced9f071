// The command line: dispatch to a subcommand and turn every user error into
// one line on stderr with exit status 2. Anything else is an internal error:
// reported in one line too, with a hint to rerun with UPROBE_LAB_DEBUG=1 for
// the stack.

import { KERNEL_GENERATIONS, UserError } from "../engine/index.js";
import { calibrateCommand } from "./calibrate.js";
import { execCommand } from "./exec.js";
import { demoCommand } from "./demo.js";
import { funccountCommand, stackcountCommand } from "./funccount.js";
import { funclatencyCommand } from "./funclatency.js";
import { kernelCommand } from "./kernel.js";
import { runCommand } from "./run.js";
import { traceCommand } from "./trace.js";

function kernelsCommand(): number {
  for (const g of KERNEL_GENERATIONS) {
    const emu = [g.emulateBranches && "branches", g.emulatePush && "push", g.nopPolicy].filter(Boolean).join(", ");
    process.stdout.write(`${g.version.padEnd(5)} emulates: ${emu}; uretprobe return: ${g.uretprobeReturn}${g.refCtr ? "; counts USDT semaphores" : ""}${g.nop5Optimize ? "; nop5 optimization" : ""}\n`);
  }
  return 0;
}

const HELP = `usage: uprobe-lab COMMAND [options] ...

commands:
  exec BINARY [ARGS...]      run a static x86-64 ELF in the emulator
  run (-e PROG | F.probe) -- BINARY [ARGS...]
                             run it with probes (the DSL: dsl/README.md)
  funclatency BINARY:FUNC    bcc-style latency histogram of a function
  funccount BINARY:FUNC*     bcc-style call counts per function (wildcards)
  stackcount BINARY:FUNC     bcc-style counts per user stack (-f: folded, for flame graphs)
  trace 'BINARY:FUNC "fmt", arg1'
                             bcc-style line per call (r:BINARY:FUNC at the return)
  demo                       the seed experiment: its table here, charts in an HTML report
  kernel install             register the Jupyter kernel (notebooks/)
  calibrate [-o FILE]        measure this machine's real uprobe costs (root, tracefs)
  calibrate --check FILE     a cost profile's error on held-out real measurements
  kernels                    the modelled kernel generations
  help                       this text

Run \`uprobe-lab COMMAND --help\` for a command's options.
`;

const COMMANDS: Record<string, (argv: string[]) => number | Promise<number>> = {
  exec: execCommand,
  run: runCommand,
  funclatency: funclatencyCommand,
  funccount: funccountCommand,
  stackcount: stackcountCommand,
  trace: traceCommand,
  demo: demoCommand,
  kernel: kernelCommand,
  calibrate: calibrateCommand,
  kernels: kernelsCommand,
  help: () => {
    process.stdout.write(HELP);
    return 0;
  },
};

export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  let status: number;
  try {
    if (!cmd || cmd === "--help" || cmd === "-h") {
      process.stdout.write(HELP);
      status = cmd ? 0 : 2;
    } else {
      const run = COMMANDS[cmd];
      if (!run) throw new UserError(`unknown command '${cmd}' (commands: ${Object.keys(COMMANDS).join(", ")})`);
      status = await run(rest);
    }
  } catch (e) {
    if (e instanceof UserError) {
      process.stderr.write(`uprobe-lab: ${e.message}\n`);
      status = e.exitCode;
    } else {
      const err = e as Error;
      process.stderr.write(`uprobe-lab: internal error: ${err?.message ?? String(e)} (set UPROBE_LAB_DEBUG=1 for the stack)\n`);
      if (process.env.UPROBE_LAB_DEBUG) process.stderr.write(`${err?.stack}\n`);
      status = 70;
    }
  }
  process.exitCode = status;
}
