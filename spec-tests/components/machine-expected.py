#!/usr/bin/env python3
"""Call every function of the three machine components (machine-rust.wasm,
machine-rust-wasip2.wasm, machine-c.wasm) with the wasmtime Python package's
component API and record the results in machine-expected.json (or, with
--check, compare). All three must give the same answers; the script fails if
they do not.

    python3 machine-expected.py [--check]

JSON encoding as in alltypes-expected.py: records are objects keyed by WIT
field names, list<u8> is an array of integers, u64 a JSON integer.
machine-rust-wasip2.wasm and machine-c.wasm import wasi:* 0.2 interfaces: the
linker gets wasmtime's WASI p2 (Linker.add_wasip2) for them; none of these
calls uses it.
"""
import json
import os
import sys

import wasmtime
from wasmtime import component as C

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "machine-expected.json")
IFACE = "xyz:machine/machine-interface"
WASMS = ["machine-rust.wasm", "machine-rust-wasip2.wasm", "machine-c.wasm"]


def point(x, y):
    r = C.Record()
    r.x, r.y = x, y
    return r


CALLS = [
    ("get-u32", []),
    ("get-str", []),
    ("get-vec", []),
    ("run", [7, point(1, 2), point(3, 4)]),
    ("run", [0, point(0, 0), point(0, 0)]),
    ("run", [18446744073709551615, point(4294967295, 0), point(0, 4294967295)]),
    ("count-symbols", [""]),
    ("count-symbols", ["hello"]),
    ("count-symbols", ["h\u00e9llo \U0001F30D"]),
    ("count-symbols", ["\u65e5\u672c\u8a9e\u30c6\u30ad\u30b9\u30c8"]),
    ("get-str", []),  # again: the post-return of the first call freed its string
]


def enc(v):
    if isinstance(v, C.Record):
        return {k: enc(x) for k, x in vars(v).items()}
    if isinstance(v, bytes):
        return list(v)
    if isinstance(v, (list, tuple)):
        return [enc(x) for x in v]
    return v


def run(wasm):
    engine = wasmtime.Engine()
    component = C.Component.from_file(engine, os.path.join(HERE, wasm))
    linker = C.Linker(engine)
    store = wasmtime.Store(engine)
    if wasm != "machine-rust.wasm":
        linker.add_wasip2()
        store.set_wasi(wasmtime.WasiConfig())
    instance = linker.instantiate(store, component)
    iface = instance.get_export_index(store, IFACE)
    out = []
    for name, args in CALLS:
        f = instance.get_func(store, instance.get_export_index(store, name, iface))
        out.append({"call": name, "args": [enc(a) for a in args],
                    "result": enc(f(store, *args))})
    return out


def main():
    results = {w: run(w) for w in WASMS}
    first = results[WASMS[0]]
    for w in WASMS[1:]:
        if results[w] != first:
            print("%s disagrees with %s" % (w, WASMS[0]), file=sys.stderr)
            sys.exit(1)
    try:
        from importlib.metadata import version
        ver = version("wasmtime")
    except Exception:
        ver = "?"
    doc = {"generator": "machine-expected.py with the wasmtime Python package %s" % ver,
           "components": WASMS, "interface": IFACE, "steps": first}
    head = {k: v for k, v in doc.items() if k != "steps"}
    text = "{\n" + "".join("  %s: %s,\n" % (json.dumps(k), json.dumps(v, ensure_ascii=False))
                           for k, v in head.items())
    text += '  "steps": [\n' + ",\n".join("    " + json.dumps(s, ensure_ascii=False)
                                          for s in doc["steps"]) + "\n  ]\n}\n"
    json.loads(text)
    if "--check" in sys.argv:
        with open(OUT, encoding="utf-8") as f:
            if f.read() != text:
                print("machine-expected.json differs from a fresh run", file=sys.stderr)
                sys.exit(1)
        print("machine-expected.json matches (%d components agree)" % len(WASMS))
        return
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote %s" % OUT)


if __name__ == "__main__":
    main()
