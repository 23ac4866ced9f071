// USDT probes (issue 12): the argument-spec parser, the note reader against
// `readelf -n` of the same files, the probe spellings and their located
// errors, and the semaphore across kernel generations (the guest's own
// output says whether the guarded probe site ran).
//
// The programs are test/dsl/runtime/usdt.c + usdt-sem.c, built by
// scripts/record-bpftrace-suite.mjs as bin/usdt (-O0, no PIE) and
// bin/usdt-O2 (-O2, PIE); the runtime suite compares them with live bpftrace.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";
import { compileProgram } from "../../dsl/index.js";
import { BufferIo, COST_PROFILES, loadBinary, Machine, openBinary, readUsdtNotes, resolveKernel, Uprobes, usdtArgReader, UsdtSpecError, type UsdtArg } from "../../engine/index.js";
import { parseUsdtArgs, extendUsdt } from "../../engine/usdt-args.js";
import { formatSweep, sweepRows, sweepSpecs } from "../../lab/history.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { runSpec, type ProbeRun } from "../../lab/probe-run.js";
import { ProcessTargetInfo } from "../../lab/process-targets.js";
import { listProbes } from "../../dsl/list-probes.js";
import type { UsdtSite } from "../../dsl/host.js";
import { FakeTarget, firstError } from "./helpers.js";

const bin = (name: string): string => path.join(PROJECT_ROOT, "test/dsl/runtime/bin", name);
const O0 = bin("usdt");
const O2 = bin("usdt-O2");

describe("usdt argument specs", () => {
  const one = (s: string): UsdtArg => parseUsdtArgs(s)[0]!;
  it("reads sizes, signs and the three operand kinds", () => {
    assert.deepEqual(one("-4@-20(%rbp)"), { text: "-4@-20(%rbp)", size: 4, signed: true, operand: { kind: "mem", disp: -20n, base: 5, scale: 1 } });
    assert.deepEqual(one("8@%rax"), { text: "8@%rax", size: 8, signed: false, operand: { kind: "reg", reg: 0, high8: false } });
    assert.deepEqual(one("-4@$5"), { text: "-4@$5", size: 4, signed: true, operand: { kind: "const", value: 5n } });
    assert.deepEqual(one("-8@8(%rsp,%rax,8)").operand, { kind: "mem", disp: 8n, base: 4, index: 0, scale: 8 });
    assert.deepEqual(one("8@(%r15,%rax,8)").operand, { kind: "mem", disp: 0n, base: 15, index: 0, scale: 8 });
    assert.deepEqual(one("4@counter+4(%rip)").operand, { kind: "mem", disp: 4n, base: -1, scale: 1, symbol: "counter" });
  });
  it("knows the sub-registers: %eax, %r14b, %r13d, %ah, %dx", () => {
    const regs = parseUsdtArgs("-4@%eax 1@%r14b -4@%r13d 1@%ah 2@%dx 1@%sil").map((a) => a.operand);
    assert.deepEqual(regs, [
      { kind: "reg", reg: 0, high8: false }, { kind: "reg", reg: 14, high8: false }, { kind: "reg", reg: 13, high8: false },
      { kind: "reg", reg: 0, high8: true }, { kind: "reg", reg: 2, high8: false }, { kind: "reg", reg: 6, high8: false },
    ]);
  });
  it("an empty spec is a probe without arguments", () => {
    assert.deepEqual(parseUsdtArgs(""), []);
  });
  it("refuses a bad spec with the column where it goes wrong", () => {
    const at = (s: string): [number, string] => {
      try {
        parseUsdtArgs(s);
      } catch (e) {
        assert.ok(e instanceof UsdtSpecError);
        return [e.column, e.message];
      }
      return [-1, "no error"];
    };
    assert.deepEqual(at("8@%rax 3@%rbx"), [7, "bad argument size '3' (1, 2, 4 or 8, negative when signed)"]);
    assert.deepEqual(at("8@%rax -4@%rxx"), [10, "unknown register '%rxx'"]);
    assert.deepEqual(at("8@(%rax,%rbx,3)"), [13, "scale must be 1, 2, 4 or 8, found '3'"]);
    assert.deepEqual(at("%rax"), [0, "argument '%rax' has no size (expected SIZE@OPERAND, e.g. -4@%eax)"]);
  });
  it("sign- or zero-extends by size, as bpftrace reads them", () => {
    const mem = new Map<bigint, number | bigint>([[0x7f00_0000_0000_0008n, 0xff85], [0x7f00_0000_0000_0020n, 0xffff_fff0], [0x7f00_0000_0000_0038n, 0xffff_ffff_ffff_fffen], [0x401011n, 0xfa]]);
    const num = (a: bigint): number | undefined => mem.get(a) as number | undefined;
    const regs = {
      gpr: (i: number) => (i === 0 ? 0x1234_5678_9abc_fffen : i === 2 ? 0x10n : 0x7f00_0000_0000_0010n),
      ip: () => 0x401000n,
      readU8: num, readU16: num, readU32: num,
      readU64: (a: bigint) => mem.get(a) as bigint | undefined,
    };
    const v = (s: string): bigint | undefined => usdtArgReader(one(s))(regs);
    assert.equal(v("-2@%ax"), -2n);
    assert.equal(v("2@%ax"), 0xfffen);
    assert.equal(v("-1@%ah"), -1n); // bits 8..15: 0xff, signed
    assert.equal(v("1@%ah"), 0xffn);
    assert.equal(v("-4@$-7"), -7n);
    assert.equal(v("4@$-7"), 0xffff_fff9n);
    assert.equal(v("-2@-8(%rcx)"), -123n); // 0xff85
    assert.equal(v("2@-8(%rcx)"), 0xff85n);
    assert.equal(v("-4@16(%rcx)"), -16n);
    assert.equal(v("4@16(%rcx)"), 0xffff_fff0n);
    assert.equal(v("-8@8(%rcx,%rdx,2)"), -2n); // 0x7f..10 + 8 + 0x10*2 = 0x7f..38
    assert.equal(v("8@8(%rcx,%rdx,2)"), 0xffff_ffff_ffff_fffen);
    assert.equal(v("1@16(%rip)"), 0xfan); // rip after the 1-byte nop: 0x401001 + 16
    assert.equal(v("8@(%rdx)"), undefined); // unreadable
    assert.equal(extendUsdt(0x1_0000_00fan, 1, false), 0xfan);
  });
});

