// Rich display for notebooks: MIME bundles (one output carrying several
// formats, the richest one a front end can show wins), HTML tables with a
// text fallback, and progress lines that update one output in place.
//
// Where a bundle goes is a DisplaySink. The uprobe-lab kernel (main.ts) sets
// one that sends Jupyter display_data / update_display_data messages through
// tslab; in plain tslab the sink is found through tslab's own module; in a
// script the text/plain part goes to stdout.

import { createRequire } from "node:module";
import * as path from "node:path";
import { formatTextTable, type Cell } from "../lab/text-table.js";

export type MimeBundle = Record<string, unknown>;

/** Anything that knows its own rich representation (cf. IPython's _repr_mimebundle_). */
export interface Displayable {
  toMimeBundle(): MimeBundle;
}

export function isDisplayable(x: unknown): x is Displayable {
  return typeof x === "object" && x !== null && typeof (x as Displayable).toMimeBundle === "function";
}

export interface DisplaySink {
  /** Show a bundle; with an id, later calls with update=true replace it in place. */
  show(bundle: MimeBundle, id?: string, update?: boolean): void;
  /** True when outputs reach a notebook (progress displays are only shown there). */
  readonly rich: boolean;
}

/** Prints the text/plain part (scripts, tests); updates are not shown. */
export const textSink: DisplaySink = {
  rich: false,
  show(bundle, _id, update) {
    if (update) return;
    const t = bundle["text/plain"];
    if (typeof t === "string" && t.length) process.stdout.write(t.endsWith("\n") ? t : t + "\n");
  },
};

interface TslabJupyter {
  lastWriteDisplayData: ((data: { data: MimeBundle; metadata: object; transient: { display_id?: string } }, update: boolean) => void) | null;
}

/** The sink of a tslab kernel: its current cell's display writer. */
export function tslabSink(jupyter: TslabJupyter): DisplaySink {
  return {
    rich: true,
    show(bundle, id, update = false) {
      const w = jupyter.lastWriteDisplayData;
      if (!w) return textSink.show(bundle, id, update);
      w({ data: bundle, metadata: {}, transient: id ? { display_id: id } : {} }, update);
    },
  };
}

let sink: DisplaySink | undefined;

/** Route displays (the kernel does this at start-up; tests use it to record outputs). */
export function setDisplaySink(s: DisplaySink | undefined): void {
  sink = s;
}

/** The current sink: the one set, else a running tslab kernel's, else stdout text. */
export function displaySink(): DisplaySink {
  if (sink) return sink;
  // Inside plain tslab (not the uprobe-lab kernel; tslab's executor defines __tslab__): find its jupyter module.
  if (!("__tslab__" in globalThis)) return textSink;
  try {
    const req = createRequire(path.join(process.cwd(), "index.js"));
    const j = req("tslab/dist/jupyter") as TslabJupyter;
    if (j.lastWriteDisplayData) return (sink = tslabSink(j));
  } catch {
    // not in tslab
  }
  return textSink;
}

/** Show a value: a Displayable, a MIME bundle ({"text/html": ...}) or a string (text/plain). */
export function display(x: Displayable | MimeBundle | string): void {
  displaySink().show(toBundle(x));
}

export function toBundle(x: Displayable | MimeBundle | string): MimeBundle {
  if (typeof x === "string") return { "text/plain": x };
  if (isDisplayable(x)) return x.toMimeBundle();
  return x;
}

/** A bundle of HTML with its text fallback. */
export function htmlBundle(html: string, text: string): MimeBundle {
  return { "text/html": html, "text/plain": text };
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export interface TableOptions {
  caption?: string;
  /** Show at most this many rows, then "... N more rows" (default 40). */
  maxRows?: number;
  /** Per column: "l" or "r" (default: numbers right). */
  align?: ("l" | "r")[];
}

/** A table: HTML with a text/plain fallback; long tables show their first rows and a count. */
export class Table implements Displayable {
  constructor(
    readonly headers: string[],
    readonly rows: Cell[][],
    readonly options: TableOptions = {},
  ) {}

  private shown(): { rows: Cell[][]; more: number } {
    const max = this.options.maxRows ?? 40;
    return this.rows.length > max ? { rows: this.rows.slice(0, max), more: this.rows.length - max } : { rows: this.rows, more: 0 };
  }

  toString(): string {
    const { rows, more } = this.shown();
    const cap = this.options.caption ? this.options.caption + "\n" : "";
    return cap + formatTextTable(this.headers, rows, { align: this.options.align }) + (more ? `... ${more} more row${more === 1 ? "" : "s"} (${this.rows.length} in all)\n` : "");
  }

  toHtml(): string {
    const { rows, more } = this.shown();
    const num = (i: number): boolean => (this.options.align ? this.options.align[i] === "r" : typeof rows[0]?.[i] === "number");
    const th = this.headers.map((h, i) => `<th style="text-align:${num(i) ? "right" : "left"}">${escapeHtml(h)}</th>`).join("");
    const body = rows
      .map((r) => `<tr>${r.map((c, i) => `<td style="text-align:${num(i) ? "right" : "left"}">${escapeHtml(typeof c === "number" ? fmtCell(c) : c)}</td>`).join("")}</tr>`)
      .join("\n");
    const cap = this.options.caption ? `<caption style="caption-side:top;text-align:left">${escapeHtml(this.options.caption)}</caption>` : "";
    const tail = more ? `\n<tr><td colspan="${this.headers.length}"><i>... ${more} more row${more === 1 ? "" : "s"} (${this.rows.length} in all)</i></td></tr>` : "";
    return `<table class="uprobe-lab-table">${cap}<thead><tr>${th}</tr></thead>\n<tbody>\n${body}${tail}\n</tbody></table>`;
  }

  toMimeBundle(): MimeBundle {
    return htmlBundle(this.toHtml(), this.toString());
  }
}

function fmtCell(n: number): string {
  return formatTextTable(["x"], [[n]]).split("\n")[1]!.trim();
}

/** Build a Table from objects (columns: the given keys, or every key of the first row). */
export function table<T extends object>(rows: T[], columns?: (keyof T & string)[], options: TableOptions = {}): Table {
  const cols = columns ?? (rows.length ? (Object.keys(rows[0]!) as (keyof T & string)[]) : []);
  const cell = (v: unknown): Cell => (typeof v === "number" ? v : typeof v === "boolean" ? (v ? "yes" : "no") : v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));
  return new Table(cols, rows.map((r) => cols.map((c) => cell(r[c]))), options);
}

let progressIds = 0;

/**
 * One output line that updates in place while something long runs, and ends
 * with a final line (no host times in it, so executed notebooks are the same
 * on every machine). Only notebooks see the intermediate states.
 */
export class Progress {
  private readonly id = `uprobe-lab-progress-${++progressIds}`;
  private last = 0;
  private readonly out: DisplaySink;

  constructor(first: string) {
    this.out = displaySink();
    if (this.out.rich) this.out.show({ "text/plain": first }, this.id, false);
  }

  /** Show an intermediate state (at most ~4 per second). */
  update(text: string): void {
    const now = performance.now();
    if (!this.out.rich || now - this.last < 250) return;
    this.last = now;
    this.out.show({ "text/plain": text }, this.id, true);
  }

  done(text: string): void {
    if (this.out.rich) this.out.show({ "text/plain": text }, this.id, true);
  }
}
