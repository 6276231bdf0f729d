"""What the sandbox's checks cost on the whole corpus, in one interleaved run:
no limits (a build without the interrupt check) against the default build
(interruption on, as always) against the default build with fuel metered.

    cargo build --release --bin wasmint
    CARGO_TARGET_DIR=target/no-check cargo build --release --bin wasmint \
        --features bench-no-interrupt-check
    python benches/limits_overhead.py --base target/no-check/release/wasmint [--rounds 5] [--programs a,b]

Each round runs every program under the three variants in a shuffled order;
the table gives median wall seconds and the ratios to "no limits". Output
is checked against the expected output. For a load-independent figure, run
benches/icount.py with --wasmint (and --run-args "--fuel N") instead.
"""
import argparse, json, math, os, random, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
PROG = os.path.join(HERE, "programs")
FUEL = str(10**15)


def command(exe, extra, p):
    cmd = [exe, "run"] + extra
    for d in p.get("dirs", []):
        host, _, guest = d.partition("::")
        cmd += ["--dir", "%s::%s" % (os.path.join(PROG, host), guest or host)]
    return cmd + [os.path.join(PROG, p["wasm"])] + p["args"]


def run(cmd, p):
    stdin = open(os.path.join(PROG, p["stdin"]), "rb") if p.get("stdin") else subprocess.DEVNULL
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdin=stdin, capture_output=True, cwd=PROG)
    wall = time.perf_counter() - t0
    with open(os.path.join(PROG, "expected", p["name"] + ".out"), "rb") as f:
        if r.stdout != f.read():
            sys.exit("%s: wrong output from %s" % (p["name"], " ".join(cmd)))
    return wall


def geomean(xs):
    return math.exp(sum(map(math.log, xs)) / len(xs))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True, help="wasmint built with --features bench-no-interrupt-check")
    ap.add_argument("--wasmint", default=os.path.join(HERE, "..", "target", "release", "wasmint"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--programs")
    ap.add_argument("--json")
    o = ap.parse_args()
    progs = json.load(open(os.path.join(PROG, "manifest.json")))["programs"]
    if o.programs:
        progs = [p for p in progs if p["name"] in o.programs.split(",")]
    variants = {
        "no limits": (os.path.abspath(o.base), []),
        "interruption": (os.path.abspath(o.wasmint), []),
        "fuel": (os.path.abspath(o.wasmint), ["--fuel", FUEL]),
    }
    times = {p["name"]: {v: [] for v in variants} for p in progs}
    load = [os.getloadavg()[0]]
    for _ in range(o.rounds):
        for p in progs:
            order = list(variants)
            random.shuffle(order)
            for v in order:
                exe, extra = variants[v]
                times[p["name"]][v].append(run(command(exe, extra, p), p))
        load.append(os.getloadavg()[0])
    print("load (1-minute average) per round: " + ", ".join("%.2f" % l for l in load))
    print("%-18s %10s %10s %10s %8s %8s" % ("program", "no limits", "interrupt", "fuel", "int/no", "fuel/no"))
    ratios = {"interruption": [], "fuel": []}
    for n, t in times.items():
        med = {v: statistics.median(xs) for v, xs in t.items()}
        for v in ratios:
            ratios[v].append(med[v] / med["no limits"])
        print("%-18s %10.3f %10.3f %10.3f %8.3f %8.3f" % (n, med["no limits"], med["interruption"], med["fuel"],
                                                        ratios["interruption"][-1], ratios["fuel"][-1]))
    print("%-18s %10s %10s %10s %8.3f %8.3f" % ("geomean", "", "", "", geomean(ratios["interruption"]),
                                              geomean(ratios["fuel"])))
    if o.json:
        json.dump({"times": times, "load": load}, open(o.json, "w"), indent=1)


if __name__ == "__main__":
    main()
