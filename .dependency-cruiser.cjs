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

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "cli-not-kernel",
      comment: "cli/ and kernel/ are siblings: what both need lives in present/, lab/ or below.",
      severity: "error",
      from: { path: "^cli/" },
      to: { path: "^kernel/" },
    },
    {
      name: "kernel-not-cli",
      comment: "kernel/ and cli/ are siblings: what both need lives in present/, lab/ or below.",
      severity: "error",
      from: { path: "^kernel/" },
      to: { path: "^cli/" },
    },
    {
      name: "engine-front-door",
      comment: "Above the engine (lab/, present/, cli/, kernel/), the engine is imported only through engine/index.ts, its library API: what is missing there belongs in it.",
      severity: "error",
      from: { path: "^(lab|present|cli|kernel)/" },
      to: { path: "^engine/", pathNot: "^engine/index\\.ts$" },
    },
    {
      name: "present-not-up",
      comment: "present/ (charts, plots, views, report) is used by cli/ and kernel/, and uses lab/, dsl/ and engine/index.ts.",
      severity: "error",
      from: { path: "^present/" },
      to: { path: "^(cli|kernel)/" },
    },
    {
      name: "lab-not-up",
      comment: "lab/ runs sessions for the presentation and the front ends; it does not know them.",
      severity: "error",
      from: { path: "^lab/" },
      to: { path: "^(present|cli|kernel)/" },
    },
    {
      name: "engine-dsl-not-up",
      comment: "engine/ and dsl/ are the bottom layers: they import nothing above them.",
      severity: "error",
      from: { path: "^(engine|dsl)/" },
      to: { path: "^(lab|present|cli|kernel)/" },
    },
    {
      name: "mm-not-cpu",
      comment: "engine/cpu uses engine/mm (memory, page faults); the memory model does not know the CPU.",
      severity: "error",
      from: { path: "^engine/mm/" },
      to: { path: "^engine/cpu/" },
    },
    {
      name: "product-not-tests",
      comment: "The shipped code does not import the tests, the benchmarks or the scripts (they may import it).",
      severity: "error",
      from: { path: "^(engine|dsl|lab|present|cli|kernel)/" },
      to: { path: "^(test|bench|scripts)/" },
    },
    {
      name: "no-value-cycles",
      comment:
        "No cycle of value imports outside test/: a cycle makes module initialisation order matter. " +
        "Cycles whose every link is an `import type` are allowed (viaOnly: no link of the cycle is type-only " +
        "for the rule to match; tsPreCompilationDeps keeps the type-only imports in the graph, marked type-only).",
      severity: "error",
      from: { pathNot: "^test/" },
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
    {
      name: "not-to-unresolvable",
      comment: "An import that does not resolve (a typo, or dsl/grammar.generated.ts not generated: npm run grammar).",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
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
