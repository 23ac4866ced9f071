// The .eh_frame parser and the CFA interpreter against binutils' readelf
// --debug-dump=frames-interp, which prints every FDE's pc range and its
// unwind table (one row per location: the CFA rule and each register's
// rule). Every FDE of the test program, glibc's libc.so.6 and ld.so, and a
// musl static binary must give readelf's ranges and rows exactly. Lookups
// through .eh_frame_hdr must find what a scan of the section finds.

import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, test } from "node:test";
import { EhFrame, ehFrameOf, loadBinary, rowsOf, type CfiRow, type RegRule } from "../../engine/index.js";
import { CfiError } from "../../engine/cfi/dwarf-read.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { buildWith } from "../helpers.js";

const SRC = path.join(PROJECT_ROOT, "test", "engine", "cfi", "chain.c");

/** readelf's x86-64 register names by DWARF number (binutils dwarf.c dwarf_regnames_x86_64). */
const REG = ["rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip"];

interface ReadelfFde {
  offset: number;
  begin: number;
  end: number;
  /** Column names as readelf heads them (`ra` for the return-address column). */
  columns: string[];
  rows: { loc: number; cols: string[] }[];
}

function readelfFdes(file: string): ReadelfFde[] {
  // readelf exits 1 on libc.so.6 over its debuglink, after printing the frames: its output is what counts
  const r = spawnSync("readelf", ["--debug-dump=frames-interp", file], { encoding: "utf8", maxBuffer: 256 << 20 });
  assert.ok(r.stdout?.includes("Contents of the .eh_frame section"), `readelf --debug-dump=frames-interp ${file}: ${r.stderr ?? String(r.error)}`);
  const text = r.stdout;
  const out: ReadelfFde[] = [];
  let cur: ReadelfFde | undefined;
  let inEhFrame = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("Contents of the ")) inEhFrame = line.startsWith("Contents of the .eh_frame section");
    if (!inEhFrame) continue;
    const f = /^([0-9a-f]+) [0-9a-f]+ [0-9a-f]+ FDE cie=[0-9a-f]+ pc=([0-9a-f]+)\.\.([0-9a-f]+)/.exec(line);
    if (f) {
      cur = { offset: parseInt(f[1]!, 16), begin: parseInt(f[2]!, 16), end: parseInt(f[3]!, 16), columns: [], rows: [] };
      out.push(cur);
      continue;
    }
    if (/ CIE | ZERO terminator/.test(line) || line.startsWith("Contents")) cur = undefined;
    if (!cur) continue;
    // a register rule prints as `r9 (r9)`: one column
    const words = line.trim().split(/\s+/).reduce<string[]>((w, t) => (t.startsWith("(") && w.length ? [...w.slice(0, -1), `${w[w.length - 1]} ${t}`] : [...w, t]), []);
    if (words[0] === "LOC") cur.columns = words.slice(1);
    else if (/^[0-9a-f]{16}$/.test(words[0]!)) cur.rows.push({ loc: parseInt(words[0]!, 16), cols: words.slice(1) });
  }
  return out;
}

function ruleText(r: RegRule | undefined): string {
  if (r === undefined) return "u";
  switch (r.kind) {
    case "undefined": return "u";
    case "same": return "s";
    case "offset": return `c${r.n >= 0 ? "+" : ""}${r.n}`;
    case "valOffset": return `v${r.n >= 0 ? "+" : ""}${r.n}`;
    case "register": return `r${r.reg} (${REG[r.reg]})`;
    case "expression": return "exp";
    case "valExpression": return "vexp";
  }
}

/** A row as readelf prints it, in its columns. */
function rowText(row: CfiRow, columns: string[], raColumn: number): string[] {
  const cfa = row.cfa.kind === "expression" ? "exp" : `${REG[row.cfa.reg]}${row.cfa.offset >= 0 ? "+" : ""}${row.cfa.offset}`;
  return [cfa, ...columns.slice(1).map((c) => ruleText(row.regs.get(c === "ra" ? raColumn : REG.indexOf(c))))];
}

