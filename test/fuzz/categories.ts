// The fuzz categories of issue 15: what each generates, how one input runs,
// and what a failing input is saved as. Every input runs in this process
// through the path the command line takes (openBinary, Machine, run; or
// runSpec for a probe program); a UserError or a located DslError is a clean
// refusal, anything else thrown is an internal error (status 70 from the
// command line).

import * as fs from "node:fs";
import fc from "fast-check";
import { DslError } from "../../dsl/index.js";
import { Machine, openBinary, UserError } from "../../engine/index.js";
import { samplePath } from "../../lab/paths.js";
import { runSpec } from "../../lab/probe-run.js";
import { programArb } from "./dsl-programs.js";
import { applyMutations, mutationsArb, type Mutation } from "./elf-mutants.js";
import { BASE, DATA, DATA_END, DATA_STRINGS, EXIT_GROUP, movabs, syscallCode, tinyElf, type SyscallArg } from "./tiny-elf.js";

/** The guest's limits in every fuzzed run: --max-mem 16M, and few enough instructions that a case takes milliseconds. */
const FUZZ_MAX_MEM = 16 << 20;

/** How one input ended: a guest exit, a signal, a limit (status 124), or a clean refusal (a one-line error, status 2). */
export type Ending = "exit" | "signal" | "limit" | "refused";

interface Outcome {
  ending: Ending;
  instructions: number;
  /**
   * Probe handler work, for the host-time bound: each hit runs the whole program once, so
   * hits x the program's bytes (at most 64 KiB, the DSL's limit). 0 without probes.
   */
  handlerBytes: number;
}

export interface Category<T> {
  name: string;
  /** What the README calls it. */
  title: string;
  arbitrary: fc.Arbitrary<T>;
  run(input: T): Promise<Outcome>;
  /** A failing input as a file to rerun by hand (`uprobe-lab exec FILE`, `run FILE.probe -- push-O0`). */
  save(input: T, file: string): string;
}

/** Run an ELF image as `uprobe-lab exec` would. */
function runImage(name: string, bytes: Uint8Array, maxInsns: number): Outcome {
  try {
    const m = new Machine(openBinary(name, bytes), { maxInsns, maxMemory: FUZZ_MAX_MEM });
    const r = m.run();
    JSON.stringify(m.stats()); // what --stats prints
    return { ending: r.exit.code !== undefined ? "exit" : r.exit.signal !== undefined ? "signal" : "limit", instructions: r.instructions, handlerBytes: 0 };
  } catch (e) {
    if (e instanceof UserError) return { ending: "refused", instructions: 0, handlerBytes: 0 };
    throw e;
  }
}

function saveBytes(bytes: Uint8Array, file: string): string {
  fs.writeFileSync(file, bytes, { mode: 0o755 });
  return `uprobe-lab exec --max-mem 16M ${file}`;
}

function elfCategory(name: string, title: string, sample: string, maxInsns: number): Category<Mutation[]> {
  const original = Uint8Array.from(fs.readFileSync(samplePath(sample)));
  return {
    name,
    title,
    arbitrary: mutationsArb(),
    run: async (ms) => runImage(sample, applyMutations(original, ms), maxInsns),
    save: (ms, file) => saveBytes(applyMutations(original, ms), file),
  };
}

const M64 = (1n << 64n) - 1n;

/** Syscall arguments: boundaries, huge and negative counts, pointers into the data area and its strings, the top of user space. */
const argArb: fc.Arbitrary<bigint> = fc.oneof(
  fc.constantFrom(0n, 1n, 2n, 3n, 8n, 64n, 4095n, 4096n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 1n << 46n, 1n << 47n, 0x7ffffffff000n, 1n << 63n, M64, M64 - 4095n),
  fc.constantFrom(BASE, DATA, DATA + 8, DATA_END - 8, DATA_END - 1, DATA_END, ...DATA_STRINGS).map(BigInt),
  fc.integer({ min: -200, max: 200 }).map((n) => BigInt.asUintN(64, BigInt(n))),
  fc.bigInt({ min: 0n, max: M64 }),
);

/** One call: a number (the one under test, or any) and six arguments, each sometimes the previous call's result. */
const callArb = (nr: fc.Arbitrary<bigint>) =>
  fc.tuple(nr, fc.array(fc.oneof({ weight: 6, arbitrary: argArb }, { weight: 1, arbitrary: fc.constant("prev" as const) }), { minLength: 6, maxLength: 6 }));

export interface SyscallInput {
  calls: [bigint, SyscallArg[]][];
}

