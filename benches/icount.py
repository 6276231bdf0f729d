"""Machine instructions per program under cachegrind: a load-independent A/B
check while other work runs on the machine (not a benchmark: instruction
counts are not time).

    python benches/icount.py [--wasmint PATH] [--engine wasmint|wasmi] [--programs a,b] [--json OUT]
                             [--run-args "--fuel 1000000000000"]

Each program of programs/manifest.json runs at a reduced size (a tenth of
its benchmark argument, or its quick arguments), so a full pass takes a few
minutes.
"""
import argparse, json, os, re, subprocess, sys, math
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
PROG = os.path.join(HERE, "programs")


def small_args(p):
    a = p["args"]
    if a and a[0].isdigit() and int(a[0]) >= 10:
        return [str(int(a[0]) // 10)] + a[1:]
    return p.get("quick_args", a)


def count(cmd, stdin):
    r = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"] + cmd,
                       stdin=open(stdin) if stdin else subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, cwd=PROG)
    m = re.search(r"I\s+refs:\s+([\d,]+)", r.stderr)
    return int(m.group(1).replace(",", "")) if m else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wasmint", default=os.path.join(HERE, "..", "target", "release", "wasmint"))
    ap.add_argument("--engine", default="wasmint")
    ap.add_argument("--programs")
    ap.add_argument("--json")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--run-args", default="", help="options of `wasmint run`, before the program")
    o = ap.parse_args()
    progs = json.load(open(os.path.join(PROG, "manifest.json")))["programs"]
    if o.programs:
        progs = [p for p in progs if p["name"] in o.programs.split(",")]
    exe = os.path.abspath(o.wasmint) if o.engine == "wasmint" else os.path.expanduser("~/.cargo/bin/wasmi")

    def one(p):
        stdin = os.path.join(PROG, p["stdin"]) if p.get("stdin") else None
        return p["name"], count([exe, "run"] + o.run_args.split() + [p["wasm"]] + small_args(p), stdin)

    with ThreadPoolExecutor(o.jobs) as ex:
        res = dict(ex.map(one, progs))
    for n, c in res.items():
        print("%-18s %14s" % (n, "{:,}".format(c) if c else "FAILED"))
    ok = [c for c in res.values() if c]
    print("%-18s %14s" % ("geomean", "{:,}".format(int(math.exp(sum(map(math.log, ok)) / len(ok))))))
    if o.json:
        json.dump(res, open(o.json, "w"), indent=1)


if __name__ == "__main__":
    main()
