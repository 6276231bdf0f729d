"""WebAssembly components from Python (the component model): call the
functions a component exports with Python values, and give its imports
Python functions. The canonical ABI (pointers, ``realloc``, string
encodings, ``post-return``) is done for you.

```py
>>> from wasmint import Store
>>> from wasmint.component import Component, Linker
>>> store = Store()
>>> component = Component(store, '''(component
...   (core module $m
...     (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
...   (core instance $i (instantiate $m))
...   (func (export "add") (param "a" u32) (param "b" u32) (result u32)
...     (canon lift (core func $i "add"))))''')
>>> instance = Linker(store).instantiate(component)
>>> instance.exports.add(2, 3)
5
```

Values cross as: ``bool``, ``int`` (range-checked), ``float``, ``str``
(also for ``char``), ``bytes`` for ``list<u8>``, ``list``, records as
objects with snake_case attributes (dicts are accepted), ``tuple``,
variants as :class:`Variant`, enums as the case name, flags as a ``set``
of names (or an :class:`enum.Flag`), ``option`` as ``None`` or the value,
``result`` as the value or a raised :class:`ComponentError` (inside other
values: :class:`Ok`/:class:`Err`), resources as handle objects with their
methods, dropped with ``drop()`` or a ``with`` block.
"""

from __future__ import annotations

import enum as _enum
import functools as _functools
import keyword as _keyword
from collections.abc import Mapping as _Mapping
from typing import TYPE_CHECKING as _TYPE_CHECKING

if _TYPE_CHECKING:  # annotations only: keeps typing's names out of the module
    from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Tuple, Union

from ._native import Store, _Component, _ComponentInstance, _Func, _Linker, _Resource, _Wasip2

__all__ = [
    "Component",
    "ComponentError",
    "Err",
    "Exports",
    "Instance",
    "Interface",
    "Linker",
    "Ok",
    "Record",
    "Resource",
    "Some",
    "Variant",
    "Wasip2",
]

_ADD = '''(component
  (core module $m
    (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
  (core instance $i (instantiate $m))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32)
    (canon lift (core func $i "add"))))'''


class ComponentError(Exception):
    """The error value of a function whose result is ``result<T, E>``:
    raised by a call that returned an error, and raised by a host
    function to return one. The value is in ``.value``.

    ```py
    >>> from wasmint.component import ComponentError
    >>> try:
    ...     raise ComponentError("not found")
    ... except ComponentError as e:
    ...     print(e.value)
    not found
    ```
    """

    def __init__(self, value: Any = None) -> None:
        super().__init__(value)
        self.value = value


class _Wrapper:
    def __init__(self, value: Any = None) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and bool(getattr(other, "value") == self.value)

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.value))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value!r})"


class Some(_Wrapper):
    """A present ``option`` value whose payload is itself an option
    (``option<option<T>>``), where ``None`` alone would be ambiguous.

    ```py
    >>> from wasmint.component import Some
    >>> Some(None).value is None
    True
    ```
    """



class Ok(_Wrapper):
    """The success case of a ``result`` inside another value (a list of
    results, a record field ...).

    ```py
    >>> from wasmint.component import Ok
    >>> Ok(3) == Ok(3)
    True
    ```
    """



class Err(_Wrapper):
    """The error case of a ``result`` inside another value.

    ```py
    >>> from wasmint.component import Err
    >>> Err("no").value
    'no'
    ```
    """



class Variant:
    """A variant value: the case name (``tag``, as WIT writes it) and its
    payload (``value``, None for a case without one). A case without a
    payload may also be given as its name alone.

    ```py
    >>> from wasmint.component import Variant
    >>> Variant("circle", 1.5)
    Variant('circle', 1.5)
    ```
    """

    def __init__(self, tag: str, value: Any = None) -> None:
        self.tag = tag
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Variant) and (other.tag, other.value) == (self.tag, self.value)

    def __hash__(self) -> int:
        return hash((self.tag, self.value))

    def __repr__(self) -> str:
        if self.value is None:
            return f"Variant({self.tag!r})"
        return f"Variant({self.tag!r}, {self.value!r})"


