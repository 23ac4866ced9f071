// The uprobe-lab Jupyter kernel: tslab (pinned) with the notebook API
// preloaded and %%probe cells.
//
// It assembles the kernel from tslab's own parts, as tslab's startKernel
// does (converter: TypeScript -> JS with diagnostics; executor: runs cells;
// JupyterHandlerImpl: requests -> replies; ZmqServer: the sockets), and adds:
//   - the API (kernel/api.ts, compiled ESM) loaded with import(), and
//     resolvable from cells as "uprobe-lab": TypeScript finds its .d.ts
//     through a node_modules/uprobe-lab folder faked in tslab's file system
//     view, and the cells' require("uprobe-lab") returns the loaded module;
//   - a preload cell `import { loadBinary, probe, ... } from "uprobe-lab"`
//     run at start-up, so every cell has those names with their types;
//   - %%probe and %%c cells (kernel/cells.ts), run instead of the executor;
//   - interrupts that stop guest runs (the cell goes idle after their last
//     progress line);
//   - the messages IPython sends where tslab differs: a failed cell gets an
//     `error` output and an error reply with ename/evalue/traceback
//     (kernel/errors.ts) where tslab writes to stderr and replies with no
//     message; a cell's last expression is an execute_result (Out[n]) where
//     tslab console.logs it; no empty stream messages; is_complete answers
//     for %%probe cells and open strings (kernel/complete.ts); kernel_info
//     with the TypeScript in use;
//   - an exit when the client is gone (kernel/parent-watch.ts).
//
// These are tslab internals, which is why package.json pins tslab exactly.

import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { PROJECT_ROOT } from "../lab/paths.js";
import * as api from "./api.js";
import { isDisplayable, type MimeBundle } from "../present/mime.js";
import { isMagicCell, runMagicCell } from "./cells.js";
import { isComplete, type IsCompleteReply } from "./complete.js";
import { collectDisplays, display, progressSettled, setDisplaySink, tslabSink } from "./display.js";
import { failureOf, typeScriptFailure, type Failure, type TsDiagnostic } from "./errors.js";
import { jupyterParentPid, watchParent } from "./parent-watch.js";

/** The module name cells import the API by. */
export const API_MODULE = "uprobe-lab";

interface Converter {
  close(): void;
}
interface Executor {
  execute(src: string): Promise<boolean>;
  complete(src: string, pos: number): unknown;
  inspect(src: string, pos: number): unknown;
  interrupt(): void;
  locals: Record<string, unknown>;
}
interface TsSys {
  fileExists(p: string): boolean;
  readFile(p: string, enc?: string): string | undefined;
  directoryExists(p: string): boolean;
  realpath?(p: string): string;
  getDirectories(p: string): string[];
}
type WriteStream = (name: string, text: string) => void;
type WriteDisplay = (data: { data: MimeBundle; metadata: object; transient: object }, update: boolean) => void;
interface ExecuteReply {
  status: string;
  execution_count?: number;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}
/** tslab's JupyterHandlerImpl: requests to replies. */
interface Handler {
  execCount: number;
  handleExecute(req: { code: string }, ws: WriteStream, wd: WriteDisplay): Promise<ExecuteReply>;
}
interface KernelInfo {
  implementation: string;
  implementation_version: string;
  language_info: { version: string };
  banner: string;
}
/** tslab's ZmqMessage, as much of it as the execute handler uses. */
interface ZmqMessage {
  content: { code: string };
  createReply(): { header: { msg_type: string }; content: object; signAndSend(key: string, sock: unknown): void };
}
interface ZmqServerThis {
  handler: Handler;
  connInfo: { key: string };
  iopub: unknown;
}

/**
 * What one execute request is doing: set on the display writer tslab makes
 * current when the request starts executing (jupyter.lastWriteDisplayData),
 * so that results and errors reach the request they belong to even when
 * several are queued.
 */
interface Cell {
  publish(msgType: "execute_result" | "error", content: object): void;
  failure?: Failure;
  diagnostics: TsDiagnostic[];
}
type CellWriter = WriteDisplay & { cell?: Cell };

const require = createRequire(import.meta.url);
const tslabRequire = createRequire(require.resolve("tslab/package.json"));

