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


def vm_kib():
    """(RSS, mapped address space) in KiB."""
    with open("/proc/self/statm") as f:
        size, rss = f.read().split()[:2]
    page = os.sysconf("SC_PAGE_SIZE") // 1024
    return int(rss) * page, int(size) * page


# An instance per request in one long-lived store: a memory it touches
# (1 MiB), a table, a global and a host function made for it.
ONE_STORE = r"""(module
  (import "env" "seen" (func $seen (param i32) (result i32)))
  (memory (export "memory") 16)
  (table (export "table") 4 funcref)
  (global $g (mut i32) (i32.const 0))
  (elem (i32.const 0) $touch)
  (func $touch (export "touch") (param i32) (result i32) (local i32)
    (loop
      (i32.store (local.get 1) (local.get 0))
      (local.tee 1 (i32.add (local.get 1) (i32.const 4096)))
      (br_if 0 (i32.lt_u (i32.const 1048576))))
    (global.set $g (local.get 0))
    (call $seen (i32.load (i32.const 4096)))))"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_one_store_frees_the_instances_nobody_holds():
    instances = int(os.environ.get("WASMINT_SOAK_INSTANCES", "100000"))
    store = Store()
    module = Module(store, ONE_STORE)
    i32_to_i32 = FunctionType([Type.I32], [Type.I32])
    kept = Instance(module, {"env": {"seen": Function(store, lambda x: x, i32_to_i32)}})
    kept.exports.touch(7)
    samples = {}
    t = time.perf_counter()
    for k in range(instances):
        seen = Function(store, lambda x: x + 1, i32_to_i32)
        e = Instance(module, {"env": {"seen": seen}}).exports
        assert e.touch(k) == k + 1
        if k in (0, instances // 2, instances - 1):
            samples[k] = vm_kib()
    (rss0, vm0), (rss1, vm1), (rss2, vm2) = samples.values()
    print(f"one store: {instances} instances in {time.perf_counter() - t:.1f} s; RSS {rss0}, {rss1}, {rss2} KiB "
          f"and address space {vm0 >> 20}, {vm1 >> 20}, {vm2 >> 20} GiB at the start, middle and end")
    # Kept all, they would take 1 MiB of RSS and 4 GiB of address space
    # each. Freed, at most the few made since the last collection are live.
    assert max(rss1, rss2) - rss0 < 100 * 1024
    assert max(vm1, vm2) - vm0 < 300 << 20
    # The instance still held is untouched by all that reuse.
    assert kept.exports.memory.uint32_view()[4096 // 4] == 7 and kept.exports.table.size == 4
    assert kept.exports.touch(8) == 8