class Record:
    """A record value: its fields are attributes, in snake_case. Records
    a component returns are of a subclass named after the WIT type
    (``run-result`` gives ``RunResult``); records given to a component may
    be any object with those attributes, or a dict.

    ```py
    >>> from wasmint.component import Record
    >>> p = Record(x=1, y=2)
    >>> p.x, p
    (1, Record(x=1, y=2))
    ```
    """

    _fields: Tuple[str, ...] = ()

    def __init__(self, **fields: Any) -> None:
        if not self._fields:
            self.__dict__["_fields"] = tuple(fields)
        self.__dict__.update(fields)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Record):
            return vars(self) == vars(other)
        return NotImplemented

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._fields)
        return f"{type(self).__name__}({fields})"

    def _asdict(self) -> Dict[str, Any]:
        """The fields as a dict.

        ```py
        >>> from wasmint.component import Record
        >>> Record(x=1)._asdict()
        {'x': 1}
        ```
        """
        return {k: getattr(self, k) for k in self._fields}


def _camel(name: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in name.replace("_", "-").split("-") if w) or "Record"


def _snake(name: str) -> str:
    s = name.replace("-", "_")
    return s + "_" if _keyword.iskeyword(s) else s


@_functools.lru_cache(maxsize=None)
def _record_class(name: Optional[str], fields: Tuple[str, ...]) -> type:
    if name is None:
        return _functools.partial(Record)  # type: ignore[return-value]
    return type(_camel(name), (Record,), {"_fields": fields, "__module__": __name__})


def _flag_members(v: Any) -> List[Any]:
    if isinstance(v, _enum.Flag):
        return [m for m in type(v) if m.value and m in v]
    if isinstance(v, (list, tuple, frozenset)):
        return list(v)
    raise TypeError("not flags")


def _bindgen_conv(v: Any, t: Any, classes: Dict[str, Any], res: Dict[str, Any]) -> Any:
    """A value as typed bindings (`wasmint.bindgen`) give it: records as
    their dataclasses, enums and flags as their `enum` classes, resources
    as their classes."""
    k = t[0]
    if k == "record":
        cls = classes.get(t[1])
        if cls is None:
            return v
        return cls(**{_snake(n): _bindgen_conv(getattr(v, n.replace("-", "_")), ft, classes, res) for n, ft in t[2]})
    if k == "enum":
        cls = classes.get(t[1])
        return cls(v) if cls is not None else v
    if k == "flags":
        cls = classes.get(t[1])
        if cls is None:
            return v
        out = cls(0)
        for name in v:
            out |= cls[name.replace("-", "_").upper()]
        return out
    if k == "list":
        return v if isinstance(v, bytes) else [_bindgen_conv(x, t[1], classes, res) for x in v]
    if k == "tuple":
        return tuple(_bindgen_conv(x, xt, classes, res) for x, xt in zip(v, t[1]))
    if k == "option":
        if v is None:
            return None
        if isinstance(v, Some):
            return Some(_bindgen_conv(v.value, t[1], classes, res))
        return _bindgen_conv(v, t[1], classes, res)
    if k == "result":
        case = t[1] if isinstance(v, Ok) else t[2]
        inner = None if case is None or v.value is None else _bindgen_conv(v.value, case, classes, res)
        return Ok(inner) if isinstance(v, Ok) else Err(inner)
    if k == "variant":
        case = dict(t[2]).get(v.tag)
        return Variant(v.tag, None if case is None or v.value is None else _bindgen_conv(v.value, case, classes, res))
    if k in ("own", "borrow"):
        cls = res.get(t[1]) or classes.get(t[1])
        return cls._wrap(v) if cls is not None else v
    return v


class Resource:
    """A handle to a resource: an object a component owns and the host
    refers to. Its methods are those of the WIT resource; ``drop()`` (or
    the end of a ``with`` block) drops it, running the component's
    destructor. Passing it where the function takes ownership moves it
    into the component (``alive`` is then False).

    ```py
    >>> from wasmint.component import Resource
    >>> Resource.drop.__doc__.split(":")[0]
    'Drops the handle'
    ```
    """

    _handle: _Resource

    @classmethod
    def _wrap(cls, handle: _Resource) -> Any:
        obj = object.__new__(cls)
        obj._handle = handle
        return obj

    def drop(self) -> None:
        """Drops the handle: an owned one runs the component's destructor.
        Dropping twice does nothing.

        ```py
        >>> from wasmint.component import Resource
        >>> callable(Resource.drop)
        True
        ```
        """
        self._handle.drop()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.drop()

    @property
    def alive(self) -> bool:
        """Whether the handle still refers to a resource (not dropped, not
        moved into the component).

        ```py
        >>> from wasmint.component import Resource
        >>> isinstance(Resource.alive, property)
        True
        ```
        """
        return self._handle.alive

    @property
    def owned(self) -> bool:
        """Whether the handle is owned (not a borrow).

        ```py
        >>> from wasmint.component import Resource
        >>> isinstance(Resource.owned, property)
        True
        ```
        """
        return self._handle.owned

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {'owned' if self.owned else 'borrowed' if self.alive else 'dropped'}>"


