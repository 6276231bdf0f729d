"""Errors and descriptor texts exactly as wasmer-python 1.1 gave them.

Each expected text is wasmer-python 1.1's: its tests (`tests/test_memory.py`,
`tests/test_global.py`) where they assert one, else its source
(`packages/api/src/...`), named by each test.
"""

import pytest

from wasmint import (
    Function,
    FunctionType,
    GlobalType,
    Instance,
    LinkError,
    Memory,
    MemoryType,
    Module,
    RefType,
    Store,
    TableType,
    Type,
)

WAT = """(module
  (memory (export "memory") 17)
  (global (export "const") i32 (i32.const 42))
  (global (export "var") (mut i32) (i32.const 7))
  (table (export "table") 0 funcref))"""

SIZE = 17 * 65536  # 1114112, the size of wasmer's tests.wasm memory


@pytest.fixture
def exports():
    return Instance(Module(Store(), WAT)).exports


def raised(cls, f):
    with pytest.raises(cls) as info:
        f()
    assert type(info.value) is cls
    return str(info.value)


def test_unknown_export(exports):
    # exports.rs, `Exports.__getattr__`.
    assert raised(LookupError, lambda: exports.foo) == "Export `foo` does not exist."
    assert raised(LookupError, lambda: exports["foo"]) == "Export `foo` does not exist."


def test_immutable_global(exports):
    # tests/test_global.py, test_global_read_write_constant.
    def write():
        exports.const.value = 1

    assert raised(RuntimeError, write) == "The global variable is not mutable, cannot set a new value"
    assert exports.const.value == 42
    exports.var.value = 8
    assert exports.var.value == 8


def test_view_get_errors(exports):
    # tests/test_memory.py, test_get_*.
    view = exports.memory.uint8_view()
    assert len(view) == SIZE
    assert raised(IndexError, lambda: view[len(view) + 1]) == (
        "Out of bound: Maximum index 1114113 is larger than the memory size 1114112"
    )
    assert raised(IndexError, lambda: view[-1]) == "Out of bound: Index cannot be negative"
    assert raised(IndexError, lambda: view[2:1]) == "Slice `2:1` cannot be empty"
    assert raised(IndexError, lambda: view[3:3]) == "Slice `3:3` cannot be empty"
    assert raised(IndexError, lambda: view[1:7:2]) == "Slice must have a step of 1 for now; given 2"
    assert raised(ValueError, lambda: view["a"]) == "Only integers and slices are valid to represent an index"
    assert raised(ValueError, lambda: view[1.0]) == "Only integers and slices are valid to represent an index"
    # A slice past the end is bounded to the view, as wasmer does.
    assert view[SIZE - 2 : SIZE + 100] == [0, 0]
    assert raised(IndexError, lambda: view[SIZE : SIZE + 100]) == f"Slice `{SIZE}:{SIZE}` cannot be empty"
    big = 2**80
    assert raised(IndexError, lambda: view[big]) == (
        f"Out of bound: Maximum index {big} is larger than the memory size {SIZE}"
    )
    assert raised(IndexError, lambda: view[-big]) == "Out of bound: Index cannot be negative"


def test_view_set_errors(exports):
    # views.rs, `__setitem__`; tests/test_memory.py, test_set_out_of_range.
    view = exports.memory.uint8_view()

    def setter(index, value):
        def f():
            view[index] = value

        return f

    assert raised(IndexError, setter(len(view) + 1, 42)) == (
        "Out of bound: Absolute index 1114113 is larger than the memory size 1114112"
    )
    assert raised(IndexError, setter(-1, 42)) == "Out of bound: Index cannot be negative"
    assert raised(IndexError, setter(slice(2, 1), [1])) == "Slice `2:1` cannot be empty"
    assert raised(IndexError, setter(slice(5, 1, -1), [1])) == "Slice `5:1` cannot be empty"
    assert raised(IndexError, setter(slice(1, 5, -1), [1])) == "Slice must have a positive step; given -1"
    types = (
        "When setting data to the memory view, the index and the value can only have the following types: "
        "Either `int` and `int`, or `slice` and `sequence`"
    )
    assert raised(RuntimeError, setter("a", 1)) == types
    assert raised(RuntimeError, setter(0, "a")) == types
    assert raised(RuntimeError, setter(0, 256)) == types
    assert raised(RuntimeError, setter(slice(0, 2), 5)) == types
    # tests/test_memory.py, test_set_values_with_slice_and_step.
    view[7:12:2] = [1, 2, 3, 4, 5]
    assert view[7:12] == [1, 0, 2, 0, 3]
    view[7:12] = bytes(b"abcde")
    assert view[7:12] == [97, 98, 99, 100, 101]


