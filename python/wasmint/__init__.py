"""wasmint: a WebAssembly interpreter (no JIT) with the wasmer-python API.

>>> from wasmint import Store, Module, Instance
>>> module = Module(Store(), '(module (func (export "sum") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))')
>>> Instance(module).exports.sum(1, 2)
3
"""

from ._native import (
    CompileError,
    Exports,
    Function,
    Instance,
    LinkError,
    Module,
    Store,
    Trap,
    __version__,
)

__all__ = [
    "CompileError",
    "Exports",
    "Function",
    "Instance",
    "LinkError",
    "Module",
    "Store",
    "Trap",
    "__version__",
]
