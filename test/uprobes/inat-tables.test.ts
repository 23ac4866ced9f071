// engine/uprobes/x86/inat-tables.ts is generated from the kernel's opcode map
// (engine/uprobes/x86/kernel-map/x86-opcode-map.txt) by scripts/gen-inat-tables.mjs, the
// way gen-insn-attr-x86.awk makes the kernel's inat-tables.c: the committed table must be
// exactly what the generator makes of the committed map. The decoder that reads it is
// judged against the real kernel by real-kernel-sweep.test.ts.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { kernelDecode } from "../../engine/uprobes/x86/insn.js";
import { PROJECT_ROOT } from "../../lab/paths.js";

interface Generator {
  generate(text: string): string;
  MAP_FILE: string;
  OUT_FILE: string;
}

const gen = (await import(pathToFileURL(path.join(PROJECT_ROOT, "scripts/gen-inat-tables.mjs")).href)) as Generator;
const mapText = fs.readFileSync(gen.MAP_FILE, "utf8");

const hex = (s: string): Uint8Array => Uint8Array.from(s.split(" ").map((b) => parseInt(b, 16)));
const era618 = { rex2: true, rexHidesVex: true, evex: true };

describe("inat-tables.ts against its generator", () => {
  test("the committed table is what scripts/gen-inat-tables.mjs makes of the committed map", () => {
    assert.equal(fs.readFileSync(gen.OUT_FILE, "utf8"), gen.generate(mapText));
  });
  test("the generator is deterministic and sees an edit of the map", () => {
    assert.equal(gen.generate(mapText), gen.generate(mapText));
    const edited = mapText.replace("0c: vpermilps Vx,Hx,Wx (66),(v)", "0c: vpermilps Vx,Hx,Wx (66)");
    assert.notEqual(edited, mapText);
    assert.notEqual(gen.generate(edited), gen.generate(mapText));
  });
  test("a malformed map is a one-line error with its line", () => {
    assert.throws(() => gen.generate("Table: t\nReferrer:\nAVXcode: 9\n10: vfoo Vx,Wx Zz | vbar\nEndTable\n"), /^Error: x86-opcode-map\.txt:4: Zz is not a separator$/);
  });
});

describe("decoding from the map (insn_get_opcode / insn_get_modrm / insn_get_immediate)", () => {
  test("lengths come from the map's operands: ModRM, SIB, displacement, Ib, the is4 register byte (Lx)", () => {
    const len = (s: string): number | undefined => kernelDecode(hex(s), 64, era618)?.length;
    assert.equal(len("c5 f8 77 00 00"), 3); // vzeroupper: no operands
    assert.equal(len("c5 f9 70 c1 05 00"), 5); // vpshufd: ModRM + Ib
    assert.equal(len("c4 e3 79 4a c1 20 00"), 6); // vblendvps: the register in imm[7:4] is an Lx byte
    assert.equal(len("62 f1 7c 48 10 44 24 01 00"), 8); // vmovups zmm, [rsp+disp8]: SIB + disp8
    assert.equal(len("c5 f8 10 05 00 10 00 00 00"), 8); // vmovups xmm0, [rip+disp32]
  });
  test("a form only the kernel's map lists decodes; one it lacks does not", () => {
    assert.ok(kernelDecode(hex("c5 f9 12 c1 00 00"), 64, era618)); // vmovlpd with a register: the map's (66) entry takes any ModRM
    assert.equal(kernelDecode(hex("c4 e3 79 48 c1 01 00"), 64, era618), undefined); // vpermil2ps: not in the map
    assert.equal(kernelDecode(hex("c5 f8 7a c0 00"), 64, era618), undefined); // VEX 0F 7A without 66/F2/F3: no entry
    assert.equal(kernelDecode(hex("c4 e2 79 1b c1 00"), 64, era618), undefined); // (ev) under a VEX prefix
  });
  test("XOP (6.18): the XOP maps decide; before 6.18, 8F is POP Ev's group", () => {
    assert.equal(kernelDecode(hex("8f e8 78 c0 c1 01 00"), 64, era618)?.length, 6); // vprotb xmm0, xmm1, 1
    assert.equal(kernelDecode(hex("8f e8 78 00 c1 01 00"), 64, era618), undefined); // XOP map 8h has no 00
    const old = kernelDecode(hex("8f e8 78 c0 c1 01 00"), 64, { rex2: true, rexHidesVex: false, evex: true });
    assert.deepEqual([old?.opcode, old?.length], [[0x8f], 2]); // POP group, ModRM e8 (a register)
  });
  test("before the AVX-512 decoder (4.10), 62 is BOUND with a ModRM, not an EVEX prefix", () => {
    const k = kernelDecode(hex("62 f1 7c 48 10 c1"), 64, { rex2: false, rexHidesVex: false, evex: false });
    assert.deepEqual([k?.opcode, k?.length, k?.vex.length], [[0x62], 2, 0]);
  });
});
