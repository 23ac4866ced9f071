// bcc's funccount and stackcount as DSL programs (so they also run in a
// notebook), with bcc's output (tools/funccount.py, tools/stackcount.py):
//
//   Tracing 2 functions for "./t:foo*"... Hit Ctrl-C to end.
//   <the traced program's output>
//   <blank: print() when tracing ends>
//   FUNC                                    COUNT
//   foo_sub                                    10
//   foo_add                                    20
//   Detaching...
//
// stackcount prints each user stack as bcc does (`  sym` per frame, then
// `    comm [pid]` and `    count`, a blank line), or with -f one folded line
// per stack (`comm;main;outer;inner;foo_add count`) for flame graphs, with no
// banner, blank line or "Detaching..." (bcc's -f prints the lines alone).
// For a user function bcc keys stacks by process anyway, so -P changes
// nothing. With -i/-d each report clears the counts (bcc's counts.clear()). Rows
// come in ascending count order, zeros skipped, as bcc sorts them. The stacks
// are the kernel helper's (frame pointers; ustack.ts).

const banner = (matched: number, pattern: string): string =>
  `printf("Tracing %d functions for \\"%s\\"... Hit Ctrl-C to end.\\n", ${matched}, ${JSON.stringify(pattern)})`;

/**
 * bcc's -i SECONDS and -d SECONDS (-d alone is -i DURATION): the Python loop
 * sleeps `every` seconds, prints a report and clears it; once the seconds
 * slept reach the duration, that report is the last one (with
 * "Detaching..."). Here an `interval:s:EVERY` probe on the virtual clock
 * (engine/os/timers.ts: exact deadlines, from the start of the run): each
 * firing prints a report, except the one at or past the duration, which calls
 * exit(), so END prints the last report, as bcc's exiting pass does.
 */
export interface ToolInterval {
  every: number;
  duration?: number;
}

/** bcc's -T and -i/-d, shared by the tools (funclatency.ts has its own program). */
export interface ToolReportOptions {
  /** -T: each report starts with the time (%H:%M:%S, virtual clock). */
  timestamp?: boolean;
  /** -i/-d: a report every `every` seconds, the run stopped at `duration` (ToolInterval). */
  interval?: ToolInterval;
}

/** The BEGIN block: the banner (unless `quiet`). */
function begin(matched: number, pattern: string, quiet = false): string {
  return quiet ? "" : `BEGIN < ${banner(matched, pattern)} >\n`;
}

/**
 * The interval probe of -i/-d (ToolInterval): `report` at each firing, exit() at the first one at or
 * past the duration (END then prints the last report). `ticks` counts the firings.
 */
export function intervalProbe(i: ToolInterval | undefined, report: string): string {
  if (i === undefined) return "";
  const last = i.duration === undefined ? "" : `  ticks = ticks + 1\n  if (ticks * ${i.every} >= ${i.duration}) < exit() > else <\n${report}  >\n`;
  return `interval:s:${i.every} <\n${last || report}>\n`;
}

/** One report: its lines, then clearing the counts when there are several reports. */
function reportLines(o: ToolReportOptions, lines: string): string {
  return lines + (o.interval !== undefined ? "  clear(@counts)\n" : "");
}

const stamp = (o: ToolReportOptions): string => (o.timestamp === true ? '  time("%H:%M:%S\\n")\n' : "");

/** funccount: calls per function matched by `target` (wildcards allowed; several targets with -r). */
export function funccountProgram(pattern: string, target: string, matched: number, o: ToolReportOptions = {}): string {
  const report = reportLines(o, `  printf("\\n")\n${stamp(o)}  printf("%-36s %8s\\n", "FUNC", "COUNT")\n  print_rows(@counts, "%-36s %8d\\n")\n`);
  return `config = { print_maps_on_exit = false }
${begin(matched, pattern)}probe ${target} < @counts[func] = count() >
${intervalProbe(o.interval, report)}END <
${report}  printf("Detaching...\\n")
>
`;
}

/** stackcount: calls per distinct user stack and process; `folded` prints flame-graph lines (and, as bcc, no banner or "Detaching..."); `o.unwind` cfi walks .eh_frame (ustack(cfi)) instead of frame pointers. */
export function stackcountProgram(pattern: string, target: string, matched: number, folded: boolean, o: ToolReportOptions & { unwind?: "fp" | "cfi" } = {}): string {
  const u = o.unwind === "cfi" ? "cfi, " : "";
  const count = folded ? `@counts[comm, ustack(${u}folded)] = count()` : `@counts[ustack(${u}bcc), comm, pid] = count()`;
  const rows = folded ? 'print_rows(@counts, "%s;%s %d\\n")' : 'print_rows(@counts, "%s    %s [%d]\\n    %d\\n\\n")';
  const report = reportLines(o, `${folded ? "" : '  printf("\\n")\n'}${stamp(o)}  ${rows}\n`);
  return `config = { print_maps_on_exit = false }
${begin(matched, pattern, folded)}probe ${target} < ${count} >
${intervalProbe(o.interval, report)}END <
${report}${folded ? "" : '  printf("Detaching...\\n")\n'}>
`;
}
