// Every notebook in notebooks/, executed headless through the real Jupyter
// client (nbclient) on the uprobe-lab kernel: no error, nothing on stderr,
// and its key figures. Then: a fresh notebook using the API (import,
// %%probe, errors the kernel survives, plotly.js inlined, its HTML export
// drawn offline in Chromium), and an interrupted run. How the stored
// notebooks' charts look in a real Jupyter server: charts-in-browser.test.ts.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { checkInterrupt, executeNotebook } from "../../kernel/nbexec.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { cellText, cellWith, countDrawnPlots, figures, nbconvertHtml, readNotebook, source, tmpDir, requireNotebookTools, trace, type Notebook } from "./helpers.js";

const NOTEBOOKS = path.join(PROJECT_ROOT, "notebooks");
const out = tmpDir("notebooks");

function execute(name: string, env: Record<string, string> = { UPROBE_LAB_PLOTLY: "none" }, dir = NOTEBOOKS): Notebook {
  const r = executeNotebook(path.join(dir, name), path.join(out, name), { env, cellTimeout: 240 });
  const done = r.events.find((e) => e.event === "done");
  assert.ok(r.ok, `${name} failed:\n${(done?.failures ?? []).join("\n") || r.stderr}`);
  assert.equal(r.stderr, "", "the Jupyter client wrote nothing on stderr");
  const cells = r.events.filter((e) => e.event === "cell");
  assert.ok(cells.length > 0 && cells.every((c) => !c.error && (c.problems ?? []).length === 0));
  const nb = readNotebook(path.join(out, name));
  for (const c of nb.cells) for (const o of c.outputs ?? []) assert.ok(o.output_type !== "error" && !(o.output_type === "stream" && o.name === "stderr"), `${name}: an error or stderr output`);
  return nb;
}

const within = (actual: number, expected: number, rel: number): boolean => Math.abs(actual - expected) <= rel * expected;

