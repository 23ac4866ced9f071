// Compiler and runtime tests: what compiled handlers compute, per construct.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileProgram, type CompiledProgram } from "../../dsl/index.js";
import { FakeCtx, FakeTarget, TEST_ADDR } from "./helpers.js";

const T = new FakeTarget();

function compile(src: string, opts: { json?: boolean; unsafe?: boolean } = {}): CompiledProgram {
  return compileProgram(src, "s.probe", T, opts);
}

/** Run BEGIN, then each probe once (in order) on ctx, then END; return printf output. */
function run(src: string, ctx = new FakeCtx(), opts: { json?: boolean } = {}): { p: CompiledProgram; out: string } {
  const p = compile(src, opts);
  p.runBegin(ctx);
  for (const pr of p.probes) pr.handler(ctx);
  p.runEnd(ctx);
  return { p, out: p.output };
}

/** Evaluate integer expressions in BEGIN and print them with %ld (a bare %d reads 32 bits, as libc's does in bpftrace 0.17). */
function evalInts(...exprs: string[]): string[] {
  const src = `BEGIN < ${exprs.map((e) => `printf("%ld\\n", ${e})`).join("; ")} >`;
  return run(src).out.trimEnd().split("\n");
}

describe("integers", () => {
  it("64-bit wraparound", () => {
    assert.deepEqual(evalInts("9223372036854775807 + 1", "-9223372036854775807 - 2", "4611686018427387904 * 4", "0xffffffffffffffff", "-(-9223372036854775807 - 1)"), [
      "-9223372036854775808",
      "9223372036854775807",
      "0",
      "-1",
      "-9223372036854775808",
    ]);
  });
  it("C division and remainder: truncation toward zero; by zero: x/0 = 0, x%0 = x", () => {
    assert.deepEqual(evalInts("7 / 2", "-7 / 2", "7 / -2", "-7 % 2", "7 % -2", "5 / 0", "5 % 0", "(-9223372036854775807 - 1) / -1"), [
      "3", "-3", "-3", "-1", "1", "0", "5", "-9223372036854775808",
    ]);
  });
  it("shifts: arithmetic right shift, count masked to 0..63", () => {
    assert.deepEqual(evalInts("1 << 63", "-8 >> 1", "1 << 64", "1 << 65", "-1 >> 63", "3 << 62"), [
      "-9223372036854775808", "-4", "1", "2", "-1", "-4611686018427387904",
    ]);
  });
  it("bitwise, comparison, logical, unary, ternary", () => {
    assert.deepEqual(evalInts("6 & 3", "6 | 3", "6 ^ 3", "~0", "!0", "!5", "-(3)", "+4", "2 < 3", "3 <= 3", "4 > 5", "5 >= 6", "1 == 1", "1 != 1"), [
      "2", "7", "5", "-1", "1", "0", "-3", "4", "1", "1", "0", "0", "1", "0",
    ]);
    assert.deepEqual(evalInts("2 && 3", "0 && 3", "0 || 0", "0 || 7", "1 ? 10 : 20", "0 ? 10 : 20", "-1 < 0"), ["1", "0", "0", "1", "10", "20", "1"]);
  });
  it("&& and || short-circuit", () => {
    const { out } = run('BEGIN < x = 0 && (1 / 0); y = 1 || u8(0); printf("%d %d\\n", x, y) >');
    assert.equal(out, "0 1\n");
  });
  it("literals: hex, octal, binary, underscores", () => {
    assert.deepEqual(evalInts("0x1F", "017", "0b101", "1_000_000"), ["31", "15", "5", "1000000"]);
  });
});

describe("strings", () => {
  it("comparison and ternary on strings", () => {
    const ctx = new FakeCtx();
    const { out } = run('probe test < printf("%d %d %s\\n", comm == "t2", comm != "t2", arg0 % 2 == 0 ? "even" : "odd") >', ctx);
    assert.equal(out, "1 0 even\n");
  });
  it("string globals and maps", () => {
    const { p } = run('probe test < who = comm; names[tid] = comm >');
    assert.equal(p.printText(), "\n\nnames[4242]: t2\nwho: t2\n");
  });
});

