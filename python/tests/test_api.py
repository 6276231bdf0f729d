"""The Python API class by class: behaviour, errors, bounds."""

import gc
import math
import struct
import threading
import weakref
from collections import defaultdict

import pytest

import wasmint
from wasmint import (
    Buffer,
    CompileError,
    ExportType,
    Exports,
    Function,
    FunctionType,
    Global,
    GlobalType,
    ImportObject,
    ImportType,
    Instance,
    LinkError,
    Memory,
    MemoryType,
    Module,
    Store,
    Table,
    TableType,
    Trap,
    Type,
    Value,
    engine,
    target,
)

SUM = '(module (func (export "sum") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))'


def instance(wat, imports=None, store=None):
    return Instance(Module(store or Store(), wat), imports)


# --- module level ----------------------------------------------------------


def test_versions():
    assert isinstance(wasmint.__version__, str) and wasmint.__version__
    assert wasmint.__core_version__ == wasmint.__version__


def test_wat2wasm_and_back():
    wasm = wasmint.wat2wasm(SUM)
    assert wasm.startswith(b"\0asm\1\0\0\0")
    assert wasmint.wat2wasm(SUM.encode()) == wasm
    text = wasmint.wasm2wat(wasm)
    assert "i32.add" in text and '(export "sum"' in text
    assert wasmint.wat2wasm(text) == wasm
    assert wasmint.wasm2wat(b"\0asm\1\0\0\0") == "(module)"
    assert wasmint.wasm2wat(bytearray(b"\0asm\1\0\0\0")) == "(module)"


def test_wat2wasm_and_wasm2wat_errors():
    with pytest.raises(CompileError):
        wasmint.wat2wasm("(module (func (nope)))")
    with pytest.raises(CompileError):
        wasmint.wasm2wat(b"\0asm\1\0\0")
    with pytest.raises(CompileError):
        wasmint.wasm2wat(b"garbage")
    with pytest.raises(TypeError):
        wasmint.wat2wasm(42)
    with pytest.raises(TypeError):
        wasmint.wasm2wat("(module)")


def test_type_enum():
    assert [t.value for t in Type] == list(range(1, 8))
    assert [t.name for t in Type] == ["I32", "I64", "F32", "F64", "V128", "EXTERN_REF", "FUNC_REF"]
    assert issubclass(Type, int) and Type.I32 == 1 and Type(7) is Type.FUNC_REF


def test_exceptions_are_runtime_errors():
    for e in (Trap, CompileError, LinkError):
        assert issubclass(e, RuntimeError)
        assert e.__module__ == "wasmint"


# --- Store, engine, target ------------------------------------------------


def test_store_engines():
    assert Store().engine_name == "universal"
    assert Store(engine.Universal()).engine_name == "universal"
    assert Store(engine.JIT()).engine_name == "universal"
    assert Store(engine.Dylib()).engine_name == "dylib"
    assert Store(engine.Native()).engine_name == "dylib"
    assert Store().compiler_name is None
    assert "interpreter" in Store.__doc__
    with pytest.raises(TypeError):
        Store(42)
    with pytest.raises(TypeError):
        engine.Universal(None, "x86_64")


def test_public_attributes_are_all_wasmint_s_own():
    # Walking every public name of wasmint and its modules, into classes,
    # ends and meets no module or object of another package (wasmer's
    # packages exposed none either).
    import importlib
    import inspect
    import types

    seen, foreign = set(), []

    def walk(obj, path):
        if id(obj) in seen:
            return
        seen.add(id(obj))
        names = vars(obj) if inspect.isclass(obj) else {n: getattr(obj, n) for n in dir(obj)}
        for name, value in names.items():
            if name.startswith("_"):
                continue
            if isinstance(value, types.ModuleType):
                if not value.__name__.startswith("wasmint"):
                    foreign.append(f"{path}.{name}: module {value.__name__}")
                    continue
                walk(value, f"{path}.{name}")
            elif inspect.isclass(value) or inspect.isfunction(value) or type(value).__module__ == "typing":
                module = getattr(value, "__module__", None) or ""
                if not module.startswith("wasmint"):
                    foreign.append(f"{path}.{name}: {value!r} of {module}")
                elif inspect.isclass(value):
                    walk(value, f"{path}.{name}")

    for module in ("wasmint", "wasmint.legacy", "wasmint.wasi", "wasmint.component", "wasmint.bindgen", "wasmint.engine", "wasmint.target",
                   "wasmint_compiler_cranelift", "wasmint_compiler_llvm", "wasmint_compiler_singlepass"):
        walk(importlib.import_module(module), module)
    assert not foreign, foreign
    assert len(seen) > 40


@pytest.mark.parametrize("name", ["cranelift", "llvm", "singlepass"])
def test_compiler_stand_ins_take_wasmer_s_place(name):
    # wasmer code: `from wasmer_compiler_cranelift import Compiler`, then
    # `engine.JIT(Compiler)`; with the wasmint_ prefix it runs unchanged.
    import importlib

    Compiler = importlib.import_module(f"wasmint_compiler_{name}").Compiler
    for make in (engine.JIT, engine.Universal, engine.Native, engine.Dylib):
        store = Store(make(Compiler))
        assert store.compiler_name == name and store.engine_name == make.name
        assert Instance(Module(store, '(module (func (export "f") (result i32) i32.const 7))')).exports.f() == 7
    assert Compiler.__module__ == f"wasmint_compiler_{name}" and ">>>" in Compiler.__doc__
    # No compiler given: none recorded (wasmer picked the first it found).
    assert Store(engine.Universal()).compiler_name is None


def test_target():
    host = target.Triple.host()
    assert host.is_native and host.architecture and host.operating_system
    assert host.endianness in ("little", "big") and host.pointer_width in (4, 8)
    t = target.Triple("x86_64-unknown-linux-gnu")
    assert (t.architecture, t.vendor, t.operating_system, t.environment) == ("x86_64", "unknown", "linux", "gnu")
    assert t.binary_format == "elf" and t.pointer_width == 8 and not t.is_native
    assert str(t) == "x86_64-unknown-linux-gnu" and t == target.Triple("x86_64-unknown-linux-gnu")
    assert target.Triple("x86_64-pc-windows-msvc").binary_format == "coff"
    with pytest.raises(ValueError):
        target.Triple("")
    f = target.CpuFeatures()
    f.add("sse2")
    f.add("avx2")
    assert "sse2" in f and str(f) == "sse2 avx2"
    tgt = target.Target(t, f)
    assert tgt.triple is t and tgt.cpu_features is f
    with pytest.raises(TypeError):
        target.Target("x86_64-linux")


