// The notebook API and the kernel's pieces without Jupyter: runs and their
// errors, sweeps on worker threads, interrupts, disassembly markers,
// %%probe outputs, the kernelspec, and the faked "uprobe-lab" package.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import * as api from "../../kernel/api.js";
import { setDisplaySink } from "../../kernel/display.js";
import type { MimeBundle } from "../../present/mime.js";
import { installKernelSpec, kernelsDir, kernelSpec, userDataDir } from "../../kernel/install.js";
import { errorLine, fakeApiPackage, preloadSource } from "../../kernel/main.js";
import { parseProbeCell } from "../../kernel/magic.js";
import { probeCellOutputs } from "../../kernel/probe-cell.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { runMany } from "../../lab/pool.js";
import { RunError, runSpec } from "../../lab/probe-run.js";
import type { RunSpec } from "../../lab/run-spec.js";
import { buildWith } from "../helpers.js";
import { tmpDir } from "./helpers.js";

function record(): { shown: { bundle: MimeBundle; id?: string; update?: boolean }[]; done(): void } {
  const shown: { bundle: MimeBundle; id?: string; update?: boolean }[] = [];
  setDisplaySink({ rich: true, show: (bundle, id, update) => void shown.push({ bundle, id, update }) });
  return { shown, done: () => setDisplaySink(undefined) };
}

