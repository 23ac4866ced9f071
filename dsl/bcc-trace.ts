// bcc's trace (tools/trace.py) in its common form, as a DSL program:
//
//   trace './t:foo "x=%d", arg1'  'r:./t:foo (retval > 2) "ret=%d", retval'  'c:malloc "size=%d", arg1'
//
// A probe is `[p|r:]LIB:FUNC [(FILTER)] ["FORMAT"[, ARG...]]`, parsed as
// trace.py's _parse_probe does. bcc's arg1..arg6 are the first six integer
// arguments (PT_REGS_PARM1..6: our arg0..arg5), `retval` the return value,
// `$pid` the thread id, `$tgid` the process id, `$cpu` the CPU. Each value is
// stored as the C type of its conversion (%d: int, %u: unsigned int, %hd:
// short, %ld/%lld: long, %lu/%llu: unsigned long, %x: unsigned int, %lx/%llx:
// unsigned long, %c: char, %s: a char[80] read from the pointer, -Z's
// default) and printed by Python's % (every d/u conversion as %d, x as %x),
// so the message shows what trace.py shows. The format is Python's, not C's:
// a backslash prints as itself.
//
// Output, as trace.py's: a header `PID     TID     COMM            FUNC             -`
// (the `-` only when some probe has a message), then per event
// `%-7d %-7d %-15s %-16s %s` with the process id, thread id, comm, the
// function as written and the message. -t adds bcc's TIME column (seconds
// since tracing began, `%.6f` cut to 8 characters, on the virtual clock), -T
// the time of day (%H:%M:%S, virtual clock from 2026-01-01). -M N stops
// after N events.

/** One parsed probe of trace's command line. */
export interface TraceProbe {
  kind: "p" | "r";
  /** The library or binary part as written (`./t`, `c`, `/lib/.../libc.so.6`). */
  library: string;
  function: string;
  /** The filter in the DSL (arguments renamed), or undefined. */
  filter?: string;
  /** The message's DSL printf format (without the row's columns) and its argument expressions. */
  format: string;
  args: string[];
  /** The probe had a format string (trace's header ends in "-" when any has). */
  hasMessage: boolean;
}

/** trace.py's accepted conversions, and how each value is stored and printed here. */
const CONVERSIONS: Readonly<Record<string, { cast?: string; conv: string }>> = {
  d: { cast: "int32", conv: "%d" },
  u: { cast: "uint32", conv: "%u" },
  hd: { cast: "int16", conv: "%d" },
  hu: { cast: "uint16", conv: "%u" },
  ld: { conv: "%d" },
  lld: { conv: "%d" },
  lu: { conv: "%u" },
  llu: { conv: "%u" },
  x: { cast: "uint32", conv: "%x" },
  lx: { conv: "%x" },
  llx: { conv: "%x" },
  c: { cast: "uint8", conv: "%c" },
  s: { conv: "%s" },
};

/** bcc's string size (-Z, default 80): a %s value is a char[80] read from the pointer. */
const STRING_SIZE = 80;

/** trace.py's aliases, renamed for the DSL: argN is PT_REGS_PARMN (1-based); $pid is the thread, $tgid the process. */
function rewriteExpr(expr: string, spec: string): string {
  const unsupported = /\$(uid|gid|task)\b|STRCMP\b|->/.exec(expr);
  if (unsupported !== null) throw new Error(`error in probe '${spec}': ${unsupported[0]} is not supported here (use arg1..arg6, retval, $pid, $tgid, $cpu)`);
  return expr
    .replace(/\barg([1-6])\b/g, (_m, n: string) => `arg${Number(n) - 1}`)
    .replace(/\$tgid\b/g, "pid")
    .replace(/\$pid\b/g, "tid")
    .replace(/\$cpu\b/g, "cpu")
    .trim();
}

/** Split `LIB:FUNC`, `p:LIB:FUNC`, `r:LIB:FUNC` as _parse_spec does. */
function parseSpec(spec: string, raw: string): { kind: "p" | "r"; library: string; function: string } {
  let parts = spec.split(":");
  if (parts.length === 1) parts = ["p", "", parts[0]!];
  else if (parts.length === 2) parts = ["p", parts[0]!, parts[1]!];
  const type = parts[0] === "" ? "p" : parts[0]!;
  if (type === "t") throw new Error(`error in probe '${raw}': kernel tracepoints (t:) are not modelled here: the emulator runs user space only`);
  if (type === "u") throw new Error(`error in probe '${raw}': USDT probes (u:) are not supported by trace here yet`);
  if (type !== "p" && type !== "r") throw new Error(`error in probe '${raw}': probe type must be '', 'p', 't', 'r', or 'u', but got '${type}'`);
  const library = parts.slice(1, -1).join(":");
  const fn = parts.at(-1)!;
  if (library === "") throw new Error(`error in probe '${raw}': kernel functions are not modelled here (the emulator runs user space only): name a library or binary, LIB:FUNC`);
  if (fn === "") throw new Error(`error in probe '${raw}': no function after '${library}:'`);
  return { kind: type, library, function: fn };
}