class Interface:
    """The functions of an exported interface, as attributes (snake_case:
    ``get-u32`` is ``get_u32``) and by WIT name (``interface["get-u32"]``);
    its resources are classes (``counter`` is ``Counter``), whose
    constructor, methods and static functions are the interface's.

    ```py
    >>> from wasmint import Store
    >>> from wasmint.component import Component, Linker
    >>> store = Store()
    >>> c = Component(store, '''(component
    ...   (core module $m (func (export "f") (result i32) i32.const 7))
    ...   (core instance $i (instantiate $m))
    ...   (func $f (result u32) (canon lift (core func $i "f")))
    ...   (instance $api (export "get-seven" (func $f)))
    ...   (export "my:pkg/api" (instance $api)))''')
    >>> api = Linker(store).instantiate(c).exports["my:pkg/api"]
    >>> api.get_seven(), api["get-seven"]()
    (7, 7)
    ```
    """

    def __init__(self, name: str, entries: List[Tuple[str, str, Any]], classes: Dict[int, type]) -> None:
        self._name = name
        self._funcs: Dict[str, Any] = {}
        resources: Dict[str, type] = {}
        for ename, kind, value in entries:
            if kind == "resource":
                cls = type(_camel(ename), (Resource,), {"__module__": __name__, "__qualname__": _camel(ename)})
                classes[value] = cls
                resources[ename] = cls
                self.__dict__[_camel(ename)] = cls
        for ename, kind, value in entries:
            if kind == "func":
                self._funcs[ename] = value
                if not _bind_resource_func(ename, value, resources):
                    self.__dict__[_snake(ename)] = value
            elif kind == "instance":
                self.__dict__[_snake(ename)] = Interface(ename, value, classes)

    def __getitem__(self, name: str) -> Any:
        """A function by its WIT name.

        ```py
        >>> from wasmint import Store
        >>> from wasmint.component import Component, Linker, _ADD
        >>> store = Store()
        >>> Linker(store).instantiate(Component(store, _ADD)).exports["add"](1, 2)
        3
        ```
        """
        try:
            return self._funcs[name]
        except KeyError:
            raise KeyError(f"`{self._name}` has no function `{name}`") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._funcs)

    def __repr__(self) -> str:
        return f"<wasmint.component.Interface {self._name}: {', '.join(self._funcs)}>"


def _bind_resource_func(name: str, f: Any, resources: Dict[str, type]) -> bool:
    """Puts `[constructor]r`, `[method]r.m` and `[static]r.m` on the class
    of resource `r`."""
    for prefix in ("[constructor]", "[method]", "[static]"):
        if not name.startswith(prefix):
            continue
        rest = name[len(prefix):]
        rname, _, member = rest.partition(".")
        cls = resources.get(rname)
        if cls is None:
            return False
        if prefix == "[constructor]":
            def new(cls_: type, *args: Any, _f: Any = f) -> Any:
                return _f(*args)
            setattr(cls, "__new__", new)
        elif prefix == "[method]":
            def method(self: Any, *args: Any, _f: Any = f) -> Any:
                return _f(self, *args)
            method.__name__ = _snake(member)
            setattr(cls, _snake(member), method)
        else:
            setattr(cls, _snake(member), staticmethod(f))
        return True
    return False


