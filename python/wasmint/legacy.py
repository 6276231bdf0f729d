"""The API of python-ext-wasm 0.4.x (the ``wasmer`` package before 1.0), as a
thin layer over wasmint's 1.x classes: ``import wasmint.legacy as wasmer``
runs code written for it. One hidden :class:`wasmint.Store` holds everything.

```py
>>> import wasmint.legacy as wasmer
>>> wasm = wasmer.wat2wasm('(module (func (export "sum") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))')
>>> instance = wasmer.Instance(wasm)
>>> instance.exports.sum(5, 37)
42
```
"""

from __future__ import annotations

del annotations  # the future import also binds this public name

import enum as _enum
import inspect as _inspect
from typing import TYPE_CHECKING as _TYPE_CHECKING

if _TYPE_CHECKING:  # annotations only: keeps typing's names out of the module
    from typing import Any, Callable, Dict, List, Mapping, Optional, Union

from . import _native
from . import wasi as _wasi
from ._native import (
    Buffer,
    Float32Array,
    Float64Array,
    Int8Array,
    Int16Array,
    Int32Array,
    Int64Array,
    Memory,
    Type,
    Uint8Array,
    Uint16Array,
    Uint32Array,
    Uint64Array,
    Value,
    __core_version__,
    __version__,
    wasm2wat,
    wat2wasm,
)

__all__ = [
    "Buffer",
    "ExportKind",
    "Features",
    "Float32Array",
    "Float64Array",
    "ImportKind",
    "ImportObject",
    "Instance",
    "Int8Array",
    "Int16Array",
    "Int32Array",
    "Int64Array",
    "Memory",
    "Module",
    "Type",
    "Uint8Array",
    "Uint16Array",
    "Uint32Array",
    "Uint64Array",
    "Value",
    "Wasi",
    "WasiVersion",
    "wasm2wat",
    "wat2wasm",
]

_STORE = _native.Store()

if _TYPE_CHECKING:
    _Bytes = Union[bytes, bytearray]


class ExportKind(_enum.IntEnum):
    """The kind of an export, as listed by :attr:`Module.exports`.

    ```py
    >>> from wasmint.legacy import ExportKind
    >>> ExportKind.FUNCTION, int(ExportKind.TABLE)
    (<ExportKind.FUNCTION: 1>, 4)
    ```
    """

    FUNCTION = 1
    MEMORY = 2
    GLOBAL = 3
    TABLE = 4


class ImportKind(_enum.IntEnum):
    """The kind of an import, as listed by :attr:`Module.imports`.

    ```py
    >>> from wasmint.legacy import ImportKind
    >>> ImportKind.MEMORY == 2
    True
    ```
    """

    FUNCTION = 1
    MEMORY = 2
    GLOBAL = 3
    TABLE = 4


class WasiVersion(_enum.IntEnum):
    """WASI versions, numbered as in 0.4.x.

    ```py
    >>> from wasmint.legacy import WasiVersion
    >>> WasiVersion.Snapshot1
    <WasiVersion.Snapshot1: 2>
    ```
    """

    Snapshot0 = 1
    Snapshot1 = 2
    Latest = 3


_TO_NEW_VERSION = {
    WasiVersion.Snapshot0: _wasi.Version.SNAPSHOT0,
    WasiVersion.Snapshot1: _wasi.Version.SNAPSHOT1,
    WasiVersion.Latest: _wasi.Version.LATEST,
}


class Features:
    """What this build supports (always everything).

    ```py
    >>> from wasmint.legacy import Features
    >>> Features.host_functions(), Features.wasi()
    (True, True)
    ```
    """

    @staticmethod
    def host_functions() -> bool:
        """Whether host functions can be imported.

        ```py
        >>> from wasmint.legacy import Features
        >>> Features.host_functions()
        True
        ```
        """
        return True

    @staticmethod
    def wasi() -> bool:
        """Whether WASI is available.

        ```py
        >>> from wasmint.legacy import Features
        >>> Features.wasi()
        True
        ```
        """
        return True


