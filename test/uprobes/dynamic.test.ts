// The seed program as a user first builds it, with a plain `gcc -O0 push.c`
// (PIE, dynamically linked against glibc), gets the same probe results as the
// committed musl build; and probes on a shared library's functions key on
// the library file, as the kernel's (inode, offset) does.

import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { BufferIo } from "../../engine/os/host-io.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import type { RunSpec } from "../../lab/run-spec.js";
import { Session } from "../../lab/session.js";
import { buildWith } from "../helpers.js";
import { firstNumber, runProbes } from "./run.js";

const seedDynamic = (): string => buildWith("gcc", path.join(PROJECT_ROOT, "samples", "push.c"), ["-O0"], "push-gcc-O0");

function runBinary(binary: string, program: string, opts: Partial<RunSpec> = {}) {
  const io = new BufferIo();
  const session = new Session({ binary, program, io, ...opts });
  const r = session.run();
  return { stdout: io.text(1), stderr: io.text(2), status: r.status, report: r.report, probes: session.stats().probes, maps: session.mapsText() };
}

describe("the seed program built with plain gcc -O0 (dynamic glibc) vs its musl build", () => {
  const programs = ["probe test:0 < count++ >", "probe test:0 < count++ > retprobe test < r++ >"];
  // 4.16: the seed's kernel (push emulated, int3 return trampoline); 6.18: nop-free push, uretprobe syscall
  for (const kernel of ["4.16", "6.18"]) {
    for (const emulation of [true, false]) {
      for (const program of programs) {
        test(`${program}, kernel ${kernel}, emulation ${emulation ? "on" : "off"}`, () => {
          const musl = runProbes("push-O0", program, { kernel, emulation, cost: "seed-2017-x86_64" });
          const glibc = runBinary(seedDynamic(), program, { kernel, emulation, cost: "seed-2017-x86_64" });
          assert.equal(glibc.status, 0, glibc.report);
          assert.equal(glibc.maps, musl.maps, "the maps printed at exit");
          const strip = (ps: typeof glibc.probes) => ps.map((p) => ({ probe: p.probe, hits: p.hits, path: p.path, traps: p.traps, virtual_ns: p.virtual_ns }));
          assert.deepEqual(strip(glibc.probes), strip(Object.values(musl.probes)), "hits, path, traps by kind, virtual time of every probe");
          // the program's own figure (microseconds for 1,000,000 calls) agrees to 2%: only start-up and libc differ
          const a = firstNumber(glibc.stdout), b = firstNumber(musl.stdout);
          assert.ok(Math.abs(a - b) / b < 0.02, `${a} us (glibc) vs ${b} us (musl)`);
        });
      }
    }
  }
});

describe("probes on shared libraries", () => {
  test("probe libc.so.6:puts / uprobe:libc:puts fire once per call; func names the library function", () => {
    const src = `#include <stdio.h>\nint main(void){for(int i=0;i<5;i++)puts("x");return 0;}\n`;
    const bin = buildWith("gcc", src, ["-O2", "-fno-builtin"], "puts5");
    const o = runBinary(bin, "probe libc.so.6:puts < n++; @f[func] = count() > uprobe:libc:puts < m++ > retprobe libc:puts < r = sum(retval) >");
    assert.equal(o.status, 0, o.report);
    assert.equal(o.stdout, "x\n".repeat(5));
    assert.match(o.maps, /^n: 5$/m);
    assert.match(o.maps, /^m: 5$/m);
    assert.match(o.maps, /^r: 10$/m, "puts returns a nonnegative number: glibc returns the bytes written, 2 each");
    assert.match(o.maps, /^@f\[puts\]: 5$/m);
    const p = o.probes.find((q) => q.probe === "probe libc.so.6:puts")!;
    assert.equal(p.path, "emulated", "puts starts with push (emulated since 4.16)");
    assert.match(p.file ?? "", /\/libc\.so\.6$/, "a library probe names its file; its address is the library's own");
    assert.equal(Number(p.address), Number(p.address) & 0xffffff, "a link-time address, not where ld.so mapped it");
  });

  test("an unknown library or symbol is a DSL error naming the probeable files", () => {
    const bin = buildWith("gcc", `int main(void){return 0;}\n`, ["-O2"], "empty-dyn");
    assert.throws(() => runBinary(bin, "probe libfoo.so:bar < n++ >"), /unknown binary 'libfoo.so'.*libc\.so\.6/s);
    assert.throws(() => runBinary(bin, "probe libc:no_such_function_here < n++ >"), /unknown symbol 'no_such_function_here' in .*libc\.so\.6/);
  });
});