function syscallImage(input: SyscallInput): Uint8Array {
  return tinyElf(Uint8Array.from([...input.calls.flatMap(([nr, args]) => syscallCode(nr, args)), ...EXIT_GROUP]));
}

/** Every syscall number: 0..471 (past the last x86-64 one), the x32 bit, and numbers far out. */
export const SYSCALL_NUMBERS: bigint[] = [
  ...Array.from({ length: 472 }, (_, i) => BigInt(i)),
  512n, 547n, 1000n, 0x40000000n, 0x40000001n, 0x7fffffffn, 0xffffffffn, 1n << 32n, M64,
];

/**
 * The syscall category for one number: the call under test with hostile arguments, between 0 and 3
 * other calls (any number: mmap then munmap, say), then exit_group.
 */
export function syscallCategory(nr: bigint): Category<SyscallInput> {
  const anyNr = fc.oneof(fc.constantFrom(...SYSCALL_NUMBERS.slice(0, 472)), fc.constant(nr));
  return {
    name: "syscalls",
    title: "system calls (every number, hostile arguments)",
    arbitrary: fc
      .tuple(callArb(fc.constant(nr)), fc.array(callArb(anyNr), { maxLength: 3 }), fc.nat({ max: 3 }))
      .map(([first, rest, pos]) => ({ calls: [...rest.slice(0, pos), first, ...rest.slice(pos)] })),
    run: async (input) => runImage("syscall-guest", syscallImage(input), 100_000),
    save: (input, file) => saveBytes(syscallImage(input), file),
  };
}

interface CodeInput {
  regs: bigint[];
  code: number[];
}

/** Opcode bytes random bytes rarely make: prefixes, escapes, syscall, int, VEX/EVEX. */
const BIASED = [0x0f, 0x66, 0xf2, 0xf3, 0x48, 0x4c, 0x41, 0xc4, 0xc5, 0x62, 0xcd, 0x80, 0x05, 0x38, 0x3a, 0xd8, 0xdf, 0xf0, 0x26, 0x64, 0x65, 0x9b];

function codeImage(input: CodeInput): Uint8Array {
  const setup = input.regs.flatMap((v, r) => (r === 4 ? [] : movabs(r, v))); // every register but rsp
  return tinyElf(Uint8Array.from([...setup, ...input.code]));
}

const codeCategory: Category<CodeInput> = {
  name: "code",
  title: "random bytes as code",
  arbitrary: fc.record({
    regs: fc.array(argArb, { minLength: 16, maxLength: 16 }),
    code: fc.array(fc.oneof({ weight: 3, arbitrary: fc.nat({ max: 255 }) }, { weight: 1, arbitrary: fc.constantFrom(...BIASED) }), { minLength: 1, maxLength: 512 }),
  }),
  run: async (input) => runImage("code-guest", codeImage(input), 100_000),
  save: (input, file) => saveBytes(codeImage(input), file),
};

const dslCategory: Category<string> = {
  name: "dsl",
  title: "probe programs (mutants, deep and long)",
  arbitrary: programArb(),
  run: async (program) => {
    try {
      const r = await runSpec({ binary: "push-O0", program, maxInsns: 100_000, maxMemory: FUZZ_MAX_MEM });
      const hits = r.probes.reduce((n, p) => n + p.hits, 0);
      return { ending: r.signal ? "signal" : r.status === 124 ? "limit" : "exit", instructions: r.instructions, handlerBytes: hits * program.length };
    } catch (e) {
      const cause = (e as Error).cause;
      if ((e as { kind?: string }).kind !== "internal" && (cause instanceof DslError || cause instanceof UserError)) return { ending: "refused", instructions: 0, handlerBytes: 0 };
      throw cause ?? e;
    }
  },
  save: (program, file) => {
    fs.writeFileSync(file + ".probe", program);
    return `uprobe-lab run --max-mem 16M --max-insns 100000 ${file}.probe -- samples/bin/push-O0`;
  },
};

/** The categories by name (the syscall one is per number: syscallCategory). */
export const CATEGORIES: Record<string, Category<never>> = {
  "elf-static": elfCategory("elf-static", "ELF mutants of a static binary (hello-O0)", "hello-O0", 1_000_000) as Category<never>,
  "elf-dynamic": elfCategory("elf-dynamic", "ELF mutants of a dynamic binary (hello-gcc-O0, with ld.so and libc)", "hello-gcc-O0", 1_000_000) as Category<never>,
  code: codeCategory as Category<never>,
  dsl: dslCategory as Category<never>,
};
