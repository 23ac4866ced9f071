// Probe programs for the fuzzer: mutants of real programs (the examples and
// a few that use every construct), and deep or long programs built around
// the DSL's limits (64 KiB of text, nesting 256, 256 operators per
// statement) and far past them.

import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { PROJECT_ROOT } from "../../lab/paths.js";

const EXAMPLES = ["count.probe", "funclatency.probe", "arghist.probe", "callers.probe"].map((f) =>
  fs.readFileSync(path.join(PROJECT_ROOT, "dsl", "examples", f), "utf8"),
);

/** Programs to mutate: the examples, and programs that touch maps, aggregations, printf, config and exit. */
const SEEDS = [
  ...EXAMPLES,
  'uprobe:./t:test { @c[comm, arg0 % 3] = count(); @h = hist(arg0); @l = lhist(arg0, 0, 100, 10); }\nuretprobe:./t:test /retval > 5/ { printf("%d %s %lx\\n", retval, func, reg("ip")); }',
  'BEGIN < x = 1 << 63; y = x / 0; z = x % 0; s = "a" > probe test < if (arg0 > 2) < m[arg0] = sum(arg0) > else if (!arg1) < n-- > else < exit() > >',
  "probe test:1, test:4, retprobe test < $t = nsecs; self.a = $t - self.a; q[probe] = stats(hits + traps) >\nEND < print(q); clear(q); zero(q) >",
  'config max_map_keys = 3\nprobe test < @m[nsecs] = count(); @s[hits % 7] = sum(ip); printf("%s %d %x %p %c\\n", str(sp), hits, ip, sp, 65) >',
  'probe main < printf("%s\\n", str(arg0, 64)); print(@x); delete(@x[1]); @x[1, "a"] = max(sp) >\nEND < print_log2(@x) >',
];

const VOCAB = [
  "probe", "retprobe", "uprobe:", "uretprobe:", "BEGIN", "END", "config", "test", "test:0", "test+4", "main", "if", "else", "(", ")", "[",
  "]", "<", ">", "{", "}", ",", ";", "\n", "/", "=", "+=", "<<=", "++", "--", "+", "-", "*", "%", "&", "|", "^", "~", "!", "&&", "||",
  "==", "<<", ">>", "?", ":", "@m", "$x", "self.t", "count()", "hist", "lhist", "sum", "printf", "print", "str", "exit()", "reg", "arg0",
  "retval", "nsecs", "ip", "sp", "hits", "0", "-1", "18446744073709551616", "0x", '"%d\\n"', '"%s%s%s%n"', '"', "/*", "é", "\0",
  "max_map_keys = 1000000", "str(sp, 1000000)", "lhist(arg0, 0, 1000000000, 1)", "-9223372036854775808 / -1",
];

type Edit = { at: number; op: "delete" | "insert" | "duplicate"; n: number; token: number };

const edit: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom("delete" as const, "insert" as const, "insert" as const, "duplicate" as const),
  n: fc.nat({ max: 40 }),
  token: fc.nat(),
});

function applyEdits(src: string, edits: readonly Edit[]): string {
  let s = src;
  for (const e of edits) {
    const at = e.at % (s.length + 1);
    if (e.op === "delete") s = s.slice(0, at) + s.slice(at + 1 + e.n);
    else if (e.op === "insert") s = s.slice(0, at) + VOCAB[e.token % VOCAB.length]! + " " + s.slice(at);
    else s = s.slice(0, at + e.n) + s.slice(at, at + e.n) + s.slice(at);
  }
  return s;
}

/** A seed program with 1 to 6 edits: deletions, inserted tokens, duplicated slices. */
function mutantArb(): fc.Arbitrary<string> {
  return fc.tuple(fc.nat({ max: SEEDS.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 6 })).map(([i, es]) => applyEdits(SEEDS[i]!, es));
}

/** Depths and lengths: small, at the limits (256 levels, 256 operators, 64 KiB), and far past them. */
const size = fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 250, max: 262 }), fc.integer({ min: 1000, max: 20_000 }));

/** How one deep or long program is built from a size n. */
const SHAPES: ((n: number) => string)[] = [
  (n) => `BEGIN < x = ${"(".repeat(n)}1${")".repeat(n)} >`,
  (n) => `BEGIN < x = ${"!".repeat(n)}1 >`,
  (n) => `BEGIN < x = ${"-~".repeat(n >> 1)}1 >`,
  (n) => `probe test < ${"if (arg0) < ".repeat(n)}x++${" >".repeat(n)} >`,
  (n) => `BEGIN < x = 1${" < 1".repeat(n)} >`,
  (n) => `BEGIN < x = 1${"+1".repeat(n)} >`,
  (n) => `BEGIN < x = 1${" ? 1 : 0".repeat(n)} >`,
  (n) => `BEGIN < @m[${"1, ".repeat(n)}1] = count() >`,
  (n) => `probe test < ${"x++; ".repeat(n)}>`,
  (n) => "probe test < x++ >\n".repeat(n),
  (n) => `BEGIN < printf("${"%d".repeat(n)}\\n"${", 1".repeat(n)}) >`,
  (n) => `BEGIN < printf("${"A".repeat(n * 4)}\\n") >`,
  (n) => `BEGIN < ${"{".repeat(n)}${"}".repeat(n)} >`,
  (n) => `BEGIN < x = str(${"str(".repeat(n)}sp${")".repeat(n)}) >`,
];

function deepArb(): fc.Arbitrary<string> {
  return fc.tuple(fc.nat({ max: SHAPES.length - 1 }), size).map(([i, n]) => SHAPES[i]!(n));
}

/** The DSL category's inputs: two mutants for every deep or long program. */
export function programArb(): fc.Arbitrary<string> {
  return fc.oneof({ weight: 2, arbitrary: mutantArb() }, { weight: 1, arbitrary: deepArb() });
}
