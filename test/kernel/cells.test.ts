// %%c cells and what they feed: compiling (OK, located errors, a missing
// compiler), the name resolving in %%probe, loadBinary and worker threads;
// %%probe --name/--help/--trace; run(NAME), compare(), typed maps, CSV/JSON
// and report().

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import * as api from "../../kernel/api.js";
import { isCompileCell, parseCompileCell } from "../../kernel/c-magic.js";
import { runMagicCell } from "../../kernel/cells.js";
import { setDisplaySink } from "../../kernel/display.js";
import { parseProbeCell, probeCellHelp } from "../../kernel/magic.js";
import { Table, type MimeBundle } from "../../present/mime.js";
import { tmpDir } from "./helpers.js";

const LOOP = `#include <stdio.h>
void test(void) { __asm__ volatile("" ::: "memory"); }
int main(void) {
  for (int i = 0; i < 500; i++) test();
  puts("done");
  return 0;
}`;

/** Run a cell the way the kernel does; what it printed, displayed and wrote on stderr. */
async function cell(src: string): Promise<{ ok: boolean; out: string; err: string; shown: MimeBundle[] }> {
  const shown: MimeBundle[] = [];
  let out = "";
  let err = "";
  setDisplaySink({ rich: false, show: (b) => void shown.push(b) });
  try {
    const ok = await runMagicCell(src, { out: (s) => void (out += s), err: (s) => void (err += s + "\n") });
    return { ok, out, err, shown };
  } finally {
    setDisplaySink(undefined);
  }
}

const text = (shown: MimeBundle[]): string => shown.map((b) => String(b["text/plain"] ?? "")).join("\n");

describe("%%c cells: parsing", () => {
  test("magics, name, flags, --cc, -o", () => {
    assert.equal(isCompileCell("%%c t\nint main(){}"), true);
    for (const m of ["%%cc", "%%c++", "%%cpp"]) assert.equal(isCompileCell(`${m} t\nint main(){}`), true, m);
    assert.equal(isCompileCell("%%cat t"), false);
    assert.equal(isCompileCell("%%probe t"), false);
    const a = parseCompileCell("%%c push -O0 -I inc -DX=1\nint main(){}");
    assert.ok("request" in a);
    assert.deepEqual([a.request.name, a.request.language, a.request.compiler, a.request.flags], ["push", "c", undefined, ["-O0", "-I", "inc", "-DX=1"]]);
    const b = parseCompileCell("%%c --cc musl-gcc -static -O2 -o t\nint main(){}");
    assert.ok("request" in b);
    assert.deepEqual([b.request.name, b.request.compiler, b.request.flags], ["t", "musl-gcc", ["-static", "-O2"]]);
    const c = parseCompileCell("%%cpp k -std=c++17 -lm\nint main(){}");
    assert.ok("request" in c);
    assert.deepEqual([c.request.name, c.request.language, c.request.flags], ["k", "c++", ["-std=c++17", "-lm"]]);
  });

  test("the source keeps the cell's line numbers", () => {
    const a = parseCompileCell("\n%%c t\nint x;\nint main(){}");
    assert.ok("request" in a);
    assert.deepEqual(a.request.source.split("\n").slice(0, 4), ["", "", "int x;", "int main(){}"]);
  });

  test("--help, and one-line errors for bad first lines", () => {
    const h = parseCompileCell("%%c --help");
    assert.ok("help" in h && h.help.startsWith("%%c NAME [FLAGS...]"));
    assert.throws(() => parseCompileCell("%%c -O2\nint main(){}"), /^Error: %%c: missing NAME|%%c: missing NAME/);
    assert.throws(() => parseCompileCell("%%c a -o b\nint main(){}"), /two names for the binary: a and b/);
    assert.throws(() => parseCompileCell("%%c a --kernel 4.16\nint main(){}"), /unknown option --kernel/);
    assert.throws(() => parseCompileCell("%%c a\n\n"), /no source/);
    assert.throws(() => parseCompileCell("%%c a --cc\nint main(){}"), /--cc needs a compiler/);
  });
});