def test_wasi_versions_as_in_wasmer():
    # WASI itself is tested in test_wasi.py.
    assert (wasmint.wasi.Version.LATEST, wasmint.wasi.Version.SNAPSHOT0, wasmint.wasi.Version.SNAPSHOT1) == (1, 2, 3)


# --- Module ------------------------------------------------------------------


def test_module_inputs():
    store = Store()
    wasm = wasmint.wat2wasm(SUM)
    for src in (SUM, SUM.encode(), wasm, bytearray(wasm)):
        assert Instance(Module(store, src)).exports.sum(1, 2) == 3
    with pytest.raises(TypeError):
        Module(store, 42)
    with pytest.raises(TypeError):
        Module(42, SUM)


def test_invalid_modules():
    store = Store()
    with pytest.raises(CompileError, match="magic header") as e:
        Module(store, b"\0asx\1\0\0\0")
    assert isinstance(e.value, RuntimeError)
    with pytest.raises(CompileError, match="offset"):
        Module(store, b"\0asm\1\0\0\0\x01\x05\x01\x60\x00")
    with pytest.raises(CompileError, match="type mismatch"):
        Module(store, "(module (func (result i32) i64.const 1))")
    with pytest.raises(CompileError):
        Module(store, "(module (func")
    with pytest.raises(CompileError):
        Module(store, b"")


def test_validate():
    store = Store()
    assert Module.validate(store, wasmint.wat2wasm(SUM))
    assert Module.validate(store, SUM)
    assert not Module.validate(store, b"\0asm\1\0\0")
    assert not Module.validate(store, "(module (func (result i32)))")
    assert not Module.validate(store, b"\xff\xfe")


def test_module_exports_and_imports():
    module = Module(
        Store(),
        """(module
          (import "a" "f" (func (param i64 f32) (result f64 i32)))
          (import "a" "t" (table 1 funcref))
          (import "b" "g" (global (mut externref)))
          (import "b" "m" (memory 2 3))
          (func (export "f") (param funcref externref))
          (table (export "t") 4 5 externref)
          (global (export "g") (mut f64) (f64.const 1))
          (export "m" (memory 0))
          (export "f2" (func 0)))""",
    )
    imports = module.imports
    assert [(i.module, i.name) for i in imports] == [("a", "f"), ("a", "t"), ("b", "g"), ("b", "m")]
    assert all(isinstance(i, ImportType) for i in imports)
    f = imports[0].type
    assert isinstance(f, FunctionType)
    assert f.params == [Type.I64, Type.F32] and f.results == [Type.F64, Type.I32]
    assert imports[1].type == TableType(Type.FUNC_REF, 1)
    assert imports[2].type == GlobalType(Type.EXTERN_REF, mutable=True)
    assert imports[3].type == MemoryType(2, 3)
    exports = module.exports
    assert [e.name for e in exports] == ["f", "t", "g", "m", "f2"]
    assert all(isinstance(e, ExportType) for e in exports)
    assert exports[0].type.params == [Type.FUNC_REF, Type.EXTERN_REF]
    assert str(exports[1].type) == "TableType(type: ExternRef, minimum: 4, maximum: Some(5))"
    assert str(exports[2].type) == "GlobalType(type: F64, mutable: true)"
    assert str(exports[3].type) == "MemoryType(minimum: 2, maximum: Some(3), shared: false)"
    assert exports[4].type == FunctionType([Type.I64, Type.F32], [Type.F64, Type.I32])
    assert "ExportType" in repr(exports[0]) and "ImportType" in repr(imports[0])


def test_custom_sections_and_name():
    wasm = wasmint.wat2wasm("(module $m)") + b"\x00\x04\x01xab" + b"\x00\x03\x01xc"
    module = Module(Store(), wasm)
    assert module.custom_sections("x") == [b"ab", b"c"]
    assert module.custom_sections("y") == []
    assert module.name == "m"
    module.name = None
    assert module.name is None


def test_serialize_roundtrip():
    store = Store()
    module = Module(store, "(module $n " + SUM[len("(module ") :])
    module.name = "renamed"
    blob = module.serialize()
    again = Module.deserialize(store, blob)
    assert again.name == "renamed"
    assert Instance(again).exports.sum(2, 3) == 5
    # Into another store.
    assert Instance(Module.deserialize(Store(), blob)).exports.sum(2, 3) == 5
    unnamed = Module(store, SUM)
    assert Module.deserialize(store, unnamed.serialize()).name is None


def test_deserialized_module_shares_and_keeps_its_blob():
    # The module keeps the bytes object (no copy): its code and data
    # segments are read from it after the caller dropped its own reference,
    # and it is released with the module.
    import sys

    store = Store()
    wat = '(module (memory (export "m") 1) (data (i32.const 8) "hello")' + SUM[len("(module ") :]
    blob = Module(store, wat).serialize()
    before = sys.getrefcount(blob)
    module = Module.deserialize(store, blob)
    assert sys.getrefcount(blob) == before + 1
    del module
    gc.collect()
    assert sys.getrefcount(blob) == before
    module = Module.deserialize(store, bytes(blob))
    del blob
    gc.collect()
    instance = Instance(module)
    assert bytes(instance.exports.m.uint8_view()[8:13]) == b"hello"
    assert instance.exports.sum(4, 5) == 9


def test_deserialize_rejects_bad_blobs():
    store = Store()
    blob = bytearray(Module(store, SUM).serialize())
    with pytest.raises(CompileError, match="not a module serialized by wasmint"):
        Module.deserialize(store, wasmint.wat2wasm(SUM))
    with pytest.raises(CompileError):
        Module.deserialize(store, b"")
    for cut in (8, 20, 24, len(blob) - 1):
        with pytest.raises(CompileError):
            Module.deserialize(store, bytes(blob[:cut]))
    for i in range(24, len(blob)):
        bad = bytearray(blob)
        bad[i] ^= 0x40
        with pytest.raises(CompileError):
            Module.deserialize(store, bytes(bad))
    future = bytearray(blob)
    future[8] = 99
    with pytest.raises(CompileError, match="version 99"):
        Module.deserialize(store, bytes(future))
    with pytest.raises(TypeError):
        Module.deserialize(store, "text")


