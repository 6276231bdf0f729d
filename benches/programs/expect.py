#!/usr/bin/env python3
"""Writes expected/NAME.out and expected/NAME.quick.out for every program of
manifest.json by running its native build (build.sh passes the folder of
native binaries, one per program name) with the manifest's arguments and
stdin. The harness (benches/compare.py) requires every wasm run to print
exactly this and exit with status 0.

    python3 expect.py NATIVE_DIR [NAME...]
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv):
    native_dir, only = argv[0], set(argv[1:])
    with open(os.path.join(HERE, "manifest.json")) as f:
        programs = json.load(f)["programs"]
    os.makedirs(os.path.join(HERE, "expected"), exist_ok=True)
    for p in programs:
        exe = os.path.join(native_dir, p["name"])
        if (only and p["name"] not in only) or not os.path.exists(exe):
            continue
        for suffix, args in (("", p["args"]), (".quick", p["quick_args"])):
            stdin = open(os.path.join(HERE, p["stdin"]), "rb") if p.get("stdin") else subprocess.DEVNULL
            r = subprocess.run([exe] + args, stdin=stdin, stdout=subprocess.PIPE, cwd=HERE)
            if r.returncode != 0:
                sys.exit("expect.py: %s %s: exit status %d" % (p["name"], " ".join(args), r.returncode))
            with open(os.path.join(HERE, "expected", p["name"] + suffix + ".out"), "wb") as f:
                f.write(r.stdout)
            print("%-12s %-20s %s" % (p["name"], " ".join(args), r.stdout.decode().splitlines()[0][:60]))


if __name__ == "__main__":
    main(sys.argv[1:])
