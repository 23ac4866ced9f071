// Building and running 32-bit (i386) guests for the tests: gcc -m32 (gcc-multilib) builds,
// qemu-i386 (qemu-user) as the reference. This machine's kernel runs them natively too (IA32
// emulation on: test/i386/ustack.test.ts runs them under gdb); qemu-user stays the reference here.

import { spawnSync } from "node:child_process";
import * as os from "node:os";
import { buildWith, runEmulated, type RunOutcome } from "../helpers.js";

export { runEmulated };

export function requireI386Tools(): void {
  const q = spawnSync("qemu-i386", ["-version"], { encoding: "utf8" });
  if (q.status !== 0) throw new Error("qemu-i386 is not installed (apt-get install qemu-user)");
  const g = spawnSync("gcc", ["-m32", "-print-file-name=libc.a"], { encoding: "utf8" });
  if (g.status !== 0 || !g.stdout.includes("/")) throw new Error("gcc -m32 cannot link (apt-get install gcc-multilib)");
}

let execsI386: boolean | undefined;

/**
 * Whether this kernel runs 32-bit programs itself (IA32 emulation): some VMs have no 32-bit entry, so
 * execve of an ELF32 gives ENOEXEC, and a program that execs another under qemu-i386 fails there.
 */
export function hostExecsI386(): boolean {
  if (execsI386 === undefined) {
    const r = spawnSync(buildI386("int main(void) { return 0; }\n", ["-static", "-O0"], "execs-i386"), [], { stdio: "ignore" });
    execsI386 = r.error === undefined && r.status === 0;
  }
  return execsI386;
}

/** gcc -m32 with these flags (cached by source and flags). */
export function buildI386(source: string, flags: string[], name = "prog"): string {
  return buildWith("gcc", source, ["-m32", ...flags], name);
}

/** The corpus programs that build with -m32: not the ones that need __int128 or a 64-bit long constant. */
export function i386Corpus(name: string): boolean {
  return name !== "int128" && name !== "overflow";
}

/** qemu-user reports a fatal signal on stderr itself ("qemu: uncaught target signal 11 ..."): not the guest's output. */
function withoutQemuNotes(stderr: string): string {
  return stderr.replace(/^qemu: uncaught target signal .*\n/gm, "");
}

/** Run under qemu-i386 with the host's root as the guest's (its /lib32 glibc), an exact environment and stdin. */
export function runQemuI386(bin: string, args: string[], stdin = "", env: Record<string, string> = {}): RunOutcome {
  const r = spawnSync("qemu-i386", ["-L", "/", bin, ...args], { input: stdin, env, encoding: "utf8", maxBuffer: 64 << 20 });
  const status = r.status ?? 128 + (os.constants.signals[r.signal as keyof typeof os.constants.signals] ?? 0);
  return { stdout: r.stdout, stderr: withoutQemuNotes(r.stderr), status };
}