describe("variables", () => {
  it("globals start at 0 and are created on first use", () => {
    const { p, out } = run('BEGIN < printf("%d\\n", n); n += 5; n++; n-- ; ++n; n *= 3 >');
    assert.equal(out, "0\n");
    assert.equal(p.printText(), "\n\nn: 18\n");
  });
  it("maps with tuple keys", () => {
    const { p } = run('BEGIN < m[1, "a"] = 3; m[2, "b"] = 1; m[1, "a"] += 1; x = m[1, "a"] + m[9, "z"] >');
    assert.equal(p.printText(), "\n\nm[2, b]: 1\nm[1, a]: 4\nx: 4\n");
  });
  it("bpftrace @maps print with their @", () => {
    const { p } = run("BEGIN < @x = 1; @m[5] = 2; y = 3 >");
    assert.equal(p.printText(), "\n\n@m[5]: 2\n@x: 1\ny: 3\n");
  });
  it("per-thread self.x: keyed by tid, 0 when unset, freed by assigning 0", () => {
    const p = compile("probe test < printf(\"%d \", self.depth); self.depth = self.depth + 1 >\nretprobe test < self.depth = 0; printf(\"r \") >");
    const a = new FakeCtx();
    const b = new FakeCtx();
    b.tid = 7;
    p.probes[0]!.handler(a);
    p.probes[0]!.handler(a);
    p.probes[0]!.handler(b);
    assert.equal(p.runtime.S[0]!.size, 2);
    p.probes[1]!.handler(a);
    assert.equal(p.runtime.S[0]!.size, 1);
    p.probes[0]!.handler(a);
    assert.equal(p.output, "0 1 0 r 0 ");
    assert.equal(p.printText(), "\n\n", "per-thread variables are not printed at exit");
  });
  it("scratch $x: local to one hit", () => {
    const p = compile('probe test < $x = $x_init; $x += 1; printf("%d\\n", $x) >\nBEGIN < >'.replace("$x_init", "1"));
    const ctx = new FakeCtx();
    p.probes[0]!.handler(ctx);
    p.probes[0]!.handler(ctx);
    assert.equal(p.output, "2\n2\n");
  });
});

describe("builtins", () => {
  it("arguments follow the SysV ABI, retval is rax", () => {
    const ctx = new FakeCtx();
    [7, 6, 2, 1, 8, 9].forEach((r, i) => (ctx.regs[r] = BigInt(10 + i)));
    ctx.regs[0] = 0xffffffffffffffffn;
    const p = compile('probe test < printf("%ld %ld %ld %ld %ld %ld\\n", arg0, arg1, arg2, arg3, arg4, arg5) >\nretprobe test < printf("%ld %lu\\n", retval, retval) >');
    p.probes[0]!.handler(ctx);
    p.probes[1]!.handler(ctx);
    assert.equal(p.output, "10 11 12 13 14 15\n-1 18446744073709551615\n");
  });
  it("context builtins", () => {
    const ctx = new FakeCtx();
    ctx.now = 123456789n;
    ctx.regs[4] = 0x7ffe0000n;
    ctx.regs[3] = 77n;
    ctx.hitCount = 5n;
    ctx.trapCount = 9n;
    const { out } = run(
      'probe test < printf("%ld %d %d %s %lx %lx %ld %lx %s|%s %d %d %d\\n", nsecs, pid, tid, comm, ip, sp, reg("rbx"), reg("ip"), func, probe, hits, traps, cpu) >',
      ctx,
    );
    assert.equal(out, `123456789 4242 4242 t2 ${TEST_ADDR.toString(16)} 7ffe0000 77 ${TEST_ADDR.toString(16)} test|probe test 5 9 0\n`);
  });
  it("func in a retprobe is the probed function; probe is the display name", () => {
    const { out } = run('retprobe test < printf("%s %s\\n", func, probe) >\nuretprobe:/work/t:main { printf("%s %s\\n", func, probe); }');
    assert.equal(out, "test retprobe test\nmain uretprobe:/work/t:main\n");
  });
  it("elapsed counts from BEGIN", () => {
    const ctx = new FakeCtx();
    const p = compile('BEGIN < >\nprobe test < printf("%d\\n", elapsed) >');
    ctx.now = 100n;
    p.runBegin(ctx);
    ctx.now = 350n;
    p.probes[0]!.handler(ctx);
    assert.equal(p.output, "250\n");
  });
  it("memory reads and usym", () => {
    const ctx = new FakeCtx();
    ctx.poke(0x1000n, [0xff, 0xfe, 0x01, 0x02, 0x03, 0x04, 0x05, 0x86]);
    ctx.poke(0x2000n, "hello, world\0");
    ctx.pokeU64(0x3000n, TEST_ADDR + 4n);
    ctx.regs[7] = 0x2000n;
    const { out } = run(
      'probe test < printf("%d %d %d %lx %s|%s|%s %s %s\\n", u8(0x1000), u16(0x1000), u32(0x1000), u64(0x1000), str(arg0), str(arg0, 6), usym(u64(0x3000)), usym(0x555555555130), usym(0x10)) >',
      ctx,
    );
    // str(p, 6) keeps 6 characters, as bpftrace 0.17 does (test/dsl/runtime/cases/str-n.txt, recorded live)
    assert.equal(out, "255 65279 33685247 860504030201feff hello, world|hello,|test+4 main 0x10\n");
  });
  it("unreadable memory reads 0 and warns once per call site", () => {
    const ctx = new FakeCtx();
    const p = compile('probe test < x = u64(0xdead) + 1; s = str(0xbeef) >');
    p.probes[0]!.handler(ctx);
    p.probes[0]!.handler(ctx);
    assert.equal(p.printText(), "\n\ns: \nx: 1\n");
    assert.deepEqual(p.warnings, [
      "s.probe:1:18: warning: failed to read 8 bytes of user memory at 0xdead (reported once for this call)",
      "s.probe:1:39: warning: failed to read a string of user memory at 0xbeef (reported once for this call)",
    ]);
  });
});

