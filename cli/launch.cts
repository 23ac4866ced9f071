// How bin/uprobe-lab (and bench/first-insn.js, which times it) loads the
// command line of a compiled tree DIST:
//
// - DIST/cli.bundle.cjs, the one-file build of scripts/bundle.mjs, when it is
//   present and not older than DIST/cli/main.js. It is compiled with
//   vm.Script and V8's code cache DIST/cli.bundle.cache (written by the
//   build, from one training run), so that node neither parses 1.4 MB of
//   JavaScript nor compiles the functions start-up runs: the cache holds
//   their bytecode. A cache of another build or another node is not used
//   (its header names both), and V8 itself rejects one whose version, flags
//   or source length differ; either way the bundle is compiled from source,
//   as node would.
// - else DIST/cli/main.js and its ~100 modules (dist rebuilt by tsc alone,
//   no esbuild, or UPROBE_LAB_NO_BUNDLE=1).
//
// CommonJS (.cts), so that the launcher needs neither node's ESM loader nor
// an extra module before the bundle runs.

import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import * as vm from "node:vm";

/** What the launcher needs of the command line: cli/main.ts's main, and the bundle's copy of Cpu (for bench/first-insn). */
export interface CliModule {
  main(argv: string[]): Promise<void>;
  Cpu?: { prototype: object };
}

/** How the command line was loaded: its entry, and whether V8 took the code cache. */
export interface LoadedCli {
  cli: CliModule;
  entry: "bundle" | "modules";
  cache: "accepted" | "rejected" | "stale" | "none";
}

export const BUNDLE_FILE = "cli.bundle.cjs";
export const CACHE_FILE = "cli.bundle.cache";
/** The bundle's last line, `//# buildId=HEX` (scripts/bundle.mjs): the cache header names it. */
const BUILD_ID_RE = /\/\/# buildId=([0-9a-f]+)\n?$/;

const mtime = (p: string): number => {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return -1;
  }
};

/** bin/uprobe-lab's rule: the bundle is used when present and not older than cli/main.js. */
export function bundleIsFresh(dist: string): boolean {
  const main = mtime(path.join(dist, "cli", "main.js"));
  return main >= 0 && mtime(path.join(dist, BUNDLE_FILE)) >= main;
}

/** Whether loadCli(dist) takes the bundle (UPROBE_LAB_NO_BUNDLE=1 says no). */
export function usesBundle(dist: string): boolean {
  return !process.env.UPROBE_LAB_NO_BUNDLE && bundleIsFresh(dist);
}

/** The code cache's first line: the build it was made from and the node that made it (V8's data follows). */
function cacheHeader(buildId: string): string {
  return `uprobe-lab code cache 1 ${buildId} ${process.version} ${process.arch}\n`;
}

/** The V8 data of the code cache when its header names this bundle and this node; "stale" when it names others, undefined when there is none. */
function readCache(file: string, buildId: string): Buffer | "stale" | undefined {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  const header = cacheHeader(buildId);
  return buf.length > header.length && buf.toString("latin1", 0, header.length) === header ? buf.subarray(header.length) : "stale";
}

/**
 * Compile and run the bundle as node runs a CommonJS module (the same wrapper
 * and arguments), with the code cache when it fits. With writeCache, the
 * cache is written at exit, after the run has compiled what it needs (V8
 * includes functions compiled after the script ran).
 */
function loadBundle(dist: string, writeCache: boolean): LoadedCli {
  const file = path.join(dist, BUNDLE_FILE);
  const cacheFile = path.join(dist, CACHE_FILE);
  // ASCII (esbuild's charset: "ascii"), so latin1 reads it without UTF-8 decoding
  const source = fs.readFileSync(file, "latin1");
  const buildId = BUILD_ID_RE.exec(source.slice(-64))?.[1] ?? "none";
  const cached = writeCache ? undefined : readCache(cacheFile, buildId);
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData: cached instanceof Buffer ? cached : undefined,
    // no importModuleDynamically: esbuild's CommonJS output has no import() (it turns each into a require)
  });
  const mod = { exports: {} as CliModule };
  (script.runInThisContext() as (...a: unknown[]) => void)(mod.exports, createRequire(file), mod, file, dist);
  if (writeCache) {
    process.on("exit", () => {
      const tmp = `${cacheFile}.${process.pid}`;
      fs.writeFileSync(tmp, Buffer.concat([Buffer.from(cacheHeader(buildId), "latin1"), script.createCachedData()]));
      fs.renameSync(tmp, cacheFile);
    });
  }
  const cache = cached === undefined ? "none" : cached === "stale" ? "stale" : script.cachedDataRejected ? "rejected" : "accepted";
  return { cli: mod.exports, entry: "bundle", cache };
}

/** Load the command line of DIST (see the top of this file). */
export async function loadCli(dist: string, opts: { writeCache?: boolean } = {}): Promise<LoadedCli> {
  if (usesBundle(dist)) return loadBundle(dist, opts.writeCache === true);
  const cli = (await import(pathToFileURL(path.join(dist, "cli", "main.js")).href)) as CliModule;
  return { cli, entry: "modules", cache: "none" };
}