/** Parse one probe as trace.py's _parse_probe: spec, optional (signature), optional (filter), optional "format", values. */
export function parseTraceProbe(raw: string): TraceProbe {
  const m = /^([^ \t(]+)(\([^(]*\))?(.*)$/s.exec(raw.trim());
  if (m === null) throw new Error(`error in probe '${raw}': expected [p|r:]LIB:FUNC [(FILTER)] ["FORMAT", ARGS]`);
  const { kind, library, function: fn } = parseSpec(m[1]!, raw);
  if (m[2] !== undefined) throw new Error(`error in probe '${raw}': function signatures need C headers, which are not modelled here: use arg1, arg2, ... instead`);
  let text = m[3]!.trimStart();
  let filter: string | undefined;
  if (text.startsWith("(")) {
    let depth = 0;
    let end = -1;
    for (let i = 0; i < text.length && end < 0; i++) {
      if (text[i] === "(") depth++;
      else if (text[i] === ")" && --depth === 0) end = i;
    }
    if (end < 0) throw new Error(`error in probe '${raw}': unmatched end of predicate`);
    filter = rewriteExpr(text.slice(0, end + 1), raw);
    text = text.slice(end + 1).trimStart();
  }
  if (text === "") return { kind, library, function: fn, ...(filter !== undefined ? { filter } : {}), format: "", args: [], hasMessage: false };
  const a = /^("[^]*?"),?([^]*)$/.exec(text.trim());
  if (a === null) throw new Error(`error in probe '${raw}': expected format string in "s`);
  const quoted = a[1]!;
  const values = a[2]!.split(/(?<!"),/).map((v) => v.trim()).filter((v) => v !== "");
  const types = [...quoted.matchAll(/[^%]%(s|u|d|lu|llu|ld|lld|hu|hd|x|lx|llx|c|K|U)/g)].map((x) => x[1]!);
  if (types.includes("K") || types.includes("U")) throw new Error(`error in probe '${raw}': %K and %U (symbols) are not supported by trace here yet`);
  if (types.length !== values.length) throw new Error(`error in probe '${raw}': the format has ${types.length} conversion${types.length === 1 ? "" : "s"} and ${values.length} value${values.length === 1 ? "" : "s"} follow it`);
  // Python's % formatting: a backslash is itself; each typed conversion becomes the DSL's
  let format = quoted.slice(1, -1).replaceAll("\\", "\\\\").replaceAll('"', '\\"');
  format = format.replace(/(^|[^%])%(s|u|d|lu|llu|ld|lld|hu|hd|x|lx|llx|c)/g, (_m, pre: string, t: string) => pre + CONVERSIONS[t]!.conv);
  const args = values.map((v, i) => {
    const e = rewriteExpr(v, raw);
    const t = types[i]!;
    if (t === "s") return `str(${e}, ${STRING_SIZE})`;
    const cast = CONVERSIONS[t]!.cast;
    return cast === undefined ? `(${e})` : `(${cast})(${e})`;
  });
  return { kind, library, function: fn, ...(filter !== undefined ? { filter } : {}), format, args, hasMessage: true };
}

export interface TraceOptions {
  /** -t: seconds since tracing began; -T: the time of day. */
  time?: "offset" | "clock";
  /** -M: stop after this many events. */
  maxEvents?: number;
}

/** The TIME column: `%-8s ` of trace.py's `%.6f` (seconds since the start) cut to 8 characters, or of %H:%M:%S. */
function timeColumn(o: TraceOptions): string {
  if (o.time === "clock") return '  time("%H:%M:%S ")\n';
  if (o.time !== "offset") return "";
  return `  $us = (elapsed + 500) / 1000
  $s = $us / 1000000
  if ($s < 10) < printf("%d.%06d ", $s, $us % 1000000) >
  else < if ($s < 100) < printf("%d.%05d ", $s, $us % 1000000 / 10) > else < if ($s < 1000) < printf("%d.%04d ", $s, $us % 1000000 / 100) > else < printf("%-8d ", $s) > > >
`;
}

/** The DSL program for trace's probes; `targets[i]` is the DSL target of probes[i]. */
export function traceProgram(probes: readonly TraceProbe[], targets: readonly string[], o: TraceOptions = {}): string {
  const dash = probes.some((p) => p.hasMessage) ? "-" : "";
  const header = `${o.time !== undefined ? '  printf("%-8s ", "TIME")\n' : ""}  printf("%-7s %-7s %-15s %-16s %s\\n", "PID", "TID", "COMM", "FUNC", ${JSON.stringify(dash)})`;
  const blocks = probes.map((p, i) => {
    const kw = p.kind === "r" ? "retprobe" : "probe";
    const filter = p.filter !== undefined ? ` / ${p.filter} /` : "";
    const row = `  printf("%-7d %-7d %-15s %-16s ${p.format}\\n", pid, tid, comm, ${JSON.stringify(p.function)}${p.args.map((a) => ", " + a).join("")})`;
    const max = o.maxEvents !== undefined ? `\n  events++\n  if (events >= ${o.maxEvents}) < exit() >` : "";
    return `${kw} ${targets[i]}${filter} <\n${timeColumn(o)}${row}${max}\n>`;
  });
  return `config = { print_maps_on_exit = false }
BEGIN <
${header}
>
${blocks.join("\n")}
`;
}
