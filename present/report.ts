// A standalone HTML report: headings, text, tables and charts in one file
// with plotly.js inlined, so it draws its charts opened offline from disk.
// No timestamps or random ids: the same results give the same bytes.
// The demo writes one (renderReport); notebooks call report() (kernel/api.ts),
// which adds the provenance of every run in it (notebookReport).

import type { ProbeRun } from "../lab/probe-run.js";
import { labVersion, runProvenance, type RunProvenance } from "../lab/provenance.js";
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

// ---- the notebooks' report(): parts, then where the results came from ----

/** Something that shows as several outputs (compare()'s table and charts). */
export interface MultiOutput {
  outputs(): (Chart | Displayable)[];
}

/** A part of report(): a string is a paragraph of text; a run, table, chart or comparison shows as in a notebook. */
export type NotebookReportPart = ReportPart | MultiOutput | string;

function isMultiOutput(x: unknown): x is MultiOutput {
  return typeof x === "object" && x !== null && typeof (x as MultiOutput).outputs === "function";
}

function provenanceHtml(version: string, runs: RunProvenance[]): string {
  const code = (s: string): string => `<code>${escapeHtml(s)}</code>`;
  const rows = runs
    .map((p, i) => {
      const cells = [
        String(i + 1),
        code(p.binary) + (p.builtWith ? `<br><small>built with ${code(p.builtWith)}</small>` : ""),
        p.sha256 ? code(p.sha256) : "<i>binary no longer available</i>",
        escapeHtml(p.kernel),
        p.emulation ? "on" : "off",
        escapeHtml(p.cost),
        `<pre style="margin:0">${escapeHtml(p.command)}</pre>`,
      ];
      return `<tr>${cells.map((c) => `<td style="text-align:left;vertical-align:top">${c}</td>`).join("")}</tr>`;
    })
    .join("\n");
  return (
    `<h2>Provenance</h2>\n<p>uprobe-lab ${escapeHtml(version)}, plotly.js ${escapeHtml(plotlyVersion())}. The guest's clock is virtual: the same binary, kernel generation, emulation setting, cost profile and program give the same figures on any machine.</p>\n` +
    (runs.length
      ? `<table class="uprobe-lab-table uprobe-lab-provenance"><thead><tr><th>run</th><th>binary</th><th>SHA-256</th><th>kernel</th><th>emulation</th><th>cost profile</th><th>command</th></tr></thead>\n<tbody>\n${rows}\n</tbody></table>`
      : "<p>No probe runs in this report.</p>")
  );
}

/** A standalone report of notebook results, with a provenance section for every run in it (and in `runs`). */
export function notebookReport(title: string, parts: NotebookReportPart[], o: { runs?: ProbeRun[]; intro?: string } = {}): string {
  const flat: ReportPart[] = [];
  const runs: ProbeRun[] = [...(o.runs ?? [])];
  const seen = (r: ProbeRun): void => void (runs.includes(r) || runs.push(r));
  for (const x of parts) {
    if (typeof x === "string") flat.push({ p: escapeHtml(x) });
    else if (isMultiOutput(x)) {
      flat.push(...x.outputs());
      for (const k of ["a", "b"] as const) {
        const r = (x as unknown as Record<string, unknown>)[k];
        if (isProbeRun(r)) seen(r);
      }
    } else {
      if (isProbeRun(x)) seen(x);
      flat.push(x);
    }
  }
  if (o.intro) flat.unshift({ p: escapeHtml(o.intro) });
  const version = labVersion();
  flat.push({ html: provenanceHtml(version, runs.map(runProvenance)) });
  return renderReport(title, flat, `Written by uprobe-lab ${escapeHtml(version)}'s <code>report()</code>, plotly.js ${escapeHtml(plotlyVersion())} inlined: it opens offline.`);
}

function isProbeRun(x: unknown): x is ProbeRun {
  return typeof x === "object" && x !== null && "probes" in x && "kernel" in x && "mapsJson" in x;
}
