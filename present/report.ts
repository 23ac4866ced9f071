// A standalone HTML report: headings, text, tables and charts in one file
// with plotly.js inlined, so it draws its charts opened offline from disk.
// No timestamps or random ids: the same results give the same bytes.

import { escapeHtml, type Displayable } from "./mime.js";
import { Chart, figureHtml, plotlyInlineSource, plotlyVersion } from "./plot.js";

export type ReportPart = { h2: string } | { p: string } | { html: string } | { pre: string } | Chart | Displayable;

const CSS = `
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table.uprobe-lab-table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
table.uprobe-lab-table th, table.uprobe-lab-table td { border: 1px solid #ddd; padding: 3px 8px; }
table.uprobe-lab-table thead th { background: #f3f4f6; }
pre { background: #f6f8fa; padding: 0.6em; overflow-x: auto; font-size: 0.88em; }
code { font-size: 0.95em; }
.uprobe-lab-plot { margin: 1em 0; }
footer { margin-top: 3em; color: #666; font-size: 0.85em; }
`;

export function renderReport(title: string, parts: ReportPart[], footer = ""): string {
  const body = parts
    .map((x) => {
      if (x instanceof Chart) return figureHtml(x.figure);
      if ("h2" in x) return `<h2>${escapeHtml(x.h2)}</h2>`;
      if ("p" in x) return `<p>${x.p}</p>`;
      if ("pre" in x) return `<pre>${escapeHtml(x.pre)}</pre>`;
      if ("html" in x) return x.html;
      const b = x.toMimeBundle();
      return typeof b["text/html"] === "string" ? b["text/html"] : `<pre>${escapeHtml(String(b["text/plain"] ?? ""))}</pre>`;
    })
    .join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
<script type="text/javascript">/* plotly.js ${plotlyVersion()}, inlined by uprobe-lab */
${plotlyInlineSource()}
</script>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
<footer>${footer}</footer>
</body>
</html>
`;
}
