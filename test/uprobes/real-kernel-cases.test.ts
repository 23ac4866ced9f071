// Probed runs that differ from unprobed ones on the real kernel, recorded by
// scripts/real-kernel-cases.mjs from scripts/real-kernel/step-cases.c under
// tracefs uprobes (root; re-recordable), replayed in the model: the same
// output and the same hit count per site.
//  - rep movsb / repe cmpsb stepped out of line: the CPU traps after every
//    element with rip on the instruction, the fixup sends ip back to the
//    probe, and each element is one more hit (5, and 4 for a compare that
//    stops at the 4th);
//  - syscall stepped out of line: the step's trap comes one instruction
//    late, so the lea after it runs in the slot as well;
//  - "41 41 8d 05 disp32": the kernel's decoder takes REX REX for a
//    2-byte instruction, so the rip-relative lea behind it is not rewritten
//    and, stepped in the slot, computes an address in the XOL page.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { BufferIo } from "../../engine/os/host-io.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { Session } from "../../lab/session.js";
import { buildC, requireMusl } from "../helpers.js";

interface Recorded {
  kernel: string;
  source: string;
  plain: string;
  probed: string;
  hits: Record<string, number>;
}

const rec = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "test/uprobes/real-kernel-cases.json"), "utf8")) as Recorded;

describe(`probed runs that differ from unprobed ones, recorded on ${rec.kernel}`, () => {
  requireMusl();
  const bin = buildC(path.join(PROJECT_ROOT, rec.source), ["-O1"], "step-cases");
  const sites = Object.keys(rec.hits);
  const run = (program: string): { out: string; hits: Record<string, number> } => {
    const io = new BufferIo();
    const session = new Session({ binary: bin, program, io });
    session.run();
    const hits: Record<string, number> = {};
    for (const p of session.stats().probes) hits[p.probe.replace(/^.*:/, "")] = p.hits;
    return { out: io.text(1), hits };
  };
  test("unprobed, the model prints what the native run printed", () => {
    assert.equal(run("").out, rec.plain);
  });
  test("probed, the same output and the same hits per site as the real kernel", () => {
    const r = run(sites.map((s) => `uprobe:${bin}:${s}`).join(", ") + " { }");
    assert.equal(r.out, rec.probed);
    assert.deepEqual(r.hits, rec.hits);
  });
});