def _kind(extern_type: Any, enum_class: Any) -> Any:
    if isinstance(extern_type, _native.FunctionType):
        return enum_class.FUNCTION
    if isinstance(extern_type, _native.MemoryType):
        return enum_class.MEMORY
    if isinstance(extern_type, _native.GlobalType):
        return enum_class.GLOBAL
    return enum_class.TABLE


_TYPE_NAMES = {Type.I32: "i32", Type.I64: "i64", Type.F32: "f32", Type.F64: "f64", Type.V128: "v128"}


def _describe_import(imp: Any) -> Dict[str, Any]:
    kind = _kind(imp.type, ImportKind)
    d: Dict[str, Any] = {"kind": kind, "namespace": imp.module, "name": imp.name}
    t = imp.type
    if kind == ImportKind.MEMORY:
        d["minimum_pages"] = t.minimum
        d["maximum_pages"] = t.maximum
    elif kind == ImportKind.GLOBAL:
        d["mutable"] = t.mutable
        d["type"] = _TYPE_NAMES.get(t.type, str(t.type))
    elif kind == ImportKind.TABLE:
        d["minimum_elements"] = t.minimum
        d["maximum_elements"] = t.maximum
        d["element_type"] = "anyfunc" if t.type == Type.FUNC_REF else "externref"
    return d


class ImportObject:
    """Imports for :meth:`Module.instantiate`: namespaces of host functions
    (or of exports of other instances).

    ```py
    >>> import wasmint.legacy as wasmer
    >>> import_object = wasmer.ImportObject()
    >>> import_object.extend({'env': {'sum': lambda x, y: x + y}})
    >>> import_object.import_descriptors()
    [{'kind': <ImportKind.FUNCTION: 1>, 'namespace': 'env', 'name': 'sum'}]
    ```
    """

    def __init__(self) -> None:
        self._namespaces: Dict[str, Dict[str, Any]] = {}

    def extend(self, imports: Mapping[str, Mapping[str, Any]]) -> None:
        """Adds (or replaces) the entries of ``{namespace: {name: value}}``.

        ```py
        >>> import wasmint.legacy as wasmer
        >>> module = wasmer.Module(wasmer.wat2wasm('(module (import "env" "two" (func $t (result i32))) (func (export "f") (result i32) call $t))'))
        >>> import_object = wasmer.ImportObject()
        >>> import_object.extend({'env': {'two': lambda: 2}})
        >>> module.instantiate(import_object).exports.f()
        2
        ```
        """
        for namespace, entries in imports.items():
            self._namespaces.setdefault(namespace, {}).update(entries)

    def import_descriptors(self) -> List[Dict[str, Any]]:
        """``[{'kind': ..., 'namespace': ..., 'name': ...}]`` for every entry.

        ```py
        >>> import wasmint.legacy as wasmer
        >>> import_object = wasmer.ImportObject()
        >>> import_object.extend({'env': {'f': lambda: None}})
        >>> import_object.import_descriptors()
        [{'kind': <ImportKind.FUNCTION: 1>, 'namespace': 'env', 'name': 'f'}]
        ```
        """
        out = []
        for namespace, entries in self._namespaces.items():
            for name, value in entries.items():
                if isinstance(value, (_native.Memory, Memory)):
                    kind = ImportKind.MEMORY
                elif isinstance(value, _native.Global):
                    kind = ImportKind.GLOBAL
                elif isinstance(value, _native.Table):
                    kind = ImportKind.TABLE
                else:
                    kind = ImportKind.FUNCTION
                out.append({"kind": kind, "namespace": namespace, "name": name})
        return out


def _to_native_imports(module: "_native.Module", imports: Any) -> Optional[Dict[str, Dict[str, Any]]]:
    if imports is None:
        return None
    if isinstance(imports, ImportObject):
        imports = imports._namespaces
    func_types = {
        (imp.module, imp.name): imp.type for imp in module.imports if isinstance(imp.type, _native.FunctionType)
    }
    out: Dict[str, Dict[str, Any]] = {}
    for namespace, entries in imports.items():
        ns = out.setdefault(namespace, {})
        for name, value in entries.items():
            if isinstance(value, _ExportedFunction):
                value = value._function
            elif callable(value) and not isinstance(value, _native.Function):
                value = _native.Function(_STORE, value, func_types.get((namespace, name)))
            ns[name] = value
    return out


