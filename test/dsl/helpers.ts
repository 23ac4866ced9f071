// Shared fixtures for the DSL tests: a fake TargetInfo modelled on the
// anchors' t/t2 test programs, a scriptable HitContext, and paths.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DslError } from "../../dsl/diagnostics.js";
import { compileProgram } from "../../dsl/index.js";
import type { HitContext, SymbolInfo, TargetInfo } from "../../dsl/host.js";
import { PROJECT_ROOT } from "../../lab/paths.js";

/** The repository root (lab/paths.ts finds it); funclatency.test.ts still calls it by this name. */

export function readExample(name: string): string {
  return readFileSync(join(PROJECT_ROOT, "dsl", "examples", name), "utf8");
}

/** The first compile error of a program as `line:col: message`, or "no error". */
export function firstError(src: string, target: TargetInfo): string {
  try {
    compileProgram(src, "s.bt", target, {});
  } catch (e) {
    const d = e as { line: number; col: number; message: string };
    return `${d.line}:${d.col}: ${d.message}`;
  }
  return "no error";
}

/** The first diagnostic of compiling src against a FakeTarget: the source text it underlines, and its message. */
export function firstDiagnostic(src: string): { text: string; message: string } {
  try {
    compileProgram(src, "f.bt", new FakeTarget(), {});
  } catch (e) {
    if (!(e instanceof DslError)) throw e;
    const d = e.diagnostics[0]!;
    return { text: src.slice(d.span.start, d.span.end), message: d.message };
  }
  assert.fail(`expected an error for ${src}`);
}

/** A file of test/dsl/fixtures. */
export function fixture(name: string): string {
  return readFileSync(join(PROJECT_ROOT, "test", "dsl", "fixtures", name), "utf8");
}

interface FakeSym {
  name: string;
  addr: bigint;
  size: number;
  /** Instruction lengths, in order, with their disassembly. */
  insns: Array<[number, string]>;
}

const BASE = 0x555555554000n;

/**
 * ./t: `test` is the anchors' -O0 function (push rbp; mov rbp, rsp; nop;
 * pop rbp; ret: offsets 0 1 4 5 6), plus main, a recursive `rec`, and a
 * second file libfoo.so with `foo`.
 */
export class FakeTarget implements TargetInfo {
  readonly mainFile = "/work/t";
  private readonly syms = new Map<string, FakeSym[]>();

  constructor() {
    this.syms.set(this.mainFile, [
      { name: "test", addr: BASE + 0x1129n, size: 7, insns: [[1, "push rbp"], [3, "mov rbp, rsp"], [1, "nop"], [1, "pop rbp"], [1, "ret"]] },
      { name: "main", addr: BASE + 0x1130n, size: 0x30, insns: [[1, "push rbp"], [3, "mov rbp, rsp"], [4, "sub rsp, 0x10"], [7, "mov dword ptr [rbp-4], 0"], [2, "jmp 0x1150"], [5, "call 0x1129"], [4, "add dword ptr [rbp-4], 1"], [7, "cmp dword ptr [rbp-4], 0xf423f"], [2, "jle 0x1145"], [5, "mov eax, 0"], [1, "leave"], [1, "ret"]] },
      { name: "rec", addr: BASE + 0x1160n, size: 16, insns: [[4, "endbr64"], [1, "push rbp"], [3, "mov rbp, rsp"], [7, "call 0x1160"], [1, "ret"]] },
      { name: "testing", addr: BASE + 0x1170n, size: 1, insns: [[1, "ret"]] },
    ]);
    this.syms.set("/work/libfoo.so", [{ name: "foo", addr: 0x7ffff7fc0000n, size: 2, insns: [[1, "nop"], [1, "ret"]] }]);
  }

  files(): string[] {
    return [...this.syms.keys()];
  }

  private info(file: string, s: FakeSym): SymbolInfo {
    const base = file === this.mainFile ? BASE : 0x7ffff7fc0000n;
    return { name: s.name, addr: s.addr, size: s.size, fileOffset: Number(s.addr - base), file };
  }

  lookupSymbol(name: string, file = this.mainFile): SymbolInfo | undefined {
    const s = this.syms.get(file)?.find((x) => x.name === name);
    return s === undefined ? undefined : this.info(file, s);
  }

