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
    RefType,
    Store,
    Type,
    Table,
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
    "exceptions",
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
    "exceptions": "(module (tag))",
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
    assert str(t) == "MemoryType(minimum: 2, maximum: Some(1099511627776), shared: false, is64: true)"
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
    with pytest.raises(RuntimeError, match="current size 4 pages, requested increase: 7 pages"):
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


# --- typed function references ------------------------------------------------

REFS = """(module
  (type $ii (func (param i32) (result i32)))
  (type $v (func))
  (func $inc (export "inc") (type $ii) local.get 0 i32.const 1 i32.add)
  (func $nop (export "nop") (type $v))
  (func (export "apply") (param (ref $ii) i32) (result i32) local.get 1 local.get 0 call_ref $ii)
  (func (export "is_null") (param (ref null $ii)) (result i32) local.get 0 ref.is_null)
  (func (export "get_inc") (result (ref $ii)) ref.func $inc)
  (func (export "any_func") (param (ref func)) (result i32) i32.const 1)
  (func (export "any_extern") (param (ref extern)) (result externref) local.get 0)
  (func (export "bottom") (param nullfuncref) (result i32) local.get 0 ref.is_null)
  (global (export "g") (mut (ref null $ii)) (ref.null $ii))
  (global (export "gc") (ref $ii) (ref.func $inc))
  (table (export "t") 2 (ref null $ii))
  (table (export "tn") 1 (ref $ii) (ref.func $inc))
  (elem declare func $inc))"""

II = FunctionType([Type.I32], [Type.I32])


@pytest.fixture
def refs():
    store = Store()
    return store, Instance(Module(store, REFS)).exports


def test_ref_type_class():
    t = RefType(II, nullable=False)
    assert t.nullable is False and t.heap == II and t.type == Type.FUNC_REF
    assert str(t) == "RefType(heap: FunctionType(params: [I32], results: [I32]), nullable: false)"
    assert RefType(II) != t and RefType(II, nullable=False) == t
    assert RefType("extern").type == Type.EXTERN_REF and RefType(Type.EXTERN_REF).heap == "extern"
    assert RefType("nofunc").type == Type.FUNC_REF
    for bad in ("anything", 3, None, Type.I32):
        with pytest.raises(TypeError, match="heap"):
            RefType(bad)
    # funcref itself stays wasmer's Type.FUNC_REF.
    assert FunctionType([RefType("func")], []).params == [Type.FUNC_REF]
    assert FunctionType([t], []).params == [t]
    with pytest.raises(TypeError):
        FunctionType(["i32"], [])


def test_concrete_ref_types_show(refs):
    store, ex = refs
    nn, null = RefType(II, nullable=False), RefType(II, nullable=True)
    assert ex.apply.type.params == [nn, Type.I32] and ex.apply.type.results == [Type.I32]
    assert ex.is_null.type.params == [null]
    assert ex.get_inc.type.results == [nn]
    assert ex.any_func.type.params == [RefType("func", nullable=False)]
    assert ex.bottom.type.params == [RefType("nofunc")]
    assert "RefType(heap: FunctionType(params: [I32], results: [I32]), nullable: false), I32" in str(ex.apply.type)
    module_types = {e.name: e.type for e in Module(store, REFS).exports}
    assert module_types["apply"] == ex.apply.type
    assert module_types["g"] == GlobalType(null, mutable=True) == ex.g.type
    assert ex.gc.type.type == nn
    assert "nullable: true), mutable: true)" in str(ex.g.type)
    # Tables keep wasmer's TableType: the kind of reference.
    assert ex.t.type.type == Type.FUNC_REF


def test_call_with_typed_refs(refs):
    store, ex = refs
    assert ex.apply(ex.inc, 41) == 42
    assert ex.is_null(None) == 1 and ex.is_null(ex.inc) == 0
    with pytest.raises(TypeError, match=r"argument 0: expected a value of type RefType\(heap: FunctionType\(params: \[I32\]"):
        ex.apply(ex.nop, 1)
    with pytest.raises(TypeError, match="argument 0: expected a non-null reference"):
        ex.apply(None, 1)
    with pytest.raises(TypeError, match="argument 0"):
        ex.apply(5, 1)
    with pytest.raises(TypeError, match="argument 0"):
        ex.is_null(object())
    with pytest.raises(ValueError, match="another store"):
        ex.apply(Instance(Module(Store(), REFS)).exports.inc, 1)
    # A host function of the signature is a (ref $ii); one of another is not.
    assert ex.apply(Function(store, lambda x: x * 2, II), 5) == 10
    with pytest.raises(TypeError, match="argument 0"):
        ex.apply(Function(store, lambda x: x, FunctionType([Type.I64], [Type.I64])), 5)
    # Results.
    f = ex.get_inc()
    assert isinstance(f, Function) and f(1) == 2 and f.type == II
    # Abstract non-null and bottom types.
    assert ex.any_func(ex.nop) == 1
    with pytest.raises(TypeError, match="argument 0: expected a non-null"):
        ex.any_func(None)
    marker = object()
    assert ex.any_extern(marker) is marker
    with pytest.raises(TypeError, match="argument 0"):
        ex.any_extern(None)
    assert ex.bottom(None) == 1
    with pytest.raises(TypeError, match="argument 0"):
        ex.bottom(ex.inc)


