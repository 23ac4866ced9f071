// Bundles the compiled command line (dist/cli/main.js and the ~100 modules it
// imports) into one ES module, dist/cli.bundle.mjs, which bin/uprobe-lab
// loads when it is present and at least as new as dist/cli/main.js.
//
// Why: node's ESM loader resolves, reads, compiles and links every module
// separately, about 1 ms each; one file reaches the first guest instruction
// ~90 ms sooner (bench/first-insn.ts). Step of `npm run build`, after tsc.
//
//   node scripts/bundle.mjs [DIST]      (default: dist)
//
// - iced-x86 stays outside: engine/cpu/iced.ts loads it with createRequire,
//   which esbuild leaves alone, and node finds it from dist/ as before.
// - `new URL("./x.js", import.meta.url)` (lab/pool.js's worker script) is
//   rewritten relative to the bundle, since import.meta.url becomes the
//   bundle's URL; the worker itself still runs from the unbundled tree.
// - The bundle also exports Cpu, so bench/first-insn.js can time the copy
//   of the engine that the bundle runs.
// - Without esbuild (npm install --omit=dev) the step is skipped with a
//   note: bin/uprobe-lab then loads dist/cli/main.js.

import * as fs from "node:fs";
import * as path from "node:path";

const dist = path.resolve(process.argv[2] ?? "dist");
const out = path.join(dist, "cli.bundle.mjs");

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

await esbuild.build({
  stdin: {
    contents: 'export { main } from "./cli/main.js";\nexport { Cpu } from "./engine/cpu/cpu.js";\n',
    resolveDir: dist,
    sourcefile: "cli-bundle-entry.js",
    loader: "js",
  },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outfile: out,
  // loaded at run time through createRequire (iced-x86, the notebook kernel's packages): never inlined
  external: ["iced-x86", "tslab", "plotly.js-dist-min"],
  plugins: [relativeUrls],
  logLevel: "warning",
  legalComments: "none",
});
console.log(`scripts/bundle.mjs: ${path.relative(process.cwd(), out)} (${Math.round(fs.statSync(out).size / 1024)} KiB)`);