function checkFile(file: string): number {
  const elf = loadBinary(file).elf;
  const eh = ehFrameOf(elf);
  assert.ok(eh, `${file} has .eh_frame`);
  const want = readelfFdes(file);
  const ours = eh.all();
  // readelf lists every FDE in section order; ours are sorted by pc, empty ranges left out
  const nonEmpty = want.filter((f) => f.end > f.begin).sort((a, b) => a.begin - b.begin || a.offset - b.offset);
  assert.deepEqual(ours.map((f) => [f.offset, f.pcBegin, f.pcEnd]), nonEmpty.map((f) => [f.offset, f.begin, f.end]), `${file}: FDE list`);
  // a section without .eh_frame_hdr: the same FDEs found by scanning
  const scan = new EhFrame({ ...eh.s, hdr: undefined, hdrAddr: undefined });
  let rows = 0;
  for (const w of nonEmpty) {
    const fde = ours.find((f) => f.offset === w.offset)!;
    for (const pc of [w.begin, w.end - 1]) {
      assert.equal(eh.find(pc)?.offset, w.offset, `${file}: .eh_frame_hdr lookup of 0x${pc.toString(16)}`);
      assert.equal(scan.find(pc)?.offset, w.offset, `${file}: scanned lookup of 0x${pc.toString(16)}`);
    }
    if (w.rows.length === 0) continue;
    const got = rowsOf(fde).map((r) => ({ loc: r.loc, cols: rowText(r, w.columns, fde.cie.raColumn) }));
    assert.deepEqual(got, w.rows, `${file}: FDE at 0x${w.offset.toString(16)} (pc 0x${w.begin.toString(16)})`);
    rows += got.length;
  }
  return rows;
}

describe("the CFA interpreter against readelf --debug-dump=frames-interp", () => {
  test("the test program (gcc -O2 -fomit-frame-pointer) and a musl static build", () => {
    assert.ok(checkFile(buildWith("gcc", SRC, ["-O2", "-fomit-frame-pointer"], "cfi-chain")) > 10);
    assert.ok(checkFile(buildWith("musl-gcc", SRC, ["-static", "-O2", "-fomit-frame-pointer"], "cfi-chain-musl")) > 10);
  });
  test("glibc's libc.so.6 and ld.so: thousands of FDEs, the PLT's expression CFA and the signal trampoline's register expressions", () => {
    const libc = execFileSync("gcc", ["-print-file-name=libc.so.6"], { encoding: "utf8" }).trim();
    assert.ok(checkFile(libc) > 10_000);
    assert.ok(checkFile("/lib64/ld-linux-x86-64.so.2") > 100);
  });
});

describe("untrusted CFI: a mutated .eh_frame never throws anything but CfiError", () => {
  test("40 mutants of libc's .eh_frame and .eh_frame_hdr (3,000 random bytes each), each looked up and interpreted at 50 pcs", () => {
    const libc = execFileSync("gcc", ["-print-file-name=libc.so.6"], { encoding: "utf8" }).trim();
    const eh = ehFrameOf(loadBinary(libc).elf)!;
    const pcs = eh.all().filter((_, i) => i % 70 === 0).map((f) => f.pcBegin + 1);
    let seed = 12;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    let stopped = 0;
    for (let round = 0; round < 40; round++) {
      const frame = eh.s.ehFrame.slice();
      const hdr = eh.s.hdr!.slice();
      for (let k = 0; k < 3000; k++) {
        if (rand(4) === 0) hdr[rand(hdr.length)] = rand(256);
        else frame[rand(frame.length)] = rand(256);
      }
      const m = new EhFrame({ ...eh.s, ehFrame: frame, hdr });
      for (const pc of pcs) {
        try {
          const f = m.find(pc);
          if (f) rowsOf(f);
        } catch (e) {
          assert.ok(e instanceof CfiError, `round ${round}, pc 0x${pc.toString(16)}: ${String(e)}`);
          stopped++;
        }
      }
    }
    assert.ok(stopped > 0, "some mutations were caught as bad CFI");
  });
});