# --- Instance, Exports, ImportObject ---------------------------------------------

IMPORTS = """(module
  (import "env" "f" (func $f (param i32) (result i32)))
  (import "env" "g" (global $g (mut i32)))
  (import "env" "m" (memory 1))
  (import "env" "t" (table 1 funcref))
  (func (export "run") (param i32) (result i32) local.get 0 call $f global.get $g i32.add))"""


def env(store):
    return {
        "f": Function(store, lambda x: x * 2, FunctionType([Type.I32], [Type.I32])),
        "g": Global(store, Value.i32(100), mutable=True),
        "m": Memory(store, MemoryType(1)),
        "t": Instance(Module(store, '(module (table (export "t") 1 funcref))')).exports.t,
    }


def test_imports_as_dict_defaultdict_and_import_object():
    store = Store()
    module = Module(store, IMPORTS)
    e = env(store)
    assert Instance(module, {"env": e}).exports.run(1) == 102
    d = defaultdict(dict)
    d["env"].update(e)
    assert Instance(module, d).exports.run(2) == 104
    io = ImportObject()
    io.register("env", e)
    assert io.contains_namespace("env") and not io.contains_namespace("x")
    assert set(io.to_dict()["env"]) == {"f", "g", "m", "t"}
    assert Instance(module, io).exports.run(3) == 106


def test_link_errors():
    store = Store()
    module = Module(store, IMPORTS)
    e = env(store)
    with pytest.raises(LinkError, match="unknown import"):
        Instance(module)
    with pytest.raises(LinkError, match="env.*f"):
        Instance(module, {})
    with pytest.raises(LinkError):
        Instance(module, {"env": {k: v for k, v in e.items() if k != "m"}})
    with pytest.raises(LinkError):
        Instance(module, {"env": {**e, "f": e["g"]}})  # a global for a function
    with pytest.raises(LinkError):
        Instance(module, {"env": {**e, "g": Global(store, Value.i64(1), mutable=True)}})
    with pytest.raises(LinkError):
        Instance(module, {"env": {**e, "f": Function(store, lambda: None, FunctionType([], []))}})
    with pytest.raises(LinkError, match="another store"):
        Instance(module, {"env": {**e, "m": Memory(Store(), MemoryType(1))}})
    with pytest.raises(TypeError):
        Instance(module, {"env": {**e, "f": lambda x: x}})
    with pytest.raises(TypeError):
        ImportObject().register("env", {"f": 42})
    assert issubclass(LinkError, RuntimeError)


def test_start_function_trap():
    with pytest.raises(Trap, match="unreachable"):
        instance("(module (func $s unreachable) (start $s))")


def test_exports_object():
    exports = instance(
        """(module (func (export "a")) (memory (export "b") 1)
           (global (export "c") i32 (i32.const 1)) (table (export "d") 0 funcref)
           (func (export "with-dash") (result i32) i32.const 7))"""
    ).exports
    assert isinstance(exports, Exports)
    assert len(exports) == 5
    assert [n for n, _ in exports] == ["a", "b", "c", "d", "with-dash"]
    assert [type(x) for _, x in exports] == [Function, Memory, Global, Table, Function]
    assert exports["with-dash"]() == 7 and getattr(exports, "with-dash")() == 7
    assert "a" in exports and "z" not in exports
    assert exports.a is exports.a  # cached objects
    it = iter(exports)
    assert iter(it) is it and next(it)[0] == "a"
    assert sorted(dir(exports))[:2] == ["a", "b"]
    with pytest.raises(LookupError, match="nope"):
        exports.nope
    with pytest.raises(LookupError):
        exports["nope"]
    with pytest.raises(AttributeError):
        exports.__nope__
    assert exports.__class__ is Exports
    assert "Exports" in repr(exports)


def test_empty_instance():
    exports = instance("(module)").exports
    assert len(exports) == 0 and list(exports) == []


# --- Function: exported ----------------------------------------------------------

FUNCS = """(module
  (func (export "sum") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "i64") (param i64) (result i64) local.get 0)
  (func (export "f32") (param f32) (result f32) local.get 0)
  (func (export "f64") (param f64) (result f64) local.get 0)
  (func (export "swap") (param i64 f64) (result f64 i64) local.get 1 local.get 0)
  (func (export "none"))
  (func (export "many") (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)
    local.get 0 local.get 9 i32.add)
  (func $id (export "id") (param funcref) (result funcref) local.get 0)
  (func (export "self") (result funcref) ref.func $id)
  (func (export "ext") (param externref) (result externref) local.get 0))"""


@pytest.fixture
def fx():
    return instance(FUNCS).exports


def test_call_numbers(fx):
    assert fx.sum(1, 2) == 3
    assert fx.sum(2**31 - 1, 1) == -(2**31)
    assert fx.sum(2**32 - 1, 0) == -1  # unsigned range accepted
    assert fx.sum(True, 1) == 2
    assert fx.i64(-(2**63)) == -(2**63) and fx.i64(2**64 - 1) == -1
    assert fx.f32(0.1) == struct.unpack("f", struct.pack("f", 0.1))[0]
    assert fx.f32(3) == 3.0 and fx.f64(0.1) == 0.1
    assert math.isnan(fx.f64(float("nan"))) and fx.f64(float("-inf")) == float("-inf")
    assert fx.swap(7, 2.5) == (2.5, 7)
    assert fx.none() is None
    assert fx.many(1, 0, 0, 0, 0, 0, 0, 0, 0, 2) == 3


def test_call_with_values(fx):
    assert fx.sum(Value.i32(5), 6) == 11
    assert fx.i64(Value.i64(-5)) == -5
    assert fx.f32(Value.f32(1.5)) == 1.5
    with pytest.raises(TypeError):
        fx.sum(Value.i64(5), 6)


