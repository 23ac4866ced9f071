// Differential test against native execution for what gcc and g++ build by
// default: PIE executables dynamically linked against the host's glibc (and
// libstdc++/libgcc_s for C++), run with ld.so and the libraries loaded from
// the library directories; and the whole corpus built with gcc -static.
// stdout, stderr and exit status must match the host CPU's byte for byte.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { BufferIo } from "../../engine/os/host-io.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { Session } from "../../lab/session.js";
import { buildWith, corpusCases, type CorpusCase, runCli, runEmulated, runNative } from "../helpers.js";

const cases = corpusCases();

function differential(bin: string, c: Pick<CorpusCase, "args" | "stdin" | "env">): void {
  const native = runNative(bin, c.args, c.stdin, c.env ?? {});
  const emu = runEmulated(bin, c.args, c.stdin, c.env ?? {});
  assert.equal(emu.stdout, native.stdout, "stdout");
  assert.equal(emu.stderr, native.stderr, "stderr");
  assert.equal(emu.status, native.status, "exit status");
}

for (const opt of ["-O0", "-O2"]) {
  describe(`corpus, gcc ${opt} (PIE, dynamically linked glibc): emulator vs native`, () => {
    for (const c of cases) test(c.id, () => differential(buildWith("gcc", path.join(PROJECT_ROOT, "test", "corpus", `${c.name}.c`), [opt], `${c.name}-dyn${opt}`), c));
  });
}

describe("corpus, gcc -static -O2 (glibc static): emulator vs native", () => {
  for (const c of cases) test(c.id, () => differential(buildWith("gcc", path.join(PROJECT_ROOT, "test", "corpus", `${c.name}.c`), ["-static", "-O2"], `${c.name}-glibc-static`), c));
});

const CPP = [
  { name: "exceptions", args: ["arg1"], stdin: "" },
  { name: "containers", args: [], stdin: "" },
];

describe("C++ corpus, g++ -O2 (libstdc++, exceptions unwound by libgcc_s): emulator vs native", () => {
  for (const c of CPP) test(c.name, () => differential(buildWith("g++", path.join(PROJECT_ROOT, "test", "corpus", "cpp", `${c.name}.cpp`), ["-O2"], `${c.name}-gxx`), c));
  for (const c of CPP) test(`${c.name}, g++ -O0 -static`, () => differential(buildWith("g++", path.join(PROJECT_ROOT, "test", "corpus", "cpp", `${c.name}.cpp`), ["-O0", "-static"], `${c.name}-gxx-static`), c));
});

