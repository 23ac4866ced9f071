// bpftrace's probe spellings: the u:/ur: aliases, wildcards in the function
// and file parts (one probe per match, named as bpftrace expands them), and
// located errors when a wildcard matches nothing or is given an offset.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileProgram } from "../../dsl/index.js";
import { FakeTarget, firstError } from "./helpers.js";

const T = new FakeTarget();
const names = (src: string): string[] => compileProgram(src, "s.bt", T, {}).probes.map((p) => p.target.name);
const error = (src: string): string => firstError(src, T);

describe("bpftrace probe spellings", () => {
  it("u: and ur: are uprobe: and uretprobe:", () => {
    assert.deepEqual(names("u:./t:test { @a = count(); } ur:./t:test { @b = count(); }"), ["uprobe:./t:test", "uretprobe:./t:test"]);
  });
  it("a variable called u stays usable in a ternary", () => {
    assert.deepEqual(names("probe test { u = 1; x = 1?u:2 }"), ["probe test"]);
  });
  it("a wildcard in the function part: one probe per function, named by it", () => {
    assert.deepEqual(names("uprobe:./t:test* { @[probe] = count(); }"), ["uprobe:./t:test", "uprobe:./t:testing"]);
    assert.deepEqual(names("probe *est* { n++ }"), ["probe test", "probe testing"]);
    assert.deepEqual(names("uretprobe:./t:re* { n++ }"), ["uretprobe:./t:rec"]);
  });
  it("a wildcard in the file part", () => {
    assert.deepEqual(names("uprobe:libf*:f* { n++ }"), ["uprobe:/work/libfoo.so:foo"]);
    assert.deepEqual(names("uprobe:*:foo { n++ }"), ["uprobe:/work/libfoo.so:foo"]);
  });
  it("a wildcard that matches nothing, or with an offset: located errors", () => {
    assert.match(error("uprobe:./t:zz* { n++ }"), /^1:12: no function matches 'zz\*'/);
    assert.match(error("probe tes*+1 { n++ }"), /^1:12: a wildcard \('tes\*'\) takes no offset/);
    assert.match(error("uprobe:nolib*:f { n++ }"), /no probeable file matches 'nolib\*'/);
  });
});

describe("time and strftime on the virtual clock", () => {
  it("dates count from the documented virtual boot, 2026-01-01 00:00:00 UTC", async () => {
    const { FakeCtx } = await import("./helpers.js");
    const ctx = new FakeCtx();
    ctx.now = 86_400_000_000_000n + 3_723_000_000_000n; // one day, 1 h 2 min 3 s
    const p = compileProgram('probe test { printf("%s|", strftime("%Y-%m-%d %H:%M:%S %a %j %s", nsecs)); time("%T\\n"); time(); }', "s.bt", T, {});
    p.probes[0]!.handler(ctx);
    assert.equal(p.output, "2026-01-02 01:02:03 Fri 002 1767315723|01:02:03\n01:02:03\n");
  });
});