describe("uretprobes and C++ exceptions", () => {
  // Checked on a real 6.18.44 kernel (tracefs r: probe on middle): the program aborts, status 134.
  // The hijacked return address points into the XOL page, where the unwinder finds no FDE.
  const src = `#include <cstdio>
#include <stdexcept>
__attribute__((noinline)) void thrower(int i) { if (i % 2) throw std::runtime_error("odd"); }
__attribute__((noinline)) int middle(int i) { thrower(i); return i; }
int main() { int c = 0; for (int i = 0; i < 4; i++) { try { c += middle(i); } catch (const std::exception& e) { c += 100; } } printf("c=%d\\n", c); return 0; }
`;
  test("an exception unwinding through a uretprobed frame ends in std::terminate, as on Linux", () => {
    const bin = buildWith("g++", src, ["-O0"], "exc-through-uretprobe");
    const entry = runBinary(bin, "probe middle < n++ >");
    assert.equal(entry.status, 0);
    assert.equal(entry.stdout, "c=202\n");
    const ret = runBinary(bin, "retprobe middle < n++ >");
    assert.equal(ret.status, 134, "SIGABRT from std::terminate");
    assert.match(ret.stderr, /terminate called after throwing an instance of 'std::runtime_error'/);
    assert.equal(ret.maps.trim(), "n: 1", "middle(0) returned; middle(1) threw through the trampoline");
  });
});

describe("IFUNC symbols", () => {
  // Checked on a real 6.18.44 kernel (tracefs p: probe at libc.so.6's strlen, /tmp/hello_dyn built
  // from this source): 2 hits per run, lazy or LD_BIND_NOW, the resolver's two calls (libc's own
  // IRELATIVE relocation, the executable's strlen binding); none from the calls to strlen.
  const src = `#include <stdio.h>\n#include <string.h>\nint main(int argc,char**argv){for(int i=0;i<5;i++)printf("%zu\\n",strlen(argv[0]));return 0;}\n`;
  test("a probe on libc's strlen fires in its resolver: twice, whatever the program does with strlen, and the compiler says so", () => {
    const bin = buildWith("gcc", src, ["-O0", "-fno-builtin"], "ifunc-strlen");
    for (const env of [[], ["LD_BIND_NOW=1"]]) {
      const io = new BufferIo();
      const s = new Session({ binary: bin, program: "probe libc:strlen < n++ >", io, env });
      assert.equal(s.run().status, 0);
      assert.equal(io.text(1).split("\n").length, 6, "five lines printed");
      assert.equal(s.mapsText().trim(), "n: 2", `env ${env.join(" ")}`);
      assert.equal(s.program.warnings.length, 1);
      assert.match(s.program.warnings[0]!, /^-e:1:7: warning: strlen in \S*libc\.so\.6 is an IFUNC: this probe is on its resolver/);
    }
  });
});

describe("addresses in a PIE", () => {
  test("an address as objdump prints it (0x1168) and the run-time one (0x555555555168) name the same instruction", () => {
    const bin = path.join(PROJECT_ROOT, "samples", "bin", "hello-gcc-O0");
    const main = new Session({ binary: bin, program: "probe main < x++ >", io: new BufferIo() }).stats().probes[0]!;
    const runtime = BigInt(main.address);
    const link = runtime - 0x555555554000n;
    const o = runBinary(bin, `probe 0x${link.toString(16)} < a++ > probe 0x${runtime.toString(16)} < b++ > probe 0x${(link + 1n).toString(16)} < c++ >`);
    assert.equal(o.status, 0);
    assert.equal(o.maps.trim(), "a: 1\nb: 1\nc: 1", "main's first two instructions (push %rbp is one byte)");
    assert.deepEqual(o.probes.map((p) => [p.symbol, p.offset]), [["main", 0], ["main", 0], ["main", 1]]);
    assert.throws(() => runBinary(bin, `probe 0x${(link + 2n).toString(16)} < d++ >`), /offset 2 is not an instruction boundary of main/);
  });
});
