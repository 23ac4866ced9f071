// Record real uprobe costs for every calibration case (fit and held out) on
// this machine, as `uprobe-lab calibrate --record` does, into a JSON file the
// tests read (test/cli/calibrate.test.ts fits and checks it without root).
// Needs root, tracefs and a build (npm run build). Re-record with:
//
//   sudo node scripts/real-kernel-calibrate.mjs [--rounds 15] [--time 80] [--calls 20000] [--cpu N] [--out test/cli/calibrate-samples.json]
//
// The file keeps the machine, kernel, date, load average before and after,
// what other processes did meanwhile (/proc/stat), the uretprobe return path
// found, and every round of every case with its calls per run, so a figure
// can be judged by its spread.

import * as fs from "node:fs";
import * as path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const { calibrationBlocker, defaultCpu, measureCases, tryMount } = await import(path.join(root, "dist/cli/calibrate-measure.js"));
const { CALIBRATION_CASES } = await import(path.join(root, "dist/lab/calibrate-cases.js"));

const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
};
const out = arg("--out", path.join(root, "test/cli/calibrate-samples.json"));
const tracefs = "/sys/kernel/tracing";
tryMount(tracefs);
const blocker = calibrationBlocker(tracefs);
if (blocker) {
  process.stderr.write(`real-kernel-calibrate: ${blocker}\n`);
  process.exit(2);
}
const cpuArg = arg("--cpu", undefined);
const rec = measureCases(CALIBRATION_CASES, {
  tracefs,
  calls: Number(arg("--calls", "20000")),
  rounds: Number(arg("--rounds", "15")),
  seconds: Number(arg("--time", "80")),
  cpu: cpuArg === undefined ? defaultCpu() : cpuArg === "none" ? null : Number(cpuArg),
  log: (s) => process.stderr.write(s + "\n"),
});
fs.writeFileSync(out, JSON.stringify(rec, null, 1) + "\n");
process.stderr.write(`real-kernel-calibrate: ${Object.keys(rec.cases).length} cases written to ${out}\n`);