/**
 * Make `<any dir>/node_modules/uprobe-lab/...` exist for TypeScript inside
 * tslab: package.json says the types are dist/kernel/api.d.ts, and every
 * other path maps into the project. (tslab does the same for itself.)
 */
export function fakeApiPackage(sys: TsSys, root = PROJECT_ROOT): void {
  const marker = `/node_modules/${API_MODULE}`;
  const map = (p: string): string | undefined => {
    const n = p.replace(/\\/g, "/");
    const i = n.lastIndexOf(marker);
    if (i < 0) return undefined;
    const rest = n.slice(i + marker.length);
    if (rest !== "" && !rest.startsWith("/")) return undefined;
    return rest;
  };
  const pkg = JSON.stringify({ name: API_MODULE, version: "0.0.0", types: "dist/kernel/api.d.ts", main: "dist/kernel/api.js" });
  const { fileExists, readFile, directoryExists, getDirectories } = sys;
  sys.fileExists = (p) => {
    const r = map(p);
    if (r === undefined) return fileExists.call(sys, p);
    return r === "/package.json" || fileExists.call(sys, path.join(root, r));
  };
  sys.readFile = (p, enc) => {
    const r = map(p);
    if (r === undefined) return readFile.call(sys, p, enc);
    return r === "/package.json" ? pkg : readFile.call(sys, path.join(root, r), enc);
  };
  sys.directoryExists = (p) => {
    const r = map(p);
    if (r !== undefined) return r === "" || directoryExists.call(sys, path.join(root, r));
    return directoryExists.call(sys, p); // tslab's converter fakes <cwd>/node_modules itself
  };
  sys.getDirectories = (p) => {
    const r = map(p);
    return r === undefined ? getDirectories.call(sys, p) : getDirectories.call(sys, path.join(root, r));
  };
}

/** The preload cell: every value the API exports, imported by name. */
export function preloadSource(names: string[]): string {
  return `import { ${names.join(", ")} } from ${JSON.stringify(API_MODULE)};\n`;
}

function apiNames(): string[] {
  return Object.keys(api).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== "default").sort();
}

/** Is this require() argument the API? ("uprobe-lab", "uprobe-lab/...api", or its dist path) */
function isApiSpecifier(id: string): boolean {
  if (id === API_MODULE || id === `${API_MODULE}/dist/kernel/api` || id === `${API_MODULE}/dist/kernel/api.js`) return true;
  const abs = path.join(PROJECT_ROOT, "dist", "kernel", "api");
  return id === abs || id === abs + ".js";
}

/** The line of a cell's stderr that says what went wrong ("Error: boom", "cell:2:7: error: ..."): the reply of a failure nothing recorded. */
export function errorLine(s: string): string {
  const lines = s.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  return lines.find((l) => /^[A-Za-z]*(Error|Interrupted|Exception)\b/.test(l)) ?? lines[0] ?? "";
}

export interface KernelOptions {
  configPath: string;
}