describe("start-up of a dynamic guest", () => {
  test("--stats reports startup_to_main: ld.so and libc's init, before main's first instruction", () => {
    const bin = buildWith("gcc", `#include <stdio.h>\nint main(void){puts("hi");return 0;}\n`, ["-O0"], "startup-dyn");
    const r = runCli(["exec", "--stats", bin]);
    assert.equal(r.stdout, "hi\n");
    const stats = JSON.parse(r.stderr.trim().split("\n").at(-1)!) as { instructions: number; syscalls: Record<string, number>; startup_to_main: { host_ms: number; instructions: number; virtual_ns: number } };
    const s = stats.startup_to_main;
    assert.ok(s.instructions > 10_000 && s.instructions < stats.instructions, `${s.instructions} instructions before main of ${stats.instructions}`);
    assert.ok(s.host_ms > 0 && s.virtual_ns > 0);
    // ld.so opened and mapped libc as it does natively (openat of the library, mmap of its segments)
    assert.ok(stats.syscalls.openat! >= 1 && stats.syscalls.mmap! >= 4, JSON.stringify(stats.syscalls));
  });

  test("a library outside the library directories: invisible, as missing natively, until --lib-path opens its directory", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "uprobe-lab-libdir-"));
    fs.copyFileSync(buildWith("gcc", `int triple(int x){return 3*x;}\n`, ["-shared", "-fPIC", "-O2"], "libtriple"), path.join(dir, "libtriple.so"));
    const prog = path.join(dir, "prog");
    const src = path.join(dir, "prog.c");
    fs.writeFileSync(src, `#include <stdio.h>\nint triple(int);\nint main(void){int s=0;for(int i=0;i<4;i++)s+=triple(i);printf("%d\\n",s);return 0;}\n`);
    execFileSync("gcc", ["-O0", "-o", prog, src, `-L${dir}`, "-ltriple"]);
    // natively without LD_LIBRARY_PATH: ld.so's error, status 127; the emulated ld.so says the same
    const nativeMissing = runNative(prog, []);
    assert.equal(nativeMissing.status, 127);
    assert.deepEqual(runEmulated(prog, []).stderr, nativeMissing.stderr);
    // LD_LIBRARY_PATH alone does not open the directory to the guest
    const env = { LD_LIBRARY_PATH: dir };
    assert.equal(runEmulated(prog, [], "", env).status, 127);
    const native = runNative(prog, [], "", env);
    assert.equal(native.stdout, "18\n");
    const emu = runEmulated(prog, [], "", env, { libPath: [dir] });
    assert.equal(emu.stdout, native.stdout);
    assert.equal(emu.status, 0);
    // and its functions can be probed, keyed on the library file
    const io = new BufferIo();
    const s = new Session({ binary: prog, program: "uprobe:libtriple:triple < n++ > retprobe libtriple.so:triple < r = sum(retval) >", io, env: [`LD_LIBRARY_PATH=${dir}`], libPath: [dir] });
    assert.equal(s.run().status, 0);
    assert.equal(s.mapsText().trim(), "n: 4\nr: 18");
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("the committed gcc builds (samples/bin/*-gcc-O0)", () => {
  test("hello-gcc-O0 prints expected/hello.out, as natively", () => {
    const bin = path.join(PROJECT_ROOT, "samples", "bin", "hello-gcc-O0");
    const expected = fs.readFileSync(path.join(PROJECT_ROOT, "samples", "expected", "hello.out"), "utf8");
    const emu = runEmulated(bin, []);
    assert.equal(emu.stdout, expected);
    assert.equal(emu.status, 0);
    assert.equal(runNative(bin, []).stdout, expected);
  });
});

describe("the sandbox of a dynamically linked guest", () => {
  test("only ELF files of the library directories are visible: not /etc, not a library directory's other files, not .. out of it", () => {
    const src = `#include <stdio.h>
#include <fcntl.h>
#include <unistd.h>
int main(void){
  const char *p[] = {"/usr/lib/locale/locale-archive", "/etc/passwd", "/lib/x86_64-linux-gnu/libc.so.6", "/lib/../etc/passwd", "/usr/lib/os-release", "/proc/self/maps"};
  for (int i = 0; i < 6; i++) { int fd = open(p[i], O_RDONLY); char b[4] = {0}; int n = fd >= 0 ? (int)read(fd, b, 4) : -1; printf("%s %d %s\\n", p[i], fd >= 0, n == 4 && b[1] == 'E' ? "ELF" : "-"); if (fd >= 0) close(fd); }
  return 0;
}
`;
    const emu = runEmulated(buildWith("gcc", src, ["-O0"], "sandbox-dyn"), []);
    assert.equal(
      emu.stdout,
      ["/usr/lib/locale/locale-archive 0 -", "/etc/passwd 0 -", "/lib/x86_64-linux-gnu/libc.so.6 1 ELF", "/lib/../etc/passwd 0 -", "/usr/lib/os-release 0 -", "/proc/self/maps 0 -", ""].join("\n"),
    );
  });
});

describe("Debian's own coreutils (PIE, dynamically linked, stripped): emulator vs native", () => {
  const cases: [string, string[], string][] = [
    ["/usr/bin/sort", [], "pear\napple\nfig\napple\n"],
    ["/usr/bin/sha256sum", [], "uprobe-lab\n"],
    ["/usr/bin/seq", ["-w", "8", "3", "20"], ""],
    ["/usr/bin/factor", ["1234567890", "97", "600851475143"], ""],
    ["/usr/bin/printf", ["%05.2f|%x|%s\\n", "3.14159", "255", "done"], ""],
    ["/usr/bin/tr", ["a-z", "A-Z"], "Hello, World\n"],
    ["/usr/bin/wc", [], "one two\nthree\n"],
  ];
  for (const [bin, args, stdin] of cases) {
    test(`${path.basename(bin)} ${args.join(" ")}`, () => {
      const native = runNative(bin, args, stdin);
      const emu = runEmulated(bin, args, stdin);
      assert.equal(emu.stdout, native.stdout, "stdout");
      assert.equal(emu.stderr, native.stderr, "stderr");
      assert.equal(emu.status, native.status, "exit status");
    });
  }
});
