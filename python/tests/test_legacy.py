"""wasmint.legacy: the python-ext-wasm 0.4.x API. The README examples of 0.x
run here with only the import changed (`wasmer` -> `wasmint.legacy`)."""

import inspect
from enum import IntEnum

import pytest

import wasmint
import wasmint.legacy as wasmer
from wasmint.legacy import (
    ExportKind,
    ImportKind,
    ImportObject,
    Instance,
    Module,
    Type,
    Uint8Array,
    Value,
    Wasi,
    WasiVersion,
)

SIMPLE = wasmint.wat2wasm(
    """
(module
  (memory (export "memory") 1)
  (data (i32.const 0) "Wasmer")
  (data (i32.const 16) "Hello, World!\\00")
  (func (export "sum") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "return_string") (result i32) i32.const 16)
  (func (export "f64_f64") (param f64) (result f64) local.get 0)
  (func (export "void")))
"""
)

# The README lists the exports and the imports of two different programs
# (one memory and one table per module).
README_IMPORTS = wasmint.wat2wasm(
    """
(module
  (import "ns" "func" (func))
  (import "ns" "mem" (memory 3 4))
  (import "ns" "glo" (global f32))
  (import "ns" "tab" (table 1 2 funcref)))
"""
)

README_MODULE = wasmint.wat2wasm(
    """
(module
  (memory (export "memory") 1)
  (table (export "__indirect_function_table") 1 funcref)
  (global (export "__heap_base") i32 (i32.const 0))
  (global (export "__data_end") i32 (i32.const 0))
  (func (export "sum") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
"""
)


def custom_section(name: bytes, data: bytes) -> bytes:
    body = bytes([len(name)]) + name + data
    return b"\x00" + bytes([len(body)]) + body


@pytest.fixture
def simple_wasm(tmp_path, monkeypatch):
    (tmp_path / "simple.wasm").write_bytes(SIMPLE)
    (tmp_path / "my_program.wasm").write_bytes(SIMPLE)
    monkeypatch.chdir(tmp_path)


# --- the README of 0.x, only the import changed ------------------------------


def test_readme_example(simple_wasm, capsys):
    from wasmint.legacy import Instance

    wasm_bytes = open("simple.wasm", "rb").read()
    instance = Instance(wasm_bytes)
    result = instance.exports.sum(5, 37)
    print(result)
    assert capsys.readouterr().out == "42\n"


def test_readme_instance_and_value(simple_wasm):
    from wasmint.legacy import Instance, Value

    wasm_bytes = open("my_program.wasm", "rb").read()
    instance = Instance(wasm_bytes)
    assert instance.exports.sum(1, 2) == 3
    assert instance.exports.sum(Value.i32(1), Value.i32(2)) == 3
    view = instance.memory.uint8_view()
    assert view[0] == ord("W")


def test_readme_module(simple_wasm):
    from wasmint.legacy import Module

    wasm_bytes = open("my_program.wasm", "rb").read()
    module = Module(wasm_bytes)
    instance = module.instantiate()
    assert instance.exports.sum(1, 2) == 3


def test_readme_exports_imports_custom_sections(tmp_path):
    from wasmint.legacy import Module, ExportKind, ImportKind

    wasm_bytes = README_MODULE + custom_section(b"section1", b"Wasmer") + custom_section(b"section2", b"x")
    module = Module(wasm_bytes)
    assert module.exports == [{'kind': ExportKind.MEMORY,   'name': 'memory'},
                              {'kind': ExportKind.TABLE,    'name': '__indirect_function_table'},
                              {'kind': ExportKind.GLOBAL,   'name': '__heap_base'},
                              {'kind': ExportKind.GLOBAL,   'name': '__data_end'},
                              {'kind': ExportKind.FUNCTION, 'name': 'sum'}]
    module = Module(README_IMPORTS)
    assert module.imports == [{'kind': ImportKind.FUNCTION,
                               'namespace': 'ns',
                               'name': 'func'},
                              {'kind': ImportKind.MEMORY,
                               'namespace': 'ns',
                               'name': 'mem',
                               'minimum_pages': 3,
                               'maximum_pages': 4},
                              {'kind': ImportKind.GLOBAL,
                               'namespace': 'ns',
                               'name': 'glo',
                               'mutable': False,
                               'type': 'f32'},
                              {'kind': ImportKind.TABLE,
                               'namespace': 'ns',
                               'name': 'tab',
                               'minimum_elements': 1,
                               'maximum_elements': 2,
                               'element_type': 'anyfunc'}]
    module = Module(wasm_bytes)
    assert sorted(module.custom_section_names) == ['section1', 'section2']
    custom_section1 = module.custom_section('section1')
    assert type(custom_section1) == bytes
    assert custom_section1 == b'Wasmer'
    assert module.custom_section('nope') is None


