// ustack(cfi) in the DSL: the forms it takes (with a mode and a limit, in
// bpftrace's order), and a located error with a did-you-mean for misuse;
// stackcount's --unwind option.

import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { compileProgram, DslError } from "../../dsl/index.js";
import { formatDiagnostic } from "../../dsl/diagnostics.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { FakeTarget } from "../dsl/helpers.js";
import { buildWith, runCli } from "../helpers.js";

const T = new FakeTarget();

function first(src: string): string {
  try {
    compileProgram(src, "s.bt", T, {});
  } catch (e) {
    if (!(e instanceof DslError)) throw e;
    return formatDiagnostic(e.source, e.diagnostics[0]!);
  }
  return "no error";
}

describe("ustack(cfi)'s forms and errors", () => {
  it("takes the unwinder with a mode and a limit", () => {
    for (const f of ["ustack(cfi)", "ustack(cfi, 5)", "ustack(cfi, perf)", "ustack(cfi, perf, 5)", "ustack(perf, cfi, 5)", "ustack(cfi, bcc)", "ustack(cfi, folded)"]) {
      assert.equal(first(`probe test { @[${f}] = count() }`), "no error", f);
    }
  });
  it("a misspelt unwinder, with line:col, underline and did-you-mean", () => {
    assert.equal(
      first("probe test { @[ustack(cif)] = count() }"),
      "s.bt:1:23: error: unknown stack mode 'cif' (did you mean 'cfi'?): ustack(perf), ustack(bpftrace), ustack(N), ustack(perf, N) or ustack(cfi, ...) for the .eh_frame unwinder (bcc and folded are stackcount's)\nprobe test { @[ustack(cif)] = count() }\n                      ^~~",
    );
  });
  it("two unwinders, the unwinder after the limit, four arguments", () => {
    assert.match(first("probe test { @[ustack(cfi, cfi)] = count() }"), /^s\.bt:1:28: error: ustack\(\) takes one unwinder/);
    assert.match(first("probe test { @[ustack(3, cfi)] = count() }"), /^s\.bt:1:26: error: ustack\(\) takes the unwinder before the limit: ustack\(cfi, N\)/);
    assert.match(first("probe test { @[ustack(cfi, perf, 3, 4)] = count() }"), /^s\.bt:1:16: error: ustack\(\) requires 0 to 3 arguments \(4 provided\)/);
  });
});

describe("stackcount --unwind cfi", () => {
  const bin = buildWith("gcc", path.join(PROJECT_ROOT, "test", "engine", "cfi", "chain.c"), ["-O2", "-fomit-frame-pointer"], "cfi-chain");
  it("folded stacks by .eh_frame: both chains to _start; by frame pointers (the default) leaf alone", () => {
    const cfi = runCli(["stackcount", "--unwind", "cfi", "-f", `${bin}:leaf`]);
    assert.equal(cfi.status, 0, cfi.stderr);
    const name = path.basename(bin).slice(0, 15); // comm: TASK_COMM_LEN - 1
    // libc's local frames are [unknown], or named from libc6-dbg's detached debug file where it is installed
    const local = "(?:\\[unknown\\]|__libc_start_call_main)";
    assert.match(cfi.stdout, new RegExp(`^${name};_start;__libc_start_main;${local};main;top;mid;leaf 48$`, "m"));
    assert.match(cfi.stdout, new RegExp(`^${name};_start;__libc_start_main;${local};main;qsort_r;(?:(?:\\[unknown\\]|msort_with_tmp[\\w.]*);)+cmp;leaf \\d+$`, "m"));
    const fp = runCli(["stackcount", "-f", `${bin}:leaf`]);
    assert.match(fp.stdout, new RegExp(`^${name};leaf 55$`, "m"));
  });
  it("an unknown unwinder: one line, no stack trace", () => {
    const r = runCli(["stackcount", "--unwind", "dwarf", `${bin}:leaf`]);
    assert.notEqual(r.status, 0);
    assert.notEqual(r.status, 70);
    assert.equal(r.stderr, "uprobe-lab: stackcount: --unwind dwarf: the unwinders are fp (frame pointers, as the kernel's helper) and cfi (.eh_frame)\n");
  });
});
