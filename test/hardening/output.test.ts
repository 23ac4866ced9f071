// Issue 15: the library and notebook API keep a bounded tail of the guest's
// output (1 MiB per stream), say how much was cut, and can write all of it to
// a file; a run's text/plain and HTML views show a capped part with a note.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { buildC, requireMusl } from "../helpers.js";
import { memoryBoundMiB, nodeMeasured } from "./measure.js";

requireMusl();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "uprobe-lab-output-"));

/** One probe run through the library API (runSpec, as the notebooks do) in a child; prints what the run kept, as JSON. */
function runChild(binary: string, mib: string, outputFile?: string): ReturnType<typeof nodeMeasured> {
  const lab = new URL("../../lab/probe-run.js", import.meta.url).href;
  const views = new URL("../../present/views.js", import.meta.url).href;
  const spec = { binary, args: [mib], program: "BEGIN < x = 1 >", maxMemory: 16 << 20, ...(outputFile ? { outputFile } : {}) };
  const code = `
    import { runSpec } from ${JSON.stringify(lab)};
    import { LabRun, shownOutput } from ${JSON.stringify(views)};
    const run = new LabRun(await runSpec(${JSON.stringify(spec)}));
    process.stdout.write(JSON.stringify({
      status: run.status, stdout: run.stdout.length, stderr: run.stderr, cut: run.output_cut,
      textLines: run.toString().split("\\n").length, htmlBytes: run.toHtml().length,
      note: shownOutput(run).trimEnd().split("\\n").pop(),
    }) + "\\n");`;
  return nodeMeasured(["--input-type=module", "-e", code], { keepStdout: true });
}

/** argv[1] MiB of 64-byte lines on stdout, one 1 MiB write at a time. */
const CHATTY = String.raw`
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static char buf[1 << 20];
int main(int argc, char **argv) {
  for (int i = 0; i < sizeof buf; i += 64) { memset(buf + i, 'x', 63); buf[i + 63] = '\n'; }
  for (int n = atoi(argv[1]), i = 0; i < n; i++) write(1, buf, sizeof buf);
  write(2, "done\n", 5);
  return 0;
}
`;

interface Kept {
  status: number;
  stdout: number;
  stderr: string;
  cut?: { stdout: number; stderr: number };
  textLines: number;
  htmlBytes: number;
  note: string;
}

const NOTE = /^\[output cut: the first [\d,]+ bytes of stdout were not kept \(a run keeps the last 1 MiB of each stream\); run it with outputFile: "out\.txt" to write all of it to a file\]$/;

describe("guest output in the library API", () => {
  const bin = buildC(CHATTY, ["-O1"], "chatty");

  test("256 MiB of output: the run keeps the last 1 MiB, says how much was cut; host memory stays bounded", () => {
    const r = runChild(bin, "256");
    assert.equal(r.status, 0, r.stderr);
    const k = JSON.parse(r.stdout) as Kept;
    assert.equal(k.status, 0);
    assert.equal(k.stdout, 1 << 20);
    assert.equal(k.stderr, "done\n");
    assert.deepEqual(k.cut, { stdout: 255 << 20, stderr: 0 });
    assert.match(k.note, NOTE);
    assert.ok(k.textLines < 230, `text/plain: ${k.textLines} lines`);
    assert.ok(k.htmlBytes < 10_000, `HTML: ${k.htmlBytes} bytes`);
    assert.ok(r.peakMiB < memoryBoundMiB(16), `peak ${r.peakMiB} MiB`);
  });

  test("outputFile receives all of it", () => {
    const file = path.join(dir, "out.txt");
    const r = runChild(bin, "3", file);
    assert.equal(r.status, 0, r.stderr);
    const k = JSON.parse(r.stdout) as Kept;
    assert.deepEqual(k.cut, { stdout: 2 << 20, stderr: 0 });
    assert.equal(fs.statSync(file).size, (3 << 20) + 5);
  });
});
