// DSL benchmark (a plain script, not a test): prints
//   - compile time of a 100-line program (parse + passes + code generation),
//   - host time per hit of a compiled `count++` handler (and a few others),
//   - import time of dsl/index.js in a fresh node process.
// Targets (issue 4): < 20 ms, < 100 ns, and CLI start to first guest
// instruction < 300 ms (the import is part of that budget).
//
//   node dist/bench/dsl.bench.js
//
// bench/run.ts (`npm run bench`) imports the measurements below; the
// printing part runs only when this file is the entry point.

import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compileProgram } from "../dsl/index.js";
import type { HitContext, SymbolInfo, TargetInfo } from "../dsl/host.js";

const FUNCS = 25;

const target: TargetInfo = {
  mainFile: "/bench/t",
  files: () => ["/bench/t"],
  lookupSymbol(name) {
    const m = /^f(\d+)$/.exec(name);
    if (m === null && name !== "test") return undefined;
    const i = m === null ? 99 : Number(m[1]);
    return { name, addr: 0x401000n + BigInt(i * 64), size: 32, fileOffset: 0x1000 + i * 64, file: "/bench/t" };
  },
  symbolNames: () => [...Array.from({ length: FUNCS }, (_, i) => `f${i}`), "test"],
  symbolAt: () => undefined,
  instructionOffsets: (_sym: SymbolInfo) => [0, 1, 4, 8, 12, 16, 20, 24, 28],
  disassembleAt: () => "nop",
  fileOffsetOf: (a) => Number(a - 0x400000n),
};

export function program100(): string {
  const lines: string[] = [];
  for (let i = 0; i < FUNCS; i++) {
    lines.push(`probe f${i}:${i % 2 === 0 ? 0 : 4} / arg0 > ${i} && (arg1 & 0xff) != 3 / <`);
    lines.push(`  m${i}[arg0 % 3, comm] = count(); self.t${i} = nsecs; x${i} = x${i} + 1 * (arg2 - 2) << 3`);
    lines.push(`  if (arg0 > 10) < printf("%d %s %5x\\n", arg0, comm, arg1) > else < h${i} = hist(arg0 - 5) >`);
    lines.push(`>`);
  }
  return lines.join("\n");
}

const ctx: HitContext = {
  pid: 1,
  tid: 1,
  comm: "t",
  nsecs: () => 123456n,
  gpr: (i) => BigInt(i),
  ip: () => 0x401000n,
  readU8: () => 0,
  readU16: () => 0,
  readU32: () => 0,
  readU64: () => 0n,
  readString: () => "",
  hits: () => 1n,
  traps: () => 1n,
  funcAddr: 0x401000n,
  requestExit: () => {},
};

export function timeCompile(src: string, reps: number): number {
  for (let i = 0; i < 20; i++) compileProgram(src, "bench.probe", target, { sink: { write() {} } });
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) compileProgram(src, "bench.probe", target, { sink: { write() {} } });
  return (performance.now() - t0) / reps;
}

/**
 * A hit inside a 5-deep call chain, for ustack: rbp points at a chain of
 * {next frame, return address} pairs at 0x7fff0000, 0x7fff0100, ... that ends
 * in an unreadable frame, as at the bottom of a real stack.
 */
const FRAMES = 5;
const stackCtx: HitContext = {
  ...ctx,
  gpr: (i) => (i === 5 ? 0x7fff0000n : i === 4 ? 0x7ffeff00n : BigInt(i)),
  readU64: (a) => {
    const off = a - 0x7fff0000n;
    if (off < 0n || off >= BigInt(FRAMES * 0x100)) return a === 0x7ffeff00n ? 0x401020n : undefined;
    return off % 0x100n === 0n ? a + 0x100n : 0x401000n + off / 0x100n * 64n + 8n; // next frame, or a return address in f0..f4
  },
};