class Exports(Interface):
    """What an instance exports: top-level functions as attributes, and
    exported interfaces by name (``exports["xyz:machine/machine-interface"]``).

    ```py
    >>> from wasmint import Store
    >>> from wasmint.component import Component, Linker, _ADD
    >>> store = Store()
    >>> exports = Linker(store).instantiate(Component(store, _ADD)).exports
    >>> list(exports)
    ['add']
    ```
    """

    def __init__(self, entries: List[Tuple[str, str, Any]], classes: Dict[int, type]) -> None:
        super().__init__("exports", [e for e in entries if e[1] != "instance"], classes)
        self._interfaces = {name: Interface(name, value, classes) for name, kind, value in entries if kind == "instance"}

    def __getitem__(self, name: str) -> Any:
        """An exported interface or function by name.

        ```py
        >>> from wasmint import Store
        >>> from wasmint.component import Component, Linker, _ADD
        >>> store = Store()
        >>> Linker(store).instantiate(Component(store, _ADD)).exports["add"].wit
        'func(a: u32, b: u32) -> u32'
        ```
        """
        if name in self._interfaces:
            return self._interfaces[name]
        if name in self._funcs:
            return self._funcs[name]
        raise KeyError(f"the component exports no `{name}` (it exports {', '.join([*self._interfaces, *self._funcs]) or 'nothing'})")

    def __iter__(self) -> Iterator[str]:
        return iter([*self._interfaces, *self._funcs])

    def __repr__(self) -> str:
        return f"<wasmint.component.Exports {', '.join(self)}>"


class Component:
    """A WebAssembly component, decoded and validated: from its binary (or
    its text). Its core modules are checked as modules are.

    ```py
    >>> from wasmint import Store
    >>> from wasmint.component import Component, _ADD
    >>> Component(Store(), _ADD).exports
    ['add']
    ```
    """

    def __init__(self, store: Store, bytes: Union[bytes, bytearray, str]) -> None:
        if not isinstance(store, Store):
            raise TypeError(f"Component: `store` must be a wasmint.Store, not {type(store).__name__}")
        self.store = store
        self._native = _Component(bytes)

    @property
    def imports(self) -> List[str]:
        """The names of the component's imports (interfaces or functions).

        ```py
        >>> from wasmint import Store
        >>> from wasmint.component import Component, _ADD
        >>> Component(Store(), _ADD).imports
        []
        ```
        """
        return list(self._native.import_names())

    @property
    def exports(self) -> List[str]:
        """The names of the component's exports.

        ```py
        >>> from wasmint import Store
        >>> from wasmint.component import Component, _ADD
        >>> Component(Store(), _ADD).exports
        ['add']
        ```
        """
        return list(self._native.export_names())


class Wasip2:
    """What :meth:`Linker.add_wasip2` gives: the guest's output, when
    captured (``stdout=True``), as bytes.

    ```py
    >>> from wasmint import Store
    >>> from wasmint.component import Linker
    >>> wasi = Linker(Store()).add_wasip2(stdout=True)
    >>> wasi.stdout
    b''
    ```
    """

    def __init__(self, native: _Wasip2) -> None:
        self._native = native

    @property
    def stdout(self) -> Optional[bytes]:
        """The bytes written to stdout so far, if captured (else None).

        ```py
        >>> from wasmint import Store
        >>> from wasmint.component import Linker
        >>> Linker(Store()).add_wasip2().stdout is None
        True
        ```
        """
        return self._native.stdout

    @property
    def stderr(self) -> Optional[bytes]:
        """The bytes written to stderr so far, if captured (else None).

        ```py
        >>> from wasmint import Store
        >>> from wasmint.component import Linker
        >>> Linker(Store()).add_wasip2(stderr=True).stderr
        b''
        ```
        """
        return self._native.stderr


class Instance:
    """An instantiated component; its exports are in ``exports``.

    ```py
    >>> from wasmint import Store
    >>> from wasmint.component import Component, Linker, _ADD
    >>> store = Store()
    >>> Linker(store).instantiate(Component(store, _ADD)).exports.add(40, 2)
    42
    ```
    """

    def __init__(self, native: _ComponentInstance) -> None:
        self._native = native
        self.exports = Exports(native.exports(), native.resource_classes)

    def run(self) -> int:
        """Runs a command component (its ``wasi:cli/run`` export) and
        returns its exit status: 0, 1 if ``run`` returned an error, or the
        code it gave ``wasi:cli/exit``.

        ```py
        >>> from wasmint import Store
        >>> from wasmint.component import Component, Linker, _ADD
        >>> store = Store()
        >>> try:
        ...     Linker(store).instantiate(Component(store, _ADD)).run()
        ... except ValueError as e:
        ...     print(e)
        the component exports no wasi:cli/run interface (it is not a command)
        ```
        """
        from .wasi import Exit

        names = [n for n in self.exports if n == "wasi:cli/run" or n.startswith("wasi:cli/run@")]
        if not names:
            raise ValueError("the component exports no wasi:cli/run interface (it is not a command)")
        try:
            self.exports[names[0]]["run"]()
        except ComponentError:
            return 1
        except Exit as e:
            return int(e.code)
        return 0