describe("runs", () => {
  test("the 2014 crash on 3.14, fixed in 3.15", async () => {
    const prog = api.probe`probe nc_call_site < calls++ >`;
    const r314 = await prog.run("noncanon-O0", { kernel: "3.14", quiet: true });
    assert.equal(r314.signal, "SIGSEGV");
    assert.equal(r314.status, 139);
    assert.match(r314.report!, /killed by SIGSEGV .* \[non-canonical branch target\]/);
    assert.equal(r314.probe().path, "xol");
    const r315 = await prog.run("noncanon-O0", { kernel: "3.15", quiet: true });
    assert.equal(r315.status, 0);
    assert.equal(r315.probe().path, "emulated");
    assert.equal(r315.probe().hits, 1000);
    assert.equal(r315.probe().traps_per_hit, 1);
    assert.equal(r315.maps.trim(), "calls: 1000");
    assert.equal(api.lastRun, r315);
  });

  test("binaries are named by their project-relative path: outputs do not depend on the checkout", async () => {
    const r = await api.runProbes("callsite-O0", "probe probe_riprel < n++ >", { kernel: "6.18", traceHits: 1, quiet: true });
    assert.equal(r.binary, "samples/bin/callsite-O0");
    assert.ok(r.trace.some((e) => e.event === "int3" && e.detail?.includes("samples/bin/callsite-O0+0x")));
    assert.ok(r.trace.some((e) => e.event === "xol" && /copied \[8b .*\] to slot 1/.test(e.detail ?? "")));
    assert.ok(r.trace.some((e) => e.event === "single-step" && e.detail?.includes("FIX_IP")));
    assert.ok(!JSON.stringify(r).includes(PROJECT_ROOT));
    assert.equal(r.probe().traps_per_hit, 2);
    assert.match(r.traceTable().toString(), /single-step/);
  });

  test("errors: DSL errors with line:col, bad paths, bad kernels", async () => {
    await assert.rejects(api.runProbes("push-O0", "probe tset:0 < n++ >", { quiet: true }), (e: RunError) => {
      assert.equal(e.kind, "dsl");
      assert.match(e.message, /^program:1:7: error: unknown symbol 'tset' \(did you mean 'test'\?\)\nprobe tset:0 < n\+\+ >\n {6}\^~~~/);
      return true;
    });
    await assert.rejects(api.runProbes("no/such/file", "probe main < n++ >", { quiet: true }), (e: RunError) => e.kind === "user" && /no such file/.test(e.message));
    await assert.rejects(api.runProbes("push-O0", "probe test < n++ >", { kernel: "9.9", quiet: true }), /not a modelled generation/);
    assert.throws(() => api.loadBinary("samples"), /is a directory/);
    assert.throws(() => api.disasm("push-O0", "tset"), /no function 'tset' \(did you mean test\?\)/);
    // RunErrors print as their message (no stack, no brackets) in notebooks
    const e = new RunError("dsl", "x:1:2: error: y");
    assert.equal((e as unknown as { [k: symbol]: () => string })[Symbol.for("nodejs.util.inspect.custom")]!(), "ProbeProgramError: x:1:2: error: y");
  });

  test("a %%probe cell's DSL error points at the cell's line", async () => {
    const spec = parseProbeCell("%%probe push-O0\nprobe test:0 < count++ >\nprobe tset < x++ >");
    await assert.rejects(runSpec(spec), /^RunError|cell:3:7: error: unknown symbol 'tset'/);
    await assert.rejects(runSpec(spec), (e: Error) => e.message.startsWith("cell:3:7: error:"));
  });

  test("disassembly with probe markers", () => {
    const push = api.loadBinary("push-O0");
    assert.ok(push.functions().includes("test"));
    const d = push.disasm("test", api.probe`probe test:0 < a++ > retprobe test < b++ >`);
    assert.equal(d.lines[0]!.text, "push %rbp");
    assert.deepEqual(d.lines[0]!.marks, ["probe test:0", "retprobe test (entry: return hijacked)"]);
    assert.deepEqual(d.lines.slice(1).map((l) => l.marks.length), [0, 0, 0, 0]);
    assert.match(d.toString(), /^test in samples\/bin\/push-O0 \(7 bytes at 0x401139\):\n=> 0x401139 <\+0>:/);
    assert.match(d.toHtml(), /<tr style="background:#fff3cd;font-weight:bold">/);
    assert.deepEqual(api.disasm(push, "test", [4]).lines.map((l) => l.marks.length), [0, 0, 1, 0, 0]);
  });

  test("progress line: shown after the program compiled, ends without host times", async () => {
    const rec = record();
    try {
      await api.runProbes("callsite-O0", "probe probe_push_rbx < n++ >", { kernel: "4.16" });
      await assert.rejects(api.runProbes("push-O0", "probe nope < n++ >"));
    } finally {
      rec.done();
    }
    const ids = new Set(rec.shown.map((s) => s.id));
    assert.equal(ids.size, 1, "one progress display; none for the failed compile");
    assert.equal(rec.shown.at(-1)!.bundle["text/plain"], "samples/bin/callsite-O0: kernel 4.16, emulation on, cost kvm-6.18: 381,760 instructions, 1,000 hits");
  });

  test("%%probe outputs: guest stdout, crash, maps text, per-probe table", async () => {
    const run = await api.runOne(parseProbeCell("%%probe noncanon-O0 --kernel 3.14\nprobe nc_call_site < calls++ >"), true);
    const { out, rec } = cellOutputs(run);
    assert.match(out, /^part1 nc_call_site: rel32=0x0000401b/);
    const texts = rec.shown.map((s) => String(s.bundle["text/plain"]));
    assert.match(texts[0]!, /killed by SIGSEGV/);
    assert.equal(texts[1], "calls: 1\n");
    assert.match(texts[2]!, /^probe {15}path  hits  int3  sstep  uret int3  sys_uprobe  sys_uretprobe  traps\/hit  syscalls\/hit  virtual ns\/hit\nprobe nc_call_site  xol {6}1/);
    assert.match(String(rec.shown[2]!.bundle["text/html"]), /^<table class="uprobe-lab-table">/);
  });
});

/** What a %%probe cell shows: the guest's stdout, and the displays recorded. */
function cellOutputs(run: Parameters<typeof probeCellOutputs>[0]): { out: string; rec: ReturnType<typeof record> } {
  const rec = record();
  let out = "";
  try {
    probeCellOutputs(run, (s) => void (out += s));
  } finally {
    rec.done();
  }
  return { out, rec };
}

