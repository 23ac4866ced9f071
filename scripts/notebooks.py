#!/usr/bin/env python3
"""Execute notebooks headless through the real Jupyter client (nbclient).

    notebooks.py run NB.ipynb [--out OUT.ipynb] [--timeout S] [--kernel NAME]
    notebooks.py interrupt [--kernel NAME]

`run` executes every cell in order and fails (exit 1) on:
  - a cell that fails (unless it is tagged `raises-exception`),
  - any `error` output,
  - anything written to stderr,
  - a cell running longer than --timeout (the kernel is interrupted).
It writes the executed notebook (no timing metadata, so re-runs give the
same file) to --out, and prints one JSON line per cell with its time.

`interrupt` checks that a long %%probe run can be interrupted and that the
kernel is still usable afterwards.

The kernel must be registered (JUPYTER_PATH or `uprobe-lab kernel install`).
"""

import argparse
import json
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError


def problems_of(cell):
    out = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "error":
            out.append("error output: %s: %s" % (o.get("ename"), o.get("evalue")))
        if o.get("output_type") == "stream" and o.get("name") == "stderr":
            out.append("stderr: " + (o.get("text", "").strip()[:2000] or "(an empty stderr output)"))
    return out


def run(args):
    nb = nbformat.read(args.notebook, as_version=4)
    client = NotebookClient(
        nb,
        timeout=args.timeout,
        interrupt_on_timeout=True,
        kernel_name=args.kernel,
        record_timing=False,
        allow_errors=False,
        resources={"metadata": {"path": args.cwd}},
    )
    failures = []
    replies = {}
    client.on_cell_executed = lambda cell, cell_index, execute_reply: replies.__setitem__(cell_index, execute_reply["content"])
    t_start = time.time()
    with client.setup_kernel():
        info = client.wait_for_reply(client.kc.kernel_info())
        client.nb.metadata["language_info"] = info["content"]["language_info"]
        print(json.dumps({"event": "kernel_ready", "seconds": round(time.time() - t_start, 2)}), flush=True)
        count = 0
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            count += 1
            expect_error = "raises-exception" in cell.get("metadata", {}).get("tags", [])
            t0 = time.time()
            failed = None
            try:
                client.execute_cell(cell, i, execution_count=count)
            except CellTimeoutError as e:
                failed = "timeout after %ss" % args.timeout
            except CellExecutionError as e:
                failed = str(e).strip().splitlines()[-1] if str(e).strip() else "cell failed"
            dt = time.time() - t0
            reply = replies.get(i, {})
            if failed is None and reply.get("status") not in (None, "ok"):
                failed = "%s: %s" % (reply.get("status"), reply.get("evalue", ""))
            probs = problems_of(cell)
            if expect_error:
                if failed is None:
                    failures.append("cell %d: expected an error, got none" % i)
                # tslab aborts requests for 200 ms after an error
                time.sleep(0.4)
            else:
                if failed:
                    failures.append("cell %d failed: %s" % (i, failed))
                failures.extend("cell %d: %s" % (i, p) for p in probs)
            print(json.dumps({"event": "cell", "index": i, "seconds": round(dt, 2), "error": failed, "problems": probs}), flush=True)
            if failed and not expect_error:
                break
    if args.out:
        nbformat.write(nb, args.out)
    print(json.dumps({"event": "done", "seconds": round(time.time() - t_start, 2), "failures": failures}), flush=True)
    return 1 if failures else 0


def interrupt_cell(km, kc, code, after):
    """Execute `code`, interrupt it after `after` seconds; returns (status, error text, seconds to stop)."""
    msg_id = kc.execute(code)
    time.sleep(after)
    t0 = time.time()
    km.interrupt_kernel()
    errors = []
    while True:
        msg = kc.get_iopub_msg(timeout=60)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream" and msg["content"]["name"] == "stderr":
            errors.append(msg["content"]["text"])
        if msg["msg_type"] == "error":
            errors.append("\n".join(msg["content"]["traceback"]) + "\n")
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    reply = kc.get_shell_msg(timeout=60)
    seconds = round(time.time() - t0, 2)
    time.sleep(0.4)  # tslab aborts requests for 200 ms after an error
    return reply["content"]["status"], "".join(errors), seconds


def answer(kc):
    texts = []

    def hook(m):
        if m["msg_type"] == "stream":
            texts.append(m["content"].get("text", ""))
        elif m["msg_type"] == "execute_result":
            texts.append(m["content"]["data"].get("text/plain", ""))

    kc.execute_interactive("const answer = 6 * 7; answer", timeout=60, output_hook=hook)
    return "".join(texts).strip()


def interrupt(args):
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name=args.kernel, cwd=args.cwd)
    result = {}
    try:
        kc.execute_interactive("1 + 1", timeout=60, output_hook=lambda m: None)
        # a %%probe cell: five probes single-stepping 5,000,000 hits in all (several seconds)
        status, err, secs = interrupt_cell(
            km, kc,
            "%%probe push-O0 --kernel 4.16 --no-emulation\nprobe test:0, test:1, test:4, test:5, test:6 < count++ >",
            args.after,
        )
        result["probe_cell"] = {"status": status, "stderr": err, "seconds": secs, "after": answer(kc)}
        # a TypeScript cell awaiting a sweep on worker threads
        status, err, secs = interrupt_cell(
            km, kc,
            'await sweep("push-O0", "probe test:0, test:1, test:4, test:5, test:6 < n++ >", { emulation: [false] })',
            args.after,
        )
        result["ts_cell"] = {"status": status, "stderr": err, "seconds": secs, "after": answer(kc)}
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    print(json.dumps(result), flush=True)
    p, t = result["probe_cell"], result["ts_cell"]
    ok = (
        p["status"] == "error" and p["stderr"].startswith("interrupted after") and p["after"] == "42"
        and t["status"] == "error" and "Interrupted" in t["stderr"] and t["after"] == "42"
    )
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("notebook")
    r.add_argument("--out")
    r.add_argument("--timeout", type=int, default=300)
    r.add_argument("--kernel", default="uprobe-lab")
    r.add_argument("--cwd", default=None, help="kernel working folder (default: the notebook's)")
    i = sub.add_parser("interrupt")
    i.add_argument("--kernel", default="uprobe-lab")
    i.add_argument("--cwd", default=".")
    i.add_argument("--after", type=float, default=2.0)
    args = ap.parse_args()
    if args.cmd == "run":
        if args.cwd is None:
            import os

            args.cwd = os.path.dirname(os.path.abspath(args.notebook))
        return run(args)
    return interrupt(args)


if __name__ == "__main__":
    sys.exit(main())
