// The fuzz runner: `node dist/test/fuzz/run.js --category NAME [--runs N] [--seed S]`
// runs one category's seeded fast-check property in this process and prints
// a JSON summary (inputs run, how they ended, guest instructions, host time,
// failures with a file to rerun). test/fuzz/fuzz.test.ts runs it in a child
// process to measure its peak memory; run it by hand for a larger run, or
// set UPROBE_LAB_FUZZ=full for the test's larger counts.
//
// The property, for every input: no internal error, and host time within
// HOST_MS_FIXED + HOST_MS_PER_MINSN per million guest instructions +
// HOST_MS_PER_MB_HANDLER per million bytes of probe handler run (each hit
// runs the whole program: hits x its length).

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { CATEGORIES, SYSCALL_NUMBERS, syscallCategory, type Category, type Ending } from "./categories.js";

/**
 * Host time bound of one input: generous, so it is no timed flake on a loaded machine (the emulator
 * runs 10-40 M instructions/s, a dynamic binary's start-up took 1.7 s at load 12; this is 5 s +
 * 0.02 M/s), yet far below what issue 15's costs were (13 s to 201 s for a few syscalls).
 */
const HOST_MS_FIXED = 5000;
const HOST_MS_PER_MINSN = 50_000;
/** A handler byte is cheap (4-10 ns measured: 13,000 statements x 10,000 hits took 4.5 s); 500 ns is the bound. */
const HOST_MS_PER_MB_HANDLER = 500;

export interface Summary {
  category: string;
  seed: number;
  /** Inputs run (shrinking included, when there was a failure). */
  inputs: number;
  endings: Record<Ending, number>;
  instructions: number;
  hostMs: number;
  /** The slowest input against its bound: ms, its instructions, and ms / bound. */
  slowest: { ms: number; instructions: number; ofBound: number };
  failures: { error: string; rerun: string; seed: number; path: string }[];
}

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

const failureDir = path.join(os.tmpdir(), "uprobe-lab-fuzz-failures");

async function check<T>(cat: Category<T>, seed: number, numRuns: number, s: Summary): Promise<void> {
  const property = fc.asyncProperty(cat.arbitrary, async (input) => {
    const t0 = performance.now();
    const o = await cat.run(input);
    const ms = performance.now() - t0;
    s.inputs++;
    s.endings[o.ending]++;
    s.instructions += o.instructions;
    s.hostMs += ms;
    const bound = HOST_MS_FIXED + (HOST_MS_PER_MINSN * o.instructions + HOST_MS_PER_MB_HANDLER * o.handlerBytes) / 1e6;
    if (ms / bound > s.slowest.ofBound) s.slowest = { ms: Math.round(ms), instructions: o.instructions, ofBound: Math.round((1000 * ms) / bound) / 1000 };
    if (ms > bound) throw new Error(`host time ${Math.round(ms)} ms for ${o.instructions} guest instructions and ${o.handlerBytes} handler bytes (bound ${Math.round(bound)} ms)`);
  });
  const r = await fc.check(property, { seed, numRuns });
  if (!r.failed) return;
  fs.mkdirSync(failureDir, { recursive: true });
  const file = path.join(failureDir, `${s.category}-${seed}-${s.failures.length}`);
  const err = r.errorInstance instanceof Error ? `${r.errorInstance.message}\n${r.errorInstance.stack}` : String(r.errorInstance ?? "interrupted");
  s.failures.push({ error: err.slice(0, 4000), rerun: r.counterexample ? cat.save(r.counterexample[0], file) : "", seed: r.seed, path: r.counterexamplePath ?? "" });
}

/** Run one category: numRuns inputs (for syscalls, numRuns per syscall number). */
async function fuzzCategory(category: string, numRuns: number, seed: number): Promise<Summary> {
  const s: Summary = {
    category,
    seed,
    inputs: 0,
    endings: { exit: 0, signal: 0, limit: 0, refused: 0 },
    instructions: 0,
    hostMs: 0,
    slowest: { ms: 0, instructions: 0, ofBound: 0 },
    failures: [],
  };
  if (category === "syscalls") {
    for (const [i, nr] of SYSCALL_NUMBERS.entries()) await check(syscallCategory(nr), seed + i, numRuns, s);
  } else {
    const cat = CATEGORIES[category];
    if (!cat) throw new Error(`unknown category ${category} (${[...Object.keys(CATEGORIES), "syscalls"].join(", ")})`);
    await check(cat, seed, numRuns, s);
  }
  s.hostMs = Math.round(s.hostMs);
  return s;
}

const argv = process.argv.slice(2);
const category = option(argv, "--category");
if (category) {
  const summary = await fuzzCategory(category, Number(option(argv, "--runs") ?? 100), Number(option(argv, "--seed") ?? 15));
  process.stdout.write(JSON.stringify(summary) + "\n");
  process.exitCode = summary.failures.length ? 1 : 0;
}
