"""The GC allocation loop: N iterations that each allocate a struct and a
4-element array (2N short-lived objects), against the same work on linear
memory, whole-process wall time and peak RSS, interleaved, medians; and
`walk`, 2N struct field reads over a list of 1,000 nodes.

    python benches/gc/alloc.py [--wasmint PATH] [--n 10000000] [--rounds 5]
"""
import argparse, os, statistics, subprocess, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(wasmint, func, n):
    fd, rss = tempfile.mkstemp()
    os.close(fd)
    t0 = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss, wasmint, "run", "--invoke", func,
                          os.path.join(HERE, "alloc.wat"), str(n)], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    with open(rss) as f:
        kib = int(f.read().split()[-1])
    os.unlink(rss)
    return wall, kib, out.stdout.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wasmint", default=os.path.join(HERE, "..", "..", "target", "release", "wasmint"))
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--rounds", type=int, default=5)
    o = ap.parse_args()
    res = {"gc": [], "plain": [], "walk": []}
    for _ in range(o.rounds):
        for f in res:
            # The walk reads 1,000 fields per round: n / 100 rounds.
            res[f].append(run(o.wasmint, f, o.n // 100 if f == "walk" else o.n))
    for f, rs in res.items():
        print("%-6s %d objects: wall %.3f s (min %.3f, max %.3f), peak RSS %.1f MiB, result %s" % (
            f, 2 * o.n if f == "gc" else 0, statistics.median(r[0] for r in rs), min(r[0] for r in rs),
            max(r[0] for r in rs), statistics.median(r[1] for r in rs) / 1024, rs[0][2]))
    print("load average %.2f" % os.getloadavg()[0])


if __name__ == "__main__":
    main()
