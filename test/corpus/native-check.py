#!/usr/bin/env python3
"""native-check.py -- build the differential-test corpus and validate it natively.

For every program in test/corpus/*.c this script
  * builds it with `musl-gcc -static -O0` and `-O2` into a temporary directory
    (the same flags the emulator differential test uses; extra CFLAGS via $CFLAGS),
  * runs every case from cases.json natively twice (argv, stdin and env from the
    case; the environment is otherwise EMPTY, like `env -i`) and checks that
    stdout, stderr and exit status are identical between the two runs,
  * checks the exit status against expectExit (128+N for death by signal N),
  * checks that the -O0 and -O2 builds produce identical results,
  * checks the native wall time is below --max-seconds (default 0.5),
  * optionally (--qemu) runs under qemu-x86_64 and compares,
  * optionally (--callgrind) reports valgrind callgrind's Ir (instructions
    executed) per binary and checks it is below --max-ir (default 20e6).

Usage: test/corpus/native-check.py [--qemu] [--callgrind] [--keep DIR] [NAME...]
Exit status 0 if everything passed.
"""
import argparse, json, os, re, shutil, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))


def status_of(rc):
    return 128 - rc if rc < 0 else rc


def run(cmd, case, timeout=20):
    env = dict(case.get("env", {}))
    t0 = time.perf_counter()
    p = subprocess.run(cmd, input=case.get("stdin", "").encode(), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, timeout=timeout)
    return p.stdout, p.stderr, status_of(p.returncode), time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qemu", action="store_true")
    ap.add_argument("--callgrind", action="store_true")
    ap.add_argument("--keep", metavar="DIR", help="build into DIR and keep it")
    ap.add_argument("--max-seconds", type=float, default=0.5)
    ap.add_argument("--max-ir", type=float, default=20e6)
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()

    cases = json.load(open(os.path.join(HERE, "cases.json"), encoding="utf-8"))
    names = sorted({c["name"] for c in cases})
    srcs = sorted(f[:-2] for f in os.listdir(HERE) if f.endswith(".c"))
    missing = set(srcs) ^ set(names)
    ok = True
    if missing:
        print("cases.json and *.c disagree:", sorted(missing))
        ok = False
    if a.names:
        names = [n for n in names if n in a.names]
    out = a.keep or tempfile.mkdtemp(prefix="corpus-")
    os.makedirs(out, exist_ok=True)
    cflags = os.environ.get("CFLAGS", "").split()
    ir = {}
    results = {}
    for n in names:
        for opt in ("O0", "O2"):
            exe = os.path.join(out, f"{n}-{opt}")
            b = subprocess.run(["musl-gcc", "-static", f"-{opt}", *cflags, "-o", exe,
                                os.path.join(HERE, n + ".c")], capture_output=True, text=True)
            if b.returncode:
                print(f"BUILD FAIL {n}-{opt}\n{b.stderr}")
                ok = False
                continue
            for c in (c for c in cases if c["name"] == n):
                cid = c.get("id", n)
                argv = [exe, *c.get("args", [])]
                r1 = run(argv, c)
                r2 = run(argv, c)
                msgs = []
                if r1[:3] != r2[:3]:
                    msgs.append("not deterministic (two native runs differ)")
                if r1[2] != c.get("expectExit", 0):
                    msgs.append(f"exit {r1[2]} != expectExit {c.get('expectExit', 0)}")
                if max(r1[3], r2[3]) > a.max_seconds:
                    msgs.append(f"slow: {max(r1[3], r2[3]):.3f}s")
                if a.qemu:
                    rq = list(run(["qemu-x86_64", *argv], c))
                    # qemu-user reports fatal signals on stderr; that line is not the program's
                    rq[1] = re.sub(rb"qemu: uncaught target signal [^\n]*\n", b"", rq[1])
                    if tuple(rq[:3]) != r1[:3]:
                        msgs.append("qemu-x86_64 differs: exit %d vs %d, stdout %s, stderr %s" % (
                            rq[2], r1[2], "same" if rq[0] == r1[0] else "DIFF", "same" if rq[1] == r1[1] else "DIFF"))
                tag = f"{cid}-{opt}"
                results[(cid, opt)] = r1[:3]
                if opt == "O2" and (cid, "O0") in results and results[(cid, "O0")] != r1[:3]:
                    msgs.append("-O0 and -O2 results differ (undefined behaviour in the program?)")
                if a.callgrind and cid == n:
                    cg = os.path.join(out, f"callgrind.{tag}")
                    p = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={cg}", *argv],
                                       input=c.get("stdin", "").encode(), env=dict(c.get("env", {})),
                                       capture_output=True)
                    m = re.search(rb"Collected : (\d+)", p.stderr)
                    if m:
                        ir[tag] = int(m.group(1))
                        if ir[tag] > a.max_ir:
                            msgs.append(f"too many instructions: {ir[tag]}")
                    else:
                        msgs.append("callgrind gave no count")
                print(("FAIL " if msgs else "ok   ") + f"{tag:24s} exit={r1[2]:<3d} out={len(r1[0]):5d}B "
                      f"err={len(r1[1]):4d}B t={max(r1[3], r2[3]) * 1000:6.1f}ms"
                      + (f" Ir={ir[tag]:>10,d}" if tag in ir else "") + ("  " + "; ".join(msgs) if msgs else ""))
                ok &= not msgs
    if not a.keep:
        shutil.rmtree(out)
    print("native-check:", "all passed" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
