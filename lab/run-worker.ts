// Worker-thread side of lab/pool.ts: run the specs it is sent, one at a
// time, and post back each ProbeRun (or a RunError as {kind, message}).

import { parentPort } from "node:worker_threads";
import { adoptNamedBinaries } from "./binary-names.js";
import { runSpec, toRunError } from "./probe-run.js";
import type { RunSpec } from "./run-spec.js";

export interface WorkerRequest {
  id: number;
  spec: RunSpec;
  /** The parent's named binaries (%%c cells), so that a spec may name one. */
  names: Record<string, string>;
}

export type WorkerReply =
  | { id: number; type: "progress"; instructions: number; virtual_ns: number; hits: number }
  | { id: number; type: "done"; run: import("./probe-run.js").ProbeRun }
  | { id: number; type: "error"; kind: import("./probe-run.js").RunError["kind"]; message: string };

const port = parentPort;
if (port) {
  port.on("message", (req: WorkerRequest) => {
    adoptNamedBinaries(req.names);
    runSpec(req.spec, {
      onProgress: (p) => port.postMessage({ id: req.id, type: "progress", ...p } satisfies WorkerReply),
    }).then(
      (run) => port.postMessage({ id: req.id, type: "done", run } satisfies WorkerReply),
      (e) => {
        const err = toRunError(e);
        port.postMessage({ id: req.id, type: "error", kind: err.kind, message: err.message } satisfies WorkerReply);
      },
    );
  });
}
