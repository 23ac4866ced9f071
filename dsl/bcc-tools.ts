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

/** bcc's -T and -i/-d, shared by the tools (funclatency.ts has its own program). */
export interface ToolReportOptions {
  /** -T: each report starts with the time (%H:%M:%S, virtual clock). */
  timestamp?: boolean;
  /** -i/-d: END also runs at every interval, with the global `ticking` set to 1 (lab/tool-ticks.ts). */
  interval?: boolean;
}

/** The BEGIN block: the banner (unless `quiet`), and `ticking` declared for interval reports. */
function begin(matched: number, pattern: string, o: ToolReportOptions, quiet = false): string {
  const body = [quiet ? "" : banner(matched, pattern), o.interval === true ? "ticking = 0" : ""].filter((x) => x !== "");
  return body.length === 0 ? "" : `BEGIN < ${body.join("; ")} >\n`;
}

/** The end of one report: clear the counts; the last one says "Detaching..." (not in folded output). */
function reportEnd(o: ToolReportOptions, detach: boolean): string {
  const d = detach ? 'printf("Detaching...\\n")' : "";
  if (o.interval !== true) return `  ${d}\n`;
  return `  clear(@counts)\n${d ? `  if (ticking == 0) < ${d} >\n` : ""}`;
}

const stamp = (o: ToolReportOptions): string => (o.timestamp === true ? '  time("%H:%M:%S\\n")\n' : "");

/** funccount: calls per function matched by `target` (wildcards allowed; several targets with -r). */
export function funccountProgram(pattern: string, target: string, matched: number, o: ToolReportOptions = {}): string {
  return `config = { print_maps_on_exit = false }
${begin(matched, pattern, o)}probe ${target} < @counts[func] = count() >
END <
  printf("\\n")
${stamp(o)}  printf("%-36s %8s\\n", "FUNC", "COUNT")
  print_rows(@counts, "%-36s %8d\\n")
${reportEnd(o, true)}>
`;
}

/** stackcount: calls per distinct user stack and process; `folded` prints flame-graph lines (and, as bcc, no banner or "Detaching..."); `o.unwind` cfi walks .eh_frame (ustack(cfi)) instead of frame pointers. */
export function stackcountProgram(pattern: string, target: string, matched: number, folded: boolean, o: ToolReportOptions & { unwind?: "fp" | "cfi" } = {}): string {
  const u = o.unwind === "cfi" ? "cfi, " : "";
  const count = folded ? `@counts[comm, ustack(${u}folded)] = count()` : `@counts[ustack(${u}bcc), comm, pid] = count()`;
  const rows = folded ? 'print_rows(@counts, "%s;%s %d\\n")' : 'print_rows(@counts, "%s    %s [%d]\\n    %d\\n\\n")';
  return `config = { print_maps_on_exit = false }
${begin(matched, pattern, o, folded)}probe ${target} < ${count} >
END <
${folded ? "" : '  printf("\\n")\n'}${stamp(o)}  ${rows}
${reportEnd(o, !folded)}>
`;
}
