#!/usr/bin/env python3
"""Drive the uprobe-lab kernel through Jupyter's client, message by message.

    protocol.py session [--cwd DIR]   # JSON list of requests on stdin; a line "ANSWERS <JSON list>" on stdout
    protocol.py orphan                # start a kernel, print {"pid": N}, then wait to be killed

A request is one of
    {"op": "execute", "code": "...", "interrupt_after": SECONDS?}
    {"op": "is_complete", "code": "..."}
    {"op": "kernel_info"}
and its answer holds the reply's content and, for execute, every iopub
message of the request up to its idle status ("iopub": [{"msg_type", "content"}]),
plus those that arrived within a second after idle ("late").

The kernel must be registered (JUPYTER_PATH); test/kernel/protocol.test.ts
writes a temporary kernelspec.
"""

import json
import queue
import sys
import time

from jupyter_client.manager import start_new_kernel


def slim(msg):
    return {"msg_type": msg["msg_type"], "content": msg["content"]}


def reply_to(kc, msg_id):
    """The shell reply to one request (start-up leaves extra kernel_info replies behind)."""
    while True:
        msg = kc.get_shell_msg(timeout=120)
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


def execute(km, kc, req):
    msg_id = kc.execute(req["code"])
    if "interrupt_after" in req:
        time.sleep(req["interrupt_after"])
        km.interrupt_kernel()
    iopub, late = [], []
    while True:
        msg = kc.get_iopub_msg(timeout=120)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status":
            if msg["content"]["execution_state"] == "idle":
                break
            continue
        iopub.append(slim(msg))
    reply = reply_to(kc, msg_id)
    # whatever the request still sends after idle is a protocol error (a client has moved on)
    deadline = time.time() + 1.0
    while time.time() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=max(0.05, deadline - time.time()))
        except queue.Empty:
            break
        if msg["parent_header"].get("msg_id") == msg_id:
            late.append(slim(msg))
    if reply["content"].get("status") == "error":
        time.sleep(0.3)  # tslab aborts requests for 200 ms after an error
    return {"reply": reply["content"], "iopub": iopub, "late": late}


def session(cwd):
    requests = json.load(sys.stdin)
    km, kc = start_new_kernel(kernel_name="uprobe-lab", cwd=cwd, startup_timeout=120)
    answers = []
    try:
        for req in requests:
            op = req["op"]
            if op == "execute":
                answers.append(execute(km, kc, req))
            elif op == "is_complete":
                answers.append(reply_to(kc, kc.is_complete(req["code"]))["content"])
            elif op == "kernel_info":
                answers.append(reply_to(kc, kc.kernel_info())["content"])
            else:
                raise SystemExit("unknown op " + op)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    # one line, marked: the kernel shares this process's stdout and may write to it too
    print("ANSWERS " + json.dumps(answers), flush=True)
    return 0


def orphan():
    km, kc = start_new_kernel(kernel_name="uprobe-lab", startup_timeout=120)
    print(json.dumps({"pid": km.provisioner.process.pid}), flush=True)
    time.sleep(600)  # the test kills this process; the kernel must notice and exit
    return 0


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "session":
        cwd = sys.argv[sys.argv.index("--cwd") + 1] if "--cwd" in sys.argv else "."
        return session(cwd)
    if cmd == "orphan":
        return orphan()
    raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