describe("statements", () => {
  it("if / else if / else", () => {
    const p = compile('probe test < if (arg0 < 10) < printf("small ") > else if (arg0 < 100) < printf("medium ") > else < printf("large ") > >');
    const ctx = new FakeCtx();
    for (const v of [5n, 50n, 500n]) {
      ctx.arg0 = v;
      p.probes[0]!.handler(ctx);
    }
    assert.equal(p.output, "small medium large ");
  });
  it("filters run at hit time and are exported", () => {
    const p = compile("probe test / arg0 > 2 && arg0 != 4 / < n++ >");
    const ctx = new FakeCtx();
    for (let i = 0n; i < 6n; i++) {
      ctx.arg0 = i;
      p.probes[0]!.handler(ctx);
    }
    assert.equal(p.printText(), "\n\nn: 2\n");
    ctx.arg0 = 3n;
    assert.equal(p.probes[0]!.filter!(ctx), true);
    ctx.arg0 = 4n;
    assert.equal(p.probes[0]!.filter!(ctx), false);
  });
  it("return ends the handler", () => {
    assert.equal(run('BEGIN < printf("a"); return; printf("b") >').out, "a");
  });
  it("print of a value and of a map", () => {
    const { out } = run('BEGIN < print(1 + 2); print(comm); m[1] = 5; m[2] = 3; print(m); c = count(); print(c); print(m, 1); print(m, 0, 2) >');
    assert.equal(out, "3\nt2\nm[2]: 3\nm[1]: 5\nc: 1\nm[1]: 5\nm[2]: 1\nm[1]: 2\n");
  });
  it("clear, zero, delete", () => {
    const { p } = run("BEGIN < a[1] = 1; a[2] = 2; delete(a[1]); b[1] = 5; b[2] = 6; zero(b); c[1] = 1; clear(c); d[1, 2] = 3; d[3, 4] = 4; delete(d, 1, 2); h = hist(5); zero(h) >");
    assert.equal(p.printText(), "\n\na[2]: 2\nb[1]: 0\nb[2]: 0\n\nd[3, 4]: 4\nh: \n\n");
  });
  it("exit() asks the engine to stop; the status stays 0 (bpftrace 0.17)", () => {
    const ctx = new FakeCtx();
    const { p } = run("probe test < exit() >", ctx);
    assert.equal(p.exitRequested, true);
    assert.equal(p.exitCode, 0);
    assert.deepEqual(ctx.exitCalls, [0]);
  });
  it("JSON mode: printf and print as NDJSON", () => {
    const { out } = run('BEGIN < printf("a \\"b\\"\\n\\t%d\\n", 1); print(5); print("x"); m[1] = 2; print(m) >', new FakeCtx(), { json: true });
    assert.equal(
      out,
      '{"type": "printf", "data": "a \\"b\\"\\n\\t1\\n"}\n{"type": "value", "data": 5}\n{"type": "value", "data": "x"}\n{"type": "map", "data": {"m": {"1": 2}}}\n',
    );
  });
  it("config print_maps_on_exit = false", () => {
    const { p } = run("config = { print_maps_on_exit = false }\nBEGIN < x = 1 >");
    assert.equal(p.printText(), "");
    assert.deepEqual(p.printJson(), []);
  });
});