def test_memory_grow_too_much(exports):
    # tests/test_memory.py, test_memory_grow_too_much.
    memory = exports.memory
    assert raised(RuntimeError, lambda: memory.grow(100000)) == (
        "The memory could not grow: current size 17 pages, requested increase: 100000 pages"
    )
    bounded = Memory(Store(), MemoryType(minimum=1, maximum=2))
    assert bounded.grow(1) == 1
    assert raised(RuntimeError, lambda: bounded.grow(1)) == (
        "The memory could not grow: current size 2 pages, requested increase: 1 pages"
    )


def test_type_texts(exports):
    # types.rs, the `__str__` of each descriptor: Rust's `{:?}` of its fields.
    memory = exports.memory.type
    assert str(memory) == "MemoryType(minimum: 17, maximum: None, shared: false)"  # test_memory.py, test_type
    assert str(MemoryType(1, 3, shared=True)) == "MemoryType(minimum: 1, maximum: Some(3), shared: true)"
    assert str(exports.const.type) == "GlobalType(type: I32, mutable: false)"
    assert str(exports.var.type) == "GlobalType(type: I32, mutable: true)"
    assert str(GlobalType(Type.FUNC_REF, mutable=True)) == "GlobalType(type: FuncRef, mutable: true)"
    assert str(exports.table.type) == "TableType(type: FuncRef, minimum: 0, maximum: None)"
    assert str(TableType(Type.EXTERN_REF, 1, 5)) == "TableType(type: ExternRef, minimum: 1, maximum: Some(5))"
    for t in (memory, exports.const.type, exports.table.type):
        assert repr(t) == str(t)


def test_type_texts_of_wasmint_extensions():
    # Shown only when not wasmer's defaults.
    assert str(MemoryType(1, 2**40, is64=True, page_size=1)) == (
        "MemoryType(minimum: 1, maximum: Some(1099511627776), shared: false, is64: true, page_size: 1)"
    )
    assert str(TableType(Type.FUNC_REF, 1, is64=True)) == "TableType(type: FuncRef, minimum: 1, maximum: None, is64: true)"
    assert str(GlobalType(RefType("extern", nullable=False))) == (
        "GlobalType(type: RefType(heap: 'extern', nullable: false), mutable: false)"
    )


def test_link_errors_name_the_import_and_both_types():
    store = Store()
    module = Module(store, '(module (import "env" "f" (func (param i32))) (import "env" "m" (memory 2)))')
    memory = Memory(store, MemoryType(2))
    with pytest.raises(LinkError, match=r"^incompatible import type: `env`.`f` expects func \[i32\] -> \[\], given func \[\] -> \[\]$"):
        Instance(module, {"env": {"f": Function(store, lambda: None, FunctionType([], [])), "m": memory}})
    f = Function(store, lambda x: None, FunctionType([Type.I32], []))
    with pytest.raises(LinkError, match=r"^incompatible import type: `env`.`m` expects memory 2, given memory 1$"):
        Instance(module, {"env": {"f": f, "m": Memory(store, MemoryType(1))}})
    with pytest.raises(LinkError, match=r"`env`.`m` expects memory 2, given func \[i32\] -> \[\]"):
        Instance(module, {"env": {"f": f, "m": f}})


def test_a_host_function_annotated_none_that_returns_a_value():
    store = Store()
    module = Module(store, '(module (import "env" "f" (func)) (func (export "g") call 0))')

    def chatty() -> None:
        return 5  # type: ignore[return-value]

    g = Instance(module, {"env": {"f": Function(store, chatty)}}).exports.g
    with pytest.raises(TypeError, match=r"host function `.*chatty` is annotated `-> None` but returned 5"):
        g()
    # With an explicit FunctionType, a value returned is ignored.
    Instance(module, {"env": {"f": Function(store, lambda: 5, FunctionType([], []))}}).exports.g()


def test_an_unsupported_annotation_raises_what_wasmer_raised():
    # wasmer-python 1.1 (packages/api/src/externals/function.rs): a
    # RuntimeError "Type `None` is not a supported type". Here it is also a
    # TypeError, with which annotation it was.
    def f(x: None) -> int:  # type: ignore[valid-type]
        return 0

    with pytest.raises(RuntimeError, match=r"^Type `None` is not a supported type \(.*parameter `x`") as info:
        Function(Store(), f)
    assert isinstance(info.value, TypeError)