export async function startKernel(o: KernelOptions): Promise<void> {
  const ts = tslabRequire("@tslab/typescript-for-tslab") as { sys: TsSys };
  fakeApiPackage(ts.sys);
  const { createConverter } = tslabRequire("./dist/converter") as { createConverter(o: { isJS: boolean; isBrowser: boolean }): Converter };
  const { createExecutor } = tslabRequire("./dist/executor") as { createExecutor(root: string, convs: unknown, out: { log: (...a: unknown[]) => void; error: (...a: unknown[]) => void }): Executor };
  const jupyter = tslabRequire("./dist/jupyter") as {
    JupyterHandlerImpl: { prototype: object } & (new (ex: Executor, isJs: boolean) => unknown);
    ZmqServer: { prototype: object } & (new (handler: unknown, configPath: string) => { init(): Promise<void> | void });
    lastWriteDisplayData: CellWriter | null;
  };

  let node: Converter | undefined;
  let browser: Converter | undefined;
  const convs = {
    get node(): Converter {
      return (node ??= createConverter({ isJS: false, isBrowser: false }));
    },
    get browser(): Converter {
      return (browser ??= createConverter({ isJS: false, isBrowser: true }));
    },
    close(): void {
      node?.close();
      browser?.close();
    },
  };
  void convs.node; // warm TypeScript up before kernel_info, as tslab does

  const handlerRef: { handler?: Handler } = {};
  const currentCell = (): Cell | undefined => (jupyter.lastWriteDisplayData as CellWriter | null)?.cell;
  // tslab's executor calls log() with the value of a cell's last expression only, and error() with
  // a TypeScript diagnostic ("%s%d:%d - %s", file, line, col, message) or with what a cell threw.
  const executor = createExecutor(process.cwd(), convs, {
    log: (value: unknown) => lastExpression(value),
    error: (...a: unknown[]) => {
      const cell = currentCell();
      if (a[0] === "%s%d:%d - %s" && a.length === 5) {
        const d: TsDiagnostic = { line: Number(a[2]), col: Number(a[3]), message: String(a[4]) };
        const file = String(a[1]).trim();
        if (file) d.file = file;
        if (cell) cell.diagnostics.push(d);
        else console.error(...a);
      } else if (cell && a.length === 1) cell.failure = failureOf(a[0]);
      else console.error(...a);
    },
  });
  const g = globalThis as unknown as { __tslab__: { require: NodeJS.Require } };
  const cellRequire = g.__tslab__.require;
  g.__tslab__.require = new Proxy(cellRequire, {
    apply: (target, self, args: unknown[]) => (args.length === 1 && typeof args[0] === "string" && isApiSpecifier(args[0]) ? api : Reflect.apply(target, self, args)),
  });

  setDisplaySink(tslabSink(jupyter));
  // An explicit console.log(view) in a cell shows the view (runs, tables, charts) richly.
  const log = console.log.bind(console);
  console.log = (...args: unknown[]): void => (args.length === 1 && isDisplayable(args[0]) ? api.show(args[0]) : log(...args));
  api.onLastRun((r) => void (executor.locals.lastRun = r));

  /** IPython's Out[n]: an execute_result with the count, a view's MIME bundle or the value as console.log prints it. */
  function lastExpression(value: unknown): void {
    const cell = currentCell();
    if (!cell) return console.log(value);
    let data: MimeBundle;
    if (isDisplayable(value)) {
      // what show() displays first (plotly.js for a chart) stays display_data; the value itself is the result
      const shown = collectDisplays(() => api.show(value));
      data = shown.pop() ?? { "text/plain": "" };
      for (const b of shown) display(b);
    } else data = { "text/plain": typeof value === "string" ? value : inspect(value) };
    cell.publish("execute_result", { execution_count: handlerRef.handler?.execCount ?? null, data, metadata: {} });
  }

  const preloadOk = await executor.execute(preloadSource(apiNames()));
  if (!preloadOk) process.stderr.write("uprobe-lab kernel: the API preload failed (see above); cells can still import it\n");

  let interrupted = false;
  const execute = executor.execute.bind(executor);
  executor.execute = async (src: string): Promise<boolean> => {
    api.resetInterrupt();
    interrupted = false;
    const cell = currentCell();
    let ok: boolean;
    if (isMagicCell(src)) {
      const fail = (e: unknown): void => void (cell ? (cell.failure = failureOf(e)) : console.error(failureOf(e).traceback.join("\n")));
      ok = await runMagicCell(src, { out: (t) => void process.stdout.write(t), err: (t) => console.error(t), fail });
    } else ok = await execute(src);
    // tslab's executor gives up on an interrupted await at once; the runs stop at their next
    // slice and write their last progress line: wait for it, so that it comes before idle
    if (interrupted) await progressSettled(5000);
    if (cell && cell.diagnostics.length > 0) {
      const f = typeScriptFailure(cell.diagnostics, src);
      cell.diagnostics = [];
      if (ok) process.stderr.write(f.traceback.join("\n") + "\n"); // a %module cell: registered despite errors
      else cell.failure = f;
    }
    return ok;
  };

  // A probe program or C source is not TypeScript: no completions or tooltips from the TypeScript service there.
  const complete = executor.complete.bind(executor);
  const inspectAt = executor.inspect.bind(executor);
  executor.complete = (src, pos) => (isMagicCell(src) ? { start: pos, end: pos, candidates: [] } : complete(src, pos));
  executor.inspect = (src, pos) => (isMagicCell(src) ? null : inspectAt(src, pos));

  const typescriptVersion = (tslabRequire("@tslab/typescript-for-tslab") as { version: string }).version;
  const tslabVersion = (tslabRequire("./package.json") as { version: string }).version;
  const handlerProto = jupyter.JupyterHandlerImpl.prototype as unknown as {
    handleKernel(this: unknown): KernelInfo;
    handleIsComplete(req: { code: string }): IsCompleteReply;
  };
  const handleKernel = handlerProto.handleKernel;
  handlerProto.handleKernel = function (this: unknown): KernelInfo {
    const info = handleKernel.call(this);
    info.language_info.version = typescriptVersion; // tslab 1.0.22 says 3.7.2 whatever it bundles
    info.implementation = "uprobe-lab";
    info.implementation_version = projectVersion();
    info.banner = `uprobe-lab ${projectVersion()}: tslab ${tslabVersion}, TypeScript ${typescriptVersion}, Node.js ${process.version}`;
    return info;
  };
  handlerProto.handleIsComplete = (req) => isComplete(req.code);

  // tslab's ZmqServer.handleExecute, with the messages it cannot send: empty stream writes are
  // dropped (a child's empty stderr, piped back by execFileSync, is a write of ""), and a failed
  // cell gets an `error` output and the reply fields IPython gives it.
  const serverProto = jupyter.ZmqServer.prototype as unknown as { handleExecute(this: ZmqServerThis, sock: unknown, msg: ZmqMessage): Promise<void> };
  serverProto.handleExecute = async function (this: ZmqServerThis, sock: unknown, msg: ZmqMessage): Promise<void> {
    const send = (msgType: string, content: object): void => {
      const m = msg.createReply();
      m.header.msg_type = msgType;
      m.content = content;
      m.signAndSend(this.connInfo.key, this.iopub);
    };
    let stderr = "";
    const writeStream: WriteStream = (name, text) => {
      if (text === "") return;
      if (name === "stderr") stderr += text;
      send("stream", { name, text });
    };
    const cell: Cell = { publish: send, diagnostics: [] };
    const writeDisplay: CellWriter = Object.assign((data: Parameters<WriteDisplay>[0], update: boolean) => send(update ? "update_display_data" : "display_data", data), { cell });
    const content = await this.handler.handleExecute(msg.content, writeStream, writeDisplay);
    if (content.status === "error") {
      const f: Failure = cell.failure ?? { ename: "Error", evalue: errorLine(stderr) || "the cell failed", traceback: stderr.trimEnd().split("\n") };
      send("error", f);
      Object.assign(content, f);
    }
    const reply = msg.createReply();
    reply.header.msg_type = "execute_reply";
    reply.content = content;
    reply.signAndSend(this.connInfo.key, sock);
  };

  const handler = new jupyter.JupyterHandlerImpl(executor, false) as unknown as Handler;
  handlerRef.handler = handler;
  const server = new jupyter.ZmqServer(handler, o.configPath);
  process.on("SIGINT", () => {
    interrupted = true;
    executor.interrupt();
    api.interruptRuns();
  });
  process.on("uncaughtException", (e) => console.error("UncaughtException:", e));
  process.on("unhandledRejection", (e) => console.error("UnhandledPromiseRejection:", e));
  await server.init();
  watchParent({
    parentPid: jupyterParentPid(),
    ppid: () => process.ppid,
    onGone: (why) => {
      fs.writeSync(2, `uprobe-lab kernel: ${why}; exiting\n`); // process.stderr is the cell's stream now
      process.exit(1); // as ipykernel's parent poller does
    },
  });
}

function projectVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "0.0.0";
  }
}

function parseArgv(argv: string[]): KernelOptions {
  let configPath = "";
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--config-path") configPath = argv[++i] ?? "";
    else if (a.startsWith("--config-path=")) configPath = a.slice("--config-path=".length);
  }
  if (!configPath || !fs.existsSync(configPath)) {
    process.stderr.write("usage: node dist/kernel/main.js --config-path CONNECTION_FILE (started by Jupyter: see `uprobe-lab kernel install`)\n");
    process.exit(2);
  }
  return { configPath };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  startKernel(parseArgv(process.argv.slice(2))).catch((e) => {
    process.stderr.write(`uprobe-lab kernel: ${(e as Error)?.stack ?? e}\n`);
    process.exit(1);
  });
}
