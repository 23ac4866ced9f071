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
//   - interrupts that stop guest runs, and error replies that carry the
//     message (ename/evalue/traceback) instead of tslab's empty one.
//
// These are tslab internals, which is why package.json pins tslab exactly.

import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { PROJECT_ROOT } from "../lab/paths.js";
import * as api from "./api.js";
import { isDisplayable } from "../present/mime.js";
import { setDisplaySink, tslabSink } from "./display.js";
import { isMagicCell, runMagicCell } from "./cells.js";

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
type HandleExecute = (this: unknown, req: { code: string }, ws: WriteStream, wd: unknown) => Promise<ExecuteReply>;
interface ExecuteReply {
  status: string;
  execution_count?: number;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

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

/** The line of a cell's stderr that says what went wrong ("Error: boom", "cell:2:7: error: ..."). */
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
    JupyterHandlerImpl: { prototype: { handleExecute: HandleExecute } } & (new (ex: Executor, isJs: boolean) => unknown);
    ZmqServer: new (handler: unknown, configPath: string) => { init(): Promise<void> | void };
    lastWriteDisplayData: null;
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

  // Late-bound: the last expression of a cell goes through console.log, patched below.
  // tslab reports an interrupt as an Error with its creation stack: say it in one line.
  const interruptedNote = "Interrupted: the cell was stopped (guest runs in progress stop at their next slice)";
  const plain = (x: unknown): unknown => (x instanceof Error && x.message === "Interrupted asynchronously" ? interruptedNote : x);
  const executor = createExecutor(process.cwd(), convs, { log: (...a) => console.log(...a), error: (...a) => console.error(...a.map(plain)) });
  const g = globalThis as unknown as { __tslab__: { require: NodeJS.Require } };
  const cellRequire = g.__tslab__.require;
  g.__tslab__.require = new Proxy(cellRequire, {
    apply: (target, self, args: unknown[]) => (args.length === 1 && typeof args[0] === "string" && isApiSpecifier(args[0]) ? api : Reflect.apply(target, self, args)),
  });

  setDisplaySink(tslabSink(jupyter));
  // A cell's last expression is printed with console.log: show views (runs, tables, charts) richly.
  const log = console.log.bind(console);
  console.log = (...args: unknown[]): void => (args.length === 1 && isDisplayable(args[0]) ? api.show(args[0]) : log(...args));
  api.onLastRun((r) => void (executor.locals.lastRun = r));

  const preloadOk = await executor.execute(preloadSource(apiNames()));
  if (!preloadOk) process.stderr.write("uprobe-lab kernel: the API preload failed (see above); cells can still import it\n");

  const execute = executor.execute.bind(executor);
  executor.execute = async (src: string): Promise<boolean> => {
    api.resetInterrupt();
    if (!isMagicCell(src)) return execute(src);
    return runMagicCell(src);
  };

  // A probe program or C source is not TypeScript: no completions or tooltips from the TypeScript service there.
  const complete = executor.complete.bind(executor);
  const inspect = executor.inspect.bind(executor);
  executor.complete = (src, pos) => (isMagicCell(src) ? { start: pos, end: pos, candidates: [] } : complete(src, pos));
  executor.inspect = (src, pos) => (isMagicCell(src) ? null : inspect(src, pos));

  // Error replies carry the message that went to stderr (nbconvert and nbclient show it).
  const handleExecute = jupyter.JupyterHandlerImpl.prototype.handleExecute;
  jupyter.JupyterHandlerImpl.prototype.handleExecute = async function (this: unknown, req: { code: string }, ws: WriteStream, wd: unknown): Promise<ExecuteReply> {
    let err = "";
    const reply = await handleExecute.call(this, req, (name: string, text: string) => {
      if (name === "stderr") err += text;
      ws(name, text);
    }, wd);
    if (reply.status === "error") {
      reply.ename = "Error";
      reply.evalue = errorLine(err) || "the cell failed";
      reply.traceback = err.trimEnd().split("\n");
    }
    return reply;
  };

  const server = new jupyter.ZmqServer(new jupyter.JupyterHandlerImpl(executor, false), o.configPath);
  process.on("SIGINT", () => {
    executor.interrupt();
    api.interruptRuns();
  });
  process.on("uncaughtException", (e) => console.error("UncaughtException:", e));
  process.on("unhandledRejection", (e) => console.error("UnhandledPromiseRejection:", e));
  await server.init();
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
