// Diagnostics: source positions and the one error type the DSL throws.
//
// Every AST node and token carries `start`/`end` character offsets into the
// program text (as acorn does); line and column are computed only when a
// message is printed, by a binary search over the line-start table that
// `SourceText` builds on first use. A `Diagnostic` is a message plus a span;
// the passes collect them (bpftrace style: a pass reports all its errors, then
// the pipeline stops) and throw one `DslError` holding the whole list.
//
// The printed form is clang-like, one block per diagnostic:
//
//   prog.probe:3:12: error: unknown symbol 'tset' (did you mean 'test'?)
//   probe tset:0 < count++ >
//         ^~~~
//
// Columns are 1-based and count UTF-16 code units; a tab in the source line
// is echoed as a tab in the caret line so that the caret stays aligned.

export interface Span {
  /** Offset of the first character. */
  start: number;
  /** Offset one past the last character (== start for an empty span). */
  end: number;
}

export interface LineCol {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  col: number;
}

/** Program text plus a lazily built line table. */
export class SourceText {
  private lineStarts: number[] | undefined;

  constructor(
    readonly fileName: string,
    readonly text: string,
  ) {}

  private starts(): number[] {
    if (this.lineStarts === undefined) {
      const starts = [0];
      const t = this.text;
      for (let i = 0; i < t.length; i++) if (t.charCodeAt(i) === 10) starts.push(i + 1);
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }

  /** Line and column (both 1-based) of an offset. */
  lineCol(offset: number): LineCol {
    const starts = this.starts();
    const off = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= off) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: off - starts[lo]! + 1 };
  }

  /** The text of a 1-based line, without its line terminator. */
  lineText(line: number): string {
    const starts = this.starts();
    const s = starts[line - 1] ?? this.text.length;
    const next = starts[line];
    let e = next === undefined ? this.text.length : next - 1;
    if (e > s && this.text.charCodeAt(e - 1) === 13) e--;
    return this.text.slice(s, e);
  }
}

type Severity = "error" | "warning";

export interface Diagnostic {
  severity: Severity;
  message: string;
  span: Span;
}

/** Render one diagnostic: location line, source line, caret line. */
export function formatDiagnostic(src: SourceText, d: Diagnostic): string {
  const { line, col } = src.lineCol(d.span.start);
  // Control characters other than tab would garble the terminal: show them as
  // spaces (one column each, so the caret stays aligned).
  const lineText = src.lineText(line).replace(/[\x00-\x08\x0a-\x1f\x7f\u2028\u2029]/g, " ");
  // The underline covers the span, clipped to the first line.
  const lineLen = lineText.length;
  const startIdx = col - 1;
  const endOnLine = Math.min(
    lineLen,
    d.span.end > d.span.start ? startIdx + (d.span.end - d.span.start) : startIdx + 1,
  );
  let caret = "";
  for (let i = 0; i < startIdx; i++) caret += lineText[i] === "\t" ? "\t" : " ";
  caret += "^";
  for (let i = startIdx + 1; i < endOnLine; i++) caret += "~";
  return `${src.fileName}:${line}:${col}: ${d.severity}: ${d.message}\n${lineText}\n${caret}`;
}

/**
 * The only exception the DSL front end throws for a bad program. `file`,
 * `line`, `col` and `message` describe the first diagnostic; `diagnostics`
 * holds all of them (a pass reports every error it finds).
 */
export class DslError extends Error {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Offsets of the first diagnostic's span. */
  readonly start: number;
  readonly end: number;
  readonly diagnostics: readonly Diagnostic[];
  /** Process exit status the CLI should use. */
  readonly exitCode = 2;

  /** The program text (non-enumerable, so that dumps of the error stay short). */
  declare readonly source: SourceText;

  constructor(source: SourceText, diagnostics: Diagnostic[]) {
    const first = diagnostics[0] ?? { severity: "error" as const, message: "error", span: { start: 0, end: 0 } };
    super(first.message);
    this.name = "DslError";
    Object.defineProperty(this, "source", { value: source, enumerable: false });
    this.diagnostics = diagnostics.length > 0 ? diagnostics : [first];
    const { line, col } = source.lineCol(first.span.start);
    this.file = source.fileName;
    this.line = line;
    this.col = col;
    this.start = first.span.start;
    this.end = first.span.end;
  }

  /** `file:line:col: error: msg`, the source line and a caret, per diagnostic. */
  format(): string {
    return this.diagnostics.map((d) => formatDiagnostic(this.source, d)).join("\n");
  }
}

/** Collects diagnostics for one pass; `throwIfAny` ends the pass. */
export class DiagnosticBag {
  readonly list: Diagnostic[] = [];

  constructor(readonly source: SourceText) {}

  error(span: Span, message: string): void {
    this.list.push({ severity: "error", message, span: { start: span.start, end: span.end } });
  }

  get hasErrors(): boolean {
    return this.list.some((d) => d.severity === "error");
  }

  throwIfAny(): void {
    if (this.hasErrors) {
      const sorted = this.list.filter((d) => d.severity === "error").sort((a, b) => a.span.start - b.span.start);
      throw new DslError(this.source, sorted);
    }
  }
}

/** Throw a single-diagnostic DslError. */
export function fail(src: SourceText, span: Span, message: string): never {
  throw new DslError(src, [{ severity: "error", message, span }]);
}
