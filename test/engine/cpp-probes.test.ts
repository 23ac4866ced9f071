// Probing a g++ program by its demangled C++ names, end to end: the committed
// samples/bin/cpp_overload-O0 (g++ -static: iostream, exceptions) runs in the
// emulator, and the probes count what the program's logic says they must
// (see samples/cpp_overload.cpp).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BufferIo } from "../../engine/os/host-io.js";
import { Session } from "../../lab/session.js";
import { samplePath } from "../helpers.js";

function run(program: string) {
  const io = new BufferIo();
  const session = new Session({ binary: samplePath("cpp_overload-O0"), program, io });
  const r = session.run();
  return { stdout: io.text(1), status: r.status, report: r.report, maps: session.mapsText(), probes: session.stats().probes };
}

describe("probes on a g++ program by demangled names", () => {
  test("overloads, a namespaced function, a throwing one, a template, constructor, destructor, operator<<", () => {
    const o = run(
      [
        "probe cpp:geo::Shape::scale < @scale[func] = count() >", // every overload: 3 probes
        "probe geo::area < area++ >",
        'retprobe "geo::area(geo::Shape const&)" < total = sum(retval) >',
        'probe "geo::checked_div(int, int)" / arg1 == 0 / < throws++ >',
        "probe cpp:geo::checked_div < div++ >",
        'probe "geo::twice<int>" < twice++ >',
        "probe geo::Shape::Shape < ctor++ >",
        "probe geo::Shape::~Shape < dtor++ >",
        'probe "geo::operator<<" < printed++ >',
        "probe _ZN3geo5Shape5scaleEii < mangled++ >",
      ].join("\n"),
    );
    assert.equal(o.status, 0, o.report);
    assert.equal(o.stdout, "6x9 3x7 total=720 errors=3 t=26\n", "the program runs as natively, its exceptions caught");
    const map = (name: string) => new RegExp(`^${name.replace(/[[\]()*+.]/g, "\\$&")}: (\\d+)$`, "m").exec(o.maps)?.[1];
    assert.equal(map("@scale[geo::Shape::scale(int)]"), "3");
    assert.equal(map("@scale[geo::Shape::scale(double)]"), "2");
    assert.equal(map("@scale[geo::Shape::scale(int, int)]"), "1");
    assert.equal(map("area"), "10", "once per loop iteration");
    assert.equal(map("total"), "720", "5 x 90 + 5 x 54: the areas the program adds up");
    assert.equal(map("div"), "10");
    assert.equal(map("throws"), "3", "divisor 0 for i = 1, 5, 9: the 3 errors the program counts");
    assert.equal(map("twice"), "4");
    assert.equal(map("ctor"), "2", "two Shapes; C1 and C2 are one function");
    assert.equal(map("dtor"), "2");
    assert.equal(map("printed"), "2");
    assert.equal(map("mangled"), "1");
    // one probe per overload, named by its signature, in the per-probe report
    assert.deepEqual(
      o.probes.map((p) => [p.probe, p.symbol, p.hits]),
      [
        ['probe cpp:"geo::Shape::scale(int)"', "_ZN3geo5Shape5scaleEi", 3],
        ['probe cpp:"geo::Shape::scale(double)"', "_ZN3geo5Shape5scaleEd", 2],
        ['probe cpp:"geo::Shape::scale(int, int)"', "_ZN3geo5Shape5scaleEii", 1],
        ["probe geo::area", "_ZN3geo4areaERKNS_5ShapeE", 10],
        ['retprobe "geo::area(geo::Shape const&)"', "_ZN3geo4areaERKNS_5ShapeE", 10],
        ['probe "geo::checked_div(int, int)"', "_ZN3geo11checked_divEii", 10],
        ["probe cpp:geo::checked_div", "_ZN3geo11checked_divEii", 10],
        ['probe "geo::twice<int>"', "_ZN3geo5twiceIiEET_S1_", 4],
        ["probe geo::Shape::Shape", o.probes[8]!.symbol, 2],
        ["probe geo::Shape::~Shape", o.probes[9]!.symbol, 2],
        ['probe "geo::operator<<"', "_ZN3geolsERSoRKNS_5ShapeE", 2],
        ["probe _ZN3geo5Shape5scaleEii", "_ZN3geo5Shape5scaleEii", 1],
      ],
    );
    assert.match(o.probes[8]!.symbol!, /^_ZN3geo5ShapeC[12]Eii$/);
    assert.match(o.probes[9]!.symbol!, /^_ZN3geo5ShapeD[12]Ev$/);
  });
});