def test_call_errors(fx):
    with pytest.raises(TypeError, match="2 arguments"):
        fx.sum(1)
    with pytest.raises(TypeError):
        fx.sum(1, 2, 3)
    with pytest.raises(TypeError):
        fx.sum("1", 2)
    with pytest.raises(TypeError):
        fx.sum(1.5, 2)
    with pytest.raises(TypeError):
        fx.sum(None, 2)
    with pytest.raises(TypeError):
        fx.f64("x")
    with pytest.raises(TypeError):
        fx.sum(a=1, b=2)
    with pytest.raises(OverflowError):
        fx.sum(2**32, 1)
    with pytest.raises(OverflowError):
        fx.sum(-(2**31) - 1, 1)
    with pytest.raises(OverflowError):
        fx.i64(2**64)
    with pytest.raises(OverflowError):
        fx.i64(-(2**63) - 1)
    with pytest.raises(OverflowError):
        fx.sum(10**100, 1)
    with pytest.raises(OverflowError):
        fx.f64(10**400)


def test_references(fx):
    f = fx.self()
    assert isinstance(f, Function) and f.type == fx.id.type
    g = fx.id(f)
    assert isinstance(g, Function)
    assert fx.id(None) is None
    assert fx.ext(None) is None
    obj = object()
    assert fx.ext(obj) is obj and fx.ext(obj) is obj
    assert fx.ext(5) == 5 and fx.ext("text") == "text" and fx.ext(1.5) == 1.5
    with pytest.raises(ValueError, match="another store"):
        fx.id(instance(FUNCS).exports.sum)
    with pytest.raises(TypeError):
        fx.id(42)


def test_function_type_and_repr(fx):
    assert fx.swap.type == FunctionType([Type.I64, Type.F64], [Type.F64, Type.I64])
    assert "FunctionType" in repr(fx.sum)


# --- Function: host ----------------------------------------------------------------

CALLS_HOST = """(module
  (import "env" "h" (func $h (param i32 i64 f32 f64) (result i32)))
  (func (export "run") (param i32 i64 f32 f64) (result i32)
    local.get 0 local.get 1 local.get 2 local.get 3 call $h))"""


def test_host_function_from_annotations():
    store = Store()
    seen = []

    def h(a: int, b: "i64", c: float, d: "f64") -> "I32":
        seen.append((a, b, c, d))
        return a + 1

    assert Function(store, h).type == FunctionType([Type.I32, Type.I64, Type.F32, Type.F64], [Type.I32])
    run = instance(CALLS_HOST, {"env": {"h": Function(store, h)}}, store).exports.run
    assert run(-1, 2**40, 0.5, 0.25) == 0
    assert seen == [(-1, 2**40, 0.5, 0.25)]


@pytest.mark.parametrize(
    "ann,ty",
    [(int, Type.I32), ("i32", Type.I32), ("I32", Type.I32), ("i64", Type.I64), ("I64", Type.I64),
     (float, Type.F32), ("f32", Type.F32), ("F32", Type.F32), ("f64", Type.F64), ("F64", Type.F64),
     (Type.I64, Type.I64)],
)
def test_annotation_mapping(ann, ty):
    def f(x):
        return x

    f.__annotations__ = {"x": ann, "return": ann}
    assert Function(Store(), f).type == FunctionType([ty], [ty])


def test_annotation_results():
    def none(x: int) -> None:
        pass

    def multi(x: int) -> ("i64", "f64", int):
        return (1, 2.0, 3)

    def bare(x: int):
        pass

    assert Function(Store(), none).type.results == []
    assert Function(Store(), bare).type.results == []
    assert Function(Store(), multi).type.results == [Type.I64, Type.F64, Type.I32]
    ns = {}
    exec("from __future__ import annotations\ndef f(x: int, y: i64) -> ('i64', 'i32'):\n    return (y, x)", ns)
    assert Function(Store(), ns["f"]).type == FunctionType([Type.I32, Type.I64], [Type.I64, Type.I32])


def test_bad_host_functions():
    store = Store()
    with pytest.raises(TypeError, match="annotation"):
        Function(store, lambda x: x)
    with pytest.raises(TypeError, match="is not a supported type"):
        def f(x: str) -> int:
            return 0
        Function(store, f)
    with pytest.raises(TypeError, match="callable"):
        Function(store, 42)
    with pytest.raises(TypeError):
        Function(store, lambda: 0, "not a type")
    with pytest.raises(ValueError):
        FunctionType([42], [])
    with pytest.raises(TypeError):
        FunctionType(["i32"], [])


def test_host_function_called_directly():
    f = Function(Store(), lambda x, y: (y, x), FunctionType([Type.I32, Type.F64], [Type.F64, Type.I32]))
    assert f(1, 2.5) == (2.5, 1)


def test_host_multi_value_and_wrong_results():
    store = Store()
    wat = """(module (import "e" "h" (func $h (result i32 i64)))
      (func (export "run") (result i64 i32) call $h drop drop i64.const 5 i32.const 6))"""
    ok = Function(store, lambda: (1, 2), FunctionType([], [Type.I32, Type.I64]))
    assert instance(wat, {"e": {"h": ok}}, store).exports.run() == (5, 6)
    for bad, exc in [((1,), TypeError), (1, TypeError), ((1, "x"), TypeError), ((1, 2, 3), TypeError), ((2**40, 1), OverflowError)]:
        h = Function(store, lambda bad=bad: bad, FunctionType([], [Type.I32, Type.I64]))
        with pytest.raises(exc, match="host function"):
            instance(wat, {"e": {"h": h}}, store).exports.run()
    one = Function(store, lambda: "x", FunctionType([], [Type.I32]))
    with pytest.raises(TypeError, match="host function result"):
        one()


def test_host_exception_is_the_same_object():
    store = Store()

    class Boom(Exception):
        pass

    raised = Boom("boom")

    def h(x: int) -> int:
        raise raised

    exports = instance(
        """(module (import "e" "h" (func $h (param i32) (result i32)))
           (func $inner (param i32) (result i32) local.get 0 call $h)
           (func (export "run") (param i32) (result i32) local.get 0 call $inner))""",
        {"e": {"h": Function(store, h)}},
        store,
    ).exports
    with pytest.raises(Boom) as e:
        exports.run(1)
    assert e.value is raised
    # The store is usable afterwards.
    with pytest.raises(Boom):
        exports.run(2)


