// The model's instruction analysis against a sweep of thousands of encodings
// recorded on a real kernel by scripts/real-kernel-sweep.mjs (root, tracefs;
// re-recordable): for each probed site, the kernel's verdict (ENOTSUPP,
// ENOEXEC) or the path its hits took (emulated, out of line, optimized, read
// from the probed process's own /proc/self/maps). analyzeInsn()/hitPath() for
// the 6.18 generation must give the same answer for every row, except the
// rows listed in KNOWN_DIFFERENCES, each with the reason it is left; a listed
// row that starts to agree fails too, so the list only shrinks. A second
// fixture (real-kernel-sweep-vexmap.json, --only '^vexmap') covers the
// kernel's opcode map beyond the main sweep's VEX rows.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { analyzeInsn, hitPath, resolveKernel } from "../../engine/uprobes/index.js";
import { PROJECT_ROOT } from "../../lab/paths.js";

interface SweepRow {
  group: string;
  insn: string;
  what: string;
  /** 16 bytes at the probed address, as the kernel copies them from the file. */
  site: string;
  vaddr: number;
  kernel: string;
  /** Whether the probed run ended in the state the unprobed run did. */
  state?: "same" | "differs" | "nondet";
  outcome?: string;
}
interface Sweep {
  recorded: string;
  kernel: string;
  cpu: string;
  rows: SweepRow[];
}

const load = (name: string): Sweep => JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "test/uprobes", name), "utf8")) as Sweep;
const sweep = load("real-kernel-sweep.json");
const vexmap = load("real-kernel-sweep-vexmap.json");
const gen = resolveKernel("6.18");

function modelVerdict(r: SweepRow): string {
  const bytes = Uint8Array.from(r.site.split(" ").map((b) => parseInt(b, 16)));
  const m = analyzeInsn(bytes, { gen, emulation: true, bits: 64, vaddr: r.vaddr });
  if (!m.ok) return m.errno === 524 ? "ENOTSUPP" : m.errno === 8 ? "ENOEXEC" : `errno ${m.errno}`;
  return hitPath(m.arch, gen.nop5Optimize);
}

/**
 * Rows where the model still disagrees: the instruction bytes, the kernel's answer, the model's,
 * and why it is left. Empty since the VEX/EVEX/XOP forms and the 0F 38/0F 3A "must VEX" opcodes
 * are decided by the kernel's own opcode map (engine/uprobes/x86/map-decode.ts) instead of iced-x86.
 */
const KNOWN_DIFFERENCES: [string, string, string, string][] = [];

const key = (r: SweepRow): string => `${r.insn}|${r.kernel}|${modelVerdict(r)}`;

describe(`instruction sweep recorded on ${sweep.kernel} (${sweep.cpu}, ${sweep.recorded})`, () => {
  test("the fixture is a wide sweep", () => {
    assert.ok(sweep.rows.length >= 3000, `${sweep.rows.length} rows`);
    for (const k of ["emulated", "xol", "optimized", "ENOTSUPP", "ENOEXEC"]) assert.ok(sweep.rows.some((r) => r.kernel === k), k);
    assert.ok(vexmap.rows.length >= 3000 && vexmap.rows.every((r) => r.group.startsWith("vexmap")), `${vexmap.rows.length} vexmap rows`);
  });
  test("analyzeInsn()/hitPath() for 6.18 agree with every row of both fixtures but the listed ones", () => {
    const known = new Set(KNOWN_DIFFERENCES.map(([insn, kernel, model]) => `${insn}|${kernel}|${model}`));
    const unexpected: string[] = [];
    const stillDiffering = new Set<string>();
    for (const r of [...sweep.rows, ...vexmap.rows]) {
      const model = modelVerdict(r);
      if (model === r.kernel) continue;
      const k = key(r);
      if (known.has(k)) stillDiffering.add(k);
      else unexpected.push(`${r.insn} (${r.what}): kernel ${r.kernel}, model ${model}`);
    }
    assert.deepEqual(unexpected, [], `${unexpected.length} rows disagree`);
    const fixed = [...known].filter((k) => !stillDiffering.has(k));
    assert.deepEqual(fixed, [], "listed as known differences but the model now agrees: remove them from the list");
  });
});