class _ExportedFunction:
    """An exported function: call it; ``getfullargspec`` tells its types."""

    def __init__(self, name: str, function: "_native.Function") -> None:
        self._name = name
        self._function = function

    def __call__(self, *args: Any) -> Any:
        return self._function(*args)

    @property
    def getfullargspec(self) -> _inspect.FullArgSpec:
        """The signature as ``inspect.FullArgSpec``: parameters ``x0``, ``x1``...
        annotated with their :class:`Type`, and ``return``."""
        function_type = self._function.type
        args = [f"x{i}" for i in range(len(function_type.params))]
        annotations: Dict[str, Any] = dict(zip(args, function_type.params))
        if function_type.results:
            annotations["return"] = function_type.results[0]
        return _inspect.FullArgSpec(
            args=args, varargs=None, varkw=None, defaults=None, kwonlyargs=None, kwonlydefaults=None,  # type: ignore[arg-type]
            annotations=annotations,
        )

    def __repr__(self) -> str:
        return f"<ExportedFunction {self._name}>"


class _ExportedFunctions:
    """The exported functions of an instance, as attributes (and items)."""

    def __init__(self, native: "_native.Instance") -> None:
        self._functions = {
            name: _ExportedFunction(name, extern)
            for name, extern in native.exports
            if isinstance(extern, _native.Function)
        }

    def __getattr__(self, name: str) -> _ExportedFunction:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            function: _ExportedFunction = self.__dict__["_functions"][name]
            return function
        except KeyError:
            raise LookupError(f"Function `{name}` does not exist.") from None

    def __getitem__(self, name: str) -> _ExportedFunction:
        return self.__getattr__(name)

    def __contains__(self, name: str) -> bool:
        return name in self._functions

    def __iter__(self) -> Any:
        return iter(self._functions)

    def __len__(self) -> int:
        return len(self._functions)

    def __dir__(self) -> List[str]:
        return list(self._functions)


class Instance:
    """An instance of a module given as bytes (or a :class:`Module`).

    ```py
    >>> import wasmint.legacy as wasmer
    >>> instance = wasmer.Instance(wasmer.wat2wasm('(module (memory (export "memory") 1) (func (export "f") (result i32) i32.const 7))'))
    >>> instance.exports.f(), instance.memory.uint8_view()[0]
    (7, 0)
    ```
    """

    def __init__(self, bytes: Union[_Bytes, "Module"], imports: Any = None) -> None:
        if isinstance(bytes, Module):
            module = bytes._native
            self._bytes = bytes._bytes
        else:
            self._bytes = _as_binary(bytes)
            try:
                module = _native.Module(_STORE, _as_binary(bytes))
            except RuntimeError as error:
                raise RuntimeError(f"Failed to compile the module:\n    {error}") from None
        self._native = _native.Instance(module, _to_native_imports(module, imports))
        self.exports = _ExportedFunctions(self._native)
        memory = None
        for _name, extern in self._native.exports:
            if isinstance(extern, _native.Memory):
                memory = extern
                break
        self.memory: Optional[Memory] = memory

    def resolve_exported_function(self, index: int) -> str:
        """The export name of the function of index `index` (in the
        module's function index space). Raises RuntimeError if no export
        names it (only exported functions have a name here).

        ```py
        >>> import wasmint.legacy as wasmer
        >>> instance = wasmer.Instance(wasmer.wat2wasm('(module (func) (func (export "g")))'))
        >>> instance.resolve_exported_function(1)
        'g'
        ```
        """
        if self._bytes:
            names = _exported_function_names(self._bytes)
            if index in names:
                return names[index]
        else:
            # A deserialized module: no bytes to read the indices from; the
            # order of the exported functions is the best we have.
            ordered = list(self.exports)
            if 0 <= index < len(ordered):
                return str(ordered[index])
        raise RuntimeError(f"Function at index `{index}` does not exist.")


