"""Per-call cost of the Python bindings, against a plain Python call.

    python benches/python_call.py [--check]

Measures, in one run:
  * Python -> wasm: ``instance.exports.sum(1, 2)`` (attribute lookup and
    call, as users write it), against calling a Python ``sum(a, b)``;
  * wasm -> Python: a wasm loop calling an imported Python function
    ``h(i) -> i`` (loop overhead measured separately and subtracted),
    against a Python loop calling the same function.

Best of several repeats, in nanoseconds per call. With ``--check`` the exit
status is 1 when a budget is missed (300 ns Python -> wasm, 400 ns
wasm -> Python).
"""

import sys
import timeit

from wasmint import Function, Instance, Module, Store

WAT = """(module
  (import "env" "h" (func $h (param i32) (result i32)))
  (func (export "sum") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
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
    local.get $acc))"""

BUDGET_TO_WASM_NS = 300
BUDGET_TO_PYTHON_NS = 400


def best_ns(stmt, number, globals, repeat=7):
    return min(timeit.repeat(stmt, number=number, repeat=repeat, globals=globals)) / number * 1e9


def main():
    def h(i: int) -> int:
        return i

    def py_sum(a, b):
        return a + b

    store = Store()
    instance = Instance(Module(store, WAT), {"env": {"h": Function(store, h)}})
    n = 100_000
    assert instance.exports.sum(1, 2) == 3
    assert instance.exports.call_host(10) == 55

    g = {"instance": instance, "py_sum": py_sum, "h": h, "n": n}
    to_wasm = best_ns("instance.exports.sum(1, 2)", n, g)
    plain = best_ns("py_sum(1, 2)", n, g)
    host_loop = best_ns("instance.exports.call_host(n)", 1, g) / n
    bare_loop = best_ns("instance.exports.loop_only(n)", 1, g) / n
    to_python = host_loop - bare_loop
    py_loop = best_ns("for i in range(n): h(i)", 1, g) / n

    print(f"Python -> wasm  instance.exports.sum(1, 2): {to_wasm:7.1f} ns/call (budget {BUDGET_TO_WASM_NS})")
    print(f"                plain Python sum(1, 2):     {plain:7.1f} ns/call")
    print(f"wasm -> Python  host call h(i):             {to_python:7.1f} ns/call (budget {BUDGET_TO_PYTHON_NS};"
          f" wasm loop alone {bare_loop:.1f} ns/iteration)")
    print(f"                Python loop calling h(i):   {py_loop:7.1f} ns/call")
    ok = to_wasm < BUDGET_TO_WASM_NS and to_python < BUDGET_TO_PYTHON_NS
    print("within budget" if ok else "OVER BUDGET")
    if "--check" in sys.argv and not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