def test_readme_serialize(simple_wasm):
    from wasmint.legacy import Module

    wasm_bytes = open("my_program.wasm", "rb").read()
    module1 = Module(wasm_bytes)
    serialized_module = module1.serialize()
    del module1
    module2 = Module.deserialize(serialized_module)
    assert module2.instantiate().exports.sum(1, 2) == 3


def test_readme_validate(simple_wasm):
    from wasmint.legacy import Module

    wasm_bytes = open("my_program.wasm", "rb").read()
    assert Module.validate(wasm_bytes)
    assert not Module.validate(b"\x00asm\x01\x00\x00\x00\x01")
    assert not Module.validate(b"not wasm")


def test_readme_value_reprs():
    from wasmint.legacy import Value

    assert repr(Value.i32(7)) == "I32(7)"
    assert repr(Value.i64(7)) == "I64(7)"
    assert repr(Value.f32(7.5)) == "F32(7.5)"
    assert repr(Value.f64(7.42)) == "F64(7.42)"
    Value.v128(7)


def test_readme_memory(simple_wasm):
    instance = Instance(open("my_program.wasm", "rb").read())
    assert instance.memory.grow(1) == 1
    memory_view = memoryview(instance.memory.buffer)
    assert memory_view.nbytes == 2 * 65536
    assert bytes(memory_view[0:6]).decode() == 'Wasmer'
    byte_array = bytearray(instance.memory.buffer)
    assert byte_array[0:6].decode() == 'Wasmer'

    pointer = instance.exports.return_string()
    memory = instance.memory.uint8_view(offset=pointer)
    memory_length = len(memory)
    nth = 0
    string = ''
    while nth < memory_length:
        char = memory[nth]
        if char == 0:
            break
        string += chr(char)
        nth += 1
    assert string == "Hello, World!"
    assert bytes(memory[0:13]).decode() == "Hello, World!"
    assert byte_array[pointer:pointer + 13].decode() == "Hello, World!"


def test_readme_views_share_memory(simple_wasm):
    instance = Instance(open("my_program.wasm", "rb").read())
    int8 = instance.memory.int8_view()
    int16 = instance.memory.int16_view()
    int32 = instance.memory.int32_view()
    int8[0] = 0b00000001
    int8[1] = 0b00000100
    int8[2] = 0b00010000
    int8[3] = 0b01000000
    assert int16[0] == 0b00000100_00000001
    assert int16[1] == 0b01000000_00010000
    assert int32[0] == 0b01000000_00010000_00000100_00000001
    for name in ("uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64", "float32", "float64"):
        view = getattr(instance.memory, name + "_view")(8)
        assert len(view) > 0 and view.bytes_per_element in (1, 2, 4, 8)
    assert isinstance(instance.memory.uint8_view(), Uint8Array)


# --- classes, reprs, errors ---------------------------------------------------


def test_enums():
    for enum_class in (ExportKind, ImportKind):
        assert issubclass(enum_class, IntEnum)
        assert [(m.name, m.value) for m in enum_class] == [("FUNCTION", 1), ("MEMORY", 2), ("GLOBAL", 3), ("TABLE", 4)]
    assert issubclass(WasiVersion, IntEnum)
    assert (WasiVersion.Snapshot0, WasiVersion.Snapshot1, WasiVersion.Latest) == (1, 2, 3)


def test_exported_function_types_and_errors():
    instance = Instance(SIMPLE)
    assert instance.exports.f64_f64(7.0) == 7.0
    assert instance.exports.void() is None
    assert instance.exports["sum"](1, 2) == 3
    assert "memory" not in instance.exports  # only functions are listed
    assert sorted(instance.exports) == ["f64_f64", "return_string", "sum", "void"]
    with pytest.raises(LookupError) as error:
        instance.exports.foo
    assert str(error.value) == "Function `foo` does not exist."


