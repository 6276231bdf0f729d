#!/usr/bin/env python3
"""Run the hello-cli command components with the wasmtime CLI and record
stdout, stderr and exit status in hello-cli-expected.json (or, with --check,
compare against that file).

    python3 hello-cli-expected.py [--check] [--wasmtime PATH]

Each run gets a fresh copy of data/ (just input.txt) as its preopened dir:

    wasmtime run --dir <fresh copy of data>::/data --env A=1 <wasm> <args...>

and the JSON also records the files the directory holds afterwards (the
program writes output.txt). "command" in the JSON is that command line with
the directory written as <d>.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "hello-cli-expected.json")

VARIANTS = [
    # (wasm, exit status when given `fail`)
    "hello-cli.wasm",         # C + command adapter + exit-with-code import
    "hello-cli-stable.wasm",  # C + command adapter, stable WASI 0.2 only
    "hello-cli-rust.wasm",    # Rust wasm32-wasip2 + exit-with-code import
]
CASES = [
    ("no-args", []),
    ("args", ["one", "two words", "\u00fcn\u00efc\u00f6de"]),
    ("fail", ["x", "fail"]),
]


def find_wasmtime():
    if "--wasmtime" in sys.argv:
        return sys.argv[sys.argv.index("--wasmtime") + 1]
    return shutil.which("wasmtime") or "wasmtime"


def run_one(wasmtime, wasm, args):
    with tempfile.TemporaryDirectory() as tmp:
        d = os.path.join(tmp, "data")
        shutil.copytree(os.path.join(HERE, "data"), d)
        cmd = [wasmtime, "run", "--dir", d + "::/data", "--env", "A=1",
               os.path.join(HERE, wasm)] + args
        p = subprocess.run(cmd, capture_output=True, env={"PATH": os.environ.get("PATH", "")})
        files = {}
        for name in sorted(os.listdir(d)):
            with open(os.path.join(d, name), encoding="utf-8") as f:
                files[name] = f.read()
    shown = ["wasmtime", "run", "--dir", "<d>::/data", "--env", "A=1", wasm] + args
    return {
        "command": " ".join(a if a and " " not in a else json.dumps(a, ensure_ascii=False)
                            for a in shown),
        "wasm": wasm,
        "args": args,
        "env": {"A": "1"},
        "preopen": {"guest": "/data", "host_contents_before": "data/ (input.txt)"},
        "stdout": p.stdout.decode("utf-8"),
        "stderr": p.stderr.decode("utf-8"),
        "exit_code": p.returncode,
        "dir_after": files,
    }


def main():
    wasmtime = find_wasmtime()
    ver = subprocess.run([wasmtime, "--version"], capture_output=True, text=True).stdout.strip()
    runs = []
    for wasm in VARIANTS:
        for name, args in CASES:
            r = run_one(wasmtime, wasm, args)
            r["case"] = name
            runs.append(r)
    doc = {"generator": "hello-cli-expected.py with %s" % ver, "runs": runs}
    text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    if "--check" in sys.argv:
        with open(OUT, encoding="utf-8") as f:
            old = json.load(f)
        old.pop("generator", None)
        doc.pop("generator", None)
        if old != doc:
            print("hello-cli-expected.json differs from a fresh run", file=sys.stderr)
            sys.exit(1)
        print("hello-cli-expected.json matches (%d runs)" % len(runs))
        return
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %s" % OUT)


if __name__ == "__main__":
    main()
