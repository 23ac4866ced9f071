// Map keys and tuple values as a notebook reads them (lab/map-values.ts):
// a multi-part key whose string part holds a comma keeps its parts (the run
// carries them; -f json's "1,a,b" cannot be split back), and a tuple value
// reads as bpftrace's text prints it.

import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { readMaps } from "../../lab/map-values.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { runSpec } from "../../lab/probe-run.js";

const BT = join(PROJECT_ROOT, "test/dsl/runtime/bin/bt");

describe("map keys and tuple values in a run's maps", () => {
  it("keeps a string key part with a comma whole, and reads tuples as text", async () => {
    const run = await runSpec({ binary: BT, program: 'uprobe:./bt:foo_add /arg0 < 2/ { @m[arg0, "a,b"] = sum(arg0); @t[arg0] = (arg0, "v", (1, "w")); @x = (7, "z") }' });
    const maps = new Map(readMaps(run).map((m) => [m.name, m]));
    assert.deepEqual(maps.get("@m")!.rows.map((r) => [r.key, r.keys, r.value]), [["0,a,b", ["0", "a,b"], 0], ["1,a,b", ["1", "a,b"], 2]]);
    assert.equal(maps.get("@t")!.kind, "tuple");
    assert.deepEqual(maps.get("@t")!.rows.map((r) => [r.keys, r.value]), [[["0"], "(0, v, (1, w))"], [["1"], "(1, v, (1, w))"]]);
    assert.deepEqual(maps.get("@x")!.rows, [{ key: "", keys: [], value: "(7, z)" }]);
  });

  it("a run recorded without mapKeys still splits at commas (the old reading)", async () => {
    const run = await runSpec({ binary: BT, program: 'uprobe:./bt:foo_add /arg0 == 1/ { @m[arg0, "a,b"] = count() }' });
    const old = { mapsJson: run.mapsJson, mapKinds: run.mapKinds };
    assert.deepEqual(readMaps(old)[0]!.rows[0]!.keys, ["1", "a", "b"]);
  });
});
