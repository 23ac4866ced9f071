// Run many specs: on a small pool of worker threads (one per core, at most
// the number of runs), or in this thread when there is one core or one run.
// Results come back in the order of the specs and are the same either way
// (the engine is deterministic). An AbortSignal stops everything: the
// workers are terminated, so even a run stuck in one long slice ends.

import * as os from "node:os";
import { Worker } from "node:worker_threads";
import { namedBinaries } from "./binary-names.js";
import { RunError, runSpec, type ProbeRun } from "./probe-run.js";
import type { RunSpec } from "./run-spec.js";
import type { WorkerReply, WorkerRequest } from "./run-worker.js";

export interface ManyControl {
  /** Worker threads (default: available cores, at most 4; 1 runs in this thread). */
  parallel?: number;
  signal?: AbortSignal;
  /** After each finished run: how many are done, and the run. */
  onRun?: (done: number, total: number, run: ProbeRun, index: number) => void;
  /** While runs are going: instructions retired so far by each running spec index. */
  onProgress?: (running: Map<number, number>, done: number, total: number) => void;
}

function defaultParallelism(): number {
  const env = Number(process.env.UPROBE_LAB_WORKERS);
  if (Number.isInteger(env) && env >= 1) return env;
  return Math.max(1, Math.min(4, os.availableParallelism()));
}

/** Run every spec; rejects with the first RunError (a bad program, a bad path, an interrupt). */
export async function runMany(specs: RunSpec[], ctl: ManyControl = {}): Promise<ProbeRun[]> {
  const total = specs.length;
  // a spec with a loaded Binary or live streams cannot be posted to a worker
  const cloneable = specs.every((s) => typeof s.binary === "string" && s.io === undefined);
  const parallel = cloneable ? Math.min(ctl.parallel ?? defaultParallelism(), total) : 1;
  const results: ProbeRun[] = new Array(total);
  const running = new Map<number, number>();
  let done = 0;
  const finished = (i: number, run: ProbeRun): void => {
    results[i] = run;
    running.delete(i);
    done++;
    ctl.onRun?.(done, total, run, i);
  };
  if (parallel <= 1) {
    for (let i = 0; i < total; i++) {
      const run = await runSpec(specs[i]!, {
        signal: ctl.signal,
        onProgress: (p) => {
          running.set(i, p.instructions);
          ctl.onProgress?.(running, done, total);
        },
      });
      finished(i, run);
    }
    return results;
  }

  const workers: Worker[] = [];
  const url = new URL("./run-worker.js", import.meta.url);
  // Longest first: runs that single-step every hit take several times longer.
  const heavy = (i: number): number => Number(specs[i]!.emulation === false);
  const order = specs.map((_, i) => i).sort((a, b) => heavy(b) - heavy(a) || a - b);
  return new Promise<ProbeRun[]>((resolve, reject) => {
    let next = 0;
    let failed = false;
    const retired = new Set<Worker>();
    const retire = (w: Worker): void => {
      retired.add(w);
      void w.terminate();
    };
    const stopAll = (): void => {
      for (const w of workers) retire(w);
    };
    const fail = (e: RunError): void => {
      if (failed) return;
      failed = true;
      ctl.signal?.removeEventListener("abort", onAbort);
      stopAll();
      reject(e);
    };
    const onAbort = (): void => fail(new RunError("interrupted", `interrupted after ${done} of ${total} runs`));
    if (ctl.signal?.aborted) return onAbort();
    ctl.signal?.addEventListener("abort", onAbort);
    const feed = (w: Worker): void => {
      if (failed) return;
      if (next >= total) {
        retire(w);
        if (done === total) {
          ctl.signal?.removeEventListener("abort", onAbort);
          stopAll();
          resolve(results);
        }
        return;
      }
      const id = order[next++]!;
      running.set(id, 0);
      w.postMessage({ id, spec: specs[id], names: namedBinaries() } satisfies WorkerRequest);
    };
    for (let k = 0; k < parallel; k++) {
      const w = new Worker(url, { stdout: true, stderr: true });
      workers.push(w);
      w.stdout.resume(); // the engine writes nothing; guest output is captured in the run
      w.stderr.resume();
      w.on("message", (m: WorkerReply) => {
        if (failed) return;
        if (m.type === "progress") {
          running.set(m.id, m.instructions);
          ctl.onProgress?.(running, done, total);
        } else if (m.type === "done") {
          finished(m.id, m.run);
          feed(w);
        } else fail(new RunError(m.kind, m.message));
      });
      w.on("error", (e) => fail(new RunError("internal", `internal error in a run worker: ${e.message}`)));
      w.on("exit", (code) => {
        if (!failed && !retired.has(w) && code !== 0) fail(new RunError("internal", `a run worker exited with code ${code}`));
      });
      feed(w);
    }
  });
}
