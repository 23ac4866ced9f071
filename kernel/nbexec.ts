// Executing notebooks headless with the real Jupyter client: the kernelspec
// is written to a temporary prefix (nothing is installed for the user) and
// scripts/notebooks.py drives nbclient. Used by `uprobe-lab kernel execute`
// (which re-executes the stored notebooks) and by the tests.

import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { UserError } from "../engine/index.js";
import { PROJECT_ROOT } from "../lab/paths.js";
import { installKernelSpec } from "./install.js";

/** A python3 that has nbclient (Debian's python3-nbclient lives in /usr/bin/python3). */
export function findPython(): string | undefined {
  const candidates = [process.env.UPROBE_LAB_PYTHON, "/usr/bin/python3", "python3"].filter((x): x is string => !!x);
  for (const py of candidates) {
    const r = spawnSync(py, ["-c", "import nbclient, nbformat, jupyter_client"], { stdio: "ignore" });
    if (r.status === 0) return py;
  }
  return undefined;
}

let prefix: string | undefined;

/** JUPYTER_PATH entry holding a freshly written uprobe-lab kernelspec (once per process). */
function temporaryKernelPath(): string {
  if (!prefix) {
    prefix = fs.mkdtempSync(path.join(os.tmpdir(), "uprobe-lab-kernelspec-"));
    installKernelSpec({ prefix });
    process.on("exit", () => fs.rmSync(prefix!, { recursive: true, force: true }));
  }
  return path.join(prefix, "share", "jupyter");
}

interface NotebookEvent {
  event: "kernel_ready" | "cell" | "done";
  seconds: number;
  index?: number;
  error?: string | null;
  problems?: string[];
  failures?: string[];
}

export interface ExecuteResult {
  ok: boolean;
  events: NotebookEvent[];
  stdout: string;
  stderr: string;
  status: number | null;
}

function spawnPy(args: string[], env: Record<string, string | undefined>, timeoutMs: number): SpawnSyncReturns<string> {
  const py = findPython();
  if (!py) throw new UserError("no python3 with nbclient: apt-get install python3-nbclient jupyter-nbconvert (or set UPROBE_LAB_PYTHON)");
  const existing = process.env.JUPYTER_PATH ? path.delimiter + process.env.JUPYTER_PATH : "";
  return spawnSync(py, [path.join(PROJECT_ROOT, "scripts", "notebooks.py"), ...args], {
    encoding: "utf8",
    env: { ...process.env, JUPYTER_PATH: temporaryKernelPath() + existing, ...env },
    timeout: timeoutMs,
    maxBuffer: 64 << 20,
  });
}

/** Execute a notebook (cell timeout in seconds) and write the executed copy to `out`. */
export function executeNotebook(nb: string, out: string, o: { env?: Record<string, string | undefined>; cellTimeout?: number; cwd?: string } = {}): ExecuteResult {
  const args = ["run", path.resolve(nb), "--out", path.resolve(out), "--timeout", String(o.cellTimeout ?? 300)];
  if (o.cwd) args.push("--cwd", o.cwd);
  const r = spawnPy(args, o.env ?? {}, 20 * 60_000);
  const events = r.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as NotebookEvent);
  return { ok: r.status === 0, events, stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** Interrupt a long %%probe run in a live kernel; then check the kernel still answers. */
export function checkInterrupt(o: { after?: number; cwd?: string } = {}): { ok: boolean; result: Record<string, unknown>; stderr: string } {
  const r = spawnPy(["interrupt", "--after", String(o.after ?? 2), "--cwd", o.cwd ?? path.join(PROJECT_ROOT, "notebooks")], {}, 5 * 60_000);
  const line = r.stdout.split("\n").find((l) => l.startsWith("{"));
  return { ok: r.status === 0, result: line ? (JSON.parse(line) as Record<string, unknown>) : {}, stderr: r.stderr };
}