describe("%%c cells: compiling and probing by name", { timeout: 180_000 }, () => {
  test("compile OK: the name resolves in loadBinary, %%probe and worker threads; results are named by it", async () => {
    const c = await cell(`%%c loop -O0\n${LOOP}`);
    assert.equal(c.err, "");
    assert.ok(c.ok);
    assert.match(c.out, /^loop: dynamically linked \(libc\.so\.6\) x86-64 ELF, \d+ functions\n  built with: gcc loop\.c -o loop -O0\n$/);
    assert.ok(api.loadBinary("loop").functions().includes("test"));
    const p = await cell("%%probe loop --kernel 4.3 --name loop43\nprobe test < n++ >");
    assert.equal(p.err, "");
    assert.equal(p.out, "done\n");
    assert.match(text(p.shown), /probe test +xol +500/);
    assert.equal(api.run("loop43").binary, "loop");
    assert.equal(api.run("loop43").sha256?.length, 64);
    // a sweep posts the specs to worker threads: they learn the name too
    const sw = await api.sweep("loop", "probe test < n++ >", { kernels: ["4.3", "4.16"] });
    assert.deepEqual(sw.runs.map((r) => r.probe().path), ["xol", "emulated"]);
  });

  test("compile errors are located as gcc prints them, with the cell's line numbers", async () => {
    const c = await cell("%%c bad\nint main(void) {\n  return x;\n}");
    assert.equal(c.ok, false);
    assert.equal(c.out, "");
    assert.match(c.err, /^bad\.c:3:10: error: 'x' undeclared/m);
    assert.match(c.err, /^ {4}3 \|   return x;$/m);
    assert.throws(() => api.loadBinary("bad"), /bad: no such file/);
  });

  test("warnings are shown, not written to stderr; C++ and musl-gcc", async () => {
    const w = await cell("%%c warn -Wall\nint main(void) { int unused; return 0; }");
    assert.ok(w.ok);
    assert.equal(w.err, "");
    assert.match(text(w.shown), /warn\.c:2:22: warning: unused variable 'unused'/);
    const cpp = await cell("%%c++ hello\n#include <cstdio>\nint main() { std::puts(\"hi\"); }");
    assert.ok(cpp.ok, cpp.err);
    const musl = await cell("%%c --cc musl-gcc -static -O2 -o smusl\nint main(void) { return 3; }");
    assert.ok(musl.ok, musl.err);
    assert.match(musl.out, /^smusl: static/);
  });

  test("%%c -m32 builds an i386 program, which %%probe runs (32-bit guests, issue 13)", async () => {
    const c = await cell(`%%c loop32 -m32 -O0\n${LOOP}`);
    assert.equal(c.err, "");
    assert.match(c.out, /^loop32: dynamically linked \(libc\.so\.6\) i386 ELF, \d+ functions\n/);
    assert.match(c.out, /built with: gcc loop32\.c -o loop32 -m32 -O0\n$/);
    const p = await cell("%%probe loop32\nprobe test < n++ >");
    assert.equal(p.err, "");
    assert.equal(p.out, "done\n");
    assert.match(text(p.shown), /probe test +\w+ +500/);
  });

  test("an interrupt kills the compiler (its whole process group); the cell says so and the next compile works", async () => {
    const dir = tmpDir("slow-cc-");
    const pidFile = path.join(dir, "pid");
    const slow = path.join(dir, "slow-cc");
    // a "compiler" that never finishes: its pid (after exec, the sleep's) tells whether the abort killed it
    fs.writeFileSync(slow, `#!/bin/sh\necho $$ > ${pidFile}\nexec sleep 300\n`, { mode: 0o755 });
    api.resetInterrupt();
    const pending = cell(`%%c slow --cc ${slow}\nint main(void) { return 0; }`);
    while (!fs.existsSync(pidFile) || fs.readFileSync(pidFile, "utf8").trim() === "") await new Promise((r) => setTimeout(r, 20));
    const pid = Number(fs.readFileSync(pidFile, "utf8"));
    api.interruptRuns();
    const c = await pending;
    assert.equal(c.ok, false);
    assert.equal(c.err, `interrupted: ${slow} was stopped, slow was not built\n`);
    assert.throws(() => process.kill(pid, 0), { code: "ESRCH" }, "the compiler is gone");
    assert.throws(() => api.loadBinary("slow"), /slow: no such file/);
    api.resetInterrupt();
    const next = await cell("%%c after\nint main(void) { return 0; }");
    assert.ok(next.ok, next.err);
  });

  test("a missing compiler is one line", async () => {
    const c = await cell("%%c t --cc no-such-cc\nint main(void) { return 0; }");
    assert.equal(c.ok, false);
    assert.equal(c.err, "no-such-cc: compiler not found; --cc names another one\n");
  });
});

