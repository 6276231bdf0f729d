#!/usr/bin/env python3
"""Runs the benchmark corpus from Python on wasmint and on the peers that are
installed, side by side, and prints per program the median time and the
ratio to wasmint, and the geometric mean.

Peers (each optional; this script installs nothing, see benches/README.md):
  wasmtime  PyPI `wasmtime`  a JIT compiler: the upper bound
  wasm3     PyPI `pywasm3`   the wasm3 interpreter
  pywasm    PyPI `pywasm`    a pure-Python interpreter

Each program exports run(n), n rounds of equal work returning a checksum
(benches/corpus/manifest.txt), so time is linear in n. Every engine runs the
benchmark n and its checksum is checked; pywasm, thousands of times slower,
runs the quick n instead and its time is scaled up to the benchmark n
(marked ~). Compile and instantiate are not timed.

wasmi has no Python binding; with --criterion DIR (default target/criterion
when it exists) the table adds a wasmi column from the last
`cargo bench --bench execute` (marked *: a different run, same corpus and n).

    python benches/python_peers.py                 # everything installed
    python benches/python_peers.py --quick         # quick n only: a smoke test
    python benches/python_peers.py --engines wasmint,wasm3 --programs fib,vm
"""

import argparse
import json
import math
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
MASK = 0xFFFFFFFF


def load_manifest():
    programs = []
    with open(os.path.join(CORPUS, "manifest.txt")) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, qn, qsum, bn, bsum = line.split()
            programs.append((name, (int(qn), int(qsum)), (int(bn), int(bsum))))
    return programs


# Each engine: prepare(wasm bytes, path) -> callable run(n) -> int.


def prepare_wasmint(wasm, path):
    import wasmint

    instance = wasmint.Instance(wasmint.Module(wasmint.Store(), wasm))
    return instance.exports.run


def prepare_wasmtime(wasm, path):
    import wasmtime

    store = wasmtime.Store()
    module = wasmtime.Module(store.engine, wasm)
    run = wasmtime.Instance(store, module, []).exports(store)["run"]
    return lambda n: run(store, n)


def prepare_wasm3(wasm, path):
    import wasm3

    env = wasm3.Environment()
    runtime = env.new_runtime(64 * 1024)
    runtime.load(env.parse_module(wasm))
    run = runtime.find_function("run")
    # Keep env and runtime alive as long as the function.
    return lambda n, _keep=(env, runtime): run(n)


def prepare_pywasm(wasm, path):
    import pywasm

    if hasattr(pywasm, "core") and hasattr(pywasm.core, "Runtime"):  # pywasm 2.x
        runtime = pywasm.core.Runtime()
        instance = runtime.instance_from_file(path)
        return lambda n: runtime.invocate(instance, "run", [n])[0]
    vm = pywasm.load(path)  # pywasm 1.x
    return lambda n: vm.exec("run", [n])


# name, prepare, whether it is too slow for the benchmark n.
ENGINES = [
    ("wasmint", prepare_wasmint, False),
    ("wasm3", prepare_wasm3, False),
    ("wasmtime", prepare_wasmtime, False),
    ("pywasm", prepare_pywasm, True),
]


def available(name):
    module = {"wasmint": "wasmint", "wasmtime": "wasmtime", "wasm3": "wasm3", "pywasm": "pywasm"}[name]
    try:
        __import__(module)
        return True, ""
    except Exception as e:  # ImportError, or a broken build
        return False, f"{type(e).__name__}: {e}"


