// Rich display in notebooks: display() shows a MIME bundle (present/mime.ts)
// and Progress is one line that updates its output in place.
//
// Where a bundle goes is a DisplaySink. The uprobe-lab kernel (main.ts) sets
// one that sends Jupyter display_data / update_display_data messages through
// tslab; in plain tslab the sink is found through tslab's own module; in a
// script the text/plain part goes to stdout.

import { createRequire } from "node:module";
import * as path from "node:path";
import { toBundle, type Displayable, type MimeBundle } from "../present/mime.js";

export interface DisplaySink {
  /** Show a bundle; with an id, later calls with update=true replace it in place. */
  show(bundle: MimeBundle, id?: string, update?: boolean): void;
  /** True when outputs reach a notebook (progress displays are only shown there). */
  readonly rich: boolean;
}

/** Prints the text/plain part (scripts, tests); updates are not shown. */
const textSink: DisplaySink = {
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
function displaySink(): DisplaySink {
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

/**
 * Run f with its displays collected instead of shown (updates still go
 * through): the kernel makes the last one a cell's execute_result.
 */
export function collectDisplays(f: () => void): MimeBundle[] {
  const before = sink;
  const target = displaySink();
  const shown: MimeBundle[] = [];
  sink = {
    rich: target.rich,
    show: (bundle, id, update) => (update || id ? target.show(bundle, id, update) : void shown.push(bundle)),
  };
  try {
    f();
  } finally {
    sink = before;
  }
  return shown;
}

let progressIds = 0;
/** Progress lines not done yet: after an interrupt the kernel waits for their final line. */
const open = new Set<Progress>();

/** Resolves once every progress line is done (true), or after `ms` (false). */
export async function progressSettled(ms: number): Promise<boolean> {
  const until = performance.now() + ms;
  while (open.size > 0) {
    if (performance.now() >= until) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

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
    if (!this.out.rich) return;
    this.out.show({ "text/plain": first }, this.id, false);
    open.add(this);
  }

  /** Show an intermediate state (at most ~4 per second). */
  update(text: string): void {
    const now = performance.now();
    if (!this.out.rich || now - this.last < 250) return;
    this.last = now;
    this.out.show({ "text/plain": text }, this.id, true);
  }

  done(text: string): void {
    open.delete(this);
    if (this.out.rich) this.out.show({ "text/plain": text }, this.id, true);
  }
}