class Linker:
    """Gives a component's imports: Python functions, by interface.

    ```py
    >>> from wasmint import Store
    >>> from wasmint.component import Component, Linker
    >>> store = Store()
    >>> c = Component(store, '''(component
    ...   (import "my:host/log" (instance $h (export "twice" (func (param "x" u32) (result u32)))))
    ...   (core func $twice (canon lower (func $h "twice")))
    ...   (core module $m (import "h" "twice" (func $t (param i32) (result i32)))
    ...     (func (export "run") (result i32) i32.const 21 call $t))
    ...   (core instance $i (instantiate $m (with "h" (instance (export "twice" (func $twice))))))
    ...   (func (export "run") (result u32) (canon lift (core func $i "run"))))''')
    >>> linker = Linker(store)
    >>> linker.define("my:host/log", {"twice": lambda x: 2 * x})
    >>> linker.instantiate(c).exports.run()
    42
    ```
    """

    def __init__(self, store: Store) -> None:
        if not isinstance(store, Store):
            raise TypeError(f"Linker: `store` must be a wasmint.Store, not {type(store).__name__}")
        self.store = store
        self._native = _Linker(store)

    def define(self, name: str, functions: Union[Mapping[str, Callable[..., Any]], Callable[..., Any]]) -> None:
        """Defines import ``name``: an interface given as a mapping of its
        function names (as WIT writes them, or snake_case) to Python
        callables, or a top-level function given as a callable.

        ```py
        >>> from wasmint import Store
        >>> from wasmint.component import Linker
        >>> Linker(Store()).define("xyz:host/log", {"log": print})
        ```
        """
        if callable(functions) and not isinstance(functions, _Mapping):
            self._native.define_func(None, name, functions)
            return
        if not isinstance(functions, _Mapping):
            raise TypeError(f"Linker.define: `functions` must be a mapping of names to callables, or a callable, not {type(functions).__name__}")
        for fname, f in functions.items():
            self._native.define_func(name, fname.replace("_", "-"), f)

    def add_wasip2(
        self,
        args: Optional[List[str]] = None,
        env: Optional[Mapping[str, str]] = None,
        preopens: Optional[Mapping[str, str]] = None,
        stdin: Optional[bytes] = None,
        stdout: Any = None,
        stderr: Any = None,
    ) -> Wasip2:
        """Defines WASI 0.2 (``wasi:cli``, ``wasi:io``, ``wasi:clocks``,
        ``wasi:random``, ``wasi:filesystem``) for the component, with the
        same sandbox as :mod:`wasmint.wasi`: only ``args``, ``env`` and the
        ``preopens`` (guest path: host directory) are visible. ``stdout``
        and ``stderr``: None (the host's), True (captured, see the result),
        False (discarded) or a callable given each chunk; ``stdin``: bytes.
        Sockets are not given: a component importing them fails to link.

        ```py
        >>> from wasmint import Store
        >>> from wasmint.component import Linker
        >>> wasi = Linker(Store()).add_wasip2(args=["prog"], env={"A": "1"}, stdout=True)
        ```
        """
        dirs = [(host, guest) for guest, host in (preopens or {}).items()]
        native = self._native.add_wasip2(list(args or []), list((env or {}).items()), dirs, stdin, stdout, stderr)
        return Wasip2(native)

    def instantiate(self, component: Component) -> Instance:
        """Instantiates ``component`` with what was defined; raises
        ``LinkError`` naming an import that is missing or mistyped.

        ```py
        >>> from wasmint import Store
        >>> from wasmint.component import Component, Linker, _ADD
        >>> store = Store()
        >>> Linker(store).instantiate(Component(store, _ADD)).exports.add(1, 1)
        2
        ```
        """
        if not isinstance(component, Component):
            raise TypeError(f"Linker.instantiate: `component` must be a Component, not {type(component).__name__}")
        return Instance(self._native.instantiate(component._native))
