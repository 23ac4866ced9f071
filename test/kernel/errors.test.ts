// The kernel's pieces without Jupyter: how failures read (kernel/errors.ts)
// and when the parent watch fires (kernel/parent-watch.ts).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { UserError } from "../../engine/index.js";
import { failureOf, typeScriptFailure } from "../../kernel/errors.js";
import { jupyterParentPid, watchParent } from "../../kernel/parent-watch.js";
import { RunError } from "../../lab/probe-run.js";

describe("failures as IPython shows them", () => {
  test("a UserError is one line, its class the ename", () => {
    assert.deepEqual(failureOf(new UserError("x: no function 'tset' (did you mean test?)")), { ename: "UserError", evalue: "x: no function 'tset' (did you mean test?)", traceback: ["x: no function 'tset' (did you mean test?)"] });
  });

  test("a RunError stands for what it wraps; an interrupt is a KeyboardInterrupt", () => {
    assert.equal(failureOf(new RunError("user", "bad path", new UserError("bad path"))).ename, "UserError");
    assert.deepEqual(failureOf(new RunError("dsl", "cell:1:7: error: x\nprobe tset\n      ^")).traceback, ["cell:1:7: error: x", "probe tset", "      ^"]);
    assert.deepEqual(failureOf(new RunError("interrupted", "interrupted after 1,200,000 guest instructions")), { ename: "KeyboardInterrupt", evalue: "interrupted after 1,200,000 guest instructions", traceback: ["interrupted after 1,200,000 guest instructions"] });
    assert.equal(failureOf(new Error("Script execution was interrupted by `SIGINT`")).ename, "KeyboardInterrupt");
    assert.equal(failureOf(new Error("Interrupted asynchronously")).traceback.length, 1);
  });

  test("a genuine exception keeps its own frames, not tslab's, node:vm's or the kernel's", () => {
    const e = new TypeError("x is not a function");
    e.stack = [
      "evalmachine.<anonymous>:3",
      "x()",
      "^",
      "",
      "TypeError: x is not a function",
      "    at f (file:///p/dist/kernel/api.js:10:3)",
      "    at evalmachine.<anonymous>:3:1",
      "    at sigintHandlersWrap (node:vm:280:12)",
      "    at Script.runInThisContext (node:vm:135:14)",
      "    at Object.execute (/p/node_modules/tslab/dist/executor.js:160:38)",
      "    at executor.execute (file:///p/dist/kernel/main.js:137:20)",
      "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
    ].join("\n");
    assert.deepEqual(failureOf(e), {
      ename: "TypeError",
      evalue: "x is not a function",
      traceback: ["TypeError: x is not a function", "    at f (file:///p/dist/kernel/api.js:10:3)", "    at evalmachine.<anonymous>:3:1"],
    });
    assert.deepEqual(failureOf("a string"), { ename: "Error", evalue: "a string", traceback: ["Uncaught a string"] });
  });

  test("TypeScript errors: cell:LINE:COL, the line, a caret", () => {
    assert.deepEqual(typeScriptFailure([{ line: 2, col: 7, message: "Type 'string' is not assignable to type 'number'." }], "const a = 1;\nconst n: number = 'x'"), {
      ename: "TSError",
      evalue: "2:7: Type 'string' is not assignable to type 'number'.",
      traceback: ["cell:2:7: error: Type 'string' is not assignable to type 'number'.", "const n: number = 'x'", "      ^"],
    });
  });
});

describe("the parent watch (ipykernel's parent poller)", () => {
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

  test("fires when the parent changed, not before; PID 1 and no JPY_PARENT_PID are not watched", async () => {
    let ppid = 4242;
    const gone: string[] = [];
    const t = watchParent({ parentPid: 4242, ppid: () => ppid, onGone: (w) => gone.push(w), intervalMs: 10 });
    assert.ok(t);
    await wait(50);
    assert.deepEqual(gone, []);
    ppid = 1;
    await wait(50);
    assert.deepEqual(gone, ["the kernel's client (pid 4242) is gone"]);
    assert.equal(watchParent({ parentPid: 1, ppid: () => 1, onGone: () => assert.fail() }), undefined);
    assert.equal(watchParent({ parentPid: undefined, ppid: () => 7, onGone: () => assert.fail() }), undefined);
  });

  test("started through another process: watches that the JPY_PARENT_PID process exists", async () => {
    let alive = true;
    const gone: string[] = [];
    const t = watchParent({ parentPid: 4242, ppid: () => 99, alive: () => alive, onGone: (w) => gone.push(w), intervalMs: 10 });
    await wait(40);
    assert.equal(gone.length, 0);
    alive = false;
    await wait(40);
    assert.equal(gone.length, 1);
    clearInterval(t);
  });

  test("JPY_PARENT_PID parsing", () => {
    assert.equal(jupyterParentPid({ JPY_PARENT_PID: "123" }), 123);
    assert.equal(jupyterParentPid({ JPY_PARENT_PID: "x" }), undefined);
    assert.equal(jupyterParentPid({}), undefined);
  });
});
