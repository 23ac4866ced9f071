// Fuzz: random token soup and mutations of real programs. The only failure
// allowed is a DslError with a location; a program that compiles must run
// its handlers without throwing.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DslError } from "../../dsl/diagnostics.js";
import { compileProgram } from "../../dsl/index.js";
import { FakeCtx, FakeTarget, readExample } from "./helpers.js";

const T = new FakeTarget();

/** mulberry32: small, seeded, reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VOCAB = [
  "probe", "retprobe", "uprobe:", "uretprobe:", "BEGIN", "END", "begin", "config", "test", "test:0", "test:1", "test:2", "test+4",
  "0x555555555129", "./t:test", "main", "if", "else", "return", "(", ")", "[", "]", "<", ">", "{", "}", ",", ";", "\n", "/", "=",
  "+=", "-=", "<<=", ">>=", "++", "--", "+", "-", "*", "%", "&", "|", "^", "~", "!", "&&", "||", "==", "!=", "<=", ">=", "<<", ">>",
  "?", ":", "x", "m", "@m", "@", "$x", "self.t", "count", "count()", "sum", "hist", "lhist", "avg", "stats", "min", "max",
  "printf", "print", "print_log2", "clear", "zero", "delete", "exit", "reg", "str", "u8", "u64", "usym", "arg0", "arg5", "retval",
  "nsecs", "tid", "pid", "comm", "ip", "sp", "func", "hits", "traps", "elapsed", "0", "1", "-1", "255", "9223372036854775807",
  "18446744073709551616", "0777", "09", "0b101", '"%d\\n"', '"%s %x"', '"abc"', '"\\q"', '"unterminated', "// c\n", "/* c */", "/*",
  "#", "`", "'", "\\", "\t", "é", "print_maps_on_exit", "false", ".",
];

function soup(r: () => number): string {
  const n = 1 + Math.floor(r() * 40);
  let s = "";
  for (let i = 0; i < n; i++) s += VOCAB[Math.floor(r() * VOCAB.length)]! + (r() < 0.7 ? " " : "");
  return s;
}

const SEEDS = [
  readExample("count.probe"),
  readExample("funclatency.probe"),
  readExample("arghist.probe"),
  readExample("callers.probe"),
  'uprobe:./t:test { @c[comm, arg0 % 3] = count(); @h = hist(arg0); @l = lhist(arg0, 0, 100, 10); }\nuretprobe:./t:test /retval > 5/ { printf("%d %s %lx\\n", retval, func, reg("ip")); }',
  'BEGIN < x = 1 << 63; y = x / 0; z = x % 0; s = "a" > probe test < if (arg0 > 2) < m[arg0] = sum(arg0) > else if (!arg1) < n-- > else < exit() > >',
  "probe test:1, test:4, retprobe test < $t = nsecs; self.a = $t - self.a; q[probe] = stats(hits + traps) >\nEND < print(q); clear(q); zero(q) >",
];

function mutate(src: string, r: () => number): string {
  let s = src;
  const k = 1 + Math.floor(r() * 3);
  for (let i = 0; i < k; i++) {
    const pos = Math.floor(r() * (s.length + 1));
    switch (Math.floor(r() * 5)) {
      case 0: // delete a range
        s = s.slice(0, pos) + s.slice(pos + 1 + Math.floor(r() * 6));
        break;
      case 1: // insert a token
        s = s.slice(0, pos) + VOCAB[Math.floor(r() * VOCAB.length)]! + s.slice(pos);
        break;
      case 2: // insert a random character
        s = s.slice(0, pos) + String.fromCharCode(Math.floor(r() * 128)) + s.slice(pos);
        break;
      case 3: {
        // duplicate a chunk
        const len = Math.floor(r() * 20);
        s = s.slice(0, pos) + s.slice(pos, pos + len) + s.slice(pos);
        break;
      }
      default: {
        // swap two chunks
        const a = Math.floor(r() * s.length);
        const b = Math.floor(r() * s.length);
        const [lo, hi] = a < b ? [a, b] : [b, a];
        s = s.slice(0, lo) + s.slice(hi, hi + 5) + s.slice(lo + 5, hi) + s.slice(lo, lo + 5) + s.slice(hi + 5);
      }
    }
  }
  return s;
}

interface Tally {
  ok: number;
  errors: number;
}

function check(src: string, tally: Tally): void {
  let prog;
  try {
    prog = compileProgram(src, "fuzz.probe", T, { unsafe: src.length % 2 === 0 });
  } catch (e) {
    if (!(e instanceof DslError)) assert.fail(`non-DslError for ${JSON.stringify(src)}: ${(e as Error).stack}`);
    assert.ok(e.line >= 1 && e.col >= 1, `bad location for ${JSON.stringify(src)}`);
    const text = e.format();
    assert.match(text, /^fuzz\.probe:\d+:\d+: error: .+\n.*\n[ \t]*\^~*/, `bad format for ${JSON.stringify(src)}`);
    tally.errors++;
    return;
  }
  tally.ok++;
  const ctx = new FakeCtx();
  try {
    prog.runBegin(ctx);
    for (let i = 0n; i < 3n; i++) {
      ctx.arg0 = i * 0x7fffffffffffffffn;
      ctx.rax = -i;
      for (const p of prog.probes) p.handler(ctx);
    }
    prog.runEnd(ctx);
    prog.printText();
    prog.printJson();
  } catch (e) {
    assert.fail(`runtime exception for ${JSON.stringify(src)}: ${(e as Error).stack}`);
  }
}

describe("fuzz", () => {
  it("2000 random token soups", () => {
    const r = prng(0xdec0de);
    const tally: Tally = { ok: 0, errors: 0 };
    for (let i = 0; i < 2000; i++) check(soup(r), tally);
    assert.ok(tally.errors > 0);
  });

  it("3000 mutations of example programs", () => {
    const r = prng(4242);
    const tally: Tally = { ok: 0, errors: 0 };
    for (let i = 0; i < 3000; i++) check(mutate(SEEDS[i % SEEDS.length]!, r), tally);
    assert.ok(tally.ok > 50, `only ${tally.ok} mutants compiled`);
    assert.ok(tally.errors > 500);
  });

  it("the unmutated seeds compile and run", () => {
    const tally: Tally = { ok: 0, errors: 0 };
    for (const s of SEEDS) check(s, tally);
    assert.equal(tally.ok, SEEDS.length);
  });
});