describe("a dynamically linked binary in a notebook", () => {
  test("%%probe on a plain gcc build: probes in the program and in libc", async () => {
    const bin = buildWith("gcc", `#include <stdio.h>\nvoid hit(int i){printf("%d\\n", i);}\nint main(void){for(int i=0;i<3;i++)hit(i);return 0;}\n`, ["-O0"], "nb-dyn");
    const run = await api.runOne(parseProbeCell(`%%probe ${bin}\nprobe hit < h++ >\nuprobe:libc:printf < p++ >`), true);
    const { out, rec } = cellOutputs(run);
    assert.equal(out, "0\n1\n2\n");
    assert.equal(String(rec.shown[0]!.bundle["text/plain"]), "h: 3\np: 3\n");
    assert.match(api.loadBinary(bin).toString(), /dynamically linked \(libc\.so\.6\)/);
  });
});

describe("many runs", () => {
  const specs: RunSpec[] = ["3.14", "3.15", "4.16", "6.18"].map((kernel) => ({ binary: "noncanon-O0", program: "probe nc_call_site < c++ > probe rel32_at < p++ > retprobe rel32_at < r++ >", kernel, label: kernel }));

  test("worker threads give the same results as this thread, in spec order", async () => {
    const seq = await runMany(specs, { parallel: 1 });
    let runs = 0;
    const par = await runMany(specs, { parallel: 2, onRun: () => void runs++ });
    assert.equal(runs, 4);
    assert.deepEqual(par, seq);
    assert.deepEqual(par.map((r) => r.label), ["3.14", "3.15", "4.16", "6.18"]);
    assert.deepEqual(par.map((r) => r.probes[1]!.traps_per_hit), [2, 2, 1, 1]);
  });

  test("a bad spec fails the whole batch with its message", async () => {
    await assert.rejects(runMany([...specs, { binary: "push-O0", program: "probe nope < x++ >" }], { parallel: 2 }), (e: RunError) => e.kind === "dsl" && /unknown symbol 'nope'/.test(e.message));
  });

  test("sweeps across generations and emulation settings", async () => {
    const sw = await api.sweep("noncanon-O0", api.HISTORY_PROGRAM, { kernels: ["3.14", "3.15", "4.16", "6.11"], emulation: [true, false] });
    assert.equal(sw.runs.length, 8);
    assert.equal(sw.run("3.14").signal, "SIGSEGV");
    assert.equal(sw.run("3.15").status, 0);
    assert.equal(sw.run("3.15", false).signal, "SIGSEGV", "without emulation the call is copied verbatim");
    assert.equal(sw.run("6.11").probe("retprobe rel32_at").syscalls_per_hit, 1);
    const rows = sw.rows();
    assert.equal(rows.length, 32);
    assert.match(sw.toString(), /^kernel  emulation  probe nc_call_site/);
    assert.equal(sw.chart().figure.data.length, 9, "traps and us per probe, and syscalls of the uretprobe");
  });

  test("an interrupt stops a long run at the next slice", async () => {
    const ctl = new AbortController();
    const t0 = performance.now();
    const p = runSpec({ binary: "push-O0", program: "probe test:0 < n++ >", emulation: false }, { signal: ctl.signal });
    setTimeout(() => ctl.abort(), 300);
    await assert.rejects(p, (e: RunError) => e.kind === "interrupted" && /^interrupted after \d{1,3}(,\d{3})* guest instructions$/.test(e.message));
    assert.ok(performance.now() - t0 < 10_000);
    // and the pool terminates its workers
    const ctl2 = new AbortController();
    const q = runMany([0, 1, 2].map(() => ({ binary: "push-O0", program: "probe test:0 < n++ >", emulation: false })), { parallel: 2, signal: ctl2.signal });
    setTimeout(() => ctl2.abort(), 300);
    await assert.rejects(q, (e: RunError) => e.kind === "interrupted");
  });
});