def _as_binary(data: Any) -> bytes:
    if isinstance(data, str):
        raise TypeError("the module must be given as bytes (use wat2wasm for text)")
    return bytes(data)


class Module:
    """A compiled module.

    ```py
    >>> import wasmint.legacy as wasmer
    >>> module = wasmer.Module(wasmer.wat2wasm('(module (func (export "f")))'))
    >>> module.exports
    [{'name': 'f', 'kind': <ExportKind.FUNCTION: 1>}]
    >>> module.instantiate().exports.f()
    ```
    """

    def __init__(self, bytes: _Bytes) -> None:
        try:
            self._native = _native.Module(_STORE, _as_binary(bytes))
        except RuntimeError as error:
            raise RuntimeError(f"Failed to compile the module:\n    {error}") from None
        self._bytes = _as_binary(bytes)

    @staticmethod
    def validate(bytes: _Bytes) -> bool:
        """Whether `bytes` is a valid module.

        ```py
        >>> import wasmint.legacy as wasmer
        >>> wasmer.Module.validate(wasmer.wat2wasm('(module)')), wasmer.Module.validate(b'\\0asm')
        (True, False)
        ```
        """
        if not isinstance(bytes, (_bytes_type, bytearray)) or not _bytes_type(bytes[:4]) == b"\0asm":
            return False
        return bool(_native.Module.validate(_STORE, _bytes_type(bytes)))

    def instantiate(self, import_object: Any = None) -> Instance:
        """An :class:`Instance` of the module, with imports (an
        :class:`ImportObject` or a dict of dicts).

        ```py
        >>> import wasmint.legacy as wasmer
        >>> module = wasmer.Module(wasmer.wat2wasm('(module (import "env" "k" (func $k (result i32))) (func (export "f") (result i32) call $k))'))
        >>> module.instantiate({'env': {'k': lambda: 9}}).exports.f()
        9
        ```
        """
        instance = Instance.__new__(Instance)
        Instance.__init__(instance, self, import_object)
        return instance

    @property
    def exports(self) -> List[Dict[str, Any]]:
        """``[{'name': ..., 'kind': ExportKind...}]``.

        ```py
        >>> import wasmint.legacy as wasmer
        >>> wasmer.Module(wasmer.wat2wasm('(module (memory (export "m") 1))')).exports
        [{'name': 'm', 'kind': <ExportKind.MEMORY: 2>}]
        ```
        """
        return [{"name": e.name, "kind": _kind(e.type, ExportKind)} for e in self._native.exports]

    @property
    def imports(self) -> List[Dict[str, Any]]:
        """``[{'kind': ..., 'namespace': ..., 'name': ..., ...}]``.

        ```py
        >>> import wasmint.legacy as wasmer
        >>> wasmer.Module(wasmer.wat2wasm('(module (import "env" "m" (memory 1 2)))')).imports
        [{'kind': <ImportKind.MEMORY: 2>, 'namespace': 'env', 'name': 'm', 'minimum_pages': 1, 'maximum_pages': 2}]
        ```
        """
        return [_describe_import(i) for i in self._native.imports]

    @property
    def custom_section_names(self) -> List[str]:
        """The names of the custom sections.

        ```py
        >>> import wasmint.legacy as wasmer
        >>> wasmer.Module(b'\\0asm\\1\\0\\0\\0\\0\\4\\3abc').custom_section_names
        ['abc']
        ```
        """
        return _custom_section_names(self._bytes)

    def custom_section(self, name: str, index: int = 0) -> Optional[bytes]:
        """The content of the custom section `name` (the `index`-th of that
        name), or None.

        ```py
        >>> import wasmint.legacy as wasmer
        >>> module = wasmer.Module(b'\\0asm\\1\\0\\0\\0\\0\\6\\3abcxy')
        >>> module.custom_section('abc'), module.custom_section('nope')
        (b'xy', None)
        ```
        """
        sections = self._native.custom_sections(name)
        return sections[index] if 0 <= index < len(sections) else None

    def serialize(self) -> bytes:
        """The module as bytes for :meth:`deserialize`.

        ```py
        >>> import wasmint.legacy as wasmer
        >>> blob = wasmer.Module(wasmer.wat2wasm('(module (func (export "f") (result i32) i32.const 5))')).serialize()
        >>> wasmer.Module.deserialize(blob).instantiate().exports.f()
        5
        ```
        """
        return self._native.serialize()

    @staticmethod
    def deserialize(bytes: _Bytes) -> "Module":
        """The module that :meth:`serialize` gave as `bytes`.

        ```py
        >>> import wasmint.legacy as wasmer
        >>> blob = wasmer.Module(wasmer.wat2wasm('(module (func (export "g")))')).serialize()
        >>> wasmer.Module.deserialize(blob).exports
        [{'name': 'g', 'kind': <ExportKind.FUNCTION: 1>}]
        ```
        """
        module = Module.__new__(Module)
        module._native = _native.Module.deserialize(_STORE, _bytes_type(bytes))
        module._bytes = b""
        return module

    def generate_import_object(self) -> ImportObject:
        """An empty :class:`ImportObject`.

        ```py
        >>> import wasmint.legacy as wasmer
        >>> wasmer.Module(wasmer.wat2wasm('(module)')).generate_import_object().import_descriptors()
        []
        ```
        """
        return ImportObject()

    def generate_wasi_import_object(self, wasi: "Wasi", version: WasiVersion) -> ImportObject:
        """The WASI imports of `wasi` for `version`.

        ```py
        >>> import wasmint.legacy as wasmer
        >>> module = wasmer.Module(wasmer.wat2wasm('(module)'))
        >>> io = module.generate_wasi_import_object(wasmer.Wasi('prog'), wasmer.WasiVersion.Snapshot1)
        >>> {d['namespace'] for d in io.import_descriptors()}
        {'wasi_snapshot_preview1'}
        ```
        """
        return wasi.generate_import_object(version)

    @property
    def is_wasi_module(self) -> bool:
        """Whether the module imports WASI.

        ```py
        >>> import wasmint.legacy as wasmer
        >>> wasmer.Module(wasmer.wat2wasm('(module (import "wasi_snapshot_preview1" "sched_yield" (func (result i32))))')).is_wasi_module
        True
        ```
        """
        return _wasi.get_version(self._native) is not None

    def wasi_version(self, strict: bool = False) -> Optional[WasiVersion]:
        """The WASI version the module imports, or None.

        ```py
        >>> import wasmint.legacy as wasmer
        >>> wasmer.Module(wasmer.wat2wasm('(module (import "wasi_unstable" "sched_yield" (func (result i32))))')).wasi_version()
        <WasiVersion.Snapshot0: 1>
        >>> print(wasmer.Module(wasmer.wat2wasm('(module)')).wasi_version())
        None
        ```
        """
        version = _wasi.get_version(self._native, strict)
        if version is None:
            return None
        return WasiVersion.Snapshot0 if version == _wasi.Version.SNAPSHOT0 else WasiVersion.Snapshot1


