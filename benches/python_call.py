#!/usr/bin/env python3
"""Per-call cost of the Python boundary, wasmint against pywasm3 and the
wasmtime package, side by side in one run.

    python benches/python_call.py [--repeats 9] [--engines wasmint,wasm3,wasmtime] [--check]

Cases, in nanoseconds per call (median over the repeats; the engines are
interleaved within each repeat, their order rotating, so machine noise
hits them alike):

  sum attr   Python -> wasm, looked up and called as users write it:
             wasmint ``instance.exports.sum(1, 2)``; wasm3
             ``runtime.find_function("sum")(1, 2)``; wasmtime
             ``instance.exports(store)["sum"](store, 1, 2)``
  sum bound  the same function bound to a local: ``f(1, 2)``
  mix4       a bound function of four params (i64, f64, i64, f64) -> f64
  host h(i)  wasm -> Python: a wasm loop calling an imported ``h(i) -> i``,
             minus the same loop without the call
  host h4    the same with an import (i64, f64, i64, f64) -> f64
  read 1KiB  a call returning a pointer, then 1 KiB of memory as bytes

Missing engines are left out. With ``--check`` the exit status is 1 when
wasmint misses a budget (300 ns ``sum attr``, 400 ns ``host h(i)``) or, when
wasm3 ran, is more than 10% slower than wasm3 on either.
"""

import argparse
import os
import statistics
import sys
import timeit

WAT = """(module
  (import "env" "h" (func $h (param i32) (result i32)))
  (import "env" "h4" (func $h4 (param i64 f64 i64 f64) (result f64)))
  (memory (export "memory") 1)
  (func (export "sum") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "mix4") (param i64 f64 i64 f64) (result f64)
    local.get 0 f64.convert_i64_s local.get 1 f64.add
    local.get 2 f64.convert_i64_s f64.add local.get 3 f64.add)
  (func (export "call_host") (param $n i32) (result i32) (local $acc i32)
    (block $done (loop $next
      local.get $n i32.eqz br_if $done
      local.get $n call $h local.get $acc i32.add local.set $acc
      local.get $n i32.const 1 i32.sub local.set $n
      br $next))
    local.get $acc)
  (func (export "loop_only") (param $n i32) (result i32) (local $acc i32)
    (block $done (loop $next
      local.get $n i32.eqz br_if $done
      local.get $n local.get $acc i32.add local.set $acc
      local.get $n i32.const 1 i32.sub local.set $n
      br $next))
    local.get $acc)
  (func (export "call_host4") (param $n i32) (result f64) (local $acc f64)
    (block $done (loop $next
      local.get $n i32.eqz br_if $done
      local.get $n i64.extend_i32_u f64.const 0.5 i64.const 3 local.get $acc call $h4 local.set $acc
      local.get $n i32.const 1 i32.sub local.set $n
      br $next))
    local.get $acc)
  (func (export "loop_only4") (param $n i32) (result f64) (local $acc f64)
    (block $done (loop $next
      local.get $n i32.eqz br_if $done
      local.get $n i64.extend_i32_u f64.convert_i64_u f64.const 0.5 f64.add local.get $acc f64.add local.set $acc
      local.get $n i32.const 1 i32.sub local.set $n
      br $next))
    local.get $acc)
  (func (export "produce") (result i32) i32.const 1024))"""

CALLS = 100_000  # per timed batch of a Python -> wasm case
LOOP = 200_000  # host calls per timed wasm loop
# wasmtime-py calls through ctypes at tens of microseconds a call: it runs
# this fraction of the counts.
SLOW = 100

BUDGET_TO_WASM_NS = 300
BUDGET_TO_PYTHON_NS = 400


def h(i):
    return i


def h4(a, b, c, d):
    return d + 1.0


# Each engine: setup(wasm bytes) -> (globals, {case: (stmt, number, loop_stmt or None)}).
# A case with a loop_stmt is a wasm loop of g["n"] iterations; its per-call
# time is (stmt - loop_stmt) / n.


