// Located errors for misuse of the bpftrace constructs of issue 12: each names
// the line and column, and where a name is misspelt, what was meant.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileProgram, DslError } from "../../dsl/index.js";
import { formatDiagnostic } from "../../dsl/diagnostics.js";
import { FakeTarget } from "./helpers.js";

const T = new FakeTarget();

/** Every diagnostic of a program, rendered as the CLI prints it (file:line:col, the line, the underline). */
function errors(src: string): string[] {
  try {
    compileProgram(src, "s.bt", T, {});
  } catch (e) {
    if (!(e instanceof DslError)) throw e;
    const err = e;
    return err.diagnostics.map((d) => formatDiagnostic(err.source, d));
  }
  return [];
}

const first = (src: string): string => errors(src)[0] ?? "no error";

describe("located errors for bpftrace's constructs", () => {
  it("a pointer read needs a pointer cast", () => {
    assert.equal(first("probe test { x = *arg0 }"), "s.bt:1:18: error: only a pointer can be dereferenced: cast it first, e.g. *(int32 *)arg0 (bpftrace: 'Can not dereference type')\nprobe test { x = *arg0 }\n                 ^~~~~");
  });
  it("a cast of a string", () => {
    assert.match(first('probe test { x = (uint8)comm }'), /^s\.bt:1:25: error: a cast to uint8 needs an integer, got a string/);
  });
  it("unroll: a literal from 1 to 100, bpftrace's messages", () => {
    assert.match(first("probe test { unroll(101) { n++ } }"), /^s\.bt:1:14: error: unroll maximum value is 100\n/);
    assert.match(first("probe test { unroll(0) { n++ } }"), /^s\.bt:1:14: error: unroll minimum value is 1\n/);
    assert.match(first("probe test { unroll(arg0) { n++ } }"), /^s\.bt:1:21: error: unroll\(\) needs an integer literal count, 1 to 100/);
  });
  it("break and continue outside a loop; while (1) without a way out", () => {
    assert.match(first("probe test { break }"), /^s\.bt:1:14: error: break used outside of a loop\n/);
    assert.match(first("probe test { unroll(2) { continue } }"), /^s\.bt:1:26: error: continue used outside of a loop\n/);
    assert.match(first("probe test { while (1) { n++ } }"), /^s\.bt:1:14: error: this loop never ends \(no break or return\)/);
    assert.deepEqual(errors("probe test { while (1) { if (n > 3) { break } n++ } }"), []);
  });
  it("ustack's mode and limit, with a did-you-mean", () => {
    assert.match(first("probe test { @[ustack(pref)] = count() }"), /^s\.bt:1:23: error: unknown stack mode 'pref' \(did you mean 'perf'\?\)/);
    assert.match(first("probe test { @[ustack(0)] = count() }"), /^s\.bt:1:23: error: ustack\(\) limit must be an integer literal, 1 to 1024/);
    assert.match(first("probe test { @[ustack(3, perf)] = count() }"), /error: ustack\(\) takes the mode first: ustack\(perf, N\)/);
  });
  it("uaddr and strncmp", () => {
    assert.match(first('probe test { x = uaddr("tset") }'), /^s\.bt:1:24: error: unknown symbol 'tset' \(did you mean 'test'\?\)/);
    assert.match(first("probe test { x = uaddr(arg0) }"), /error: uaddr\(\) needs a symbol name as a string literal/);
    assert.match(first('probe test { x = strncmp(arg0, "a", 1) }'), /^s\.bt:1:26: error: argument 1 of strncmp\(\) needs a string, got an integer/);
    assert.match(first('probe test { x = strncmp(comm, "a", arg0) }'), /error: strncmp\(\) length must be a non-negative integer literal/);
  });
  it("kstack and kernel probe types are not modelled, with the reason", () => {
    assert.match(first("probe test { @[kstack] = count() }"), /^s\.bt:1:16: error: kstack is not modelled here/);
    assert.match(first("kprobe:vfs_read { n++ }"), /^s\.bt:1:1: error: kprobe probes are not modelled here/);
    assert.match(first("tracepoint:sched:sched_switch { n++ }"), /^s\.bt:1:12: error: unknown tracepoint category 'sched': only syscalls:sys_enter_\*\/sys_exit_\* are modelled/);
  });
  it("print_rows: a keyed integer map and one conversion per key and value", () => {
    assert.match(first('probe test { @c[func] = count() } END { print_rows(@c, "%s\\n") }'), /error: print_rows\(\): the format has 1 conversion, and @c needs 2 \(1 key, then the value\)/);
    assert.match(first('probe test { @c[func] = count() } END { print_rows(@c, "%d %d\\n") }'), /error: print_rows\(\): %d is for key 1, which is a string/);
  });
  it("signal(): needs --unsafe, a known signal, and a probe (BEGIN has no process to signal)", () => {
    assert.match(first('probe test { signal("SIGUSR1") }'), /^s\.bt:1:14: error: signal\(\) sends a signal to the traced process: it needs --unsafe/);
    const unsafe = (src: string): string => {
      try {
        compileProgram(src, "s.bt", T, { unsafe: true });
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    assert.equal(unsafe('probe test { signal("SIGUSR3") }'), "unknown signal 'SIGUSR3' (did you mean 'SIGUSR1', 'SIGUSR2' or 'SIGURG'?)");
    assert.equal(unsafe('BEGIN { signal("USR1") }'), "signal() is not available in BEGIN/END");
    assert.equal(unsafe('probe test { signal(10); signal("USR1") }'), "no error");
  });
  it("a probe target wildcard with an offset", () => {
    assert.match(first("uprobe:./t:te*+4 { n++ }"), /^s\.bt:1:16: error: a wildcard \('te\*'\) takes no offset/);
  });
});