describe("%%probe --help, --name, --trace; run(NAME)", { timeout: 120_000 }, () => {
  test("--help prints the options", async () => {
    assert.equal(probeCellHelp("%%probe push-O0 -- --help\nprobe test < n++ >"), undefined);
    const c = await cell("%%probe --help");
    assert.ok(c.ok);
    assert.match(c.out, /^%%probe BINARY \[ARGS\.\.\.\] \[OPTIONS\]/);
    assert.match(c.out, /--name NAME +keep the result as run\("NAME"\)/);
  });

  test("--name keeps the run; unknown names are one clean line", async () => {
    assert.equal(parseProbeCell("%%probe push-O0 --name a1\nprobe test < n++ >").name, "a1");
    assert.throws(() => parseProbeCell("%%probe push-O0 --name 'a b'\nprobe test < n++ >"), /a name is a word/);
    const c = await cell("%%probe callsite-O0 --kernel 4.16 --trace 1 --name cs\nprobe probe_push_rbx < n++ >");
    assert.ok(c.ok, c.err);
    assert.equal(api.run("cs"), api.lastRun);
    assert.equal(api.run("cs").name, "cs");
    assert.ok(api.runNames().includes("cs"));
    assert.throws(() => api.run("nope"), /^Error: no run named 'nope' \(named runs: .*cs/);
    // --trace N shows the trace
    assert.match(text(c.shown), /event trace: samples\/bin\/callsite-O0, kernel 4\.16[\s\S]*emulated/);
  });

  test("traceTable(hit): hits are numbered from 1; a hit not traced is a clear error", async () => {
    const r = api.run("cs");
    assert.ok(r.traceTable(1).rows.length > 0);
    assert.throws(() => r.traceTable(0), /no hit 0 in the trace: hits are numbered from 1, and this run traced hit 1$/);
    const plain = await api.runProbes("callsite-O0", "probe probe_push_rbx < n++ >", { quiet: true });
    assert.throws(() => plain.traceTable(1), /kept no trace \(run it with --trace N, or traceHits: N\)/);
  });
});

describe("results as data", { timeout: 120_000 }, () => {
  test("typed maps: scalars, keyed rows, hist and lhist buckets, stats, strings", async () => {
    const r = await api.runProbes(
      "push-O0",
      `probe test:0 / hits <= 3000 / < @calls[probe] = count(); @n++; @lat = hist(hits % 100); @lin = lhist(hits % 50, 0, 50, 10); @s = stats(hits % 10); @a = avg(4); @k[tid, comm] = sum(2); @str = "x" >`,
      { quiet: true, maxInsns: 200_000 },
    );
    assert.deepEqual(r.mapNames(), ["@a", "@calls", "@k", "@lat", "@lin", "@n", "@s", "@str"]);
    const all = r.allMaps();
    assert.deepEqual(Object.values(all).map((m) => m.kind), ["avg", "count", "sum", "hist", "lhist", "int", "stats", "string"]);
    const n = r.value("n");
    assert.ok(n > 0);
    assert.equal(r.map("@calls").value("probe test:0"), n);
    assert.deepEqual(r.map("@calls").toObject(), { "probe test:0": n });
    assert.equal(r.map("a").value(), 4);
    assert.equal(r.map("@str").text(), "x");
    const s = r.map("@s").stats();
    assert.equal(s.count, n);
    const k = r.map("@k");
    assert.equal(k.keyed, true);
    assert.equal(k.rows[0]!.keys[1], "push-O0");
    assert.equal(k.value(k.rows[0]!.keys), 2 * n);
    const lat = r.map("@lat").buckets();
    assert.equal(lat.reduce((t, b) => t + b.count, 0), n);
    assert.equal(lat.find((b) => b.min === 64)?.label, "[64, 128)");
    const lin = r.map("@lin").buckets();
    assert.deepEqual(lin.map((b) => b.label), ["[0, 10)", "[10, 20)", "[20, 30)", "[30, 40)", "[40, 50)"]);
    // the wrong accessor says which one applies; a keyed map wants a key
    assert.throws(() => r.map("@lat").value(), /@lat is a hist map: value\(\) does not apply \(buckets\(\) does\)/);
    assert.throws(() => r.map("@calls").value(), /@calls is keyed: name a key/);
    assert.throws(() => r.map("@calls").value("nope"), /@calls has no key "nope" \(keys: "probe test:0"\)/);
    assert.throws(() => r.map("@nope"), /no map @nope in this run \(maps: @a, @calls/);
    // any map charts: keyed count, stats, lhist
    assert.deepEqual(r.chart("@calls").figure.data[0]!.x, ["probe test:0"]);
    assert.deepEqual(api.charts.map(r, "@lin").figure.data[0]!.x, ["[0, 10)", "[10, 20)", "[20, 30)", "[30, 40)", "[40, 50)"]);
    assert.equal(r.chart("@s").figure.data[0]!.y[0], s.avg);
    assert.throws(() => r.chart("@str"), /holds strings: nothing to chart/);
    // tables and runs as CSV and JSON
    assert.match(r.map("@lin").toCSV(), /^bucket,min,max,count\n"\[0, 10\)",0,9,\d+\n/);
    assert.match(r.toCSV(), /^binary,kernel,emulation,cost,probe,path,hits,.*\nsamples\/bin\/push-O0,6\.18,true,kvm-6\.18,probe test:0,emulated,\d+,/);
    assert.equal((JSON.parse(JSON.stringify(r)) as { kernel: string }).kernel, "6.18");
  });

  test("Table.toCSV quotes as RFC 4180; toJSON gives objects", () => {
    const t = new Table(["a", "b,c"], [["x", 1], ['say "hi", ok', 2]], { maxRows: 1 });
    assert.equal(t.toCSV(), 'a,"b,c"\nx,1\n"say ""hi"", ok",2\n');
    assert.deepEqual(t.toJSON(), [{ a: "x", "b,c": 1 }, { a: 'say "hi", ok', "b,c": 2 }]);
  });

  test("compare(a, b): table, latency chart with traps, map values; report() with provenance", async () => {
    const prog = "probe test:0 < @calls = count(); @t = sum(7) >";
    await api.runProbes("push-O0", prog, { kernel: "4.3", name: "p43", quiet: true, maxInsns: 300_000 });
    await api.runProbes("push-O0", prog, { kernel: "4.16", name: "p416", quiet: true, maxInsns: 300_000 });
    const cmp = api.compare("p43", "p416");
    assert.deepEqual(cmp.names, ["p43", "p416"]);
    const t = cmp.toString();
    assert.match(t, /probe test:0: path +xol +emulated +differs/);
    assert.match(t, /probe test:0: traps\/hit +2 +1 +-1 +0\.5/);
    assert.match(t, /^@calls /m);
    const lat = cmp.chart().figure;
    assert.deepEqual(lat.data.map((d) => d.name), ["p43", "p416"]);
    assert.deepEqual(lat.data.map((d) => d.text?.[0]), ["2 traps", "1 trap"]);
    assert.deepEqual(cmp.mapsChart()!.figure.data[0]!.x, ["@calls", "@t"]);
    assert.equal(cmp.outputs().length, 3);
    // unnamed runs are labelled by what differs
    const un = api.compare(new api.LabRun({ ...api.run("p43") }), new api.LabRun({ ...api.run("p416") }));
    assert.deepEqual(un.names, ["kernel 4.3", "kernel 4.16"]);

    const dir = tmpDir("report");
    const file = path.join(dir, "sub", "r.html");
    const rf = api.report(file, "push <4.3> vs 4.16", ["Two kernels.", { h2: "Runs" }, cmp, api.run("p416")]);
    assert.match(rf.toString(), /^report written: .*r\.html \(\d+\.\d MB, standalone: plotly\.js inlined\)$/);
    const html = fs.readFileSync(file, "utf8");
    assert.match(html, /<title>push &lt;4\.3&gt; vs 4\.16<\/title>/);
    assert.match(html, /<p>Two kernels\.<\/p>/);
    assert.equal((html.match(/class="uprobe-lab-plot"/g) ?? []).length, 2);
    assert.match(html, /uprobe-lab 0\.\d+\.\d+, plotly\.js/);
    assert.match(html, /<code>samples\/bin\/push-O0<\/code><\/td><td[^>]*><code>[0-9a-f]{64}<\/code>/);
    assert.match(html, /uprobe-lab run --kernel 4\.3 --cost kvm-6\.18 -e 'probe test:0 &lt; @calls = count\(\); @t = sum\(7\) &gt;' -- samples\/bin\/push-O0/);
    assert.match(html, /window\.Plotly|Plotly\.newPlot/);
    assert.throws(() => api.report(path.join(file, "x.html"), "t", []), /^Error: report: cannot write/);
  });
});
