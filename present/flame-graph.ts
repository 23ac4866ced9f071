// Flame graphs of stack maps: `@[ustack] = count()`, `@[ustack(cfi)]`, any
// mode and any extra key parts (`@[comm, ustack(perf)]`), and stackcount's
// maps (`@counts[ustack(bcc), comm, pid]`, and `-f`'s folded
// `@counts[comm, ustack(folded)]`). Brendan Gregg's layout: the root at the
// bottom, callers below callees, a frame as wide as the hits under it,
// siblings in alphabetical order (so the same map draws the same picture),
// frames merged by function (the `+off` dropped, as stackcount -f prints
// them). Key parts that are not the stack (comm, pid) become the frame
// just above the root.
//
// The chart is plotly's icicle trace flipped upward, with the same four
// formats as every chart (plot.ts): the figure, a static SVG drawn here,
// the HTML that swaps in the interactive chart, and as text the folded
// stacks (`root;...;leaf count`), which flamegraph.pl reads.

import { createHash } from "node:crypto";
import type { MapData } from "../lab/map-values.js";
import { escapeHtml, type MimeBundle } from "./mime.js";
import { Chart, figureHtml, figureId, PLOTLY_MIME, type Figure, type Trace } from "./plot.js";

/** One stack with its count: frames root first, and the other key parts (comm, pid...) as one label. */
export interface FoldedStack {
  frames: string[];
  count: number;
}

/** A frame line of a printed stack: bpftrace's 8 spaces, perf's tab and address, bcc's 2 spaces. */
const FRAME_LINE = /^(?: {8}| {2}|\t[0-9a-f]+ )(\S.*)$/;

/** The function of a frame: `sym+off` -> sym, perf's `sym+off (FILE)` -> sym; an address stays. */
function frameName(text: string): string {
  return text.replace(/ \([^()]*\)$/, "").replace(/\+\d+$/, "");
}

/** The stack in one map key (leaf first as printed, returned root first), and what else the key holds; undefined when the key has no stack. */
function parseKey(key: string): { frames: string[]; other: string[] } | undefined {
  if (key.includes("\n")) {
    const frames: string[] = [];
    const other: string[] = [];
    for (const line of key.split("\n")) {
      const m = FRAME_LINE.exec(line);
      if (m) frames.push(frameName(m[1]!.trim()));
      else for (const part of line.split(",")) if (part.trim()) other.push(part.trim());
    }
    return frames.length ? { frames: frames.reverse(), other } : undefined;
  }
  // folded (stackcount -f): `outer;inner;leaf`, root first, among comma-separated key parts
  const parts = key.split(",");
  const at = parts.findIndex((p) => p.includes(";"));
  if (at < 0) return undefined;
  return { frames: parts[at]!.split(";").map(frameName), other: parts.filter((_, i) => i !== at).map((p) => p.trim()).filter(Boolean) };
}

/** True when a map's keys are stacks (every row's), and its values are counts or sums: a flame graph shows it. */
export function isStackMap(m: MapData): boolean {
  if (!m.keyed || m.rows.length === 0 || !["count", "sum", "int"].includes(m.kind)) return false;
  return m.rows.every((r) => parseKey(r.key) !== undefined);
}

/** A stack map's rows as folded stacks, other key parts first (above the root), sorted. */
export function foldedStacks(m: MapData): FoldedStack[] {
  const merged = new Map<string, number>();
  for (const r of m.rows) {
    const k = parseKey(r.key);
    if (!k) continue;
    const frames = k.other.length ? [k.other.join(", "), ...k.frames] : k.frames;
    const f = frames.join(";");
    merged.set(f, (merged.get(f) ?? 0) + Number(r.value));
  }
  return [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([f, count]) => ({ frames: f.split(";"), count }));
}

interface Node {
  name: string;
  id: string;
  value: number;
  depth: number;
  children: Map<string, Node>;
}

function buildTree(stacks: FoldedStack[], rootName: string): Node {
  const root: Node = { name: rootName, id: "all", value: 0, depth: 0, children: new Map() };
  for (const s of stacks) {
    root.value += s.count;
    let n = root;
    for (const f of s.frames) {
      let c = n.children.get(f);
      if (!c) {
        c = { name: f, id: `${n.id};${f}`, value: 0, depth: n.depth + 1, children: new Map() };
        n.children.set(f, c);
      }
      c.value += s.count;
      n = c;
    }
  }
  return root;
}

/** Depth-first, children alphabetically: the order of the trace's arrays and of the picture. */
function* walk(n: Node, parent: string): Generator<{ node: Node; parent: string }> {
  yield { node: n, parent };
  for (const k of [...n.children.keys()].sort()) yield* walk(n.children.get(k)!, n.id);
}