def test_host_exception_from_a_direct_call():
    err = ZeroDivisionError("direct")

    def h() -> None:
        raise err

    f = Function(Store(), h)
    with pytest.raises(ZeroDivisionError) as e:
        f()
    assert e.value is err


def test_reentrancy_host_calls_back_into_the_instance():
    store = Store()
    module = Module(
        store,
        """(module
          (import "e" "h" (func $h (param i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "fact") (param i32) (result i32)
            local.get 0 i32.eqz if (result i32) i32.const 1
            else local.get 0 call $h local.get 0 i32.mul end)
          (func (export "size") (result i32) memory.size))""",
    )
    state = {}

    def h(n: int) -> int:
        exports = state["instance"].exports
        exports.memory.grow(1)  # the store is usable from inside a call
        return exports.fact(n - 1)

    inst = Instance(module, {"e": {"h": Function(store, h)}})
    state["instance"] = inst
    assert inst.exports.fact(10) == 3628800
    assert inst.exports.size() == 11


def test_exception_through_nested_calls():
    store = Store()
    state = {}

    def h(n: int) -> int:
        if n == 0:
            raise KeyError("deep")
        return state["i"].exports.run(n - 1)

    state["i"] = instance(
        '(module (import "e" "h" (func $h (param i32) (result i32))) (func (export "run") (param i32) (result i32) local.get 0 call $h))',
        {"e": {"h": Function(store, h)}},
        store,
    )
    with pytest.raises(KeyError, match="deep"):
        state["i"].exports.run(5)
    assert state["i"].exports is not None


def test_other_thread_during_a_host_call_is_refused():
    store = Store()
    entered, release = threading.Event(), threading.Event()
    exports = {}

    def h() -> None:
        entered.set()
        release.wait(5)  # lets the GIL go

    exports.update(
        e=instance(
            '(module (import "e" "h" (func $h)) (func (export "run") call $h) (func (export "two") (result i32) i32.const 2))',
            {"e": {"h": Function(store, h)}},
            store,
        ).exports
    )
    t = threading.Thread(target=exports["e"].run)
    t.start()
    try:
        assert entered.wait(5)
        with pytest.raises(RuntimeError, match="busy"):
            exports["e"].two()
    finally:
        release.set()
        t.join()
    assert exports["e"].two() == 2


# --- traps -------------------------------------------------------------------------

TRAPS = """(module
  (type $t (func))
  (table 2 funcref)
  (elem (i32.const 0) $nop)
  (memory 1)
  (func $nop)
  (func $i (param i32) (result i32) local.get 0)
  (func (export "unreachable") unreachable)
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func (export "trunc") (param f64) (result i32) local.get 0 i32.trunc_f64_s)
  (func (export "load") (param i32) (result i32) local.get 0 i32.load)
  (func (export "table_get") (param i32) (result funcref) local.get 0 table.get 0)
  (func (export "call") (param i32) local.get 0 call_indirect (type $t))
  (func (export "call_i") (param i32) (result i32) i32.const 1 local.get 0 call_indirect (param i32) (result i32))
  (func $r (export "recurse") call $r))"""


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda e: e.unreachable(), "unreachable"),
        (lambda e: e.div(1, 0), "integer divide by zero"),
        (lambda e: e.div(-(2**31), -1), "integer overflow"),
        (lambda e: e.trunc(float("nan")), "invalid conversion to integer"),
        (lambda e: e.trunc(1e10), "integer overflow"),
        (lambda e: e.load(65534), "out of bounds memory access"),
        (lambda e: e.table_get(2), "out of bounds table access"),
        (lambda e: e.call(5), "undefined element"),
        (lambda e: e.call(1), "uninitialized element"),
        (lambda e: e.call_i(0), "indirect call type mismatch"),
        (lambda e: e.recurse(), "call stack exhausted"),
    ],
)
def test_traps(call, message):
    exports = instance(TRAPS).exports
    with pytest.raises(Trap, match=message) as e:
        call(exports)
    assert isinstance(e.value, RuntimeError)
    exports.call(0)  # still usable


# --- Global ------------------------------------------------------------------------


def test_globals():
    store = Store()
    g = Global(store, Value.i64(-5), mutable=True)
    assert g.value == -5 and g.mutable and g.type == GlobalType(Type.I64, True)
    g.value = 2**63 - 1
    assert g.value == 2**63 - 1
    g.value = Value.i64(1)
    assert g.value == 1
    with pytest.raises(TypeError):
        g.value = 1.5
    with pytest.raises(TypeError):
        g.value = Value.i32(1)
    with pytest.raises(OverflowError):
        g.value = 2**64
    f = Global(store, Value.f32(0.1))
    assert f.value == struct.unpack("f", struct.pack("f", 0.1))[0]
    assert not f.mutable
    with pytest.raises(RuntimeError, match="is not mutable"):
        f.value = 1.0
    assert Global(store, Value.f64(0.1)).value == 0.1
    with pytest.raises(TypeError):
        Global(store, 42)
    assert "GlobalType" in repr(f)


def test_v128_values_globals_and_host_functions():
    store = Store()
    big = (0x0123456789ABCDEF << 64) | 0xFEDCBA9876543210
    g = Global(store, Value.v128(big), mutable=True)
    assert g.value == big and g.type == GlobalType(Type.V128, True)
    g.value = 2**128 - 1
    assert g.value == 2**128 - 1
    g.value = Value.v128(-2)  # wraps, as Value.v128 does
    assert g.value == 2**128 - 2
    with pytest.raises(OverflowError):
        g.value = 2**128
    # v128 parameters and results are unsigned 128-bit ints.
    rot = Function(store, lambda v: (v << 64 | v >> 64) & (2**128 - 1), FunctionType([Type.V128], [Type.V128]))
    assert rot(big) == (0xFEDCBA9876543210 << 64) | 0x0123456789ABCDEF
    assert rot(Value.v128(1)) == 1 << 64