_bytes_type = bytes


def _leb(data: bytes, pos: int) -> "tuple[int, int]":
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def _sections(data: bytes) -> "list[tuple[int, int, int]]":
    """(id, start, end) of each section of a module."""
    out = []
    pos = 8
    while pos < len(data):
        section_id = data[pos]
        size, pos = _leb(data, pos + 1)
        out.append((section_id, pos, pos + size))
        pos += size
    return out


def _exported_function_names(data: bytes) -> Dict[int, str]:
    names: Dict[int, str] = {}
    for section_id, pos, _end in _sections(data):
        if section_id != 7:
            continue
        count, pos = _leb(data, pos)
        for _ in range(count):
            length, pos = _leb(data, pos)
            name = data[pos : pos + length].decode("utf-8", "replace")
            kind = data[pos + length]
            index, pos = _leb(data, pos + length + 1)
            if kind == 0:
                names.setdefault(index, name)
    return names


def _custom_section_names(data: bytes) -> List[str]:
    names = []
    for section_id, pos, _end in _sections(data):
        if section_id == 0:
            length, start = _leb(data, pos)
            names.append(data[start : start + length].decode("utf-8", "replace"))
    return names


class Wasi:
    """The WASI state of a program (0.4.x's ``Wasi`` builder): every method
    returns the builder.

    ```py
    >>> import wasmint.legacy as wasmer
    >>> module = wasmer.Module(wasmer.wat2wasm('(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32))))'))
    >>> import_object = wasmer.Wasi('prog').argument('--foo').generate_import_object_for_module(module)
    >>> {'kind': wasmer.ImportKind.FUNCTION, 'namespace': 'wasi_snapshot_preview1', 'name': 'fd_write'} in import_object.import_descriptors()
    True
    ```
    """

    def __init__(self, program_name: str) -> None:
        self._builder = _wasi.StateBuilder(program_name)
        self._environment: Optional[_wasi.Environment] = None

    def argument(self, argument: str) -> "Wasi":
        """Adds one argument.

        ```py
        >>> import wasmint.legacy as wasmer
        >>> argc = wasmer.Module(wasmer.wat2wasm('''(module (import "wasi_snapshot_preview1" "args_sizes_get" (func $s (param i32 i32) (result i32)))
        ...   (memory (export "memory") 1)
        ...   (func (export "argc") (result i32) (drop (call $s (i32.const 0) (i32.const 4))) (i32.load (i32.const 0))))'''))
        >>> argc.instantiate(wasmer.Wasi('prog').argument('-v').generate_import_object_for_module(argc)).exports.argc()
        2
        ```
        """
        self._builder.argument(argument)
        return self

    def arguments(self, arguments: List[str]) -> "Wasi":
        """Adds arguments.

        ```py
        >>> import wasmint.legacy as wasmer
        >>> argc = wasmer.Module(wasmer.wat2wasm('''(module (import "wasi_snapshot_preview1" "args_sizes_get" (func $s (param i32 i32) (result i32)))
        ...   (memory (export "memory") 1)
        ...   (func (export "argc") (result i32) (drop (call $s (i32.const 0) (i32.const 4))) (i32.load (i32.const 0))))'''))
        >>> argc.instantiate(wasmer.Wasi('prog').arguments(['-v', 'x']).generate_import_object_for_module(argc)).exports.argc()
        3
        ```
        """
        self._builder.arguments(arguments)
        return self

    def environment(self, key: str, value: str) -> "Wasi":
        """Adds one environment variable.

        ```py
        >>> import wasmint.legacy as wasmer
        >>> envc = wasmer.Module(wasmer.wat2wasm('''(module (import "wasi_snapshot_preview1" "environ_sizes_get" (func $s (param i32 i32) (result i32)))
        ...   (memory (export "memory") 1)
        ...   (func (export "envc") (result i32) (drop (call $s (i32.const 0) (i32.const 4))) (i32.load (i32.const 0))))'''))
        >>> envc.instantiate(wasmer.Wasi('prog').environment('A', '1').generate_import_object_for_module(envc)).exports.envc()
        1
        ```
        """
        self._builder.environment(key, value)
        return self

    def environments(self, environments: Dict[str, str]) -> "Wasi":
        """Adds environment variables.

        ```py
        >>> import wasmint.legacy as wasmer
        >>> envc = wasmer.Module(wasmer.wat2wasm('''(module (import "wasi_snapshot_preview1" "environ_sizes_get" (func $s (param i32 i32) (result i32)))
        ...   (memory (export "memory") 1)
        ...   (func (export "envc") (result i32) (drop (call $s (i32.const 0) (i32.const 4))) (i32.load (i32.const 0))))'''))
        >>> envc.instantiate(wasmer.Wasi('prog').environments({'A': '1', 'B': '2'}).generate_import_object_for_module(envc)).exports.envc()
        2
        ```
        """
        self._builder.environments(environments)
        return self

    def map_directory(self, alias: str, directory: str) -> "Wasi":
        """Pre-opens host `directory` under the guest name `alias`.

        ```py
        >>> import wasmint.legacy as wasmer
        >>> first = wasmer.Module(wasmer.wat2wasm('''(module (import "wasi_snapshot_preview1" "fd_prestat_get" (func $p (param i32 i32) (result i32)))
        ...   (memory (export "memory") 1)
        ...   (func (export "name_length") (result i32) (drop (call $p (i32.const 3) (i32.const 0))) (i32.load (i32.const 4))))'''))
        >>> first.instantiate(wasmer.Wasi('prog').map_directory('/data', '.').generate_import_object_for_module(first)).exports.name_length()  # '/data'
        5
        ```
        """
        self._builder.map_directory(alias, directory)
        return self

    def map_directories(self, map_directories: Dict[str, str]) -> "Wasi":
        """Several :meth:`map_directory`.

        ```py
        >>> import wasmint.legacy as wasmer
        >>> first = wasmer.Module(wasmer.wat2wasm('''(module (import "wasi_snapshot_preview1" "fd_prestat_get" (func $p (param i32 i32) (result i32)))
        ...   (memory (export "memory") 1)
        ...   (func (export "name_length") (result i32) (drop (call $p (i32.const 3) (i32.const 0))) (i32.load (i32.const 4))))'''))
        >>> first.instantiate(wasmer.Wasi('prog').map_directories({'/tmp': '.'}).generate_import_object_for_module(first)).exports.name_length()  # '/tmp'
        4
        ```
        """
        self._builder.map_directories(map_directories)
        return self

    def preopen_directory(self, path: str) -> "Wasi":
        """Pre-opens host `path` under the same name.

        ```py
        >>> import wasmint.legacy as wasmer
        >>> first = wasmer.Module(wasmer.wat2wasm('''(module (import "wasi_snapshot_preview1" "fd_prestat_get" (func $p (param i32 i32) (result i32)))
        ...   (memory (export "memory") 1)
        ...   (func (export "name_length") (result i32) (drop (call $p (i32.const 3) (i32.const 0))) (i32.load (i32.const 4))))'''))
        >>> first.instantiate(wasmer.Wasi('prog').preopen_directory('.').generate_import_object_for_module(first)).exports.name_length()  # '.'
        1
        ```
        """
        self._builder.preopen_directory(path)
        return self

    def preopen_directories(self, paths: List[str]) -> "Wasi":
        """Several :meth:`preopen_directory`.

        ```py
        >>> import wasmint.legacy as wasmer
        >>> first = wasmer.Module(wasmer.wat2wasm('''(module (import "wasi_snapshot_preview1" "fd_prestat_get" (func $p (param i32 i32) (result i32)))
        ...   (memory (export "memory") 1)
        ...   (func (export "name_length") (result i32) (drop (call $p (i32.const 3) (i32.const 0))) (i32.load (i32.const 4))))'''))
        >>> first.instantiate(wasmer.Wasi('prog').preopen_directories(['.']).generate_import_object_for_module(first)).exports.name_length()
        1
        ```
        """
        self._builder.preopen_directories(paths)
        return self

    def generate_import_object(self, version: WasiVersion = WasiVersion.Latest) -> ImportObject:
        """An :class:`ImportObject` with the WASI functions of `version`.

        ```py
        >>> import wasmint.legacy as wasmer
        >>> names = {d['namespace'] for d in wasmer.Wasi('prog').generate_import_object(wasmer.WasiVersion.Snapshot0).import_descriptors()}
        >>> names
        {'wasi_unstable'}
        ```
        """
        if self._environment is None:
            self._environment = self._builder.finalize()
        import_object = ImportObject()
        import_object.extend(self._environment.generate_imports(_STORE, _TO_NEW_VERSION[WasiVersion(version)]))
        return import_object

    def generate_import_object_for_module(self, module: Module, strict: bool = False) -> ImportObject:
        """The WASI imports for the version `module` uses (Latest if none).

        ```py
        >>> import wasmint.legacy as wasmer
        >>> module = wasmer.Module(wasmer.wat2wasm('(module (import "wasi_unstable" "sched_yield" (func (result i32))))'))
        >>> {d['namespace'] for d in wasmer.Wasi('prog').generate_import_object_for_module(module).import_descriptors()}
        {'wasi_unstable'}
        ```
        """
        version = module.wasi_version(strict) or WasiVersion.Latest
        return self.generate_import_object(version)


WasiStateBuilder = Wasi
