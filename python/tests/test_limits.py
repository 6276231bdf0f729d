"""Resource limits of a Store: the keyword arguments, their properties,
instantiation over a limit (LinkError, nothing allocated), memory.grow and
table.grow returning -1 at a limit, host-made memories, the GC heap limit,
and `wasmint run --max-memory`."""

import resource
import subprocess
import sys

import pytest

from wasmint import Instance, LinkError, Memory, MemoryType, Module, Store, Trap, engine

MIB = 2**20
GROW = """(module
  (memory (export "mem") 1)
  (table 1 funcref)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "tgrow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0)))
  (func (export "poke") (param i32) (i32.store8 (local.get 0) (i32.const 7)))
  (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0))))"""

NAMES = ["max_memory_bytes", "max_table_elements", "max_instances", "max_memories", "max_tables"]


def test_defaults_and_wasmer_signature():
    store = Store()
    assert [getattr(store, n) for n in NAMES] == [None] * 5
    assert store.max_gc_heap_bytes == 2**32
    assert Store(engine.Universal()).max_memory_bytes is None
    store = Store(engine.Universal(), max_memory_bytes=MIB, max_table_elements=5, max_instances=3,
                  max_memories=4, max_tables=6, max_gc_heap_bytes=7 * MIB)
    assert [getattr(store, n) for n in NAMES] == [MIB, 5, 3, 4, 6]
    assert store.max_gc_heap_bytes == 7 * MIB
    assert Store(max_memory_bytes=None).max_memory_bytes is None


@pytest.mark.parametrize("name", NAMES + ["max_gc_heap_bytes"])
def test_wrong_types_and_values(name):
    for bad in ("64M", 1.5, True, [1]):
        with pytest.raises(TypeError, match=name):
            Store(**{name: bad})
    with pytest.raises(ValueError, match=name):
        Store(**{name: -1})
    with pytest.raises(ValueError, match=name):
        Store(**{name: 2**64})
    with pytest.raises(AttributeError):
        setattr(Store(), name, 1)


def test_memory_grow_returns_minus_one_at_the_limit():
    store = Store(max_memory_bytes=4 * 65536)
    exports = Instance(Module(store, GROW)).exports
    assert exports.grow(3) == 1
    assert exports.grow(1) == -1
    assert store.memory_bytes_used == 4 * 65536
    # The store and the memory stay usable.
    exports.poke(4 * 65536 - 1)
    assert exports.peek(4 * 65536 - 1) == 7
    assert exports.mem.size == 4
    with pytest.raises(RuntimeError, match="could not grow"):
        exports.mem.grow(1)
    assert exports.grow(0) == 4


def test_table_grow_returns_minus_one_at_the_limit():
    store = Store(max_table_elements=100)
    exports = Instance(Module(store, GROW)).exports
    assert exports.tgrow(99) == 1
    assert exports.tgrow(1) == -1
    assert store.table_elements_used == 100


def test_instantiation_over_a_limit_fails_cleanly():
    store = Store(max_memory_bytes=64 * MIB, max_table_elements=8 * MIB)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(LinkError, match="memory limit exceeded: 4 GiB of linear memory needed, the store allows 64 MiB"):
        Instance(Module(store, "(module (memory 65536))"))
    with pytest.raises(LinkError, match="memory limit exceeded: 625 MiB"):
        Instance(Module(store, "(module %s)" % ("(memory 1)" * 10_000)))
    with pytest.raises(LinkError, match="table limit exceeded: 1000000000 table elements needed"):
        Instance(Module(store, "(module (table 1000000000 funcref))"))
    # Nothing was allocated (ru_maxrss is in KiB on Linux).
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak < 32 * 1024
    assert store.memory_bytes_used == 0 and store.table_elements_used == 0
    assert Instance(Module(store, GROW)).exports.grow(1023) == 1


def test_counts():
    store = Store(max_instances=2, max_memories=3, max_tables=2)
    module = Module(store, GROW)
    Instance(module)
    Memory(store, MemoryType(0))
    with pytest.raises(LinkError, match="memory count limit exceeded: 2 more memories requested, the store allows 3"):
        Instance(Module(store, "(module (memory 0) (memory 0))"))
    Instance(module)
    with pytest.raises(LinkError, match="instance limit exceeded: the store holds 2 instances and allows 2"):
        Instance(Module(store, "(module)"))
    store = Store(max_tables=1)
    Instance(Module(store, "(module (table 0 funcref))"))
    with pytest.raises(LinkError, match="table count limit exceeded"):
        Instance(Module(store, "(module (table 0 funcref))"))


def test_host_memory_respects_the_limits():
    store = Store(max_memory_bytes=2 * 65536, max_memories=2)
    memory = Memory(store, MemoryType(2))
    with pytest.raises(LinkError, match="Memory: memory limit exceeded"):
        Memory(store, MemoryType(1))
    Memory(store, MemoryType(0))
    with pytest.raises(LinkError, match="Memory: memory count limit exceeded"):
        Memory(store, MemoryType(0))
    with pytest.raises(RuntimeError, match="could not grow"):
        memory.grow(1)


def test_gc_heap_limit():
    store = Store(max_gc_heap_bytes=MIB)
    exports = Instance(Module(store, """(module (type $a (array (mut i8)))
      (func (export "make") (param i32) (result (ref $a)) (array.new_default $a (local.get 0))))""")).exports
    exports.make(1000)
    with pytest.raises(Trap, match="out of memory"):
        exports.make(2 * MIB)


def test_cli_max_memory(tmp_path):
    wat = tmp_path / "m.wat"
    wat.write_text("""(module (memory 2)
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))""")
    run = lambda *a: subprocess.run([sys.executable, "-m", "wasmint", "run", *a], capture_output=True, text=True)
    proc = run("--max-memory", "64K", str(wat))
    assert proc.returncode == 1
    assert "memory limit exceeded: 128 KiB of linear memory needed, the store allows 64 KiB" in proc.stderr
    proc = run("--max-memory", "192K", "--invoke", "grow", str(wat), "2")
    assert (proc.returncode, proc.stdout) == (0, "-1\n"), proc.stderr
    proc = run("--max-memory=1M", "--invoke", "grow", str(wat), "2")
    assert (proc.returncode, proc.stdout) == (0, "2\n"), proc.stderr
    proc = run("--max-memory", "lots", str(wat))
    assert proc.returncode == 2 and "--max-memory" in proc.stderr
    assert "--max-memory SIZE" in run("--help").stdout
