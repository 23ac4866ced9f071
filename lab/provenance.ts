// Where a result came from, for reports that someone else can reproduce:
// the uprobe-lab version, the binary's SHA-256 (and the command that built
// it, for a notebook's %%c binary), the kernel generation, emulation, cost
// profile, the program and the equivalent `uprobe-lab run` command line.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { binaryOrigin } from "./binary-names.js";
import { PROJECT_ROOT } from "./paths.js";
import type { ProbeRun } from "./probe-run.js";
import { openRunBinary } from "./run-spec.js";

export interface RunProvenance {
  binary: string;
  /** SHA-256 of the binary's bytes (as it ran; else as it is now), or "" when the file is gone. */
  sha256: string;
  /** The compile command of a %%c binary. */
  builtWith?: string;
  kernel: string;
  emulation: boolean;
  cost: string;
  program: string;
  args: string[];
  /** The same run from a shell. */
  command: string;
}

/** package.json's version of this uprobe-lab. */
export function labVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string }).version;
}

function sh(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

export function runProvenance(r: ProbeRun): RunProvenance {
  let sha256 = r.sha256 ?? "";
  if (!sha256) try {
    sha256 = createHash("sha256").update(openRunBinary(r.binary).bytes).digest("hex");
  } catch {
    // the binary went away (a temporary build of a closed kernel): the report says so
  }
  const program = r.program.replace(/^\n+/, "").trimEnd();
  const command = ["uprobe-lab", "run", "--kernel", r.kernel, ...(r.emulation ? [] : ["--no-emulation"]), "--cost", r.cost, "-e", program, "--", r.binary, ...r.args].map(sh).join(" ");
  const p: RunProvenance = { binary: r.binary, sha256, kernel: r.kernel, emulation: r.emulation, cost: r.cost, program, args: r.args, command };
  const built = binaryOrigin(r.binary);
  if (built) p.builtWith = built;
  return p;
}
