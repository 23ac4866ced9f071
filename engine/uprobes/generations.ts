// Kernel generations the model can impersonate (`--kernel V`), and the
// `--no-emulation` variant. The per-release facts live in insn-tables.ts
// (KERNEL_GENERATIONS, each knob with its commit and how it was verified);
// this file only resolves a user's choice into one record.

import { UserError } from "../errors.js";
import { KERNEL_GENERATIONS, type KernelGeneration } from "./insn-tables.js";

export type { KernelGeneration };

export const DEFAULT_KERNEL = "6.18";

/** Generations the command line accepts, oldest first. */
export function kernelVersions(): string[] {
  return KERNEL_GENERATIONS.map((g) => g.version);
}

/** Resolve "6.18", "v4.16", "4.16.0"... to a modelled generation. */
export function resolveKernel(version: string = DEFAULT_KERNEL): KernelGeneration {
  const v = version.replace(/^v/, "").replace(/^(\d+\.\d+)\.0$/, "$1");
  const g = KERNEL_GENERATIONS.find((k) => k.version === v);
  if (!g) throw new UserError(`--kernel ${version}: not a modelled generation (choose one of ${kernelVersions().join(", ")})`);
  return g;
}

/** ASM_NOP_MAX of a 64-bit kernel: 11 since v6.5, 8 before (only matters for the 6.16+ x86_nops check). */
export function asmNopMax(g: KernelGeneration): number {
  return compareVersions(g.version, "6.5") >= 0 ? 11 : 8;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number), pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** uname -r of the modelled kernel. */
export function releaseString(g: KernelGeneration): string {
  return `${g.version}.0-uprobe-lab`;
}