describe("the .note.stapsdt reader against readelf -n", () => {
  /** readelf's view: provider, name, location, base, semaphore and arguments per note. */
  function readelf(file: string): string[] {
    const out = execFileSync("readelf", ["-n", file], { encoding: "utf8" });
    const notes: string[] = [];
    const re = /Provider: (\S+)\n\s+Name: (\S+)\n\s+Location: (0x[0-9a-f]+), Base: (0x[0-9a-f]+), Semaphore: (0x[0-9a-f]+)\n\s+Arguments: ?(.*)/g;
    for (const m of out.matchAll(re)) notes.push(`${m[1]}:${m[2]} pc=${BigInt(m[3]!)} base=${BigInt(m[4]!)} sem=${BigInt(m[5]!)} args=${m[6]!.trim()}`);
    return notes;
  }
  for (const file of [O0, O2]) {
    it(path.basename(file), () => {
      const ours = readUsdtNotes(loadBinary(file).elf).map((n) => `${n.provider}:${n.name} pc=${n.pc} base=${n.base} sem=${n.semaphore} args=${n.argText}`);
      assert.deepEqual(ours, readelf(file));
      assert.equal(ours.length, 7); // app:twice has two sites
    });
  }
  it("every argument spec gcc wrote parses", () => {
    for (const file of [O0, O2]) for (const n of readUsdtNotes(loadBinary(file).elf)) assert.ok(Array.isArray(n.args), `${n.provider}:${n.name} '${n.argText}'`);
  });
  it("the semaphore's file offset is where .probes is in the file", () => {
    const sem = readUsdtNotes(loadBinary(O0).elf).find((n) => n.name === "guarded")!;
    const sh = execFileSync("readelf", ["-S", "-W", O0], { encoding: "utf8" });
    const m = /\.probes\s+PROGBITS\s+([0-9a-f]+)\s+([0-9a-f]+)/.exec(sh)!;
    assert.equal(sem.semaphore, parseInt(m[1]!, 16));
    assert.equal(sem.semaphoreOffset, parseInt(m[2]!, 16));
  });
});

