// What a %%probe cell shows, in order: the guest's output (as the cell's
// stdout), the guest's stderr and any refused probe or crash (as labelled
// displays, not as the cell's stderr: they are results, not errors of the
// cell), the maps in the CLI's text format (text/plain), and the per-probe
// table (HTML with a text fallback), and the event trace when the run kept
// one (--trace N).

import { escapeHtml, htmlBundle } from "../present/mime.js";
import { shownOutput, type LabRun } from "../present/views.js";
import { display } from "./display.js";

export function probeCellOutputs(run: LabRun, out: (s: string) => void = (s) => void process.stdout.write(s)): void {
  const shown = shownOutput(run); // capped, with a note on what was cut (the whole text: run.stdout, or outputFile)
  if (shown) out(shown);
  if (run.stderr) display(htmlBundle(`<pre style="color:#6c757d">guest stderr:\n${escapeHtml(run.stderr)}</pre>`, `guest stderr:\n${run.stderr}`));
  for (const r of run.rejections) display(htmlBundle(`<p style="color:#b45309">refused: ${escapeHtml(r)}</p>`, `refused: ${r}`));
  if (run.report) display(htmlBundle(`<p style="color:#d62828"><b>${escapeHtml(run.report)}</b></p>`, run.report));
  for (const w of run.warnings) display(htmlBundle(`<p style="color:#b45309">${escapeHtml(w)}</p>`, w));
  if (run.maps.trim()) display({ "text/plain": run.maps.replace(/^\n+/, "") });
  display(run.table());
  if (run.trace.length) display(run.traceTable());
}