  symbolNames(file = this.mainFile): string[] {
    return (this.syms.get(file) ?? []).map((s) => s.name);
  }

  symbolAt(addr: bigint, file?: string): SymbolInfo | undefined {
    for (const f of file === undefined ? this.files() : [file]) {
      for (const s of this.syms.get(f) ?? []) if (addr >= s.addr && addr < s.addr + BigInt(s.size)) return this.info(f, s);
    }
    return undefined;
  }

  instructionOffsets(sym: SymbolInfo): number[] {
    const s = this.syms.get(sym.file)?.find((x) => x.name === sym.name);
    if (s === undefined) return [];
    const out: number[] = [];
    let off = 0;
    for (const [len] of s.insns) {
      out.push(off);
      off += len;
    }
    return out;
  }

  disassembleAt(addr: bigint, file?: string): string | undefined {
    const sym = this.symbolAt(addr, file);
    if (sym === undefined) return undefined;
    const s = this.syms.get(sym.file)!.find((x) => x.name === sym.name)!;
    let off = 0n;
    for (const [len, text] of s.insns) {
      if (sym.addr + off === addr) return text;
      off += BigInt(len);
    }
    return undefined;
  }

  fileOffsetOf(addr: bigint, file = this.mainFile): number | undefined {
    const base = file === this.mainFile ? BASE : 0x7ffff7fc0000n;
    if (addr < base || addr >= base + 0x10000n) return undefined;
    return Number(addr - base);
  }
}

export const TEST_ADDR = BASE + 0x1129n;

/** A HitContext whose registers and counters tests set directly. */
export class FakeCtx implements HitContext {
  pid = 4242;
  tid = 4242;
  comm = "t2";
  now = 1000n;
  regs: bigint[] = new Array<bigint>(16).fill(0n);
  rip = TEST_ADDR;
  hitCount = 0n;
  trapCount = 0n;
  funcAddr = TEST_ADDR;
  memory = new Map<bigint, number>();
  exitCalls: number[] = [];

  nsecs(): bigint {
    return this.now;
  }
  gpr(i: number): bigint {
    return this.regs[i]!;
  }
  ip(): bigint {
    return this.rip;
  }
  private byte(a: bigint): number | undefined {
    return this.memory.get(a);
  }
  private readN(a: bigint, n: number): bigint | undefined {
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) {
      const b = this.byte(a + BigInt(i));
      if (b === undefined) return undefined;
      v = (v << 8n) | BigInt(b);
    }
    return v;
  }
  readU8(a: bigint): number | undefined {
    const v = this.readN(a, 1);
    return v === undefined ? undefined : Number(v);
  }
  readU16(a: bigint): number | undefined {
    const v = this.readN(a, 2);
    return v === undefined ? undefined : Number(v);
  }
  readU32(a: bigint): number | undefined {
    const v = this.readN(a, 4);
    return v === undefined ? undefined : Number(v);
  }
  readU64(a: bigint): bigint | undefined {
    return this.readN(a, 8);
  }
  readString(a: bigint, max: number): string | undefined {
    let s = "";
    for (let i = 0; i < max; i++) {
      const b = this.byte(a + BigInt(i));
      if (b === undefined) return i === 0 ? undefined : s;
      if (b === 0) return s;
      s += String.fromCharCode(b);
    }
    return s;
  }
  hits(): bigint {
    return this.hitCount;
  }
  traps(): bigint {
    return this.trapCount;
  }
  requestExit(code: number): void {
    this.exitCalls.push(code);
  }

  /** Store bytes (little-endian words or strings) in guest memory. */
  poke(addr: bigint, bytes: number[] | string): void {
    const arr = typeof bytes === "string" ? [...bytes].map((c) => c.charCodeAt(0)) : bytes;
    arr.forEach((b, i) => this.memory.set(addr + BigInt(i), b));
  }
  pokeU64(addr: bigint, v: bigint): void {
    const b: number[] = [];
    for (let i = 0; i < 8; i++) b.push(Number((v >> BigInt(8 * i)) & 0xffn));
    this.poke(addr, b);
  }

  set arg0(v: bigint) {
    this.regs[7] = BigInt.asUintN(64, v);
  }
  set rax(v: bigint) {
    this.regs[0] = BigInt.asUintN(64, v);
  }
}
