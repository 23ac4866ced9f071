// Bundles the compiled command line (dist/cli/main.js and the ~100 modules it
// imports, with iced-x86's JavaScript glue) into one CommonJS file,
// dist/cli.bundle.cjs, and writes V8's code cache for it,
// dist/cli.bundle.cache. bin/uprobe-lab loads both through dist/cli/launch.cjs
// (cli/launch.cts) when the bundle is present and at least as new as
// dist/cli/main.js.
//
// Why: node's ESM loader resolves, reads, compiles and links every module
// separately, about 1 ms each; one file reaches the first guest instruction
// ~90 ms sooner (bench/first-insn.ts). With the code cache, node neither
// parses the bundle nor compiles the functions that start-up runs
// (bench/README.md, "Start-up: code cache"). Step of `npm run build`, after tsc.
//
//   node scripts/bundle.mjs [DIST]      (default: dist)
//
// - iced-x86's glue (900 KB, mostly doc comments) is bundled too, so that the
//   code cache covers it: engine/cpu/iced.js loads it with createRequire
//   (cheaper than an ESM import for the unbundled tree), which is rewritten
//   to a plain require here, and the glue finds its .wasm through
//   require.resolve instead of __dirname.
// - Whitespace and comments are left out and non-ASCII characters escaped
//   (the launcher reads the file as latin1); names are kept.
// - `import.meta.url` (lab/pool.js's worker script, lab/paths.js) becomes
//   the bundle's file URL; `new URL("./x.js", import.meta.url)` is rewritten
//   relative to the bundle, and the worker itself still runs from the
//   unbundled tree.
// - The bundle also exports Cpu, so bench/first-insn.js can time the copy
//   of the engine that the bundle runs.
// - The last line, `//# buildId=HEX` (a hash of the rest), is what the code
//   cache's header must name. The cache comes from one training run,
//   `run -e 'probe main < exit() >' -- samples/bin/hello-O0`: V8 keeps the
//   bytecode of every function compiled by then; others compile lazily, as
//   without a cache.
// - Without esbuild (npm install --omit=dev) the step is skipped with a
//   note: bin/uprobe-lab then loads dist/cli/main.js.

import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";

const dist = path.resolve(process.argv[2] ?? "dist");
const out = path.join(dist, "cli.bundle.cjs");
const cache = path.join(dist, "cli.bundle.cache");
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
fs.rmSync(path.join(dist, "cli.bundle.mjs"), { force: true }); // the ES-module bundle of earlier builds
fs.rmSync(cache, { force: true });

let esbuild;
try {
  esbuild = await import("esbuild");
} catch {
  fs.rmSync(out, { force: true });
  console.log("scripts/bundle.mjs: esbuild is not installed (a devDependency); skipped: bin/uprobe-lab runs dist/cli/main.js");
  process.exit(0);
}

const URL_RE = /new URL\((["'])(\.{1,2}\/[^"']+)\1, import\.meta\.url\)/g;

/** Keep module-relative URLs pointing where they pointed before bundling. */
const relativeUrls = {
  name: "module-relative-urls",
  setup(build) {
    build.onLoad({ filter: /\.js$/ }, (args) => {
      const src = fs.readFileSync(args.path, "utf8");
      if (!src.includes("import.meta.url")) return undefined;
      const contents = src.replace(URL_RE, (_m, q, rel) => {
        const target = path.resolve(path.dirname(args.path), rel);
        let fromBundle = path.relative(path.dirname(out), target).split(path.sep).join("/");
        if (!fromBundle.startsWith(".")) fromBundle = "./" + fromBundle;
        return `new URL(${q}${fromBundle}${q}, import.meta.url)`;
      });
      return { contents, loader: "js" };
    });
  },
};

/** Bundle iced-x86's glue instead of loading it at run time (see the top). */
const icedInline = {
  name: "iced-inline",
  setup(build) {
    const edit = (file, from, to) => {
      const src = fs.readFileSync(file, "utf8");
      if (!src.includes(from)) throw new Error(`scripts/bundle.mjs: ${file}: expected \`${from}\` (iced-x86 or engine/cpu/iced.ts changed?)`);
      return { contents: src.replace(from, to), loader: "js" };
    };
    build.onLoad({ filter: /[\\/]engine[\\/]cpu[\\/]iced\.js$/ }, (args) =>
      edit(args.path, 'createRequire(import.meta.url)("iced-x86")', 'require("iced-x86")'),
    );
    // a non-literal argument, so that esbuild leaves this require.resolve to run time
    build.onLoad({ filter: /[\\/]iced-x86[\\/]iced_x86\.js$/ }, (args) =>
      edit(args.path, "require('path').join(__dirname, 'iced_x86_bg.wasm')", "require.resolve(['iced-x86', 'iced_x86_bg.wasm'].join('/'))"),
    );
  },
};

const built = await esbuild.build({
  stdin: {
    contents: 'export { main } from "./cli/main.js";\nexport { Cpu } from "./engine/cpu/cpu.js";\n',
    resolveDir: dist,
    sourcefile: "cli-bundle-entry.js",
    loader: "js",
  },
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  outfile: out,
  write: false,
  // loaded at run time through createRequire (the notebook kernel's packages): never inlined
  external: ["tslab", "plotly.js-dist-min"],
  plugins: [icedInline, relativeUrls],
  define: { "import.meta.url": "__bundleUrl" },
  // every input is an ES module (strict) but iced-x86's glue, which runs strict as well
  banner: { js: '"use strict";\nconst __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  minifyWhitespace: true,
  charset: "ascii",
  logLevel: "warning",
  legalComments: "none",
});
const code = built.outputFiles[0].text;
// cli/launch.cts runs the bundle with vm.Script, which has no loader for import(): esbuild turns each into a require
if (/\bimport\(/.test(code)) throw new Error("scripts/bundle.mjs: the bundle still contains import(), which cli/launch.cts cannot run");
const buildId = createHash("sha256").update(code).digest("hex").slice(0, 16);
fs.writeFileSync(out, `${code}//# buildId=${buildId}\n`);
console.log(`scripts/bundle.mjs: ${path.relative(process.cwd(), out)} (${Math.round(fs.statSync(out).size / 1024)} KiB)`);

// the training run that writes the code cache (its output is not wanted)
const launcher = path.join(dist, "cli", "launch.cjs");
const train = spawnSync(
  process.execPath,
  ["-e", `require(${JSON.stringify(launcher)}).loadCli(${JSON.stringify(dist)}, { writeCache: true }).then((l) => l.cli.main(process.argv.slice(1)))`, "--", "run", "-e", "probe main < exit() >", "--", path.join(root, "samples", "bin", "hello-O0")],
  { encoding: "utf8", cwd: root },
);
if (train.status === 0 && fs.existsSync(cache)) console.log(`scripts/bundle.mjs: ${path.relative(process.cwd(), cache)} (${Math.round(fs.statSync(cache).size / 1024)} KiB, V8 code cache)`);
else console.log(`scripts/bundle.mjs: no code cache (the training run failed: ${(train.stderr || train.error?.message || "").split("\n").find((l) => /error/i.test(l)) ?? `status ${train.status}`}); bin/uprobe-lab compiles the bundle from source`);