/** A warm colour per function name, as flamegraph.pl's "hot" palette, fixed by a hash of the name (not random). */
function hot(name: string): string {
  const h = createHash("sha256").update(name).digest();
  return `rgb(${205 + (h[0]! % 50)},${(h[1]! % 230)},${(h[2]! % 55)})`;
}

const ROW = 18;

/** Folded stacks from text, as stackcount -f (and flamegraph.pl's input) writes them: `root;...;leaf count` lines; other lines are skipped. */
export function parseFolded(text: string): FoldedStack[] {
  const out: FoldedStack[] = [];
  for (const line of text.split("\n")) {
    const m = /^(\S.*;.*\S|[^\s;]+) (\d+)$/.exec(line);
    if (m && m[1]!.includes(";")) out.push({ frames: m[1]!.split(";"), count: Number(m[2]) });
  }
  return out;
}

/** The flame graph of a stack map. */
export function flameGraph(m: MapData, title = `${m.name}: flame graph`): FlameGraph {
  return new FlameGraph(foldedStacks(m), title, m.name);
}

export class FlameGraph extends Chart {
  private readonly root: Node;

  constructor(
    readonly stacks: FoldedStack[],
    readonly title: string,
    rootName = "all",
  ) {
    const root = buildTree(stacks, rootName);
    const nodes = [...walk(root, "")];
    const depth = Math.max(...nodes.map((n) => n.node.depth)) + 1;
    const icicle = {
      type: "icicle",
      ids: nodes.map((n) => n.node.id),
      labels: nodes.map((n) => n.node.name),
      parents: nodes.map((n) => n.parent),
      values: nodes.map((n) => n.node.value),
      branchvalues: "total",
      sort: false,
      tiling: { orientation: "v", flip: "y", pad: 0 },
      marker: { colors: nodes.map((n) => (n.node === root ? "#bbbbbb" : hot(n.node.name))), line: { width: 0.5, color: "#ffffff" } },
      textinfo: "label",
      hovertemplate: "%{label}<br>%{value} (%{percentRoot:.1%})<extra></extra>",
      pathbar: { visible: false },
      maxdepth: -1,
    };
    const figure: Figure = {
      // an icicle trace has no x/y: plot.ts's Trace is the shape of its bar and scatter charts, which this one does not use
      data: [icicle as unknown as Trace],
      layout: {
        height: Math.max(220, 70 + depth * ROW),
        margin: { l: 10, r: 10, t: 50, b: 10 },
        font: { family: "-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif", size: 12 },
        title: { text: title, x: 0.02, xanchor: "left" },
      },
    };
    super(figure);
    this.root = root;
  }

  /** The static picture: one rect per frame (class "bar"), the root at the bottom, labels where they fit. */
  override toSvg(): string {
    const W = 960;
    const H = this.figure.layout.height as number;
    const left = 10;
    const width = W - 20;
    const bottom = H - 10;
    const out: string[] = [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="-apple-system, 'Segoe UI', Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif" font-size="11">`,
      `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
      `<text x="${left + 9}" y="30" font-size="17" fill="#2a3f5f">${escapeHtml(this.title)}</text>`,
    ];
    const total = this.root.value || 1;
    const draw = (n: Node, x: number): void => {
      const w = (n.value / total) * width;
      const y = bottom - (n.depth + 1) * ROW;
      const fill = n === this.root ? "#bbbbbb" : hot(n.name);
      out.push(`<rect class="bar" x="${r1(x)}" y="${y}" width="${r1(Math.max(w - 0.5, 0.5))}" height="${ROW - 1}" fill="${fill}"><title>${escapeHtml(`${n.name}: ${n.value} (${((n.value / total) * 100).toFixed(1)}%)`)}</title></rect>`);
      const chars = Math.floor((w - 6) / 6.2);
      if (chars >= 3) {
        const label = n.name.length <= chars ? n.name : n.name.slice(0, chars - 2) + "..";
        out.push(`<text x="${r1(x + 3)}" y="${y + ROW - 5}" fill="#000000">${escapeHtml(label)}</text>`);
      }
      let cx = x;
      for (const k of [...n.children.keys()].sort()) {
        const c = n.children.get(k)!;
        draw(c, cx);
        cx += (c.value / total) * width;
      }
    };
    draw(this.root, left);
    out.push("</svg>");
    return out.join("\n");
  }

  /** The folded stacks, one `root;...;leaf count` line each (flamegraph.pl's input). */
  override toString(): string {
    return `${this.title}\n${this.stacks.map((s) => `${s.frames.join(";")} ${s.count}`).join("\n")}\n`;
  }

  override toMimeBundle(): MimeBundle {
    const svg = this.toSvg();
    return { [PLOTLY_MIME]: this.figure, "image/svg+xml": svg, "text/html": figureHtml(this.figure, figureId(this.figure), svg), "text/plain": this.toString() };
  }
}

const r1 = (n: number): string => (Math.round(n * 10) / 10).toString();
