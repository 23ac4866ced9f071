// CSV as spreadsheets and pandas read it (RFC 4180): a field with a comma,
// a quote or a line break is quoted, quotes doubled; lines end with \n.

export type CsvCell = string | number | boolean | null | undefined;

function field(c: CsvCell): string {
  const s = c === null || c === undefined ? "" : String(c);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(headers: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [headers, ...rows].map((r) => r.map(field).join(",")).join("\n") + "\n";
}