def measure(run, n, expected, repeats):
    """Median wall time of run(n) over `repeats`, checking the checksum."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        got = run(n) & MASK
        times.append(time.perf_counter() - t)
        if got != expected:
            raise RuntimeError(f"run({n}) returned {got}, expected {expected}")
    return statistics.median(times)


def criterion_median(root, program, engine):
    path = os.path.join(root, f"execute_{program}", engine, "new", "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"] / 1e9
    except (OSError, KeyError, ValueError):
        return None


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engines", default=",".join(e[0] for e in ENGINES), help="comma-separated engines to try")
    ap.add_argument("--programs", default="", help="comma-separated programs (default: all)")
    ap.add_argument("--repeats", type=int, default=5, help="timed runs per program and engine (median)")
    ap.add_argument("--slow-repeats", type=int, default=1, help="timed runs for pywasm (at the quick n)")
    ap.add_argument("--quick", action="store_true", help="every engine at the quick n (a smoke test)")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--json", metavar="FILE", help="also write the times (seconds) as JSON")
    default_criterion = os.path.join(HERE, "..", "target", "criterion")
    ap.add_argument("--criterion", default=default_criterion if os.path.isdir(default_criterion) else "",
                    help="criterion output dir to take wasmi medians from ('' to skip)")
    args = ap.parse_args()

    wanted = [e.strip() for e in args.engines.split(",") if e.strip()]
    programs = load_manifest()
    if args.programs:
        keep = set(p.strip() for p in args.programs.split(","))
        programs = [p for p in programs if p[0] in keep]
    engines, missing = [], []
    for name, prepare, slow in ENGINES:
        if name not in wanted:
            continue
        ok, why = available(name)
        if ok:
            engines.append((name, prepare, slow))
        else:
            missing.append(name)
            print(f"# {name}: not available ({why})", file=sys.stderr)
    if not engines:
        sys.exit("no engine available")

    # results[engine][program] = (seconds at the benchmark n, estimated?)
    results = {name: {} for name, _, _ in engines}
    for pname, quick, bench in programs:
        path = os.path.join(CORPUS, pname + ".wasm")
        with open(path, "rb") as f:
            wasm = f.read()
        for name, prepare, slow in engines:
            try:
                run = prepare(wasm, path)
                # Check the quick size first: a broken engine fails fast.
                measure(run, quick[0], quick[1], 1)
                if args.quick:
                    t = measure(run, quick[0], quick[1], args.repeats)
                    results[name][pname] = (t, False)
                elif slow:
                    t = measure(run, quick[0], quick[1], args.slow_repeats)
                    results[name][pname] = (t * bench[0] / quick[0], True)
                else:
                    t = measure(run, bench[0], bench[1], args.repeats)
                    results[name][pname] = (t, False)
                t, est = results[name][pname]
                print(f"# {pname:10} {name:9} {t:9.4f} s{' (scaled from the quick n)' if est else ''}",
                      file=sys.stderr, flush=True)
            except BaseException as e:  # also pyo3's PanicException
                if isinstance(e, (KeyboardInterrupt, SystemExit)):
                    raise
                print(f"# {pname:10} {name:9} FAILED: {type(e).__name__}: {e}", file=sys.stderr, flush=True)

    columns = [name for name, _, _ in engines]
    if args.criterion and not args.quick:
        wasmi = {p[0]: criterion_median(args.criterion, p[0], "wasmi") for p in programs}
        if any(v is not None for v in wasmi.values()):
            results["wasmi*"] = {k: (v, False) for k, v in wasmi.items() if v is not None}
            columns.insert(1, "wasmi*")

    # An engine that failed every program gets no column.
    failed = [c for c in columns if not results[c]]
    columns = [c for c in columns if results[c]]
    if not columns:
        sys.exit("every engine failed (see the messages above)")
    base = "wasmint" if "wasmint" in columns else columns[0]
    # Geometric mean over the programs every shown engine completed.
    common = [p[0] for p in programs if all(p[0] in results[c] for c in columns)]
    means = {}
    for c in columns:
        if common:
            means[c] = (geomean([results[c][p][0] for p in common]), any(results[c][p][1] for p in common))
    rows = [(p[0], {c: results[c].get(p[0]) for c in columns}) for p in programs]
    rows.append(("geomean", {c: means.get(c) for c in columns}))

    def cell(r, b):
        if r is None:
            return "-"
        t, est = r
        text = ("~" if est else "") + format(t, ".4f")
        return f"{text} ({t / b[0]:.2f}x)" if b else text

    print()
    print(f"Median seconds per program (n from manifest.txt{', quick n' if args.quick else ''});"
          f" in brackets: time / {base} time (lower is faster).")
    if args.markdown:
        print("| program | " + " | ".join(columns) + " |")
        print("| --- |" + " ---: |" * len(columns))
        for name, r in rows:
            print(f"| {name} | " + " | ".join(cell(r[c], r.get(base)) for c in columns) + " |")
    else:
        header = f"{'program':11}" + "".join(f"{c:>22}" for c in columns)
        print(header)
        print("-" * len(header))
        for name, r in rows:
            if name == "geomean":
                print("-" * len(header))
            print(f"{name:11}" + "".join(f"{cell(r[c], r.get(base)):>22}" for c in columns))
    if len(common) < len(programs):
        print(f"(geomean over the {len(common)} programs every engine completed)")
    if "wasmi*" in columns:
        print("* wasmi: median from the last `cargo bench --bench execute` (criterion), not this run.")
    if any(r[1] for col in results.values() for r in col.values()):
        print("~ pywasm: timed at the quick n and scaled linearly to the benchmark n.")
    if failed:
        print("Failed on every program: " + ", ".join(failed) + " (see the messages above).")
    if missing:
        print("Not available: " + ", ".join(missing) + " (see benches/README.md to install).")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({c: {p: t for p, (t, _) in results[c].items()} for c in columns}, f, indent=1)
    import platform

    vers = []
    for dist in ("wasmint", "wasmtime", "pywasm3", "pywasm"):
        try:
            from importlib.metadata import version

            vers.append(f"{dist} {version(dist)}")
        except Exception:
            pass
    print(f"Python {platform.python_version()} on {platform.machine()}; " + ", ".join(vers))


if __name__ == "__main__":
    main()
