"""What WebAssembly 3.0 adds to the Python API: `Features`, 64-bit and
multiple memories, typed function references."""

import pytest

from wasmint import (
    CompileError,
    Features,
    Function,
    FunctionType,
    Global,
    GlobalType,
    Instance,
    Memory,
    MemoryType,
    Module,
    Store,
    Type,
    Value,
)

# --- Features ----------------------------------------------------------------

FEATURE_NAMES = [
    "simd",
    "relaxed_simd",
    "multi_memory",
    "memory64",
    "extended_const",
    "tail_call",
    "wide_arithmetic",
    "custom_page_sizes",
    "function_references",
]

# One module per feature that only that feature allows.
USES = {
    "simd": '(module (func (result v128) v128.const i32x4 0 0 0 0))',
    "multi_memory": "(module (memory 1) (memory 1))",
    "memory64": "(module (memory i64 1))",
    "tail_call": "(module (func $f return_call $f))",
    "extended_const": "(module (global i32 (i32.const 1)) (global i32 (global.get 0)))",
    "function_references": "(module (type $t (func)) (func (param (ref null $t))))",
    "custom_page_sizes": "(module (memory 1 (pagesize 1)))",
    "wide_arithmetic": "(module (func (param i64 i64 i64 i64) (result i64 i64) local.get 0 local.get 1 "
    "local.get 2 local.get 3 i64.add128))",
}


def test_features_default_all_on():
    f = Features()
    assert all(getattr(f, n) for n in FEATURE_NAMES)
    assert f == Features.all()
    assert Store().features == f


def test_features_keywords_and_wasm2():
    f = Features(simd=False, tail_call=False)
    assert not f.simd and not f.tail_call and f.memory64
    w = Features.wasm2()
    assert w.simd and not any(getattr(w, n) for n in FEATURE_NAMES if n != "simd")
    assert "tail_call=False" in repr(w)
    with pytest.raises(TypeError):
        Features(True)  # keyword-only
    with pytest.raises(TypeError):
        Features(simd=1.5)
    with pytest.raises(TypeError):
        Features(no_such_feature=True)


@pytest.mark.parametrize("name", sorted(USES))
def test_disabled_feature_raises_compile_error_naming_it(name):
    wat = USES[name]
    Module(Store(), wat)  # fine by default
    off = Features(**{name: False})
    with pytest.raises(CompileError, match=f"uses {name}, which its Features disable"):
        Module(Store(features=off), wat)
    with pytest.raises(CompileError, match=name):
        Module(Store(), wat, features=off)
    assert not Module.validate(Store(features=off), wat)
    assert Module.validate(Store(), wat)


def test_module_features_override_store():
    wat = USES["tail_call"]
    Module(Store(features=Features.wasm2()), wat, features=Features())
    with pytest.raises(CompileError, match="tail_call"):
        Module(Store(features=Features.wasm2()), wat)
    with pytest.raises(TypeError):
        Module(Store(), wat, features="all")
    with pytest.raises(TypeError):
        Store(features=1)


def test_invalid_module_keeps_its_own_error():
    # Invalid under every feature set: no feature is blamed.
    with pytest.raises(CompileError) as e:
        Module(Store(features=Features.wasm2()), "(module (func (result i32)))")
    assert "Features" not in str(e.value)


def test_wasmer_store_calls_still_work():
    from wasmint import engine

    assert Store(engine.Universal()).features == Features()
    assert Store(engine.Dylib(), features=Features.wasm2()).engine_name == "dylib"


# --- 64-bit and multiple memories ---------------------------------------------


def test_memory_type_is64_and_page_size():
    t = MemoryType(1)
    assert not t.is64 and t.page_size == 65536
    t = MemoryType(2, 2**40, is64=True)
    assert t.is64 and t.maximum == 2**40
    assert str(t) == "MemoryType(minimum: 2, maximum: 1099511627776, shared: False, is64: True)"
    assert MemoryType(1, is64=True) != MemoryType(1)
    assert MemoryType(1, page_size=1).page_size == 1
    with pytest.raises(ValueError, match="page_size"):
        MemoryType(1, page_size=4096)


def test_memory64_export():
    wat = """(module (memory (export "m") i64 1 10)
      (func (export "store") (param i64 i32) local.get 0 local.get 1 i32.store)
      (func (export "size") (result i64) memory.size)
      (func (export "grow") (param i64) (result i64) local.get 0 memory.grow))"""
    inst = Instance(Module(Store(), wat))
    m = inst.exports.m
    assert m.type.is64 and m.type.maximum == 10
    assert Module(Store(), wat).exports[0].type.is64
    assert m.size == 1 and m.data_size == 65536
    inst.exports.store(65532, 0x01020304)
    assert bytes(memoryview(m.buffer)[65532:65536]) == b"\x04\x03\x02\x01"
    assert m.uint32_view()[65532 // 4] == 0x01020304
    assert m.grow(2) == 1
    assert inst.exports.size() == 3 and m.size == 3 and len(m.buffer) == 3 * 65536
    assert inst.exports.grow(1) == 3
    with pytest.raises(RuntimeError, match="maximum 10"):
        m.grow(7)
    with pytest.raises(RuntimeError):
        m.grow(2**40)
    with pytest.raises(OverflowError):
        m.grow(-1)


def test_memory64_from_python():
    store = Store()
    m = Memory(store, MemoryType(1, 3, is64=True))
    assert m.type.is64 and m.size == 1
    m.uint8_view()[10] = 7
    wat = """(module (import "env" "m" (memory i64 1))
      (func (export "load") (param i64) (result i32) local.get 0 i32.load8_u))"""
    inst = Instance(Module(store, wat), {"env": {"m": m}})
    assert inst.exports.load(10) == 7
    # A 32-bit memory does not match a 64-bit import.
    with pytest.raises(RuntimeError):
        Instance(Module(store, wat), {"env": {"m": Memory(store, MemoryType(1))}})
    with pytest.raises(ValueError):
        Memory(store, MemoryType(2, 1, is64=True))


def test_memory64_holds_four_gib():
    m = Memory(Store(), MemoryType(1, is64=True))
    with pytest.raises(RuntimeError):
        m.grow(65536)  # 4 GiB + 64 KiB
    assert m.grow(65535) == 1
    assert m.data_size == 4 << 30 and len(m.buffer) == 4 << 30
    view = memoryview(m.buffer)
    view[-1] = 9
    assert m.uint8_view()[(4 << 30) - 1] == 9


def test_custom_page_size_memory():
    inst = Instance(Module(Store(), '(module (memory (export "m") 3 (pagesize 1)))'))
    m = inst.exports.m
    assert m.type.page_size == 1 and m.size == 3 and m.data_size == 3
    assert m.grow(5) == 3 and m.data_size == 8


def test_multi_memory_exports():
    wat = """(module (memory (export "a") 1) (memory (export "b") 2)
      (func (export "put") (param i32) i32.const 0 local.get 0 i32.store8 1)
      (func (export "get") (result i32) i32.const 0 i32.load8_u 0))"""
    inst = Instance(Module(Store(), wat))
    a, b = inst.exports.a, inst.exports.b
    assert (a.size, b.size) == (1, 2)
    inst.exports.put(42)
    assert b.uint8_view()[0] == 42 and a.uint8_view()[0] == 0
    a.uint8_view()[0] = 5
    assert inst.exports.get() == 5
    assert [name for name, _ in inst.exports if name in "ab"] == ["a", "b"]