def test_getfullargspec():
    instance = Instance(SIMPLE)
    assert instance.exports.sum.getfullargspec == inspect.FullArgSpec(
        args=['x0', 'x1'],
        varargs=None,
        varkw=None,
        defaults=None,
        kwonlyargs=None,
        kwonlydefaults=None,
        annotations={'x0': Type.I32, 'x1': Type.I32, 'return': Type.I32},
    )


def test_no_memory():
    assert Instance(wasmint.wat2wasm("(module)")).memory is None


def test_invalid_bytes():
    with pytest.raises(RuntimeError) as error:
        Instance(b"\x00asm\x01\x00\x00\x00\x01")
    assert str(error.value).startswith("Failed to compile the module:\n    ")
    with pytest.raises(RuntimeError):
        Module(b"\x00asm\x02\x00\x00\x00")


def test_host_functions_from_a_dict_and_an_import_object():
    wasm = wasmint.wat2wasm(
        """(module (import "env" "sum" (func $sum (param i32 i32) (result i32)))
             (func (export "sum_plus_one") (param i32 i32) (result i32)
               local.get 0 local.get 1 call $sum i32.const 1 i32.add))"""
    )
    instance = Instance(wasm, {"env": {"sum": lambda x, y: x + y}})
    assert instance.exports.sum_plus_one(1, 2) == 4

    module = Module(wasm)
    import_object = module.generate_import_object()
    assert import_object.import_descriptors() == []
    import_object.extend({"env": {"sum": lambda x, y: x * y}})
    assert import_object.import_descriptors() == [{"kind": ImportKind.FUNCTION, "namespace": "env", "name": "sum"}]
    assert module.instantiate(import_object).exports.sum_plus_one(3, 4) == 13


def test_missing_import():
    wasm = wasmint.wat2wasm('(module (import "env" "f" (func)))')
    with pytest.raises(RuntimeError):
        Instance(wasm)


def test_wat2wasm_wasm2wat():
    wasm = wasmer.wat2wasm("(module)")
    assert wasm == b"\x00asm\x01\x00\x00\x00"
    assert wasmer.wasm2wat(wasm).strip() == "(module)"


def test_wasi_import_object_and_version():
    wasm = wasmint.wat2wasm(
        '(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32))) (memory (export "memory") 1)'
        ' (func (export "_start")))'
    )
    module = Module(wasm)
    assert module.is_wasi_module
    assert module.wasi_version() == WasiVersion.Snapshot1
    assert module.wasi_version(True) == WasiVersion.Snapshot1
    assert not Module(SIMPLE).is_wasi_module
    import_object = (
        Wasi("test-program").argument("--foo").environments({"ABC": "DEF"}).map_directory("the_host_current_dir", ".")
        .generate_import_object_for_module(module)
    )
    names = {d["name"] for d in import_object.import_descriptors()}
    assert {"fd_write", "proc_exit", "args_get", "path_open"} <= names
    assert {d["namespace"] for d in import_object.import_descriptors()} == {"wasi_snapshot_preview1"}
    module.instantiate(import_object).exports._start()


def test_wasi_prints(tmp_path):
    # A guest that writes "hi\n" to stdout through fd_write.
    wasm = wasmint.wat2wasm(
        """(module
             (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
             (memory (export "memory") 1)
             (data (i32.const 8) "hi\\n")
             (func (export "_start")
               (i32.store (i32.const 0) (i32.const 8))
               (i32.store (i32.const 4) (i32.const 3))
               (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 20)))))"""
    )
    import subprocess, sys
    path = tmp_path / "w.wasm"
    path.write_bytes(wasm)
    out = subprocess.check_output(
        [sys.executable, "-c",
         "import wasmint.legacy as wasmer; m = wasmer.Module(open(%r, 'rb').read());"
         " m.instantiate(wasmer.Wasi('p').generate_import_object_for_module(m)).exports._start()" % str(path)]
    )
    assert out == b"hi\n"


def test_resolve_exported_function():
    instance = Instance(SIMPLE)
    assert instance.resolve_exported_function(0) == "sum"
    assert instance.resolve_exported_function(2) == "f64_f64"
    with pytest.raises(RuntimeError):
        instance.resolve_exported_function(9)
    wasm = wasmint.wat2wasm('(module (import "env" "f" (func)) (func (export "g")))')
    assert Instance(wasm, {"env": {"f": lambda: None}}).resolve_exported_function(1) == "g"
