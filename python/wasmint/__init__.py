"""wasmint: a WebAssembly runtime (an interpreter, no JIT) with the API of
wasmer-python 1.1. ``import wasmint as wasmer`` is meant as a drop-in
replacement.

```py
>>> from wasmint import Store, Module, Instance
>>> module = Module(Store(), '''
... (module
...   (type (func (param i32 i32) (result i32)))
...   (func (type 0) local.get 0 local.get 1 i32.add)
...   (export "sum" (func 0)))''')
>>> instance = Instance(module)
>>> instance.exports.sum(1, 2)
3
```

Submodules: :mod:`wasmint.engine` (engines, accepted for compatibility),
:mod:`wasmint.target` (compilation targets, likewise), :mod:`wasmint.wasi`
(WASI preview1: run programs compiled for wasm32-wasi, sandboxed),
:mod:`wasmint.component` (components: call WIT interfaces with Python
values),
:mod:`wasmint.legacy` (the python-ext-wasm 0.4.x API: ``import
wasmint.legacy as wasmer``; imported on demand).
"""

from ._native import (
    AnyRef,
    Buffer,
    CompileError,
    ExportType,
    Exports,
    ExportsIterator,
    Features,
    Float32Array,
    Float64Array,
    Frame,
    Function,
    FunctionType,
    Global,
    GlobalType,
    ImportObject,
    ImportType,
    Instance,
    InterruptHandle,
    Int8Array,
    Int16Array,
    Int32Array,
    Int64Array,
    LinkError,
    Memory,
    MemoryType,
    Module,
    RefType,
    Store,
    Table,
    TableType,
    Tag,
    Trap,
    TrapCode,
    Type,
    Uint8Array,
    Uint16Array,
    Uint32Array,
    Uint64Array,
    Value,
    WasmException,
    __core_version__,
    __version__,
    wasm2wat,
    wat2wasm,
)
from . import engine, target, wasi

__all__ = [
    "AnyRef",
    "Buffer",
    "CompileError",
    "ExportType",
    "Exports",
    "ExportsIterator",
    "Features",
    "Float32Array",
    "Float64Array",
    "Frame",
    "Function",
    "FunctionType",
    "Global",
    "GlobalType",
    "ImportObject",
    "ImportType",
    "Instance",
    "InterruptHandle",
    "Int8Array",
    "Int16Array",
    "Int32Array",
    "Int64Array",
    "LinkError",
    "Memory",
    "MemoryType",
    "Module",
    "RefType",
    "Store",
    "Table",
    "TableType",
    "Tag",
    "Trap",
    "TrapCode",
    "Type",
    "Uint8Array",
    "Uint16Array",
    "Uint32Array",
    "Uint64Array",
    "Value",
    "WasmException",
    "__core_version__",
    "__version__",
    "engine",
    "target",
    "wasi",
    "wasm2wat",
    "wat2wasm",
]