describe("aggregations", () => {
  it("on globals and on map elements", () => {
    const p = compile(
      "probe test < c = count(); s = sum(arg0); a = avg(arg0); mn = min(arg0); mx = max(arg0); st = stats(arg0); k[(int64)arg0 % 2] = sum(arg0); ka[(int64)arg0 % 2] = avg(arg0); kmin[(int64)arg0 % 2] = min(arg0); kst[(int64)arg0 % 2] = stats(arg0) >",
    );
    const ctx = new FakeCtx();
    for (const v of [5n, -3n, 10n, 7n]) {
      ctx.arg0 = v;
      p.probes[0]!.handler(ctx);
    }
    assert.equal(
      p.printText(),
      // keys: 5 % 2 = 1, -3 % 2 = -1 (C remainder of an int64: arg0 itself is uint64, as in bpftrace, so its sum prints unsigned), 10 % 2 = 0, 7 % 2 = 1
      "\n\na: 4\n\nc: 4\nk[0]: 10\nk[1]: 12\nk[-1]: 18446744073709551613\nka[-1]: -3\nka[1]: 6\nka[0]: 10\n\nkmin[-1]: -3\nkmin[1]: 5\nkmin[0]: 10\nkst[-1]: count 1, average -3, total -3\nkst[1]: count 2, average 6, total 12\nkst[0]: count 1, average 10, total 10\n\nmn: -3\nmx: 10\ns: 19\nst: count 4, average 4, total 19\n\n",
    );
  });
  it("aggregations can be read as integers", () => {
    const { out } = run('BEGIN < c = count(); c = count(); s = sum(5); a = avg(7); a = avg(8); printf("%d %d %d\\n", c, s, a) >');
    assert.equal(out, "2 5 7\n");
  });
  it("avg truncates toward zero", () => {
    const { p } = run("BEGIN < a = avg(-3); a = avg(-4) >");
    assert.equal(p.printText(), "\n\na: -3\n\n");
  });
  it("keyed hist elements sort by total count, ties by key", () => {
    const p = compile("probe test < h[arg0 % 3] = hist(arg0) >");
    const ctx = new FakeCtx();
    for (let i = 0n; i < 7n; i++) {
      ctx.arg0 = i;
      p.probes[0]!.handler(ctx);
    }
    const text = p.printText();
    assert.ok(text.indexOf("h[1]: \n") < text.indexOf("h[2]: \n"));
    assert.ok(text.indexOf("h[2]: \n") < text.indexOf("h[0]: \n"));
  });
  it("identical runs print identical bytes", () => {
    const once = (): string => {
      const p = compile('probe test < m[arg0 % 5] = count(); s[comm, arg0 % 3] = sum(arg0); h = hist(arg0); l = lhist(arg0, 0, 50, 7) >');
      const ctx = new FakeCtx();
      for (let i = 0n; i < 100n; i++) {
        ctx.arg0 = (i * 37n) % 61n;
        p.probes[0]!.handler(ctx);
      }
      return p.printText() + p.printJson().join("\n");
    };
    assert.equal(once(), once());
  });
});

describe("unsafe offsets", () => {
  it("--unsafe lets mid-instruction and past-the-end offsets through, marked unsafe", () => {
    const p = compile("probe test:2 < x++ >\nprobe test:100 < y++ >\nprobe test:1 < z++ >", { unsafe: true });
    assert.deepEqual(
      p.probes.map((x) => [x.target.name, x.target.offset, x.target.unsafe, x.target.addr - TEST_ADDR]),
      [
        ["probe test:2", 2, true, 2n],
        ["probe test:100", 100, true, 100n],
        ["probe test:1", 1, false, 1n],
      ],
    );
  });
  it("resolved targets", () => {
    const p = compile("probe test < >\nprobe test+4 < >\nretprobe test:0 < >\nprobe 0x55555555512e < >\nprobe ./libfoo.so:foo+1 < >\nprobe libfoo.so:foo < >");
    assert.deepEqual(
      p.probes.map((x) => [x.target.kind, x.target.file, x.target.symbol, x.target.offset, x.target.fileOffset]),
      [
        ["uprobe", "/work/t", "test", 0, 0x1129],
        ["uprobe", "/work/t", "test", 4, 0x112d],
        ["uretprobe", "/work/t", "test", 0, 0x1129],
        ["uprobe", "/work/t", "test", 5, 0x112e],
        ["uprobe", "/work/libfoo.so", "foo", 1, 1],
        ["uprobe", "/work/libfoo.so", "foo", 0, 0],
      ],
    );
  });
});
