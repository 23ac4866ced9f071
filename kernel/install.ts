// The kernelspec: `uprobe-lab kernel install [--user | --prefix DIR]`
// writes DIR/kernels/uprobe-lab/kernel.json, which starts this checkout's
// compiled kernel (dist/kernel/main.js) with this Node.js. Written by hand
// (no python needed), where `jupyter kernelspec install` would put it.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../lab/paths.js";

export const KERNEL_NAME = "uprobe-lab";
const KERNEL_DISPLAY_NAME = "uprobe-lab (TypeScript)";

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: "signal";
  env: Record<string, string>;
  metadata: Record<string, unknown>;
}

export function kernelSpec(node = process.execPath, root = PROJECT_ROOT): KernelSpec {
  return {
    argv: [node, path.join(root, "dist", "kernel", "main.js"), "--config-path", "{connection_file}"],
    display_name: KERNEL_DISPLAY_NAME,
    language: "typescript",
    interrupt_mode: "signal",
    env: {},
    metadata: { "uprobe-lab": { root } },
  };
}

/** Jupyter's per-user data directory (as `jupyter --data-dir` computes it). */
export function userDataDir(env = process.env, platform = process.platform, home = os.homedir()): string {
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  if (platform === "darwin") return path.join(home, "Library", "Jupyter");
  if (platform === "win32") return path.join(env.APPDATA ?? path.join(home, "AppData", "Roaming"), "jupyter");
  return path.join(env.XDG_DATA_HOME || path.join(home, ".local", "share"), "jupyter");
}

/** The kernels folder: --prefix DIR -> DIR/share/jupyter/kernels; otherwise the user's. */
export function kernelsDir(o: { prefix?: string }): string {
  return o.prefix ? path.join(path.resolve(o.prefix), "share", "jupyter", "kernels") : path.join(userDataDir(), "kernels");
}

/** Write the kernelspec; returns its folder. */
export function installKernelSpec(o: { prefix?: string } = {}): string {
  const dir = path.join(kernelsDir(o), KERNEL_NAME);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "kernel.json"), JSON.stringify(kernelSpec(), null, 2) + "\n");
  // Jupyter shows logo-64x64.png (launcher, notebook list) and logo-32x32.png (tabs); drawn by test/kernel/logo.ts
  for (const name of ["logo-64x64.png", "logo-32x32.png"]) {
    const logo = path.join(PROJECT_ROOT, "kernel", name);
    if (fs.existsSync(logo)) fs.copyFileSync(logo, path.join(dir, name));
  }
  return dir;
}