def setup_wasmint(wasm):
    from wasmint import Function, FunctionType, Instance, Module, Store, Type

    store = Store()
    host = Function(store, lambda i: i, FunctionType([Type.I32], [Type.I32]))
    host4 = Function(store, h4, FunctionType([Type.I64, Type.F64, Type.I64, Type.F64], [Type.F64]))
    instance = Instance(Module(store, wasm), {"env": {"h": host, "h4": host4}})
    e = instance.exports
    g = {"instance": instance, "f": e.sum, "mix4": e.mix4, "mem": e.memory, "produce": e.produce,
         "call_host": e.call_host, "loop_only": e.loop_only, "call_host4": e.call_host4,
         "loop_only4": e.loop_only4, "n": LOOP}
    return g, {
        "sum attr": ("instance.exports.sum(1, 2)", CALLS, None),
        "sum bound": ("f(1, 2)", CALLS, None),
        "mix4": ("mix4(1, 2.0, 3, 4.0)", CALLS, None),
        "host h(i)": ("call_host(n)", 1, "loop_only(n)"),
        "host h4": ("call_host4(n)", 1, "loop_only4(n)"),
        "read 1KiB": ("p = produce(); memoryview(mem.buffer)[p:p + 1024].tobytes()", CALLS // 4, None),
    }


def setup_wasm3(wasm):
    import wasm3

    env = wasm3.Environment()
    runtime = env.new_runtime(64 * 1024)
    module = env.parse_module(wasm)
    runtime.load(module)
    module.link_function("env", "h", "i(i)", lambda i: i)
    module.link_function("env", "h4", "F(IFIF)", h4)
    find = runtime.find_function
    g = {"runtime": runtime, "env": env, "module": module, "f": find("sum"), "mix4": find("mix4"),
         "produce": find("produce"), "call_host": find("call_host"), "loop_only": find("loop_only"),
         "call_host4": find("call_host4"), "loop_only4": find("loop_only4"), "n": LOOP}
    return g, {
        "sum attr": ('runtime.find_function("sum")(1, 2)', CALLS, None),
        "sum bound": ("f(1, 2)", CALLS, None),
        "mix4": ("mix4(1, 2.0, 3, 4.0)", CALLS, None),
        "host h(i)": ("call_host(n)", 1, "loop_only(n)"),
        "host h4": ("call_host4(n)", 1, "loop_only4(n)"),
        "read 1KiB": ("p = produce(); runtime.get_memory(0)[p:p + 1024].tobytes()", CALLS // 4, None),
    }


def setup_wasmtime(wasm):
    import wasmtime

    store = wasmtime.Store()
    i32, i64, f64 = wasmtime.ValType.i32(), wasmtime.ValType.i64(), wasmtime.ValType.f64()
    host = wasmtime.Func(store, wasmtime.FuncType([i32], [i32]), lambda i: i)
    host4 = wasmtime.Func(store, wasmtime.FuncType([i64, f64, i64, f64], [f64]), h4)
    instance = wasmtime.Instance(store, wasmtime.Module(store.engine, wasm), [host, host4])
    e = instance.exports(store)
    g = {"instance": instance, "store": store, "f": e["sum"], "mix4": e["mix4"], "mem": e["memory"],
         "produce": e["produce"], "call_host": e["call_host"], "loop_only": e["loop_only"],
         "call_host4": e["call_host4"], "loop_only4": e["loop_only4"], "n": LOOP // SLOW}
    return g, {
        "sum attr": ('instance.exports(store)["sum"](store, 1, 2)', CALLS // SLOW, None),
        "sum bound": ("f(store, 1, 2)", CALLS // SLOW, None),
        "mix4": ("mix4(store, 1, 2.0, 3, 4.0)", CALLS // SLOW, None),
        "host h(i)": ("call_host(store, n)", 1, "loop_only(store, n)"),
        "host h4": ("call_host4(store, n)", 1, "loop_only4(store, n)"),
        "read 1KiB": ("p = produce(store); mem.read(store, p, p + 1024)", CALLS // 4 // SLOW, None),
    }


ENGINES = [("wasmint", setup_wasmint), ("wasm3", setup_wasm3), ("wasmtime", setup_wasmtime)]
CASES = ["sum attr", "sum bound", "mix4", "host h(i)", "host h4", "read 1KiB"]


def sanity(name, g):
    """Each engine computes the same answers (so every column times the same work)."""
    env = dict(g)
    s = "store, " if name == "wasmtime" else ""
    checks = [(f"f({s}1, 2)", 3), (f"mix4({s}1, 2.0, 3, 4.0)", 10.0),
              (f"call_host({s}10)", 55), (f"loop_only({s}10)", 55), (f"call_host4({s}3)", 3.0)]
    for expr, want in checks:
        got = eval(expr, env)
        if got != want:
            raise RuntimeError(f"{name}: {expr} = {got!r}, expected {want!r}")


def time_case(g, case):
    stmt, number, loop = case
    t = timeit.timeit(stmt, number=number, globals=g) / number
    if loop is None:
        return t * 1e9
    bare = timeit.timeit(loop, number=number, globals=g) / number
    return (t - bare) / g["n"] * 1e9


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--engines", default="wasmint,wasm3,wasmtime")
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--check", action="store_true", help="exit 1 when wasmint misses a budget")
    args = ap.parse_args()
    from wasmint import wat2wasm

    wasm = wat2wasm(WAT)
    wanted = args.engines.split(",")
    cases = [c for c in CASES if c in args.cases.split(",")]
    engines = []
    for name, setup in ENGINES:
        if name not in wanted:
            continue
        try:
            g, table = setup(wasm)
            sanity(name, g)
        except ImportError as e:
            print(f"# {name}: not available ({e})", file=sys.stderr)
            continue
        engines.append((name, g, table))
    times = {(name, c): [] for name, _, _ in engines for c in cases}
    for r in range(args.repeats):
        for c in cases:
            k = (r + cases.index(c)) % len(engines)
            for name, g, table in engines[k:] + engines[:k]:
                times[(name, c)].append(time_case(g, table[c]))

    names = [name for name, _, _ in engines]
    print(f"ns per call, median (min) of {args.repeats} interleaved repeats; [x] = time / wasm3 time")
    print(f"{'case':10}" + "".join(f"{n:>24}" for n in names))
    med = {k: statistics.median(v) for k, v in times.items()}
    for c in cases:
        row = f"{c:10}"
        for n in names:
            cell = f"{med[(n, c)]:.0f} ({min(times[(n, c)]):.0f})"
            if "wasm3" in names:
                cell += f" [{med[(n, c)] / med[('wasm3', c)]:.2f}]"
            row += f"{cell:>24}"
        print(row)
    with open("/proc/loadavg") if os.path.exists("/proc/loadavg") else open(os.devnull) as f:
        load = " ".join(f.read().split()[:3])
    vers = []
    from importlib.metadata import version

    for dist in ("wasmint", "pywasm3", "wasmtime"):
        try:
            vers.append(f"{dist} {version(dist)}")
        except Exception:
            pass
    print(f"load average {load}; " + ", ".join(vers))

    if args.check and "wasmint" in names:
        ok = True
        for c, budget in (("sum attr", BUDGET_TO_WASM_NS), ("host h(i)", BUDGET_TO_PYTHON_NS)):
            if c not in cases:
                continue
            t = med[("wasmint", c)]
            if t > budget:
                print(f"OVER BUDGET: {c} {t:.0f} ns > {budget} ns")
                ok = False
            if "wasm3" in names and t > 1.10 * med[("wasm3", c)]:
                print(f"SLOWER THAN WASM3: {c} {t:.0f} ns vs {med[('wasm3', c)]:.0f} ns")
                ok = False
        print("within budget" if ok else "budget missed")
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
