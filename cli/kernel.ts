// `uprobe-lab kernel install [--user | --prefix DIR]`: register the Jupyter
// kernel (tslab with the uprobe-lab API and %%probe cells). The Jupyter side
// (kernelspec, nbclient) lives in kernel/ and is imported when this runs.

import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "../engine/index.js";
import { PROJECT_ROOT } from "../lab/paths.js";
import { parseArgs } from "./args.js";

type Jupyter = typeof import("../kernel/tools.js");

const kernelHelp = (KERNEL_NAME: string): string => `usage: uprobe-lab kernel install [--user | --prefix DIR]
       uprobe-lab kernel spec
       uprobe-lab kernel execute [--inplace | --out DIR] [--inline-plotly] NOTEBOOK.ipynb...

install   register the Jupyter kernel "${KERNEL_NAME}" (display name "uprobe-lab (TypeScript)"):
          --user (the default) in Jupyter's per-user data folder, or under
          DIR/share/jupyter/kernels with --prefix DIR (then point JUPYTER_PATH
          at DIR/share/jupyter). Then: jupyter lab notebooks/
spec      print the kernel.json it would write
execute   run notebooks headless through Jupyter (nbclient; nothing installed:
          the kernelspec goes to a temporary folder) and fail on any error or
          stderr output. --inplace rewrites them (how notebooks/ is kept up to
          date: npm run notebooks). Charts carry a static SVG picture and the
          plotly JSON; --inline-plotly also puts plotly.js (~4.8 MB) in each
          cell that draws one, for interactive charts in any front end.
`;

export async function kernelCommand(argv: string[]): Promise<number> {
  const jupyter: Jupyter = await import("../kernel/tools.js");
  const { installKernelSpec, KERNEL_NAME, kernelSpec } = jupyter;
  const p = parseArgs(argv, { "--user": {}, "--prefix": { value: true }, "--inplace": {}, "--out": { value: true }, "--inline-plotly": {}, "--help": {}, "-h": {} }, false, 1000);
  const sub = p.positional[0];
  if (p.opts.has("--help") || p.opts.has("-h") || !sub) {
    process.stdout.write(kernelHelp(KERNEL_NAME));
    return sub || p.opts.size ? 0 : 2;
  }
  if (sub === "spec") {
    process.stdout.write(JSON.stringify(kernelSpec(), null, 2) + "\n");
    return 0;
  }
  if (sub === "execute") return executeCommand(jupyter, p.positional.slice(1), p.opts);
  if (sub !== "install") throw new UserError(`kernel: unknown subcommand '${sub}' (install, spec, execute)`);
  if (p.opts.has("--user") && p.opts.has("--prefix")) throw new UserError("kernel install: --user and --prefix exclude each other");
  if (!fs.existsSync(path.join(PROJECT_ROOT, "dist", "kernel", "main.js"))) throw new UserError("kernel install: dist/kernel/main.js is missing: run npm run build first");
  const dir = installKernelSpec({ prefix: p.opts.get("--prefix")?.[0] });
  process.stdout.write(`Installed the Jupyter kernel "${KERNEL_NAME}" in ${dir}\n`);
  if (p.opts.has("--prefix")) process.stdout.write(`(Jupyter finds it with JUPYTER_PATH=${path.dirname(path.dirname(dir))})\n`);
  return 0;
}

function executeCommand({ executeNotebook }: Jupyter, notebooks: string[], opts: Map<string, string[]>): number {
  if (!notebooks.length) throw new UserError("kernel execute: name the notebooks (e.g. notebooks/*.ipynb)");
  const inplace = opts.has("--inplace");
  const outDir = opts.get("--out")?.[0];
  if (inplace === (outDir !== undefined)) throw new UserError("kernel execute: give exactly one of --inplace and --out DIR");
  let failed = 0;
  for (const nb of notebooks) {
    const out = inplace ? nb : path.join(outDir!, path.basename(nb));
    if (outDir) fs.mkdirSync(outDir, { recursive: true });
    const r = executeNotebook(nb, out, { env: { UPROBE_LAB_PLOTLY: opts.has("--inline-plotly") ? "inline" : "none" } });
    const done = r.events.find((e) => e.event === "done");
    const ready = r.events.find((e) => e.event === "kernel_ready");
    if (r.ok) process.stdout.write(`${nb}: ok in ${done?.seconds ?? "?"} s (kernel ready in ${ready?.seconds ?? "?"} s) -> ${out}\n`);
    else {
      failed++;
      process.stderr.write(`${nb}: FAILED\n${(done?.failures ?? []).join("\n") || r.stderr.trim()}\n`);
    }
  }
  return failed ? 1 : 0;
}
