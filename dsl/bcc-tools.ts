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
// per stack (`comm;main;outer;inner;foo_add count`) for flame graphs. Rows
// come in ascending count order, zeros skipped, as bcc sorts them. The stacks
// are the kernel helper's (frame pointers; ustack.ts).

const banner = (matched: number, pattern: string): string =>
  `BEGIN < printf("Tracing %d functions for \\"%s\\"... Hit Ctrl-C to end.\\n", ${matched}, ${JSON.stringify(pattern)}) >`;

/** funccount: calls per function matched by `target` (wildcards allowed). */
export function funccountProgram(pattern: string, target: string, matched: number): string {
  return `config = { print_maps_on_exit = false }
${banner(matched, pattern)}
probe ${target} < @counts[func] = count() >
END <
  printf("\\n%-36s %8s\\n", "FUNC", "COUNT")
  print_rows(@counts, "%-36s %8d\\n")
  printf("Detaching...\\n")
>
`;
}

/** stackcount: calls per distinct user stack; `folded` prints flame-graph lines; `cfi` walks .eh_frame (ustack(cfi)) instead of frame pointers. */
export function stackcountProgram(pattern: string, target: string, matched: number, folded: boolean, unwind: "fp" | "cfi" = "fp"): string {
  const u = unwind === "cfi" ? "cfi, " : "";
  const count = folded ? `@counts[comm, ustack(${u}folded)] = count()` : `@counts[ustack(${u}bcc), comm, pid] = count()`;
  const rows = folded ? 'print_rows(@counts, "%s;%s %d\\n")' : 'print_rows(@counts, "%s    %s [%d]\\n    %d\\n\\n")';
  return `config = { print_maps_on_exit = false }
${banner(matched, pattern)}
probe ${target} < ${count} >
END <
  printf("\\n")
  ${rows}
  printf("Detaching...\\n")
>
`;
}
