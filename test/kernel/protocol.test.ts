// The kernel, message by message, through Jupyter's own client
// (test/kernel/protocol.py): the shapes IPython gives (execute_result,
// error outputs and replies, is_complete verdicts, kernel_info), no empty
// streams, progress before idle after an interrupt, and an exit when the
// client dies.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { isComplete } from "../../kernel/complete.js";
import { installKernelSpec } from "../../kernel/install.js";
import { findPython } from "../../kernel/nbexec.js";
import { PROJECT_ROOT } from "../../lab/paths.js";
import { tmpDir } from "./helpers.js";

interface Msg {
  msg_type: string;
  content: Record<string, unknown>;
}
interface Executed {
  reply: Record<string, unknown>;
  iopub: Msg[];
  late: Msg[];
}
type Request = { op: "execute"; code: string; interrupt_after?: number } | { op: "is_complete"; code: string } | { op: "kernel_info" };

const DRIVER = path.join(PROJECT_ROOT, "test", "kernel", "protocol.py");
let prefix = "";
let env: NodeJS.ProcessEnv = {};

function python(): string {
  const py = findPython();
  if (!py) throw new Error("missing python3 with jupyter_client (apt-get install python3-nbclient)");
  return py;
}

/** Run the requests in one fresh kernel; the answers, in order. */
function session(requests: Request[]): unknown[] {
  const r = spawnSync(python(), [DRIVER, "session", "--cwd", PROJECT_ROOT], { input: JSON.stringify(requests), encoding: "utf8", env, timeout: 240_000, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `protocol.py failed (${r.signal ?? r.status}):\n${r.stderr}`);
  const line = r.stdout.split("\n").find((l) => l.startsWith("ANSWERS "));
  assert.ok(line, `no answers from protocol.py:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(line.slice("ANSWERS ".length)) as unknown[];
}

const noEmptyStreams = (e: Executed): void => {
  for (const m of [...e.iopub, ...e.late]) if (m.msg_type === "stream") assert.notEqual(m.content.text, "", "an empty stream message");
};

describe("the kernel's messages (jupyter_client)", { timeout: 600_000 }, () => {
  before(() => {
    prefix = tmpDir("protocol");
    installKernelSpec({ prefix });
    env = { ...process.env, JUPYTER_PATH: path.join(prefix, "share", "jupyter") };
  });
  after(() => fs.rmSync(prefix, { recursive: true, force: true }));

  test("execute: results, errors, streams, interrupts; kernel_info; is_complete", () => {
    const cases: Request[] = [
      { op: "kernel_info" },
      // 1: a child's empty stderr (execFileSync pipes it back as a write of "")
      { op: "execute", code: 'const cp = require("child_process");\nconst built = cp.execFileSync(process.execPath, ["-e", "process.stdout.write(\'built\')"]).toString();\nconsole.log(built)' },
      // 2: the last expression
      { op: "execute", code: "const answer = 6 * 7;\nanswer" },
      { op: "execute", code: 'table([{ a: 1, b: "x" }])' },
      { op: "execute", code: "let nothing = undefined;\nnothing" },
      // 5: errors
      { op: "execute", code: 'const push = loadBinary("push-O0");\npush.disasm("tset")' },
      { op: "execute", code: "const one = 1;\nconst n: number = \"x\";" },
      { op: "execute", code: 'JSON.parse("{")' },
      { op: "execute", code: "%%probe push-O0\nprobe tset < x++ >" },
      // 9: interrupts
      { op: "execute", code: "while (true) {}", interrupt_after: 1.5 },
      { op: "execute", code: 'await sweep("push-O0", "probe test:0, test:1, test:4, test:5, test:6 < n++ >", { emulation: [false] })', interrupt_after: 2 },
      { op: "execute", code: "%%probe push-O0 --kernel 4.16 --no-emulation\nprobe test:0, test:1, test:4, test:5, test:6 < count++ >", interrupt_after: 2 },
      { op: "execute", code: "answer + 1" },
    ];
    const a = session(cases);
    const info = a[0] as { implementation: string; language_info: { name: string; version: string } };
    assert.equal(info.language_info.name, "typescript");
    assert.match(info.language_info.version, /^5\.\d+\.\d+$/, "the TypeScript in use, not tslab's 3.7.2");
    assert.equal(info.implementation, "uprobe-lab");
    const ex = a.slice(1) as Executed[];
    for (const e of ex) noEmptyStreams(e);
    const results = (e: Executed): Msg[] => e.iopub.filter((m) => m.msg_type === "execute_result");
    const errors = (e: Executed): Msg[] => e.iopub.filter((m) => m.msg_type === "error");

    // a child process that printed nothing on stderr: no stderr message at all
    assert.deepEqual(ex[0]!.iopub.map((m) => [m.msg_type, m.content.name, m.content.text]), [["stream", "stdout", "built\n"]]);
    // Out[n]: an execute_result carrying the execution count, not a stdout stream
    assert.equal(ex[1]!.reply.status, "ok");
    assert.deepEqual(ex[1]!.iopub, [{ msg_type: "execute_result", content: { execution_count: ex[1]!.reply.execution_count, data: { "text/plain": "42" }, metadata: {} } }]);
    const tableResult = results(ex[2]!)[0]!.content;
    assert.equal(tableResult.execution_count, ex[2]!.reply.execution_count);
    assert.match(String((tableResult.data as Record<string, unknown>)["text/html"]), /<table/, "a view's rich bundle");
    assert.deepEqual(ex[3]!.iopub, [], "undefined shows nothing (as None in IPython)");

    // a UserError: one line, its class as ename, in the error output and the reply alike
    const userError = errors(ex[4]!)[0]!.content;
    assert.deepEqual(userError, { ename: "UserError", evalue: "samples/bin/push-O0: no function 'tset' (did you mean test?)", traceback: ["samples/bin/push-O0: no function 'tset' (did you mean test?)"] });
    assert.equal(ex[4]!.reply.status, "error");
    assert.equal(ex[4]!.reply.ename, "UserError");
    assert.deepEqual(ex[4]!.reply.traceback, userError.traceback);
    assert.ok(!ex[4]!.iopub.some((m) => m.msg_type === "stream"), "nothing on stderr besides the error output");
    // a TypeScript error: located, with the source line and a caret under the column
    const tsError = errors(ex[5]!)[0]!.content;
    assert.equal(tsError.ename, "TSError");
    assert.deepEqual(tsError.traceback, ["cell:2:7: error: Type 'string' is not assignable to type 'number'.", 'const n: number = "x";', "      ^"]);
    // a genuine exception: its class, its message, and no frames of tslab, node:vm or the kernel
    const syntaxError = errors(ex[6]!)[0]!.content;
    assert.equal(syntaxError.ename, "SyntaxError");
    const tb = syntaxError.traceback as string[];
    assert.match(tb[0]!, /^SyntaxError: /);
    assert.ok(tb.slice(1).every((l) => /^ {4}at /.test(l) && !/tslab|node:vm|kernel\/main\.js|sigintHandlersWrap/.test(l)), tb.join("\n"));
    // a DSL error: located
    const dslError = errors(ex[7]!)[0]!.content;
    assert.equal(dslError.ename, "DslError");
    assert.deepEqual(dslError.traceback, ["cell:2:7: error: unknown symbol 'tset' (did you mean 'test'?)", "probe tset < x++ >", "      ^~~~"]);

    // interrupts: one line, KeyboardInterrupt (IPython's ename), the final progress line before idle
    const loop = errors(ex[8]!)[0]!.content;
    assert.equal(loop.ename, "KeyboardInterrupt");
    assert.equal((loop.traceback as string[]).length, 1);
    for (const e of [ex[9]!, ex[10]!]) {
      assert.equal(e.reply.status, "error");
      assert.equal(e.reply.ename, "KeyboardInterrupt");
      assert.deepEqual(e.late, [], "nothing after idle");
      const progress = e.iopub.filter((m) => m.msg_type === "update_display_data");
      assert.match(String((progress.at(-1)!.content.data as Record<string, unknown>)["text/plain"]), /interrupted/, "the final progress line, before idle");
    }
    assert.match(String(ex[10]!.reply.evalue), /^interrupted after \d{1,3}(,\d{3})+ guest instructions$/, "thousands separators");
    // and the kernel goes on
    assert.deepEqual(results(ex[11]!)[0]!.content.data, { "text/plain": "43" });

    // is_complete, through the kernel
    const verdicts = session([
      { op: "is_complete", code: "%%probe push-O0\nprobe test:0 < count++ >" },
      { op: "is_complete", code: "%%probe push-O0\nprobe test:0 < count++" },
      { op: "is_complete", code: 'const s = "abc' },
      { op: "is_complete", code: "const a = 1" },
    ]);
    assert.deepEqual(verdicts, [{ status: "complete" }, { status: "incomplete", indent: "" }, { status: "incomplete", indent: "" }, { status: "complete" }]);
  });

  test("is_complete verdicts (IPython's: complete, incomplete with an indent, invalid)", () => {
    const table: [string, string, string?][] = [
      // %%probe cells: the DSL's parser decides
      ["%%probe push-O0\nprobe test:0 < count++ >", "complete"],
      ["%%probe push-O0\nprobe test:0 < count++", "incomplete", ""],
      ["%%probe push-O0\nprobe test:0 <", "incomplete", "  "],
      ["%%probe push-O0\nBEGIN {", "incomplete", "  "],
      ['%%probe push-O0\nprobe test:0 < printf("abc', "incomplete", ""],
      ["%%probe push-O0\nprobe test:0 /* a comment", "incomplete", ""],
      ["%%probe push-O0\nprobe test:0 / arg0 <", "incomplete", "  "],
      ["%%probe push-O0", "incomplete", ""],
      ["%%probe push-O0 --kernel 4.16\nprobe test:0 < count+++ >", "invalid"],
      ["%%probe 'push-O0\nprobe test:0 < n++ >", "invalid"],
      ["%%probe push-O0\nprobe test:0 < count++\n\n", "complete"],
      // other cell magics: complete once the last line is blank (IPython's rule)
      ["%%c push.c\nint main() {}", "incomplete", ""],
      ["%%c push.c\nint main() {}\n", "complete"],
      // TypeScript
      ["const a = 1", "complete"],
      ["", "complete"],
      ['const s = "abc', "incomplete", ""],
      ["const t = `abc\n${1}", "incomplete", ""],
      ["foo(1,", "incomplete", ""],
      ["if (x) {", "incomplete", "  "],
      ["  const a = [", "incomplete", "    "],
      ["/* abc", "incomplete", ""],
      ["const x = 1 +", "incomplete", ""],
      ["if (x) {\n\n", "complete"],
      ["a b c", "invalid"],
      ["const y = <number>z", "complete"],
    ];
    for (const [code, status, indent] of table) {
      const r = isComplete(code);
      assert.equal(r.status, status, JSON.stringify(code));
      if (indent !== undefined) assert.deepEqual(r, { status, indent }, JSON.stringify(code));
    }
  });

  test("the kernel exits when its client dies (JPY_PARENT_PID, as ipykernel)", async () => {
    const parent = spawn(python(), [DRIVER, "orphan"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let kernelPid = 0;
    try {
      kernelPid = await new Promise<number>((resolve, reject) => {
        let out = "";
        const t = setTimeout(() => reject(new Error("no kernel pid within 120 s")), 120_000);
        parent.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const m = /"pid": (\d+)/.exec(out);
          if (m) {
            clearTimeout(t);
            resolve(Number(m[1]));
          }
        });
        parent.on("exit", () => reject(new Error("the parent exited early")));
      });
      assert.ok(running(kernelPid), "the kernel runs");
      parent.kill("SIGKILL");
      const t0 = Date.now();
      while (running(kernelPid) && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 100));
      assert.ok(!running(kernelPid), "the kernel exited within 10 s of its parent's death");
    } finally {
      parent.kill("SIGKILL");
      if (kernelPid && running(kernelPid)) process.kill(kernelPid, "SIGKILL");
    }
  });
});

/** Alive and not a zombie (a zombie has exited; its new parent reaps it when it can). */
function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}