def test_simd_modules_run_with_v128_as_python_ints():
    wat = """(module
      (import "host" "twice" (func $twice (param v128) (result v128)))
      (global (export "g") (mut v128) (v128.const i32x4 1 2 3 4))
      (memory (export "mem") 1)
      (func (export "add") (param v128 v128) (result v128) (i32x4.add (local.get 0) (local.get 1)))
      (func (export "sum") (param i32 i32) (result i32)
        (local $acc v128)
        (loop $l
          (local.set $acc (i32x4.add (local.get $acc) (v128.load (local.get 0))))
          (local.set 0 (i32.add (local.get 0) (i32.const 16)))
          (br_if $l (local.tee 1 (i32.sub (local.get 1) (i32.const 1)))))
        (i32.add (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
                 (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
      (func (export "call_twice") (result v128) (call $twice (global.get 0))))"""
    store = Store()
    twice = Function(store, lambda v: (v * 2) % 2**128, FunctionType([Type.V128], [Type.V128]))
    e = Instance(Module(store, wat), {"host": {"twice": twice}}).exports
    lanes = lambda *xs: sum((x % 2**32) << (32 * i) for i, x in enumerate(xs))
    assert e.add(lanes(1, 2, 3, -1), lanes(10, 20, 30, 1)) == lanes(11, 22, 33, 0)
    assert e.add(Value.v128(5), Value.v128(-1)) == lanes(4, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
    assert e.add.type == FunctionType([Type.V128, Type.V128], [Type.V128])
    assert e.g.value == lanes(1, 2, 3, 4) and e.g.type == GlobalType(Type.V128, True)
    assert e.call_twice() == lanes(2, 4, 6, 8)
    e.g.value = 2**127
    assert e.call_twice() == 0
    e.mem.uint32_view()[0:64] = list(range(64))
    assert e.sum(0, 16) == sum(range(64))
    # A SIMD load out of bounds traps like any other.
    with pytest.raises(wasmint.Trap, match="out of bounds"):
        e.sum(65536 - 16, 2)
    with pytest.raises(TypeError):
        e.add(1.5, 2)
    with pytest.raises(CompileError, match="invalid lane index"):
        Module(Store(), "(module (func (param v128) (result i32) local.get 0 i32x4.extract_lane 4))")


def test_simd_loops_run_in_constant_native_stack():
    # A SIMD handler of this build that did not end in a tail call would
    # grow the native stack at every op and crash the interpreter here.
    ops = """(i8x16.shuffle 0 17 2 19 4 21 6 23 8 25 10 27 12 29 14 31 (local.get $v) (local.get $v))
             (i8x16.swizzle (local.get $v) (local.get $v)) (i16x8.extend_low_i8x16_s (local.get $v))
             (i32x4.dot_i16x8_s (local.get $v) (local.get $v)) (i8x16.narrow_i16x8_u (local.get $v) (local.get $v))
             (f32x4.sqrt (local.get $v)) (f64x2.promote_low_f32x4 (local.get $v)) (i32x4.trunc_sat_f32x4_s (local.get $v))
             (v128.load8_lane 3 (i32.const 0) (local.get $v)) (i16x8.q15mulr_sat_s (local.get $v) (local.get $v))"""
    wat = f"""(module (memory 1) (func (export "run") (param $n i32) (result i32) (local $v v128)
      (loop $l {ops} {"drop " * 10}
        (local.set $v (i32x4.add (local.get $v) (v128.const i32x4 1 2 3 4)))
        (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
      (i8x16.bitmask (local.get $v))))"""
    e = Instance(Module(Store(), wat)).exports
    lanes = b"".join((200_000 * k % 2**32).to_bytes(4, "little") for k in (1, 2, 3, 4))
    assert e.run(200_000) == sum(1 << i for i, byte in enumerate(lanes) if byte & 0x80)


def test_exported_globals():
    e = instance('(module (global (export "g") (mut i32) (i32.const 7)) (func (export "get") (result i32) global.get 0))').exports
    e.g.value = 9
    assert e.get() == 9 and e.g.value == 9


# --- Value, types -------------------------------------------------------------------


def test_values():
    assert repr(Value.i32(42)) == "I32(42)" and str(Value.i32(42)) == "I32(42)"
    assert repr(Value.i64(-1)) == "I64(-1)"
    assert repr(Value.f32(4.2)) == "F32(4.2)"
    assert repr(Value.f64(4.2)) == "F64(4.2)"
    assert repr(Value.v128(42)) == "V128(42)"
    assert Value.i32(2**32 - 1) == Value.i32(-1)
    assert Value.i32(1) != Value.i64(1)
    assert Value.f64(float("nan")) == Value.f64(float("nan"))  # bitwise
    assert Value.v128(-1).value == 2**128 - 1
    assert Value.i64(5).type == Type.I64
    for bad in (2**32, -(2**31) - 1):
        with pytest.raises(OverflowError):
            Value.i32(bad)
    with pytest.raises(OverflowError):
        Value.i64(2**64)
    with pytest.raises(OverflowError):
        Value.v128(2**128)
    with pytest.raises(TypeError):
        Value.i32(1.5)
    with pytest.raises(TypeError):
        Value.f32("x")
    with pytest.raises(TypeError):
        Value.v128(1.0)


def test_type_descriptors():
    ft = FunctionType(params=[Type.I32, Type.I32], results=[Type.I32])
    assert ft == FunctionType([1, 1], [1]) and ft != FunctionType([], [])
    assert str(ft) == "FunctionType(params: [I32, I32], results: [I32])"
    assert ft.params == [Type.I32, Type.I32] and type(ft.params[0]) is Type
    gt = GlobalType(Type.F64)
    assert gt.type is Type.F64 and gt.mutable is False
    tt = TableType(Type.I32, minimum=7, maximum=42)
    assert (tt.type, tt.minimum, tt.maximum) == (Type.I32, 7, 42)
    mt = MemoryType(minimum=1, shared=True)
    assert (mt.minimum, mt.maximum, mt.shared) == (1, None, True)
    with pytest.raises(OverflowError):
        MemoryType(-1)
    with pytest.raises(TypeError):
        GlobalType("i32")


# --- Table -------------------------------------------------------------------------


def test_tables():
    t = instance('(module (table (export "t") 3 10 externref) (func (export "grow") (result i32) ref.null extern i32.const 2 table.grow 0))').exports
    assert t.t.size == 3
    assert t.t.type == TableType(Type.EXTERN_REF, 3, 10)
    assert t.grow() == 3 and t.t.size == 5
    assert "TableType" in repr(t.t)


def test_table64():
    # A 64-bit table (table64): i64 sizes, and is64 in its type.
    wat = """(module (table (export "t") i64 2 0x1_0000_0000 funcref)
      (func (export "grow") (result i64) ref.null func i64.const 3 table.grow 0))"""
    module = Module(Store(), wat)
    tt = module.exports[0].type
    assert (tt.minimum, tt.maximum, tt.is64) == (2, 2**32, True)
    assert str(tt) == "TableType(type: FuncRef, minimum: 2, maximum: Some(4294967296), is64: true)"
    assert tt == TableType(Type.FUNC_REF, 2, 2**32, is64=True) and tt != TableType(Type.FUNC_REF, 2, 2**32)
    t = Instance(module).exports
    assert t.grow() == 2 and t.t.size == 5 and t.t.type.is64
    assert TableType(Type.FUNC_REF, 1).is64 is False
    with pytest.raises(TypeError):
        TableType(Type.FUNC_REF, 1, None, True)


# --- Memory, Buffer, views -----------------------------------------------------------


def test_memory_basics():
    store = Store()
    m = Memory(store, MemoryType(minimum=1, maximum=3))
    assert m.size == 1 and m.data_size == 65536
    assert m.type == MemoryType(1, 3)
    assert m.grow(0) == 1
    assert m.grow(2) == 1 and m.size == 3
    with pytest.raises(RuntimeError, match="grow"):
        m.grow(1)
    assert m.size == 3
    with pytest.raises(OverflowError):
        m.grow(-1)
    with pytest.raises(ValueError, match="shared"):
        Memory(store, MemoryType(1, shared=True))
    with pytest.raises(ValueError):
        Memory(store, MemoryType(2, 1))
    with pytest.raises(ValueError):
        Memory(store, MemoryType(65537))
    unbounded = Memory(store, MemoryType(0))
    with pytest.raises(RuntimeError):
        unbounded.grow(65537)
    assert "MemoryType" in repr(m)


def test_buffer_protocol_is_zero_copy_and_writable():
    m = Memory(Store(), MemoryType(1))
    buf = m.buffer
    assert isinstance(buf, Buffer) and len(buf) == 65536
    view = memoryview(buf)
    assert not view.readonly and view.nbytes == 65536 and view.format == "B"
    view[10:13] = b"abc"
    assert m.uint8_view()[10:13] == [97, 98, 99]
    m.uint8_view()[20] = 7
    assert view[20] == 7  # zero-copy: sees later writes
    assert bytes(buf)[10:13] == b"abc" and bytearray(buf)[20] == 7
    with pytest.raises(IndexError):
        view[65536]


def test_buffer_survives_grow_from_python_and_from_wasm():
    store = Store()
    exports = instance(
        """(module (memory (export "m") 1)
             (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
             (func (export "store") (param i32 i32) local.get 0 local.get 1 i32.store8))""",
        store=store,
    ).exports
    m = exports.m
    old = memoryview(m.buffer)
    old[0] = 1
    views = [memoryview(m.buffer) for _ in range(3)]
    assert m.grow(3) == 1
    assert exports.grow(60) == 4
    assert m.size == 64
    # Old views keep their length and still reach the same bytes.
    assert len(old) == 65536 and old[0] == 1
    exports.store(65535, 9)
    assert old[65535] == 9 and all(v[65535] == 9 for v in views)
    old[1] = 2
    new = memoryview(m.buffer)
    assert len(new) == 64 * 65536 and new[1] == 2
    new[64 * 65536 - 1] = 5
    assert m.uint8_view()[64 * 65536 - 1] == 5
    del exports, m
    gc.collect()
    assert old[0] == 1  # the buffer keeps the store alive


VIEW_KINDS = [
    ("uint8_view", "B", 1, 255, -1),
    ("int8_view", "b", 1, -128, 128),
    ("uint16_view", "H", 2, 65535, -1),
    ("int16_view", "h", 2, -32768, 32768),
    ("uint32_view", "I", 4, 2**32 - 1, -1),
    ("int32_view", "i", 4, -(2**31), 2**31),
    ("uint64_view", "Q", 8, 2**64 - 1, -1),
    ("int64_view", "q", 8, -(2**63), 2**63),
    ("float32_view", "f", 4, 1.5, None),
    ("float64_view", "d", 8, 0.1, None),
]


@pytest.mark.parametrize("method,fmt,size,sample,overflow", VIEW_KINDS)
def test_views(method, fmt, size, sample, overflow):
    m = Memory(Store(), MemoryType(1))
    view = getattr(m, method)()
    assert view.bytes_per_element == size and view.offset == 0
    n = 65536 // size
    assert len(view) == n
    view[0] = sample
    view[n - 1] = sample  # the last element
    raw = bytes(m.buffer)
    assert struct.unpack_from("<" + fmt, raw, 0)[0] == sample
    assert struct.unpack_from("<" + fmt, raw, (n - 1) * size)[0] == sample
    assert view[0] == sample and view[n - 1] == sample
    assert view[0:2] == [sample, 0]
    assert view[n - 2 :] == [0, sample]
    assert view[n - 1 : n + 10] == [sample]  # clamped to the view
    view[1:3] = [sample, sample]
    assert view[0:4] == [sample, sample, sample, 0]
    # As wasmer: a slice's positions and the values are zipped.
    view[4:8:2] = [sample, sample, sample]
    view[9:12] = [sample]
    assert view[4:12] == [sample, 0, sample, 0, 0, sample, 0, 0]
    view[4:12] = [0] * 8
    with pytest.raises(IndexError):
        view[n]
    with pytest.raises(IndexError):
        view[n] = sample
    with pytest.raises(IndexError):
        view[-1]
    with pytest.raises(IndexError):
        view[2**70]
    with pytest.raises(ValueError):
        view["0"]
    with pytest.raises(ValueError):
        view[1.0]
    for bad in (slice(n, None), slice(5, 3), slice(None, None, -1), slice(0, 6, 2)):
        with pytest.raises(IndexError):
            view[bad]
    with pytest.raises(IndexError):
        view[5:3] = [sample]
    with pytest.raises(IndexError):
        view[3:5:-1] = [sample]
    with pytest.raises(RuntimeError):
        view[0:2] = 5
    with pytest.raises(RuntimeError):
        view["0"] = sample
    with pytest.raises(RuntimeError):
        view[0] = "x"
    with pytest.raises(TypeError):
        view[0:2] = ["x"]
    if overflow is not None:
        with pytest.raises(RuntimeError):
            view[0] = overflow
        with pytest.raises(RuntimeError):
            view[0] = 1.5
        with pytest.raises(OverflowError):
            view[0:1] = [overflow]
    # An offset view, and growth.
    off = getattr(m, method)(offset=size * 3 + 1)
    assert len(off) == (65536 - size * 3 - 1) // size
    assert off.offset == size * 3 + 1
    m.grow(1)
    assert len(view) == 2 * n
    view[2 * n - 1] = sample
    assert view[2 * n - 1] == sample
    past = getattr(m, method)(offset=10**6)
    assert len(past) == 0
    with pytest.raises(IndexError):
        past[0]
    assert type(view).__name__ in repr(view)


def test_float_views_nan_and_inf():
    m = Memory(Store(), MemoryType(1))
    f = m.float64_view()
    f[0] = float("inf")
    f[1] = float("nan")
    assert f[0] == float("inf") and math.isnan(f[1])


def test_view_sees_wasm_writes():
    exports = instance('(module (memory (export "m") 1) (func (export "w") (param i32 i64) local.get 0 local.get 1 i64.store))').exports
    exports.w(8, -2)
    assert exports.m.int64_view()[1] == -2
    assert exports.m.uint32_view(offset=8)[0:2] == [2**32 - 2, 2**32 - 1]


# --- lifetimes ----------------------------------------------------------------------


def test_objects_keep_the_store_alive():
    exports = instance(SUM).exports
    gc.collect()
    assert exports.sum(1, 1) == 2
    f = Function(Store(), lambda: 1, FunctionType([], [Type.I32]))
    gc.collect()
    assert f() == 1


def test_cycle_through_a_host_closure_is_collected():
    def make():
        store = Store()
        state = {}

        def h(x: int) -> int:
            return state["instance"].exports.id(x)

        module = Module(
            store,
            '(module (import "e" "h" (func $h (param i32) (result i32))) (func (export "id") (param i32) (result i32) local.get 0) (func (export "run") (param i32) (result i32) local.get 0 call $h))',
        )
        state["instance"] = Instance(module, {"e": {"h": Function(store, h)}})
        assert state["instance"].exports.run(5) == 5
        return weakref.ref(h)

    ref = make()
    gc.collect()
    assert ref() is None


DEEP = r"""
import sys, threading
from wasmint import Function, Instance, Module, Store, Trap
store = Store()
box = {"low": 100000}
def h(n: int) -> int:
    box["low"] = min(box["low"], n)
    return 0 if n == 0 else box["i"].exports.run(n - 1) + 1
module = Module(store, '(module (import "e" "h" (func $h (param i32) (result i32))) (func (export "run") (param i32) (result i32) local.get 0 call $h))')
box["i"] = Instance(module, {"e": {"h": Function(store, h)}})
limit, stack = int(sys.argv[1]), int(sys.argv[2])
if limit:
    sys.setrecursionlimit(limit)
def go():
    assert box["i"].exports.run(20) == 20
    box["low"] = 100000
    try:
        box["i"].exports.run(100000)
    except RecursionError as e:
        print("stopped:", 100000 - box["low"], e)
    assert box["i"].exports.run(10) == 10
if stack:
    threading.stack_size(stack)
    t = threading.Thread(target=go)
    t.start()
    t.join()
else:
    go()
"""


# (recursion limit, thread stack, fewest nested levels reached): Python's
# own limit stops the default case (two units a level: the host function's
# frame and the nested call); the thread's real stack the others.
@pytest.mark.parametrize(
    "limit,stack,least",
    [(0, 0, 450), (10**6, 0, 1000), (10**6, 1 << 20, 150), (10**6, 512 * 1024, 60), (10**6, 256 * 1024, 20), (0, 2 << 20, 300)],
)
def test_deep_recursion_between_wasm_and_python_raises(limit, stack, least):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", DEEP, str(limit), str(stack)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("stopped:"), proc.stdout + proc.stderr
    deepest = int(proc.stdout.split()[1])
    assert deepest >= least, proc.stdout
    if limit == 0 and stack == 0:
        assert "maximum recursion depth exceeded" in proc.stdout, proc.stdout
    elif limit:
        assert "exhausted the thread's stack" in proc.stdout, proc.stdout


def test_view_slice_writes_from_bytes_lists_and_tuples():
    memory = Instance(Module(Store(), '(module (memory (export "m") 1))')).exports.m
    u8, u16 = memory.uint8_view(), memory.uint16_view()
    u8[0:4] = b"\x01\x02\x03\x04"
    u8[4:8] = bytearray(b"\x05\x06\x07\x08")
    u8[8:10] = [9, 10]
    u8[10:12] = (11, 12)
    assert u8[0:12] == list(range(1, 13))
    # Zipped with the positions: extra values are left, missing ones leave
    # memory as it is.
    u8[0:2] = b"\xff\xfe\xfd"
    u8[2:6] = b"\xaa"
    assert u8[0:6] == [0xFF, 0xFE, 0xAA, 4, 5, 6]
    # A slice past the end is clipped to the view, as a list's.
    u8[65534:65540] = b"\x01\x02\x03"
    assert u8[65534:65536] == [1, 2]
    u16[0:2] = (0x1234, 0xFFFF)
    assert u8[0:4] == [0x34, 0x12, 0xFF, 0xFF]
    with pytest.raises(OverflowError):
        u16[0:1] = [70000]
    # Bytes into a wider view convert byte by byte, as any iterable of ints.
    u16[0:2] = b"\x07\x08"
    assert u16[0:2] == [7, 8]
    big = bytes(range(256)) * 256
    u8[0:65536] = big
    assert bytes(u8[0:65536]) == big and bytes(memoryview(memory.buffer)) == big
