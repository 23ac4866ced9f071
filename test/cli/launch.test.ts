// bin/uprobe-lab's start-up paths (cli/launch.cts) give byte-identical
// results: the bundle with V8's code cache taken, the bundle without a cache,
// with a cache of another build (stale header), with a cache V8 rejects
// (damaged data), and the unbundled modules (UPROBE_LAB_NO_BUNDLE=1). The
// bundle and its cache are copied into a scratch tree under .cache/ (inside
// the repository, so that node still finds node_modules/), never changed in
// dist/, which other tests run.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import { PROJECT_ROOT } from "../../lab/paths.js";

const DIST = path.join(PROJECT_ROOT, "dist");
const BIN = path.join(PROJECT_ROOT, "bin", "uprobe-lab");
const scratch = path.join(PROJECT_ROOT, ".cache", `test-launch-${process.pid}`);
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const hello = path.join(PROJECT_ROOT, "samples", "bin", "hello-O0");
const COMMANDS: string[][] = [
  ["run", "-e", "probe main < exit() >", "--", hello],
  ["run", "-e", 'probe greet < @n[str(arg0)] = count(); printf("%d %s\\n", arg1, str(arg0)) >', "--", hello],
  ["run", "-e", "probe main < x = >", "--", hello], // a one-line error with its location
  ["exec", hello],
  ["stackcount", "-f", `${hello}:greet`],
  ["kernels"],
];

interface Outcome {
  stdout: string;
  stderr: string;
  status: number | null;
}

/** A copy of dist's launcher, bundle and code cache in `dir` (cli/main.js only for the freshness rule). */
function copyTree(dir: string): void {
  fs.mkdirSync(path.join(dir, "cli"), { recursive: true });
  for (const f of ["cli/main.js", "cli/launch.cjs", "cli.bundle.cjs", "cli.bundle.cache"]) fs.copyFileSync(path.join(DIST, f), path.join(dir, f));
}

/** Run the command line of tree `dir` through its launcher; `how` is the launcher's verdict (entry and cache). */
function launch(dir: string, args: string[], env: Record<string, string> = {}): Outcome & { how: string } {
  const code =
    `const l = require(${JSON.stringify(path.join(dir, "cli", "launch.cjs"))});` +
    `l.loadCli(${JSON.stringify(dir)}).then((x) => { process.on("exit", () => process.stderr.write("\\nLAUNCH " + x.entry + " " + x.cache)); return x.cli.main(process.argv.slice(1)); });`;
  const r = spawnSync(process.execPath, ["-e", code, "--", ...args], { encoding: "utf8", cwd: PROJECT_ROOT, env: { ...process.env, ...env } });
  const m = /\nLAUNCH (\w+) (\w+)$/.exec(r.stderr);
  assert.ok(m, `no launcher verdict in: ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr.slice(0, m.index), status: r.status, how: `${m[1]} ${m[2]}` };
}

function bin(args: string[], env: Record<string, string> = {}): Outcome {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: PROJECT_ROOT, env: { ...process.env, ...env } });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe("start-up paths", () => {
  test("npm run build wrote the bundle and its code cache, and bin/uprobe-lab uses them", () => {
    for (const f of ["cli.bundle.cjs", "cli.bundle.cache"]) assert.ok(fs.existsSync(path.join(DIST, f)), `dist/${f} (npm run build writes it)`);
    copyTree(path.join(scratch, "cached"));
    assert.equal(launch(path.join(scratch, "cached"), ["--help"]).how, "bundle accepted");
  });

  test("cached, uncached, stale, rejected and unbundled start-ups print the same bytes", () => {
    const trees: Record<string, string> = {};
    for (const name of ["cached", "none", "stale", "rejected"]) {
      trees[name] = path.join(scratch, name);
      copyTree(trees[name]!);
    }
    const cache = (name: string): string => path.join(trees[name]!, "cli.bundle.cache");
    fs.rmSync(cache("none"));
    // another build's cache: the header names a different buildId
    const data = fs.readFileSync(cache("stale"));
    const nl = data.indexOf(10);
    fs.writeFileSync(cache("stale"), Buffer.concat([Buffer.from(data.subarray(0, nl).toString("latin1").replace(/ [0-9a-f]{16} /, " 0000000000000000 "), "latin1"), data.subarray(nl)]));
    // this build's header, damaged V8 data: V8 rejects it and compiles from source
    const bad = fs.readFileSync(cache("rejected"));
    bad.fill(0x5a, bad.indexOf(10) + 1, bad.indexOf(10) + 65);
    fs.writeFileSync(cache("rejected"), bad);

    for (const args of COMMANDS) {
      const plain = bin(args, { UPROBE_LAB_NO_BUNDLE: "1" });
      assert.deepEqual(bin(args), plain, `bin/uprobe-lab ${args.join(" ")}`);
      for (const [name, dir] of Object.entries(trees)) {
        const r = launch(dir, args);
        assert.equal(r.how, `bundle ${name === "cached" ? "accepted" : name}`, name);
        assert.deepEqual({ stdout: r.stdout, stderr: r.stderr, status: r.status }, plain, `${name}: ${args.join(" ")}`);
      }
    }
  });
});
