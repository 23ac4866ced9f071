// Child of output.test.ts: one probe run through the library API (runSpec, as
// the notebooks do) on a chatty guest; prints what the run kept as JSON.

import { runSpec } from "../../lab/probe-run.js";
import { LabRun, shownOutput } from "../../present/views.js";

const [binary, mib, outputFile] = process.argv.slice(2);
const run = new LabRun(await runSpec({ binary: binary!, args: [mib!], program: "BEGIN < x = 1 >", maxMemory: 16 << 20, ...(outputFile ? { outputFile } : {}) }));
process.stdout.write(
  JSON.stringify({
    status: run.status,
    stdout: run.stdout.length,
    stderr: run.stderr,
    cut: run.output_cut,
    textLines: run.toString().split("\n").length,
    htmlBytes: run.toHtml().length,
    note: shownOutput(run).trimEnd().split("\n").pop(),
  }) + "\n",
);