def test_typed_ref_globals(refs):
    store, ex = refs
    assert ex.g.value is None
    ex.g.value = ex.inc
    assert ex.g.value(1) == 2
    ex.g.value = None
    assert ex.g.value is None
    with pytest.raises(TypeError, match="expected a value of type RefType"):
        ex.g.value = ex.nop
    with pytest.raises(TypeError):
        ex.g.value = 3
    assert ex.gc.value(5) == 6


def test_table_get_set(refs):
    store, ex = refs
    assert ex.t.get(0) is None
    ex.t.set(0, ex.inc)
    assert ex.t.get(0)(3) == 4
    ex.t.set(0, None)
    assert ex.t.get(0) is None
    with pytest.raises(TypeError, match="value: expected a value of type RefType"):
        ex.t.set(1, ex.nop)
    with pytest.raises(IndexError):
        ex.t.set(2, ex.inc)
    with pytest.raises(IndexError):
        ex.t.get(2)
    assert ex.tn.get(0)(1) == 2
    with pytest.raises(TypeError, match="non-null"):
        ex.tn.set(0, None)
    # Plain funcref and externref tables too.
    t = Instance(Module(Store(), '(module (table (export "t") 1 externref))')).exports.t
    t.set(0, "anything")
    assert t.get(0) == "anything"


def test_host_function_with_typed_ref_param_and_result():
    store = Store()
    nn = RefType(II, nullable=False)
    seen = []

    def host(f):
        seen.append(f(10))
        return f

    h = Function(store, host, FunctionType([nn], [nn]))
    assert h.type.params == [nn]
    wat = """(module (type $ii (func (param i32) (result i32)))
      (import "env" "h" (func $h (param (ref $ii)) (result (ref $ii))))
      (func $dbl (type $ii) local.get 0 i32.const 2 i32.mul)
      (func (export "run") (result i32) i32.const 7 ref.func $dbl call $h call_ref $ii)
      (elem declare func $dbl))"""
    module = Module(store, wat)
    assert module.imports[0].type == FunctionType([nn], [nn])
    inst = Instance(module, {"env": {"h": h}})
    assert inst.exports.run() == 14 and seen == [20]
    # A host function of another signature does not link.
    other = Function(store, lambda f: f, FunctionType([RefType(FunctionType([], []), nullable=False)], [nn]))
    with pytest.raises(RuntimeError):
        Instance(module, {"env": {"h": other}})
    # A result of the wrong type raises a TypeError naming the result.
    bad = Function(store, lambda f: None, FunctionType([nn], [nn]))
    inst = Instance(Module(store, wat), {"env": {"h": bad}})
    with pytest.raises(TypeError, match="host function result: expected a non-null reference"):
        inst.exports.run()
    # Annotations may be RefType too.
    def annotated(f: nn) -> "i32":
        return f(1)

    assert Function(store, annotated).type.params == [nn]


def test_self_referential_type():
    wat = """(module (type $s (func (param (ref null $s)) (result i32)))
      (func $f (export "f") (type $s) local.get 0 ref.is_null))"""
    f = Instance(Module(Store(), wat)).exports.f
    assert f(None) == 1 and f(f) == 0
    inner = f.type.params[0]
    assert inner.nullable and inner.heap.params[0].heap == "self"
    assert "'self'" in str(f.type)


def test_deeply_named_types_do_not_blow_up():
    # Each type names the previous one twice: spelt out, exponentially long.
    n = 200
    types = ["(type $t0 (func))"] + [
        f"(type $t{i} (func (param (ref $t{i - 1}) (ref $t{i - 1}))))" for i in range(1, n)
    ]
    wat = "(module " + " ".join(types) + f' (func (export "f") (type $t{n - 1})))'
    f = Instance(Module(Store(), wat)).exports.f
    assert len(str(f.type)) < 10000
    assert f.type == f.type
    # Nesting built from Python is bounded too.
    t = II
    for _ in range(200):
        t = FunctionType([RefType(t)], [])
    with pytest.raises(ValueError, match="nested"):
        Function(Store(), lambda x: None, t)


def test_new_api_rejects_bad_arguments_without_crashing():
    with pytest.raises(TypeError, match="simd"):
        Features(simd=None)
    with pytest.raises(TypeError, match="nullable"):
        RefType(II, nullable=None)
    with pytest.raises(OverflowError):
        MemoryType(-1)
    with pytest.raises(ValueError, match="Memory"):
        Memory(Store(), MemoryType(2**33, is64=True, page_size=1))
    store = Store()
    f = Function(store, lambda x: None, FunctionType([RefType("noextern", nullable=False)], []))
    with pytest.raises(TypeError, match="argument 0: expected a non-null reference"):
        f(None)
    with pytest.raises(TypeError, match="argument 0"):
        f(1)
    table = Instance(Module(store, '(module (table (export "t") 1 funcref))')).exports.t
    with pytest.raises(TypeError, match="value"):
        table.set(0, 5)
    with pytest.raises(ValueError, match="another store"):
        table.set(0, Function(Store(), lambda: None, FunctionType([], [])))
    with pytest.raises(OverflowError):
        table.get(-1)