describe("kernel pieces", () => {
  test("kernelspec: name, display name, argv, signal interrupts", () => {
    const s = kernelSpec("/usr/bin/node", "/repo");
    assert.deepEqual(s.argv, ["/usr/bin/node", "/repo/dist/kernel/main.js", "--config-path", "{connection_file}"]);
    assert.equal(s.display_name, "uprobe-lab (TypeScript)");
    assert.equal(s.language, "typescript");
    assert.equal(s.interrupt_mode, "signal");
    assert.equal(kernelsDir({ prefix: "/p" }), "/p/share/jupyter/kernels");
    assert.equal(userDataDir({}, "linux", "/home/u"), "/home/u/.local/share/jupyter");
    assert.equal(userDataDir({ XDG_DATA_HOME: "/x" }, "linux", "/home/u"), "/x/jupyter");
    assert.equal(userDataDir({ JUPYTER_DATA_DIR: "/j" }, "linux", "/home/u"), "/j");
    assert.equal(userDataDir({}, "darwin", "/Users/u"), "/Users/u/Library/Jupyter");
    const dir = tmpDir("spec");
    const where = installKernelSpec({ prefix: dir });
    assert.equal(where, path.join(dir, "share", "jupyter", "kernels", "uprobe-lab"));
    const written = JSON.parse(fs.readFileSync(path.join(where, "kernel.json"), "utf8"));
    assert.equal(written.argv[1], path.join(PROJECT_ROOT, "dist", "kernel", "main.js"));
    assert.ok(fs.existsSync(written.argv[1]));
    fs.rmSync(dir, { recursive: true });
  });

  test("TypeScript in tslab finds the API as node_modules/uprobe-lab", () => {
    const files = new Map([["/root/dist/kernel/api.d.ts", "export {}"], ["/elsewhere/x.ts", "y"]]);
    const sys = {
      fileExists: (p: string) => files.has(p),
      readFile: (p: string) => files.get(p),
      directoryExists: (p: string) => p === "/root/dist" || p === "/root/dist/kernel",
      getDirectories: () => [],
    };
    fakeApiPackage(sys, "/root");
    assert.equal(sys.fileExists("/nb/node_modules/uprobe-lab/package.json"), true);
    assert.equal(JSON.parse(sys.readFile("/nb/node_modules/uprobe-lab/package.json")!).types, "dist/kernel/api.d.ts");
    assert.equal(sys.fileExists("/nb/node_modules/uprobe-lab/dist/kernel/api.d.ts"), true);
    assert.equal(sys.readFile("/nb/node_modules/uprobe-lab/dist/kernel/api.d.ts"), "export {}");
    assert.equal(sys.directoryExists("/nb/node_modules/uprobe-lab"), true);
    assert.equal(sys.directoryExists("/nb/node_modules/uprobe-lab/dist/kernel"), true);
    assert.equal(sys.fileExists("/nb/node_modules/uprobe-labx/package.json"), false);
    assert.equal(sys.fileExists("/elsewhere/x.ts"), true);
  });

  test("the preload imports every API value by name", () => {
    const src = preloadSource(["a", "b"]);
    assert.equal(src, 'import { a, b } from "uprobe-lab";\n');
    for (const name of ["loadBinary", "probe", "runProbes", "sweep", "seedExperiment", "kernelHistory", "plot", "display", "table", "charts", "initPlotly", "lastRun", "disasm"]) assert.ok(name in api, name);
  });

  test("error replies name the error line", () => {
    assert.equal(errorLine("evalmachine.<anonymous>:2\nthrow new Error('boom');\n^\n\nError: boom\n    at x"), "Error: boom");
    assert.equal(errorLine("cell:2:7: error: unknown symbol 'tset'\nprobe tset\n      ^"), "cell:2:7: error: unknown symbol 'tset'");
    assert.equal(errorLine("ProbeProgramError: program:1:7: error: x"), "ProbeProgramError: program:1:7: error: x");
    assert.equal(errorLine(""), "");
  });
});
