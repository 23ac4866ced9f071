// The bpftrace runtime suite's case files (test/dsl/runtime/cases/*.txt), in
// the style of bpftrace's own runtime tests (NAME / RUN / EXPECT):
//
//   NAME what the case shows
//   RUN bpftrace's arguments: -e 'PROGRAM' -c ./bt [PARAMS]   (run in test/dsl/runtime/bin)
//   DIFFERENT why our output differs from bpftrace's (optional; then EXPECT_LAB is ours)
//   STATUS our exit status when it is not 0 (the traced program's: 143 when a signal killed it)
//   RECORDED bpftrace v0.17.0                                 (written by the recorder)
//   EXPECT
//   ...bpftrace's stdout, recorded live by scripts/record-bpftrace-suite.mjs...
//   EXPECT_LAB
//   ...ours, where DIFFERENT says why it differs...
//
// Both outputs are normalised alike before the comparison (normaliseOutput).

export interface SuiteCase {
  name: string;
  run: string;
  different?: string;
  status?: number;
  recorded?: string;
  expect: string;
  expectLab?: string;
}

const field = (text: string, key: string): string | undefined => new RegExp(`^${key} (.*)$`, "m").exec(text)?.[1];

/** @public scripts/record-bpftrace-suite.mjs reads and rewrites cases */
export function parseCase(text: string): SuiteCase {
  const at = text.search(/^EXPECT$/m);
  const head = at < 0 ? text : text.slice(0, at);
  const body = at < 0 ? "" : text.slice(at + "EXPECT\n".length);
  const lab = body.search(/^EXPECT_LAB$/m);
  const c: SuiteCase = { name: field(head, "NAME") ?? "", run: field(head, "RUN") ?? "", expect: lab < 0 ? body : body.slice(0, lab) };
  const different = field(head, "DIFFERENT");
  if (different !== undefined) c.different = different;
  const status = field(head, "STATUS");
  if (status !== undefined) c.status = Number(status);
  const recorded = field(head, "RECORDED");
  if (recorded !== undefined) c.recorded = recorded;
  if (lab >= 0) c.expectLab = body.slice(lab + "EXPECT_LAB\n".length);
  return c;
}

/** @public scripts/record-bpftrace-suite.mjs */
export function formatCase(c: SuiteCase): string {
  let out = `NAME ${c.name}\nRUN ${c.run}\n`;
  if (c.different !== undefined) out += `DIFFERENT ${c.different}\n`;
  if (c.status !== undefined) out += `STATUS ${c.status}\n`;
  if (c.recorded !== undefined) out += `RECORDED ${c.recorded}\n`;
  out += `EXPECT\n${c.expect}`;
  if (c.expectLab !== undefined) out += `EXPECT_LAB\n${c.expectLab}`;
  return out;
}

/**
 * What the comparison ignores: run-time addresses of 9 or more hex digits
 * (ASLR: libraries, stack, heap) become 0x<addr>; our own `probe_stats` NDJSON
 * line (bpftrace has none). Everything else, blank lines and trailing spaces
 * included, must match byte for byte. The suite has no timing values.
 */
export function normaliseOutput(text: string): string {
  return text
    .split("\n")
    .filter((l) => !/^\{"type": ?"probe_stats"/.test(l))
    .join("\n")
    .replace(/0x[0-9a-f]{9,}/g, "0x<addr>");
}
