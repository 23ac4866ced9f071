// Where the project's files are at run time (dist/lab/paths.js or, in a
// development checkout, anywhere below the root): the bundled samples, the
// compiled notebook API and node_modules.

import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../engine/index.js";

/** The project root: the first ancestor of this module holding a package.json named uprobe-lab. */
export const PROJECT_ROOT = ((): string => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = path.join(dir, "package.json");
    if (fs.existsSync(pj)) {
      try {
        if (JSON.parse(fs.readFileSync(pj, "utf8")).name === "uprobe-lab") return dir;
      } catch {
        // not ours: keep walking up
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`uprobe-lab: package.json not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
})();

/** Names of the bundled sample binaries (samples/bin). */
export function sampleNames(): string[] {
  try {
    return fs.readdirSync(path.join(PROJECT_ROOT, "samples", "bin")).sort();
  } catch {
    return [];
  }
}

/** Absolute path of a bundled sample ("push-O0"), checked. */
export function samplePath(name: string): string {
  const p = path.join(PROJECT_ROOT, "samples", "bin", name);
  if (!fs.existsSync(p)) throw new UserError(`no bundled sample named '${name}' (samples/bin has: ${sampleNames().join(", ")})`);
  return p;
}

/**
 * A binary named by the user: a path (relative to the current directory, or
 * failing that to the project root), or the name of a bundled sample, so that
 * `push-O0` works from any notebook folder.
 */
export function resolveBinaryPath(nameOrPath: string): string {
  if (fs.existsSync(nameOrPath)) return path.resolve(nameOrPath);
  if (!nameOrPath.includes("/")) {
    const s = path.join(PROJECT_ROOT, "samples", "bin", nameOrPath);
    if (fs.existsSync(s)) return s;
  } else if (!path.isAbsolute(nameOrPath)) {
    // a project-relative path (as results name binaries: samples/bin/push-O0)
    const s = path.join(PROJECT_ROOT, nameOrPath);
    if (fs.existsSync(s)) return s;
  }
  return nameOrPath; // the caller reports it ("no such file")
}

/** A path as shown to users: relative to the project root when inside it. */
export function displayPath(p: string): string {
  const rel = path.relative(PROJECT_ROOT, path.resolve(p));
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : p;
}
