// What a result looks like, in every front end: MIME bundles (one output
// carrying several formats, the richest one a front end can show wins) and
// tables as HTML with a text fallback. Where a bundle goes (a notebook, a
// terminal, a report) is the caller's business.

import { formatTextTable, type Cell } from "../lab/text-table.js";
import { toCsv } from "./csv.js";

export type MimeBundle = Record<string, unknown>;

/** Anything that knows its own rich representation (cf. IPython's _repr_mimebundle_). */
export interface Displayable {
  toMimeBundle(): MimeBundle;
}

export function isDisplayable(x: unknown): x is Displayable {
  return typeof x === "object" && x !== null && typeof (x as Displayable).toMimeBundle === "function";
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

  /** Every row (not only the shown ones) as CSV, with the headers. */
  toCSV(): string {
    return toCsv(this.headers, this.rows);
  }

  /** Every row as an object keyed by the headers (JSON.stringify(table) gives this). */
  toJSON(): Record<string, Cell>[] {
    return this.rows.map((r) => Object.fromEntries(this.headers.map((h, i) => [h, r[i] ?? ""])));
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
