"""Soak (issue 15): cycles of Store/Module/Instance with a memory, a table,
host functions and WASI with captured output, each call returning, trapping
and raising from a host function: RSS stays flat. `WASMINT_SOAK_CYCLES`
sets the cycles (100,000 for the long run; a bounded number by default)."""

import gc
import os
import pathlib
import sys
import time

import pytest

from wasmint import Function, FunctionType, Instance, Module, Store, Trap, TrapCode, Type, wasi, wat2wasm

# Shared with spec-tests/soak.rs.
WAT = (pathlib.Path(__file__).parents[2] / "spec-tests" / "soak.wat").read_text()


class Boom(Exception):
    pass


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def one_cycle(wasm, k):
    store = Store()
    module = Module(store, wasm)
    env = wasi.StateBuilder("soak").capture_stdout().finalize()
    imports = env.generate_import_object(store, wasi.Version.SNAPSHOT1)

    def fail() -> None:
        raise Boom(k)

    imports.register(
        "env",
        {
            "add": Function(store, lambda a, b: a + b, FunctionType([Type.I32, Type.I32], [Type.I32])),
            "fail": Function(store, fail),
        },
    )
    e = Instance(module, imports).exports
    assert e.sum(k) == k + int.from_bytes(b"soak", "little")
    assert e.grow() == 1 and e.memory.data_size == 4 * 65536 and e.table.size == 14
    with pytest.raises(Trap) as t:
        e.oob()
    assert t.value.code is TrapCode.OUT_OF_BOUNDS_MEMORY_ACCESS and t.value.frames
    with pytest.raises(Boom):
        e.fail()
    e._start()
    assert env.stdout == b"soak\n"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_store_module_instance_cycles_do_not_leak():
    cycles = int(os.environ.get("WASMINT_SOAK_CYCLES", "10000"))
    wasm = wat2wasm(WAT)
    for k in range(300):  # warm up allocator pools
        one_cycle(wasm, k)
    gc.collect()
    start = rss_kib()
    t = time.perf_counter()
    for k in range(cycles):
        one_cycle(wasm, k)
        if k == cycles // 2:
            gc.collect()
            mid = rss_kib()
    gc.collect()
    end = rss_kib()
    print(f"soak: {cycles} cycles in {time.perf_counter() - t:.1f} s; RSS {start} KiB at the start, "
          f"{mid} KiB in the middle, {end} KiB at the end")
    assert end - start < 5 * 1024, f"RSS grew from {start} to {end} KiB over {cycles} cycles"
