// The main job, end to end: `uprobe-lab demo` prints the seed table (within
// 5 % of the commit's figures, exact traps) and writes a standalone report
// whose charts headless Chromium draws offline.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { chromium, countDrawnPlots, tmpDir } from "./helpers.js";

describe("uprobe-lab demo", { timeout: 600_000 }, () => {
  const dir = tmpDir("demo");
  const report = path.join(dir, "report.html");
  const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "bin", "uprobe-lab"), "demo", "--out", report], { encoding: "utf8", cwd: dir });

  test("prints the seed table", () => {
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, "");
    const m = /^uprobe +(\d\.\d+) us\/call +1 +(\d\.\d+) us\/call +2 +1\.55 \/ 3\.1 us\nuretprobe +(\d\.\d+) us\/call +2 +(\d\.\d+) us\/call +3 +2 \/ 3\.6 us$/m.exec(r.stdout);
    assert.ok(m, r.stdout);
    const [up, upOff, ret, retOff] = m.slice(1).map(Number) as [number, number, number, number];
    for (const [got, want] of [[up, 1.55], [upOff, 3.1], [ret, 2.0], [retOff, 3.6]] as const) assert.ok(Math.abs(got - want) / want <= 0.05, `${got} vs ${want}`);
    assert.match(r.stdout, /kernel 6\.18, cost profile kvm-6\.18[\s\S]*uretprobe +1\.0\d\d us\/call +1 \+ 1 syscall/);
    assert.match(r.stdout, /kernel 4\.16-x86_32, cost profile seed-2017-x86_32: push-m32-O0[\s\S]*^uprobe +1\.4\d\d us\/call +1 +3\.\d+ us\/call +2 +1\.41 \/ 3\.5 us\nuretprobe +1\.7\d\d us\/call +2 +[34]\.\d+ us\/call +3 /m);
    assert.match(r.stdout, /^3\.14 .*SIGSEGV$/m);
    assert.match(r.stdout, /^3\.15 .*ok$/m);
  });

  test("the report is standalone and deterministic", () => {
    const html = fs.readFileSync(report, "utf8");
    assert.ok(html.length > 4_000_000, "plotly.js inlined");
    assert.ok(!/<script[^>]+src=/.test(html), "no external scripts");
    assert.equal((html.match(/class="uprobe-lab-plot"/g) ?? []).length, 3);
    const again = path.join(dir, "again.html");
    const r2 = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "bin", "uprobe-lab"), "demo", "--out", again, "--workers", "1"], { encoding: "utf8" });
    assert.equal(r2.status, 0, r2.stderr);
    assert.ok(fs.readFileSync(again).equals(fs.readFileSync(report)), "byte-identical on a second run (and with one worker)");
  });

  test("headless Chromium draws its three charts offline", () => {
    assert.ok(chromium(), "chromium (apt-get install chromium)");
    assert.equal(countDrawnPlots(report).drawn, 3);
  });
});