describe("usdt probe spellings and errors", () => {
  const T = ProcessTargetInfo.forExecutable(loadBinary(O0));
  const names = (src: string): string[] => compileProgram(src, "s.bt", T, {}).probes.map((p) => p.target.name);
  const error = (src: string): string => firstError(src, T);
  const file = T.mainFile;
  it("usdt:BIN:PROV:NAME, usdt:BIN:NAME, U: and wildcards, named in full as bpftrace does", () => {
    assert.deepEqual(names(`usdt:${file}:app:tick { n++ }`), [`usdt:${file}:app:tick`]);
    assert.deepEqual(names(`U:${file}:neg { n++ }`), [`usdt:${file}:lib:neg`]);
    assert.deepEqual(names(`usdt:${file}:app:* { n++ }`).sort(), ["done", "guarded", "name", "tick", "twice", "twice"].map((n) => `usdt:${file}:app:${n}`));
    assert.deepEqual(names(`usdt:${file}:*:n* { n++ }`).sort(), [`usdt:${file}:app:name`, `usdt:${file}:lib:neg`]);
  });
  it("unknown names, providers and binaries: located, with did you mean", () => {
    assert.match(error(`usdt:${file}:app:tik { n++ }`), new RegExp(`^1:${file.length + 11}: unknown usdt probe 'app:tik' \\(did you mean 'app:tick'\\?\\)`));
    assert.match(error(`usdt:${file}:ap:tick { n++ }`), /unknown usdt provider 'ap' \(did you mean 'app'\?\)/);
    assert.match(error(`usdt:${file}:gaurded { n++ }`), /unknown usdt probe 'gaurded' \(did you mean 'guarded'\?\)/);
    assert.match(error("usdt:./nosuch:app:tick { n++ }"), /^1:6: unknown binary '\.\/nosuch'/);
    assert.match(error(`usdt:${file}:app:tick:x { n++ }`), /malformed usdt probe/);
  });
  it("argN past the note's arguments is a located error naming the specs", () => {
    const src = `usdt:${file}:app:name { @ = arg2 }`;
    assert.equal(error(src), `1:${src.indexOf("arg2") + 1}: usdt probe app:name has 2 arguments (arg0 8@%rax, arg1 -4@$5): there is no arg2`);
    assert.match(error(`usdt:${file}:app:done { @ = arg0 }`), /usdt probe app:done has no arguments: there is no arg0/);
    assert.match(error(`usdt:${file}:app:tick { @ = retval }`), /retval/);
    // bpftrace 0.17: "x86_64 doesn't support arg6", for usdt probes too; one error, not two
    assert.match(error(`usdt:${file}:app:tick { @ = arg6 }`), /^1:\d+: unknown identifier 'arg6' \(did you mean/);
  });
  it("a binary without notes says so", () => {
    const t = ProcessTargetInfo.forExecutable(loadBinary(bin("bt")));
    assert.throws(() => compileProgram(`usdt:${t.mainFile}:app:tick { n++ }`, "s.bt", t, {}), /has no USDT probes \(no \.note\.stapsdt section/);
  });
  it("-l lists every probe of a file, wildcards in provider and name", () => {
    assert.deepEqual(listProbes(`usdt:${file}:*`, T), ["done", "guarded", "name", "tick", "twice"].map((n) => `usdt:${file}:app:${n}`).concat([`usdt:${file}:lib:neg`]));
    assert.deepEqual(listProbes(`usdt:${file}:lib:*`, T), [`usdt:${file}:lib:neg`]);
  });
});

describe("usdt semaphores per kernel generation", () => {
  const program = "usdt:./usdt:app:guarded { @[arg1] = count(); } usdt:./usdt:app:tick { @t = count(); }";
  const run = (kernel: string, extra: { semaphorePoke?: boolean; binary?: string } = {}): Promise<ProbeRun> =>
    runSpec({ binary: extra.binary ?? O0, program: program.replaceAll("./usdt", extra.binary ?? O0), kernel, ...(extra.semaphorePoke === undefined ? {} : { semaphorePoke: extra.semaphorePoke }) });
  const guarded = (r: ProbeRun) => r.probes.find((p) => p.probe.endsWith(":app:guarded"))!;

  it("6.18 (4.20+): the kernel raises the semaphore through ref_ctr_offset; the guest sees 1 and the site runs", async () => {
    const r = await run("6.18");
    assert.match(r.stdout, /guarded=10\n/);
    assert.equal(r.maps, "\n\n@[1]: 10\n@t: 10\n");
    assert.deepEqual(guarded(r).semaphore, { address: "0x404018", offset: "0x3018", raised_by: "kernel", value: 1 });
    assert.equal(guarded(r).hits, 10);
    assert.equal(r.probes.find((p) => p.probe.endsWith(":app:tick"))!.semaphore, undefined);
  });
  it("4.17 (before 4.20): the kernel ignores it, the tool pokes it as bpftrace and bcc do", async () => {
    const r = await run("4.17");
    assert.match(r.stdout, /guarded=10\n/);
    assert.deepEqual(guarded(r).semaphore, { address: "0x404018", offset: "0x3018", raised_by: "tool", value: 1 });
  });
  it("4.17 without the poke: the guarded probe stays dark, the others fire", async () => {
    const r = await run("4.17", { semaphorePoke: false });
    assert.match(r.stdout, /guarded=0\n/);
    assert.equal(r.maps, "\n\n\n@t: 10\n"); // the empty @ prints as a blank line, as in bpftrace
    assert.equal(guarded(r).hits, 0);
    assert.equal(guarded(r).semaphore!.raised_by, "nobody");
  });
  it("--no-sem-poke changes nothing from 4.20: the kernel counts", async () => {
    const r = await run("5.3", { semaphorePoke: false });
    assert.match(r.stdout, /guarded=10\n/);
    assert.equal(guarded(r).semaphore!.raised_by, "kernel");
  });
  it("a PIE (-O2): the semaphore is found at the load bias, the register arguments read", async () => {
    const r = await runSpec({ binary: O2, program: `usdt:${O2}:app:guarded { @[arg0, arg1] = count(); }`, kernel: "6.18" });
    assert.match(r.stdout, /guarded=10\n/);
    assert.match(r.maps, /@\[9, 1\]: 1\n$/);
    assert.equal(r.probes[0]!.semaphore!.raised_by, "kernel");
  });
  it("the history table shows who raised it, per generation", async () => {
    const runs = await Promise.all(sweepSpecs({ binary: O0, program: `usdt:${O0}:app:guarded { @ = count(); }` }, { kernels: ["4.17", "5.3"] }).map((s) => runSpec(s)));
    const table = formatSweep(runs);
    assert.match(table, /4\.17 +emulated 1 sem:tool=1/);
    assert.match(table, /5\.3 +emulated 1 sem:kernel=1/);
    assert.deepEqual(sweepRows(runs).map((r) => r.semaphore), ["tool=1", "kernel=1"]);
  });
  it("the usdt nop takes each generation's nop path: single-stepped out of line without emulation", async () => {
    const r = await runSpec({ binary: O0, program: `usdt:${O0}:app:tick { @ = count(); }`, kernel: "6.18", emulation: false });
    assert.equal(r.probes[0]!.path, "xol");
    assert.equal(r.probes[0]!.traps.single_step, 10);
  });
});

describe("a usdt probe in a shared library", () => {
  const dir = path.join(PROJECT_ROOT, "test/dsl/runtime/bin");
  const spec = (kernel: string) => ({
    binary: bin("usdt-lib"),
    program: `usdt:${bin("libusdtsem.so")}:lib:work { @[arg0, arg1] = sum(arg0 + 1); }`,
    kernel,
    env: [`LD_LIBRARY_PATH=${dir}`],
    libPath: [dir],
  });
  it("4.20+: ld.so maps the text before the data, so the increment waits for the data segment (delayed_ref_ctr_inc)", async () => {
    const r = await runSpec(spec("6.18"));
    assert.equal(r.stdout, "lib guarded=5\n");
    assert.match(r.maps, /@\[4, 1\]: 5\n$/);
    assert.deepEqual(r.probes[0]!.semaphore, { address: "0x4008", offset: "0x3008", raised_by: "kernel", value: 1, note: "1 increment delayed until the counter's VMA was mapped" });
  });
  it("before 4.20: the library is not mapped when the tool attaches, so nobody raises it", async () => {
    const r = await runSpec(spec("4.17"));
    assert.equal(r.stdout, "lib guarded=0\n");
    assert.equal(r.probes[0]!.hits, 0);
    assert.equal(r.probes[0]!.semaphore!.raised_by, "nobody");
  });
});

describe("the kernel's reference counter (engine/uprobes/ref-ctr.ts)", () => {
  const setup = (kernel: string) => {
    const b = loadBinary(O0);
    const up = new Uprobes({ gen: resolveKernel(kernel), emulation: true, cost: COST_PROFILES["kvm-6.18"]! });
    const m = new Machine(b, { io: new BufferIo(), hooks: up });
    const file = m.kernel.mappedFile(b.path, b.bytes);
    const note = readUsdtNotes(b.elf).find((n) => n.name === "guarded")!;
    const sem = (): number => { const v = m.readMemory(note.semaphore, 2)!; return v[0]! | (v[1]! << 8); };
    const off = b.fileOffsetOf(note.pc);
    return { up, m, file, note, sem, off };
  };
  it("4.20+: +1 when the int3 goes in, not again for a second consumer, -1 when the byte comes back", () => {
    const { up, file, note, sem, off, m } = setup("6.18");
    assert.equal(sem(), 0);
    const a = up.register(file, off, { name: "a", handler: () => {}, refCtrOffset: note.semaphoreOffset });
    assert.equal(sem(), 1);
    const b = up.register(file, off, { name: "b", handler: () => {}, refCtrOffset: note.semaphoreOffset });
    assert.equal(sem(), 1, "the int3 was already there: uprobe_write_opcode changes nothing");
    const c = up.register(file, off, { name: "c", handler: () => {}, refCtrOffset: note.semaphoreOffset + 2 });
    assert.equal(c.stats.path, "rejected");
    assert.equal(c.stats.error?.name, "EINVAL");
    up.unregister(a);
    assert.equal(sem(), 1);
    up.unregister(b);
    assert.equal(sem(), 0, "set_orig_insn lowers it");
    assert.equal(m.readMemory(note.pc, 1)![0], 0x90, "the nop is back");
  });
  it("before 4.20 the kernel takes no offset: the counter stays 0", () => {
    const { up, file, note, sem, off } = setup("4.17");
    const a = up.register(file, off, { name: "a", handler: () => {}, refCtrOffset: note.semaphoreOffset });
    assert.notEqual(a.stats.path, "rejected");
    assert.equal(sem(), 0);
  });
});

describe("hostile notes", () => {
  it("sizes that overrun the section end the list instead of reading past it", () => {
    const good = loadBinary(O0);
    const sec = good.elf.sections.find((s) => s.name === ".note.stapsdt")!;
    for (const [field, value] of [[0, 0xffffffff], [4, 0xffffffff], [4, 8], [0, 0xfffffffd]] as const) {
      const bytes = good.bytes.slice();
      new DataView(bytes.buffer).setUint32(sec.offset + field, value, true);
      const notes = readUsdtNotes(openBinary("mutant", bytes).elf);
      assert.ok(notes.length === 0, `field ${field} = ${value}: ${notes.length} notes`);
    }
  });
  it("a spec the parser refuses leaves the probe attachable, and argN says why", () => {
    const good = loadBinary(O0);
    const bytes = good.bytes.slice();
    const text = new TextDecoder("latin1").decode(bytes);
    const at = text.indexOf("-4@-16(%rbp)");
    bytes.set(new TextEncoder().encode("-4@-16(%rxx)"), at);
    const t = ProcessTargetInfo.forExecutable(openBinary(O0, bytes));
    assert.equal(compileProgram(`usdt:${O0}:app:tick { n++ }`, "s.bt", t, {}).probes.length, 1);
    assert.match(firstError(`usdt:${O0}:app:tick { @ = arg0 }`, t), /its argument specs '-4@-16\(%rxx\) .*' cannot be read \(column 8: unknown register '%rxx'\), so arg0 has no value/);
  });
});

describe("usdt:BIN:NAME with a name two providers share", () => {
  class TwoProviders extends FakeTarget {
    usdtProbes(file?: string): UsdtSite[] {
      if (file !== undefined && file !== this.mainFile) return [];
      const site = (provider: string, off: number): UsdtSite => ({ provider, name: "start", file: this.mainFile, addr: 0x555555555130n + BigInt(off), fileOffset: 0x1130 + off, argText: "", args: [] });
      return [site("db", 0), site("net", 4)];
    }
  }
  const T = new TwoProviders();
  it("is refused, naming the providers (live bpftrace 0.17: 'namespace for usdt:./amb:start not specified, matched 2 probes')", () => {
    assert.equal(firstError("usdt:./t:start { n++ }", T), "1:10: provider (namespace) for usdt:./t:start not specified, and 2 probes match, of providers db, net (write usdt:./t:db:start, or usdt:./t:*:start for all)");
  });
  it("with the provider, or a wildcard, it is fine", () => {
    assert.deepEqual(compileProgram("usdt:./t:net:start { n++ }", "s.bt", T, {}).probes.map((p) => p.target.name), ["usdt:./t:net:start"]);
    assert.deepEqual(compileProgram("usdt:./t:*:start { n++ }", "s.bt", T, {}).probes.map((p) => p.target.name), ["usdt:./t:db:start", "usdt:./t:net:start"]);
  });
});
