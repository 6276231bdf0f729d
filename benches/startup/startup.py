#!/usr/bin/env python3
"""Start-up cost of wasmint and wasmi on big real modules, and the peak RSS of
a module with a big data segment. Whole processes, timed from outside.

    sh benches/startup/fetch_big.sh          # once: the real modules (~50 MB)
    python3 benches/startup/startup.py       # 5 rounds, both engines
    python3 benches/startup/startup.py --rounds 7 --data-mb 100 --json out.json

Time to first instruction: `run --invoke NONE FILE` with an export that does
not exist. Both CLIs decode, validate, instantiate (memory, data and element
segments; no start function in these modules) and only then look the export
up and fail (wasmi_cli's Context::new instantiates, then get_func), so the
process's CPU time is all start-up and nothing runs. Each run's stderr is
checked for the engine's "no such export" message, so a run that failed
earlier is not counted. Lazy = each engine's default (wasmint: translation
on first call; wasmi: `lazy-translation`, validation eager for both); eager
= `--compile eager` / `--compilation-mode eager` (everything translated
before the lookup).

Data segment: a generated module (memory of the segment's size, one active
segment of N MiB of non-zero bytes, an empty `_start`) run by `run FILE`;
its peak RSS against N MiB.

Figures: median over the rounds of user+sys CPU seconds, wall seconds and
peak RSS (GNU time's %M). Rounds interleave the engines. The machine's load
(1-minute average) is printed before and after: other builds may be running.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
NONE = "__startup_bench_no_such_export__"
NOT_FOUND = {"wasmint": "exports no function", "wasmi": "failed to find function"}


def timed(cmd):
    """(cpu s, wall s, peak RSS KiB, exit status, stderr) of one run."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        p = subprocess.run(["/usr/bin/time", "-o", t.name, "-f", "%e %U %S %M"] + cmd,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        last = t.read().strip().splitlines()[-1].split()
    wall, user, sys_, rss = float(last[0]), float(last[1]), float(last[2]), int(last[3])
    return user + sys_, wall, rss, p.returncode, p.stderr


def load():
    return os.getloadavg()[0]


def code_section_bytes(path):
    """Size of the code section's contents."""
    b = open(path, "rb").read()
    i = 8

    def leb(i):
        r = s = 0
        while True:
            x = b[i]
            i += 1
            r |= (x & 0x7F) << s
            s += 7
            if x < 0x80:
                return r, i

    while i < len(b):
        sid = b[i]
        n, i = leb(i + 1)
        if sid == 10:
            return n
        i += n
    return 0


def data_module(mib):
    """A module with one active data segment of `mib` MiB (non-zero bytes)."""
    n = mib << 20
    pages = (n + 65535) >> 16

    def leb(v):
        out = bytearray()
        while True:
            x = v & 0x7F
            v >>= 7
            out.append(x | (0x80 if v else 0))
            if not v:
                return bytes(out)

    def section(sid, body):
        return bytes([sid]) + leb(len(body)) + body

    m = b"\0asm\x01\0\0\0"
    m += section(1, b"\x01\x60\x00\x00")  # type () -> ()
    m += section(3, b"\x01\x00")  # one function
    m += section(5, b"\x01\x00" + leb(pages))  # memory, min = pages
    m += section(7, b"\x02" + b"\x06_start\x00\x00" + b"\x06memory\x02\x00")
    m += section(10, b"\x01\x02\x00\x0b")  # empty body
    seg = bytes(range(1, 256)) * (n // 255) + b"\x01" * (n % 255)
    m += section(11, b"\x01\x00\x41\x00\x0b" + leb(n) + seg)
    return m


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wasmint", default=os.path.join(ROOT, "target/release/wasmint"))
    ap.add_argument("--wasmi", default=os.path.expanduser("~/.cargo/bin/wasmi"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--modules", default="cc1plus,cc1", help="names in benches/startup/big/")
    ap.add_argument("--data-mb", type=int, default=100, help="MiB of the data segment (0: skip)")
    ap.add_argument("--json")
    a = ap.parse_args()

    engines = {
        ("wasmint", "lazy"): [a.wasmint, "run", "--invoke", NONE],
        ("wasmint", "eager"): [a.wasmint, "run", "--compile", "eager", "--invoke", NONE],
        ("wasmi", "lazy"): [a.wasmi, "run", "--invoke", NONE],
        ("wasmi", "eager"): [a.wasmi, "run", "--compilation-mode", "eager", "--invoke", NONE],
    }
    mods = [m for m in a.modules.split(",") if m]
    paths = {m: os.path.join(HERE, "big", m + ".wasm") for m in mods}
    for m, p in paths.items():
        if not os.path.exists(p):
            sys.exit(f"{p} is missing: run benches/startup/fetch_big.sh")

    out = {"load_before": load(), "samples": {}, "translated": {}}
    print(f"load before: {out['load_before']:.2f}")

    # Translated size: every function translated, counted by wasmint.
    for m, p in paths.items():
        r = subprocess.run([a.wasmint, "run", "--compile", "eager", "--code-stats", "--invoke", NONE, p],
                           capture_output=True, text=True)
        g = re.search(r"(\d+) functions translated, (\d+) words", r.stderr)
        if g:
            words = int(g.group(2))
            code = code_section_bytes(p)
            out["translated"][m] = {"functions": int(g.group(1)), "bytes": 2 * words, "code_section": code}
            print(f"{m}: code section {code / 1e6:.1f} MB, translated {2 * words / 1e6:.1f} MB"
                  f" ({2 * words / code:.2f}x), {g.group(1)} functions")

    samples = {}
    for _ in range(a.rounds):
        for m, p in paths.items():
            for (eng, mode), cmd in engines.items():
                cpu, wall, rss, rc, err = timed(cmd + [p])
                if NOT_FOUND[eng] not in err:
                    sys.exit(f"{eng} {mode} {m}: unexpected failure (status {rc}): {err.strip()[:300]}")
                samples.setdefault(f"{m} {eng} {mode}", []).append((cpu, wall, rss))

    if a.data_mb:
        with tempfile.TemporaryDirectory() as d:
            f = os.path.join(d, f"data{a.data_mb}.wasm")
            with open(f, "wb") as fh:
                fh.write(data_module(a.data_mb))
            for _ in range(a.rounds):
                for eng, exe in (("wasmint", a.wasmint), ("wasmi", a.wasmi)):
                    cpu, wall, rss, rc, err = timed([exe, "run", f])
                    if rc != 0:
                        sys.exit(f"{eng} data module: status {rc}: {err.strip()[:300]}")
                    samples.setdefault(f"data{a.data_mb}MiB {eng}", []).append((cpu, wall, rss))

    print(f"\n{'run':<28} {'cpu s':>7} {'wall s':>7} {'peak RSS MB':>12}")
    for k, v in samples.items():
        cpu = statistics.median(s[0] for s in v)
        wall = statistics.median(s[1] for s in v)
        rss = statistics.median(s[2] for s in v) * 1024 / 1e6
        extra = ""
        if k.startswith("data"):
            extra = f"  ({rss * 1e6 / (a.data_mb << 20):.2f}x the segment)"
        print(f"{k:<28} {cpu:7.3f} {wall:7.3f} {rss:12.1f}{extra}")
    out["samples"] = samples
    out["load_after"] = load()
    print(f"load after: {out['load_after']:.2f}")
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(out, fh, indent=1)


if __name__ == "__main__":
    main()