describe("notebooks, executed headless through Jupyter", { ...requireNotebookTools(), timeout: 600_000 }, () => {
  test("the notebooks are all listed here", () => {
    assert.deepEqual(fs.readdirSync(NOTEBOOKS).filter((f) => f.endsWith(".ipynb")).sort(), ["01-seed-push-emulation.ipynb", "02-funclatency.ipynb", "03-anatomy-of-a-hit.ipynb", "04-kernel-history.ipynb", "05-compile-and-compare.ipynb", "06-threads.ipynb", "07-flame-graphs.ipynb"]);
  });

  test("01: the seed table, reproduced (within 5 %), exact traps, and the kvm-6.18 table", () => {
    const nb = execute("01-seed-push-emulation.ipynb");
    assert.match(cellText(cellWith(nb, "%%probe push-O0 --kernel 4.16")), /^1554\d{3}$/m);
    // the plain gcc build (dynamically linked glibc): the same figure and the same probe result
    const gcc = cellText(cellWith(nb, "%%probe push-gcc-O0 --kernel 4.16"));
    assert.match(gcc, /^1554\d{3}$/m);
    assert.match(gcc, /count: 1000000/);
    const [traps, latency] = figures(nb);
    assert.ok(traps && latency, "two charts");
    // x: uprobe 4.16, uretprobe 4.16, uprobe 6.18, uretprobe 6.18
    const on = trace(latency, "with push emulation").y as number[];
    const off = trace(latency, "without").y as number[];
    assert.ok(within(on[0]!, 1.55, 0.05) && within(off[0]!, 3.1, 0.05), `uprobe ${on[0]} / ${off[0]} us`);
    assert.ok(within(on[1]!, 2.0, 0.05) && within(off[1]!, 3.6, 0.05), `uretprobe ${on[1]} / ${off[1]} us`);
    assert.ok(on[2]! < on[1]! && off[2]! > off[0]!, "kvm-6.18: cheaper handlers, dearer single-steps");
    assert.deepEqual(trace(traps, "with push emulation").y, [1, 2, 1, 1]);
    assert.deepEqual(trace(traps, "without (single-step out of line)").y, [2, 3, 2, 2]);
    assert.deepEqual(trace(traps, "with push emulation").text, ["1", "2", "1", "1 + 1 syscall"]);
    const exactly = (src: string) => cellText(nb.cells.find((c) => c.cell_type === "code" && source(c).trim() === src)!);
    assert.match(exactly("seed"), /uprobe +1\.55\d us\/call +1 +3\.10\d us\/call +2 +1\.55 \/ 3\.1 us/);
    assert.match(exactly("kvm"), /uretprobe +1\.0\d\d us\/call +1 \+ 1 syscall/);
  });

  test("02: funclatency histograms, emulation on vs off", () => {
    const nb = execute("02-funclatency.ipynb");
    const [one, both] = figures(nb);
    assert.ok(one && both);
    const sum = (ys: (number | null)[]) => ys.reduce((a: number, b) => a + (b ?? 0), 0);
    assert.equal(sum(one.data[0]!.y), 3000, "3000 calls in the histogram");
    assert.deepEqual(both.data.map((d) => sum(d.y)), [3000, 3000]);
    const avg = cellText(cellWith(nb, "const prog = probe`"));
    const m = /on +3000 +(\d+) +1 +2\noff +3000 +(\d+) +2 +3/.exec(avg);
    assert.ok(m, avg);
    assert.ok(Number(m[2]) - Number(m[1]) > 1000, "single-stepping adds over a microsecond per call");
    assert.match(cellText(cellWith(nb, "funclatencyProgram")), /avg = \d+ usecs, total: \d+ usecs, count: 3000/);
  });

  test("03: anatomy of an emulated, an out-of-line, a uretprobe and a shared-library hit", () => {
    const nb = execute("03-anatomy-of-a-hit.ipynb");
    const emu = cellText(cellWith(nb, "const emu ="));
    assert.match(emu, /int3 +0x401224 +#BP trap/);
    assert.match(emu, /emulated +0x401224 +push: ip -> 0x401225/);
    assert.ok(!/single-step|xol/.test(emu));
    const xol = cellText(cellWith(nb, "const xol ="));
    assert.match(xol, /xol +0x7fffffffe080 +copied \[8b 86 42 6e 00 00\] to slot 1, rip-relative operand rewritten/);
    assert.match(xol, /single-step +0x7fffffffe086 +#DB after the copy ran; FIX_IP -> ip 0x4011c6/);
    assert.match(cellText(cellWith(nb, "const ret416")), /return hijacked[\s\S]*uretprobe trampoline +0x7fffffffe000 +int3 at XOL slot 0 \(#BP\)[\s\S]*ret_handler/);
    assert.ok(!/uretprobe trampoline/.test(cellText(cellWith(nb, "const ret618"))));
    assert.match(cellText(cellWith(nb, "[ret416, ret618]")), /4\.16 +1000 +0 +1000 +0 +0 +2 +0\s+\d+\n6\.18 +1000 +0 +0 +0 +1000 +1 +1/);
    assert.match(cellText(cellWith(nb, "callsite.disasm(\"probe_riprel\"")), /=> 0x4011c0 <\+0>:.*mov 0x408008,%eax +<- probe probe_riprel/);
    // a probe in libc: keyed by the library file and an offset in it; malloc starts with an emulated push
    const lib = cellText(cellWith(nb, "const lib ="));
    assert.match(lib, /int3 +0x7ffff7[0-9a-f]+ +#BP trap, uprobe \S*\/libc\.so\.6\+0x[0-9a-f]+/);
    assert.match(lib, /emulated +0x7ffff7[0-9a-f]+ +push: ip -> 0x7ffff7/);
    assert.match(cellText(cellWith(nb, "const ifunc =")), /^1 hit\(s\); 1 warning: program:1:\d+: warning: strlen in \S*libc\.so\.6 is an IFUNC/m);
    assert.equal(figures(nb).length, 1);
  });

  test("04: every generation in one chart, the 3.14 crash and its fix", () => {
    const nb = execute("04-kernel-history.ipynb");
    const [on, off] = figures(nb);
    assert.ok(on && off);
    const kernels = on.data[0]!.x;
    assert.equal(kernels.length, 15);
    const crashed = (f: typeof on) => (f.layout.annotations ?? []).filter((a) => a.text?.includes("SIGSEGV")).flatMap((a) => ((a as { name?: string }).name ?? "").split(","));
    assert.deepEqual(crashed(on), ["3.5", "3.10", "3.14"]);
    assert.equal(crashed(off).length, 15);
    const push = trace(on, "probe rel32_at: traps/hit").y;
    assert.deepEqual(push, kernels.map((k) => (["3.5", "3.10", "3.14", "3.15", "3.16", "3.19", "4.0", "4.3"].includes(String(k)) ? 2 : 1)));
    assert.match(cellText(cellWith(nb, "%%probe noncanon-O0 --kernel 3.14")), /killed by SIGSEGV \(SI_KERNEL, address 0x0\) at 0x401140: call .*\[non-canonical branch target\]/);
    const fixed = cellText(cellWith(nb, "%%probe noncanon-O0 --kernel 3.15"));
    assert.ok(!/SIGSEGV/.test(fixed));
    assert.match(fixed, /calls: 1000/);
    fs.mkdirSync(path.join(out, "notebooks"), { recursive: true });
  });

  test("05: C compiled in a %%c cell, probed on 4.3 and 4.16 under names, compared, reported", () => {
    const nb = execute("05-compile-and-compare.ipynb");
    assert.match(cellText(cellWith(nb, "%%c push -O0")), /^push: dynamically linked \(libc\.so\.6\) x86-64 ELF, \d+ functions\n {2}built with: gcc push\.c -o push -O0/);
    assert.match(cellText(cellWith(nb, "--name k43")), /probe test:0 +xol +20000 +20000 +20000/);
    assert.match(cellText(cellWith(nb, "--name k416")), /probe test:0 +emulated +20000 +20000 +0/);
    assert.match(cellText(cellWith(nb, "compare(")), /probe test:0: traps\/hit +2 +1 +-1 +0\.5/);
    const [lat, maps] = figures(nb);
    assert.ok(lat && maps, "the comparison's two charts");
    assert.deepEqual(lat.data.map((d) => d.name), ["k43", "k416"]);
    assert.deepEqual(lat.data.map((d) => d.text?.[0]), ["2 traps", "1 trap"]);
    assert.ok(within(trace(lat, "k43").y[0]!, 3.1, 0.05) && within(trace(lat, "k416").y[0]!, 1.55, 0.05), "the seed's 3.1 / 1.55 us");
    assert.match(cellText(cellWith(nb, "r.map(\"@calls\").value()")), /4\.3 +20000 +xol +2 +3100 +3\.1\d\d us per call\n4\.16 +20000 +emulated +1 +1550 +1\.55\d us per call/);
    assert.match(cellText(cellWith(nb, "report(")), /^report written: \.\.\/out\/05-compile-and-compare\.html \(\d\.\d MB, standalone: plotly\.js inlined\)/);
    const html = fs.readFileSync(path.join(PROJECT_ROOT, "out", "05-compile-and-compare.html"), "utf8");
    assert.match(html, /<h2>Provenance<\/h2>/);
    assert.match(html, /built with <code>gcc push\.c -o push -O0<\/code>/);
    assert.match(html, /<code>[0-9a-f]{64}<\/code>/);
  });

  test("a fresh notebook: the API by import, %%probe, errors the kernel survives, plotly.js inlined", () => {
    const dir = tmpDir("fresh");
    const cells = [
      ["", 'import { loadBinary as lb, probe as p } from "uprobe-lab";\nconst b = lb("push-O0");\n`${b.functions().includes("test")} ${p`probe test < n++ >`.text}`'],
      ["", "%%probe callsite-O0 --kernel 4.16\nprobe probe_push_rbx < n++ >"],
      ["", "const path: string = lastRun.probe().path;\npath"],
      ["raises-exception", "%%probe push-O0\nprobe test:0 < count++ >\nprobe tset < x++ >"],
      ["raises-exception", "%%probe no/such/binary\nprobe main < n++ >"],
      ["raises-exception", 'const n: number = "x"'],
      ["raises-exception", 'throw new Error("boom")'],
      ["", "%%probe noncanon-O0 --kernel 3.14\nprobe nc_call_site < calls++ >"],
      ["", 'plot(charts.bar({ title: "one chart", x: ["a", "b"], series: [{ name: "s", y: [1, 2] }] }))'],
      ["", "6 * 7"],
    ];
    const nb = {
      cells: cells.map(([tag, src]) => ({ cell_type: "code", source: src, metadata: tag ? { tags: [tag] } : {}, outputs: [], execution_count: null })),
      metadata: { kernelspec: { name: "uprobe-lab", display_name: "uprobe-lab (TypeScript)", language: "typescript" } },
      nbformat: 4,
      nbformat_minor: 5,
    };
    fs.writeFileSync(path.join(dir, "fresh.ipynb"), JSON.stringify(nb));
    const r = executeNotebook(path.join(dir, "fresh.ipynb"), path.join(dir, "fresh.out.ipynb"), { env: { UPROBE_LAB_PLOTLY: "inline" }, cwd: dir });
    assert.ok(r.ok, r.stdout + r.stderr);
    const done = readNotebook(path.join(dir, "fresh.out.ipynb"));
    const text = (i: number) => cellText(done.cells[i]!);
    const stderr = (i: number) => (done.cells[i]!.outputs ?? []).filter((o) => o.name === "stderr").map((o) => (Array.isArray(o.text) ? o.text.join("") : o.text)).join("");
    // failures are error outputs (IPython's), with the class as ename and the lines to show as traceback
    const error = (i: number) => (done.cells[i]!.outputs ?? []).find((o) => o.output_type === "error") as { ename: string; traceback: string[] } | undefined;
    assert.equal(text(0).trim(), "true probe test < n++ >");
    assert.match(text(1), /probe probe_push_rbx +emulated +1000/);
    assert.equal(text(2).trim(), "emulated");
    assert.deepEqual(error(3), { output_type: "error", ename: "DslError", evalue: "cell:3:7: error: unknown symbol 'tset' (did you mean 'test'?)", traceback: ["cell:3:7: error: unknown symbol 'tset' (did you mean 'test'?)", "probe tset < x++ >", "      ^~~~"] });
    assert.deepEqual(error(4)?.traceback, ["no/such/binary: no such file (a path, or a bundled sample such as push-O0)"]);
    assert.equal(error(5)?.ename, "TSError");
    assert.match(error(5)!.traceback.join("\n"), /^cell:1:7: error: Type 'string' is not assignable to type 'number'\.\nconst n: number = "x"\n {6}\^$/);
    assert.equal(error(6)?.ename, "Error");
    assert.equal(error(6)?.traceback[0], "Error: boom");
    for (const i of [3, 4, 5, 6]) assert.equal(stderr(i), "", `cell ${i}: the error output only`);
    assert.match(text(7), /killed by SIGSEGV/);
    assert.equal(stderr(7), "");
    assert.equal(text(9).trim(), "42");
    // plotly.js inlined: the export draws with no node_modules anywhere near it
    const html = nbconvertHtml(path.join(dir, "fresh.out.ipynb"), dir);
    assert.ok(!fs.existsSync(path.join(dir, "node_modules")));
    assert.equal(countDrawnPlots(html).drawn, 1);
  });

  test("06: hits per thread, XOL slot waits past 31 steppers, emulation on and off with the same interleaving", () => {
    const nb = execute("06-threads.ipynb");
    assert.equal((cellText(cellWith(nb, "const per = await runOne")).match(/^\d+\s+20$/gm) ?? []).length, 8, "8 threads, 20 hits each");
    const xol = cellText(cellWith(nb, "steps that waited for a slot"));
    assert.match(xol, /^\s*8\s+160\s+0\s/m, "8 threads never run out of slots");
    assert.match(xol, /^\s*64\s+1280\s+[1-9]\d*\s/m, "64 threads wait for slots");
    const onOff = cellText(cellWith(nb, "const on = await runOne"));
    assert.match(onOff, /^on\s+emulated\s+160\s.*yes$/m);
    assert.match(onOff, /^off\s+xol\s+160\s.*yes$/m);
  });

  test("interrupting a long run stops it; the kernel goes on", () => {
    const r = checkInterrupt({ after: 2 });
    assert.ok(r.ok, JSON.stringify(r.result) + r.stderr);
    const probeCell = r.result.probe_cell as { stderr: string; seconds: number };
    assert.match(probeCell.stderr, /^interrupted after \d{1,3}(,\d{3})* guest instructions\n$/);
    assert.ok(probeCell.seconds < 10);
    const tsCell = r.result.ts_cell as { stderr: string; seconds: number };
    assert.match(tsCell.stderr, /Interrupted/);
    assert.ok(tsCell.seconds < 10);
  });
});
