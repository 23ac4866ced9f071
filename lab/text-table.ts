// Plain-text tables for terminals and the text/plain side of notebook
// displays: one header row, columns padded, numbers right-aligned.

export type Cell = string | number;

export interface TextTableOptions {
  /** Per column: "l" or "r" (default: "r" for numbers, "l" otherwise, from the first row). */
  align?: ("l" | "r")[];
  indent?: string;
}

export function formatTextTable(headers: string[], rows: Cell[][], o: TextTableOptions = {}): string {
  const text = [headers, ...rows.map((r) => r.map((c) => (typeof c === "number" ? fmtNumber(c) : c)))];
  const align = headers.map((_, i) => o.align?.[i] ?? (rows.length && typeof rows[0]![i] === "number" ? "r" : "l"));
  const w = headers.map((_, i) => Math.max(...text.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]): string =>
    (o.indent ?? "") +
    r
      .map((c, i) => (align[i] === "r" ? (c ?? "").padStart(w[i]!) : (c ?? "").padEnd(w[i]!)))
      .join("  ")
      .trimEnd();
  return text.map(line).join("\n") + "\n";
}

/** Integers as-is, others with up to 3 decimals (trailing zeros dropped). */
function fmtNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(3).replace(/\.?0+$/, "");
}

/** 1234567 -> "1,234,567". */
export function thousands(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