export function timeHandler(body: string, hits: number, on: HitContext = ctx): number {
  const p = compileProgram(`probe test < ${body} >`, "bench.probe", target, { sink: { write() {} } });
  const h = p.probes[0]!.handler;
  for (let i = 0; i < 100_000; i++) h(on);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < hits; i++) h(on);
  return Number(process.hrtime.bigint() - t0) / hits;
}

/** Host time of a hit that keys a map by its user stack (a 5-frame walk, symbolized). */
export function timeUstackHit(hits: number): number {
  return timeHandler("m[ustack] = count()", hits, stackCtx);
}

export interface ImportTimes {
  importMs: number;
  firstParseMs: number;
  cold100Ms: number;
  processMs: number;
  /** node itself: process start to the first line of a script. */
  nodeMs: number;
}

const med = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Import time of dsl/index.js (of the compiled tree `dist`) and first parses, in fresh node processes (medians of `runs`). */
export function importTimes(runs = 5, dist = join(dirname(fileURLToPath(import.meta.url)), "..")): ImportTimes {
  const src = program100();
  const indexUrl = pathToFileURL(join(dist, "dsl", "index.js")).href;
  // parseText is dsl/parse.js's (index.js does not export it); importing index.js has loaded it already
  const parseUrl = pathToFileURL(join(dist, "dsl", "parse.js")).href;
  const script = `const t0 = performance.now(); await import(${JSON.stringify(indexUrl)}); const t1 = performance.now(); const m = await import(${JSON.stringify(parseUrl)});
m.parseText("probe test:0 < count++ >"); const t2 = performance.now();
m.parseText(process.argv[1]); const t3 = performance.now();
console.log(JSON.stringify({ importMs: t1 - t0, firstParseMs: t2 - t1, cold100Ms: t3 - t2, processMs: t2 }));`;
  const rs: Array<Omit<ImportTimes, "nodeMs">> = [];
  for (let i = 0; i < runs; i++) rs.push(JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script, src], { encoding: "utf8" })));
  const base: number[] = [];
  for (let i = 0; i < runs; i++) base.push(Number(execFileSync(process.execPath, ["-e", "console.log(performance.now())"], { encoding: "utf8" })));
  return {
    importMs: med(rs.map((r) => r.importMs)),
    firstParseMs: med(rs.map((r) => r.firstParseMs)),
    cold100Ms: med(rs.map((r) => r.cold100Ms)),
    processMs: med(rs.map((r) => r.processMs)),
    nodeMs: med(base),
  };
}

function main(): void {
  const src = program100();
  console.log(`compile 100-line program (${src.length} chars): ${timeCompile(src, 50).toFixed(2)} ms (target < 20 ms)`);
  const N = 5_000_000;
  console.log(`count++ handler: ${timeHandler("count++", N).toFixed(1)} ns/hit (target < 100 ns)`);
  console.log(`c = count() handler: ${timeHandler("c = count()", N).toFixed(1)} ns/hit`);
  console.log(`m[tid] = count() handler: ${timeHandler("m[tid] = count()", N).toFixed(1)} ns/hit`);
  console.log(`h = hist(arg0) handler: ${timeHandler("h = hist(arg0)", N).toFixed(1)} ns/hit`);
  console.log(`self.t = nsecs handler: ${timeHandler("self.t = nsecs", N).toFixed(1)} ns/hit`);
  console.log(`m[ustack] = count() handler, 5-frame stack: ${timeUstackHit(N / 10).toFixed(1)} ns/hit`);
  const t = importTimes(5);
  console.log(`import dsl/index.js: ${t.importMs.toFixed(1)} ms (median of 5 fresh processes)`);
  console.log(`first parse after import: ${t.firstParseMs.toFixed(1)} ms`);
  console.log(`then parsing the 100-line program (cold JIT): ${t.cold100Ms.toFixed(1)} ms`);
  console.log(`process start to end of the first (one-line) parse: ${t.processMs.toFixed(1)} ms`);
  console.log(`(node itself, for comparison: ${t.nodeMs.toFixed(1)} ms from process start to the first line of a script)`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
