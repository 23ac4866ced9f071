// The layer rules of uprobe-lab (npm run lint:deps). The folders, from the top:
//
//   cli/ (command line)   kernel/ (Jupyter kernel)     siblings: neither imports the other
//                 \          /
//                  present/                           charts, plots, views, the HTML report
//                     |
//                   lab/                              sessions, sweeps, the run pipeline
//                  /     \
//   engine/index.ts       dsl/                        the library API; the probe language
//        |
//   engine/**  (engine/cpu -> engine/mm, never the reverse)
//
// An upper folder may import any lower one, but the engine only through
// engine/index.ts; nothing imports upward. test/, bench/ and scripts/ may
// import anything. Type-only imports (`import type`) count for the layer
// rules but not for cycles: they vanish at compile time.

/** A rule: imports from `from` to `to` are errors. */
const forbid = (name, comment, from, to) => ({ name, comment, severity: "error", from, to });

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    forbid(
      "cli-not-kernel",
      "cli/ and kernel/ are siblings: what both need lives in present/, lab/ or below. One edge is allowed: " +
      "`uprobe-lab kernel install|spec|execute` loads kernel/tools.ts (kernelspec and nbclient, Jupyter knowledge) " +
      "with a dynamic import when that subcommand runs; nothing in kernel/ is loaded by any other command.",
      { path: "^cli/", pathNot: "^cli/kernel\\.ts$" },
      { path: "^kernel/" },
    ),
    forbid(
      "cli-kernel-tools-only",
      "cli/kernel.ts reaches the Jupyter kernel through kernel/tools.ts only, and only with a dynamic import.",
      { path: "^cli/kernel\\.ts$" },
      { path: "^kernel/", pathNot: "^kernel/tools\\.ts$" },
    ),
    forbid(
      "cli-kernel-tools-dynamic",
      "The edge cli/kernel.ts -> kernel/tools.ts must stay a dynamic import (or a type-only one).",
      { path: "^cli/kernel\\.ts$" },
      { path: "^kernel/tools\\.ts$", dependencyTypesNot: ["dynamic-import", "type-only", "type-import"] },
    ),
    forbid(
      "kernel-not-cli",
      "kernel/ and cli/ are siblings: what both need lives in present/, lab/ or below.",
      { path: "^kernel/" },
      { path: "^cli/" },
    ),
    forbid(
      "engine-front-door",
      "Above the engine (lab/, present/, cli/, kernel/), the engine is imported only through engine/index.ts, its library API: what is missing there belongs in it.",
      { path: "^(lab|present|cli|kernel)/" },
      { path: "^engine/", pathNot: "^engine/index\\.ts$" },
    ),
    forbid(
      "present-not-up",
      "present/ (charts, plots, views, report) is used by cli/ and kernel/, and uses lab/, dsl/ and engine/index.ts.",
      { path: "^present/" },
      { path: "^(cli|kernel)/" },
    ),
    forbid(
      "lab-not-up",
      "lab/ runs sessions for the presentation and the front ends; it does not know them.",
      { path: "^lab/" },
      { path: "^(present|cli|kernel)/" },
    ),
    forbid(
      "engine-dsl-not-up",
      "engine/ and dsl/ are the bottom layers: they import nothing above them.",
      { path: "^(engine|dsl)/" },
      { path: "^(lab|present|cli|kernel)/" },
    ),
    forbid(
      "mm-not-cpu",
      "engine/cpu uses engine/mm (memory, page faults); the memory model does not know the CPU.",
      { path: "^engine/mm/" },
      { path: "^engine/cpu/" },
    ),
    forbid(
      "product-not-tests",
      "The shipped code does not import the tests, the benchmarks or the scripts (they may import it).",
      { path: "^(engine|dsl|lab|present|cli|kernel)/" },
      { path: "^(test|bench|scripts)/" },
    ),
    forbid(
      "no-value-cycles",
      "No cycle of value imports outside test/: a cycle makes module initialisation order matter. " +
      "Cycles whose every link is an `import type` are allowed (viaOnly: no link of the cycle is type-only " +
      "for the rule to match; tsPreCompilationDeps keeps the type-only imports in the graph, marked type-only).",
      { pathNot: "^test/" },
      { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    ),
    forbid(
      "not-to-unresolvable",
      "An import that does not resolve (a typo, or dsl/grammar.generated.ts not generated: npm run grammar).",
      {},
      { couldNotResolve: true },
    ),
  ],
  options: {
    includeOnly: "^(engine|dsl|lab|present|cli|kernel|test|bench|scripts)/",
    exclude: { path: "^(node_modules|dist|out|notebooks|samples)/" },
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
    // keep `import type` in the graph (for the layer rules), marked "type-only" (for no-value-cycles)
    tsPreCompilationDeps: true,
  },
};
