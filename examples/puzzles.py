"""Runs examples/puzzles.wasm (C compiled to WebAssembly) with wasmint.

    python examples/puzzles.py
"""

import pathlib
import time
from typing import Callable

from wasmint import Instance, Module, Store

wasm = (pathlib.Path(__file__).parent / "puzzles.wasm").read_bytes()
exports = Instance(Module(Store(), wasm)).exports

cases: list[tuple[str, Callable[[], object], int]] = [
    ("queens(8)", lambda: exports.queens(8), 92),
    ("queens(10)", lambda: exports.queens(10), 724),
    ("sieve(1000000)", lambda: exports.sieve(1_000_000), 78498),
    ("mandelbrot(120, 120, 200)", lambda: exports.mandelbrot(120, 120, 200), 2455),
]
for label, call, expected in cases:
    start = time.perf_counter()
    result = call()
    elapsed = time.perf_counter() - start
    assert result == expected, (label, result)
    print(f"{label:28} = {result:8}   ({elapsed * 1000:.1f} ms)")
