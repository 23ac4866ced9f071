// A static SVG rendering of a chart's plotly figure, for every place that
// runs no script: GitHub and nbviewer (image/svg+xml), untrusted notebooks
// (an <img> in the text/html, which sanitizers keep), and anywhere plotly.js
// is missing. It draws the kinds of figure present/charts.ts builds: grouped
// bars (offsetgroup), markers and lines on a category or linear x axis, a
// right-hand y2 axis, bar text, paper-anchored annotations, shaded rects and
// a legend. Same figure in, same bytes out: no clock, no random ids.

import { createHash } from "node:crypto";
import { escapeHtml } from "./mime.js";
import type { Figure, Trace } from "./plot.js";

const W = 960;
const FONT = "-apple-system, 'Segoe UI', Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif";
const TEXT = "#2a3f5f";
const GRID = "#e3e6ea";

type Rec = Record<string, unknown>;

const obj = (x: unknown): Rec => (typeof x === "object" && x !== null ? (x as Rec) : {});
const num = (x: unknown, d: number): number => (typeof x === "number" && Number.isFinite(x) ? x : d);
const str = (x: unknown, d: string): string => (typeof x === "string" ? x : d);

const esc = escapeHtml;

/** Plotly text is a little HTML: <br> breaks lines, other tags are dropped. */
function lines(s: string): string[] {
  return s
    .split(/<br\s*\/?>/i)
    .map((l) => l.replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&").trim())
    .filter((l) => l.length > 0);
}

function titleOf(x: unknown): string {
  return typeof x === "string" ? x : str(obj(x).text, "");
}

/** An estimate of rendered text width (no font metrics here): wide enough for Helvetica/Arial. */
function textWidth(s: string, size: number): number {
  return s.length * size * 0.56;
}

const f1 = (n: number): string => (Math.round(n * 10) / 10).toString();

/** Tick values from 0 or lo to hi on a 1-2-2.5-5 step, about `target` of them. */
export function niceTicks(lo: number, hi: number, target = 5, dtick?: number): { ticks: number[]; lo: number; hi: number; step: number } {
  if (!(hi > lo)) hi = lo + 1;
  let step = dtick && dtick > 0 ? dtick : 0;
  if (!step) {
    const raw = (hi - lo) / target;
    const p = 10 ** Math.floor(Math.log10(raw));
    step = ([1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p);
  }
  const first = Math.floor(lo / step + 1e-9) * step;
  const last = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first, i = 0; v <= last + step * 1e-9 && i < 200; i++, v = first + i * step) ticks.push(+v.toPrecision(12));
  return { ticks, lo: first, hi: last, step };
}

function tickLabel(v: number, step: number): string {
  if (Math.abs(v) >= 10_000 && step >= 1000 && v % 1000 === 0) return `${v / 1000}k`;
  // as many decimals as the step needs (0.25 -> 2, 2.5 -> 1, 2 -> 0)
  let d = 0;
  while (d < 6 && Math.abs(step * 10 ** d - Math.round(step * 10 ** d)) > 1e-9) d++;
  return v.toFixed(d);
}

interface Axis {
  lo: number;
  hi: number;
  ticks: number[];
  step: number;
}

function valueAxis(layoutAxis: Rec, values: number[], headroom: number): Axis {
  const range = layoutAxis.range;
  const dtick = typeof layoutAxis.dtick === "number" ? layoutAxis.dtick : undefined;
  if (Array.isArray(range) && typeof range[0] === "number" && typeof range[1] === "number") {
    const t = niceTicks(range[0], range[1], 5, dtick);
    return { lo: range[0], hi: range[1], ticks: t.ticks.filter((v) => v >= range[0] - 1e-9 && v <= range[1] + 1e-9), step: t.step };
  }
  let lo = values.length ? Math.min(...values) : 0;
  let hi = values.length ? Math.max(...values) : 1;
  if (layoutAxis.rangemode === "tozero" || lo > 0) lo = Math.min(0, lo);
  hi = hi + (hi - lo) * headroom;
  const t = niceTicks(lo, hi, 5, dtick);
  return { lo: t.lo, hi: t.hi, ticks: t.ticks, step: t.step };
}

function isY2(t: Trace): boolean {
  return t.yaxis === "y2";
}

function dash(d: unknown): string {
  return d === "dot" ? ' stroke-dasharray="2,4"' : d === "dash" ? ' stroke-dasharray="7,4"' : d === "dashdot" ? ' stroke-dasharray="7,3,2,3"' : "";
}

/** One marker symbol centred on (x, y). */
function marker(symbol: string, x: number, y: number, size: number, color: string, width: number): string {
  const r = size / 2;
  if (symbol.startsWith("line-ew")) return `<path class="mark" d="M${f1(x - r)},${f1(y)}H${f1(x + r)}" stroke="${color}" stroke-width="${width}" fill="none"/>`;
  if (symbol.startsWith("x"))
    return `<path class="mark" d="M${f1(x - r)},${f1(y - r)}L${f1(x + r)},${f1(y + r)}M${f1(x - r)},${f1(y + r)}L${f1(x + r)},${f1(y - r)}" stroke="${color}" stroke-width="${width}" fill="none"/>`;
  if (symbol.startsWith("square")) return `<rect class="mark" x="${f1(x - r)}" y="${f1(y - r)}" width="${f1(size)}" height="${f1(size)}" fill="${color}"/>`;
  if (symbol.startsWith("diamond")) return `<path class="mark" d="M${f1(x)},${f1(y - r)}L${f1(x + r)},${f1(y)}L${f1(x)},${f1(y + r)}L${f1(x - r)},${f1(y)}Z" fill="${color}"/>`;
  return `<circle class="mark" cx="${f1(x)}" cy="${f1(y)}" r="${f1(r)}" fill="${color}"/>`;
}

interface Style {
  color: string;
  symbol: string;
  size: number;
  width: number;
}

function styleOf(t: Trace, k: number, palette: string[]): Style {
  const m = obj(t.marker);
  const line = obj(t.line);
  const color = str(m.color, str(line.color, palette[k % palette.length]!));
  return { color, symbol: str(m.symbol, "circle"), size: num(m.size, 6), width: num(obj(m.line).width, num(line.width, 2)) };
}

const PALETTE = ["#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3", "#ff6692", "#b6e880"];

/** The figure as a standalone SVG document (width 960, the layout's height). */
export function figureSvg(fig: Figure): string {
  const L = fig.layout;
  const H = num(L.height, 420);
  const font = obj(L.font);
  const fs = num(font.size, 13);
  const family = `${str(font.family, "")}${font.family ? ", " : ""}${FONT}`;
  const xa = obj(L.xaxis);
  const ya = obj(L.yaxis);
  const y2a = obj(L.yaxis2);
  const traces = fig.data.filter((t) => t.visible !== false && t.visible !== "legendonly");
  const hasY2 = traces.some(isY2);

  // x: categories in order of appearance, or numbers on a linear axis
  const allX = traces.flatMap((t) => t.x);
  const categorical = xa.type === "category" || allX.some((v) => typeof v === "string") || traces.some((t) => t.type === "bar");
  const cats: string[] = [];
  if (categorical) for (const v of allX) if (!cats.includes(String(v))) cats.push(String(v));
  const xnums = allX.filter((v): v is number => typeof v === "number");
  const xlin = categorical ? undefined : valueAxis(xa, xnums, 0);

  const ys = (pred: (t: Trace) => boolean): number[] =>
    traces.filter(pred).flatMap((t) => t.y.filter((v): v is number => typeof v === "number" && Number.isFinite(v)));
  const hasBarText = traces.some((t) => t.type === "bar" && Array.isArray(t.text) && t.textposition === "outside");
  const y1 = valueAxis(ya, ys((t) => !isY2(t)), hasBarText ? 0.12 : 0.05);
  const y2 = hasY2 ? valueAxis(y2a, ys(isY2), 0.05) : undefined;

  // ---- layout boxes ----
  const title = lines(titleOf(L.title));
  const topNotes = ((L.annotations as Rec[] | undefined) ?? []).filter((a) => a.yref === "paper" && num(a.y, 0) >= 1);
  const top = 14 + title.length * (fs + 6) + (title.length ? 8 : 0) + (topNotes.length ? fs + 8 : 0);
  const ytickW = Math.max(...y1.ticks.map((v) => textWidth(tickLabel(v, y1.step), fs - 1)), 10);
  const y2tickW = y2 ? Math.max(...y2.ticks.map((v) => textWidth(tickLabel(v, y2.step), fs - 1)), 10) : 0;
  const yTitle = lines(titleOf(ya.title)).join(" ");
  const y2Title = lines(titleOf(y2a.title)).join(" ");
  const left = 12 + (yTitle ? fs + 10 : 0) + ytickW + 8;
  const right = y2 ? 12 + (y2Title ? fs + 10 : 0) + y2tickW + 8 : 24;
  const plotW = W - left - right;

  // x tick labels: rotated when they do not fit their slot
  const xLabels = (categorical ? cats : (xlin?.ticks ?? []).map((v) => tickLabel(v, xlin!.step))).map((s) => lines(s));
  const slot = plotW / Math.max(1, xLabels.length);
  const widest = Math.max(0, ...xLabels.flat().map((s) => textWidth(s, fs - 1)));
  const rows = Math.max(1, ...xLabels.map((l) => l.length));
  const rotate = widest > slot - 6;
  const xtickH = rotate ? Math.min(widest, 160) * 0.72 + fs : rows * (fs + 2) + 2;

  // legend rows (bottom): entries flow left to right
  const legend = fig.data.filter((t) => t.showlegend !== false && t.visible !== false && t.name);
  const entryW = (t: Trace): number => 34 + textWidth(t.name ?? "", fs - 1) + 18;
  const legendRows: Trace[][] = [];
  let rowW = 0;
  for (const t of legend) {
    if (!legendRows.length || rowW + entryW(t) > W - 24) {
      legendRows.push([]);
      rowW = 0;
    }
    legendRows[legendRows.length - 1]!.push(t);
    rowW += entryW(t);
  }
  const xTitle = lines(titleOf(xa.title)).join(" ");
  const legendH = legendRows.length * (fs + 10);
  const bottom = 8 + xtickH + (xTitle ? fs + 12 : 0) + (legendH ? legendH + 10 : 0) + 6;
  const plotH = Math.max(60, H - top - bottom);
  const pt = top;
  const pb = top + plotH;

  // ---- scales ----
  const catW = plotW / Math.max(1, cats.length);
  const xCat = (i: number): number => left + (i + 0.5) * catW;
  const xLin = (v: number): number => left + ((v - xlin!.lo) / (xlin!.hi - xlin!.lo || 1)) * plotW;
  const xIndex = (v: string | number): number => (categorical ? cats.indexOf(String(v)) : NaN);
  const yPix = (ax: Axis, v: number): number => pb - ((v - ax.lo) / (ax.hi - ax.lo || 1)) * plotH;
  const axisOf = (t: Trace): Axis => (isY2(t) && y2 ? y2 : y1);

  // bar slots: one per offsetgroup (or per bar trace without one) when grouped
  const barmode = str(L.barmode, "group");
  const bars = traces.filter((t) => t.type === "bar");
  const slotKey = (t: Trace, i: number): string => (typeof t.offsetgroup === "string" && t.offsetgroup ? `g:${t.offsetgroup}` : `t:${i}`);
  const slots: string[] = [];
  if (barmode === "group") for (const t of bars) if (!slots.includes(slotKey(t, fig.data.indexOf(t)))) slots.push(slotKey(t, fig.data.indexOf(t)));
  const groupW = catW * (1 - num(L.bargap, 0.2));
  const barW = barmode === "group" ? groupW / Math.max(1, slots.length) : groupW;
  const slotCentre = (t: Trace, ci: number): number => {
    const s = slots.indexOf(slotKey(t, fig.data.indexOf(t)));
    return s < 0 || barmode !== "group" ? xCat(ci) : xCat(ci) - groupW / 2 + (s + 0.5) * barW;
  };

  const out: string[] = [];
  const hash = createHash("sha256").update(JSON.stringify(fig)).digest("hex").slice(0, 10);
  const clip = `uplab-clip-${hash}`;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="uprobe-lab-svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${esc(family)}" font-size="${fs}">`,
    `<title>${esc(title.join(" ") || "chart")}</title>`,
    `<defs><clipPath id="${clip}"><rect x="${f1(left)}" y="${f1(pt - 1)}" width="${f1(plotW)}" height="${f1(plotH + 2)}"/></clipPath></defs>`,
    `<rect width="${W}" height="${H}" fill="${esc(str(L.paper_bgcolor, "#ffffff"))}"/>`,
    `<rect x="${f1(left)}" y="${f1(pt)}" width="${f1(plotW)}" height="${f1(plotH)}" fill="${esc(str(L.plot_bgcolor, "#fafafa"))}"/>`,
  );

  // shapes below the data (shaded spans)
  for (const s of (L.shapes as Rec[] | undefined) ?? []) {
    if (s.type !== "rect") continue;
    const x0 = s.xref === "paper" ? left + num(s.x0, 0) * plotW : categorical ? left + (num(s.x0, 0) + 0.5) * catW : xLin(num(s.x0, 0));
    const x1 = s.xref === "paper" ? left + num(s.x1, 1) * plotW : categorical ? left + (num(s.x1, 0) + 0.5) * catW : xLin(num(s.x1, 0));
    const yy0 = s.yref === "paper" ? pb - num(s.y0, 0) * plotH : yPix(y1, num(s.y0, 0));
    const yy1 = s.yref === "paper" ? pb - num(s.y1, 1) * plotH : yPix(y1, num(s.y1, 0));
    out.push(`<rect class="shape" x="${f1(Math.min(x0, x1))}" y="${f1(Math.min(yy0, yy1))}" width="${f1(Math.abs(x1 - x0))}" height="${f1(Math.abs(yy1 - yy0))}" fill="${esc(str(s.fillcolor, "rgba(0,0,0,0.1)"))}"/>`);
  }

  // grid and y ticks
  const tickFs = fs - 1;
  for (const v of y1.ticks) {
    const y = yPix(y1, v);
    out.push(`<line x1="${f1(left)}" x2="${f1(left + plotW)}" y1="${f1(y)}" y2="${f1(y)}" stroke="${v === 0 ? "#c8ccd2" : GRID}" stroke-width="1"/>`);
    out.push(`<text x="${f1(left - 6)}" y="${f1(y + tickFs * 0.35)}" text-anchor="end" font-size="${tickFs}" fill="${TEXT}">${esc(tickLabel(v, y1.step))}</text>`);
  }
  if (y2)
    for (const v of y2.ticks) {
      const y = yPix(y2, v);
      out.push(`<line x1="${f1(left + plotW)}" x2="${f1(left + plotW + 4)}" y1="${f1(y)}" y2="${f1(y)}" stroke="#9aa0a6"/>`);
      out.push(`<text x="${f1(left + plotW + 7)}" y="${f1(y + tickFs * 0.35)}" font-size="${tickFs}" fill="${TEXT}">${esc(tickLabel(v, y2.step))}</text>`);
    }

  // x tick labels
  xLabels.forEach((ls, i) => {
    const x = categorical ? xCat(i) : xLin(xlin!.ticks[i]!);
    if (rotate) out.push(`<text x="${f1(x)}" y="${f1(pb + 8)}" text-anchor="end" font-size="${tickFs}" fill="${TEXT}" transform="rotate(-45 ${f1(x)} ${f1(pb + 8)})" dy="0.7em">${esc(ls.join(" "))}</text>`);
    else ls.forEach((s, j) => out.push(`<text x="${f1(x)}" y="${f1(pb + 6 + tickFs + j * (fs + 2))}" text-anchor="middle" font-size="${tickFs}" fill="${TEXT}">${esc(s)}</text>`));
  });
  out.push(`<line x1="${f1(left)}" x2="${f1(left + plotW)}" y1="${f1(pb)}" y2="${f1(pb)}" stroke="#9aa0a6"/>`);

  // axis titles
  if (xTitle) out.push(`<text x="${f1(left + plotW / 2)}" y="${f1(pb + 8 + xtickH + fs)}" text-anchor="middle" fill="${TEXT}">${esc(xTitle)}</text>`);
  if (yTitle) {
    const x = 12 + fs * 0.8;
    out.push(`<text x="${f1(x)}" y="${f1(pt + plotH / 2)}" text-anchor="middle" fill="${TEXT}" transform="rotate(-90 ${f1(x)} ${f1(pt + plotH / 2)})">${esc(yTitle)}</text>`);
  }
  if (y2 && y2Title) {
    const x = W - 12 - fs * 0.3;
    out.push(`<text x="${f1(x)}" y="${f1(pt + plotH / 2)}" text-anchor="middle" fill="${TEXT}" transform="rotate(90 ${f1(x)} ${f1(pt + plotH / 2)})">${esc(y2Title)}</text>`);
  }

  // data: bars first, then lines and markers over them
  out.push(`<g clip-path="url(#${clip})">`);
  const firstMark = out.length;
  const notes: string[] = [];
  bars.forEach((t) => {
    const k = fig.data.indexOf(t);
    const st = styleOf(t, k, PALETTE);
    const ax = axisOf(t);
    t.y.forEach((v, i) => {
      if (typeof v !== "number" || !Number.isFinite(v)) return;
      const ci = xIndex(t.x[i]!);
      if (ci < 0) return;
      const cx = slotCentre(t, ci);
      const y0 = yPix(ax, Math.max(ax.lo, Math.min(0, ax.hi)));
      const y = yPix(ax, v);
      out.push(`<rect class="bar" x="${f1(cx - barW / 2)}" y="${f1(Math.min(y, y0))}" width="${f1(barW)}" height="${f1(Math.max(Math.abs(y0 - y), v === 0 ? 0 : 1))}" fill="${esc(st.color)}"/>`);
      const label = Array.isArray(t.text) ? t.text[i] : undefined;
      if (label) notes.push(`<text x="${f1(cx)}" y="${f1(Math.min(y, y0) - 4)}" text-anchor="middle" font-size="${tickFs}" fill="${TEXT}">${esc(lines(label).join(" "))}</text>`);
    });
  });
  for (const t of traces) {
    if (t.type !== "scatter") continue;
    const k = fig.data.indexOf(t);
    const st = styleOf(t, k, PALETTE);
    const ax = axisOf(t);
    const mode = str(t.mode, "lines+markers");
    const grouped = L.scattermode === "group";
    const pts: ([number, number] | null)[] = t.x.map((xv, i) => {
      const v = t.y[i];
      if (typeof v !== "number" || !Number.isFinite(v)) return null;
      const px = categorical ? (xIndex(xv) < 0 ? NaN : grouped ? slotCentre(t, xIndex(xv)) : xCat(xIndex(xv))) : xLin(Number(xv));
      return Number.isFinite(px) ? [px, yPix(ax, v)] : null;
    });
    if (mode.includes("lines")) {
      let d = "";
      let pen = false;
      for (const p of pts) {
        if (!p) {
          pen = t.connectgaps === true && pen;
          continue;
        }
        d += `${pen ? "L" : "M"}${f1(p[0])},${f1(p[1])}`;
        pen = true;
      }
      if (d) out.push(`<path class="line" d="${d}" fill="none" stroke="${esc(st.color)}" stroke-width="${num(obj(t.line).width, 2)}"${dash(obj(t.line).dash)}/>`);
    }
    if (mode.includes("markers")) for (const p of pts) if (p) out.push(marker(st.symbol, p[0], p[1], mode.includes("lines") ? Math.min(st.size, 7) : st.size, esc(st.color), st.width));
  }
  // a kind of trace this renderer does not know (or no data) says so rather than leaving a blank frame
  if (out.length === firstMark) {
    const kinds = [...new Set(traces.map((t) => t.type))].join(", ");
    out.push(`<text x="${f1(left + plotW / 2)}" y="${f1(pt + plotH / 2)}" text-anchor="middle" fill="${TEXT}">${esc(traces.some((t) => t.y.some((v) => v !== null)) ? `no static rendering for ${kinds} traces: see the interactive chart` : "no data")}</text>`);
  }
  out.push(`</g>`, ...notes);

  // annotations
  for (const a of (L.annotations as Rec[] | undefined) ?? []) {
    const text = lines(str(a.text, "")).join(" ");
    if (!text) continue;
    const ax = a.x;
    const x = a.xref === "paper" ? left + num(ax, 0) * plotW : categorical ? (typeof ax === "number" ? left + (ax + 0.5) * catW : xCat(xIndex(String(ax)))) : xLin(num(ax, 0));
    const y = a.yref === "paper" ? pb - num(a.y, 1) * plotH : yPix(y1, num(a.y, 0));
    const color = str(obj(a.font).color, TEXT);
    const bold = /<b>/i.test(str(a.text, "")) ? ' font-weight="bold"' : "";
    const dy = a.yanchor === "bottom" ? -5 : a.yanchor === "top" ? fs : fs * 0.35;
    out.push(`<text class="annotation" x="${f1(x)}" y="${f1(y + dy)}" text-anchor="middle" fill="${esc(color)}"${bold}>${esc(text)}</text>`);
  }

  // title
  title.forEach((l, i) => out.push(`<text x="${f1(left)}" y="${f1(14 + (i + 1) * (fs + 6) - 4)}" font-size="${fs + 4}" fill="${TEXT}">${esc(l)}</text>`));

  // legend
  const ly0 = H - 8 - legendH;
  legendRows.forEach((row, r) => {
    let x = 12;
    const y = ly0 + r * (fs + 10) + fs;
    for (const t of row) {
      const st = styleOf(t, fig.data.indexOf(t), PALETTE);
      const mode = str(t.mode, "lines+markers");
      if (t.type === "bar") out.push(`<rect x="${f1(x + 6)}" y="${f1(y - fs + 2)}" width="${fs}" height="${fs}" fill="${esc(st.color)}"/>`);
      else {
        if (mode.includes("lines")) out.push(`<path d="M${f1(x)},${f1(y - fs / 2 + 1)}H${f1(x + 26)}" stroke="${esc(st.color)}" stroke-width="2"${dash(obj(t.line).dash)}/>`);
        if (mode.includes("markers")) out.push(marker(st.symbol, x + 13, y - fs / 2 + 1, Math.min(st.size, 14), esc(st.color), st.width).replace(' class="mark"', ""));
      }
      out.push(`<text x="${f1(x + 32)}" y="${f1(y)}" font-size="${tickFs}" fill="${TEXT}">${esc(t.name ?? "")}</text>`);
      x += entryW(t);
    }
  });

  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
