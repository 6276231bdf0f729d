"""Typed Python bindings for a component: ``python -m wasmint bindgen
COMPONENT.wasm -o module.py`` writes a module with a dataclass per record,
an ``enum.Enum`` per enum, an ``enum.Flag`` per flags type, a class per
resource and a class per exported interface whose methods carry type
hints, and a class for the component that instantiates it. The module
passes ``mypy --strict`` and calls into :mod:`wasmint.component`.

```py
>>> from wasmint.bindgen import generate
>>> from wasmint.component import _ADD
>>> code = generate(_ADD.encode(), "add")
>>> "def add(self, a: int, b: int) -> int:" in code
True
```
"""

from __future__ import annotations

import keyword as _keyword
from typing import TYPE_CHECKING as _TYPE_CHECKING

if _TYPE_CHECKING:  # annotations only: keeps typing's names out of the module
    from typing import Any, Dict, List, Optional, Tuple

__all__ = ["generate", "generate_from_wit", "main"]

_INTS = {"s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64"}


def _camel(name: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in name.replace("_", "-").split("-") if w) or "T"


def _snake(name: str) -> str:
    s = name.replace("-", "_").replace(":", "_").replace("/", "_").replace("@", "_").replace(".", "_")
    return s + "_" if _keyword.iskeyword(s) else s


def _upper(name: str) -> str:
    s = name.replace("-", "_").upper()
    return s + "_" if _keyword.iskeyword(s.lower()) else s


class _Gen:
    def __init__(self) -> None:
        self.types: Dict[str, str] = {}  # WIT name -> class definition
        self.order: List[str] = []
        self.class_of: Dict[str, str] = {}  # WIT name -> Python class name
        self.resources: Dict[str, List[str]] = {}  # resource name -> method code

    def cls(self, name: Optional[str], kind: str) -> str:
        base = _camel(name or kind)
        return base

    def hint(self, t: Any, result: bool = False) -> str:
        """The Python type of a type-info tuple (see `_Func.type_info`)."""
        k = t[0]
        if k == "bool":
            return "bool"
        if k in _INTS:
            return "int"
        if k in ("f32", "f64"):
            return "float"
        if k in ("char", "string"):
            return "str"
        if k == "list":
            return "bytes" if t[1] == ("u8",) else f"List[{self.hint(t[1])}]"
        if k == "tuple":
            return f"Tuple[{', '.join(self.hint(x) for x in t[1])}]"
        if k == "option":
            inner = self.hint(t[1])
            return f"Optional[{inner}]" if t[1][0] != "option" else "Any"
        if k == "result":
            if result:
                return self.hint(t[1]) if t[1] is not None else "None"
            return "Any"
        if k == "record":
            return self.record(t)
        if k == "enum":
            return self.enum(t)
        if k == "flags":
            return self.flags(t)
        if k == "variant":
            self.walk_variant(t)
            return "Variant"
        if k in ("own", "borrow"):
            return self.resource(t[1])
        return "Any"

    def record(self, t: Any) -> str:
        name = t[1] or "record"
        if name in self.class_of:
            return self.class_of[name]
        cls = self.cls(name, "record")
        self.class_of[name] = cls
        fields = [f"    {_snake(n)}: {self.hint(ft)}" for n, ft in t[2]]
        self.add(name, f"@_dataclasses.dataclass\nclass {cls}:\n    \"\"\"WIT record `{name}`.\"\"\"\n\n" + "\n".join(fields) + "\n")
        return cls

    def enum(self, t: Any) -> str:
        name = t[1] or "enum"
        if name in self.class_of:
            return self.class_of[name]
        cls = self.cls(name, "enum")
        self.class_of[name] = cls
        cases = [f"    {_upper(n)} = {n!r}" for n in t[2]]
        self.add(name, f"class {cls}(_enum.Enum):\n    \"\"\"WIT enum `{name}`.\"\"\"\n\n" + "\n".join(cases) + "\n")
        return cls

    def flags(self, t: Any) -> str:
        name = t[1] or "flags"
        if name in self.class_of:
            return self.class_of[name]
        cls = self.cls(name, "flags")
        self.class_of[name] = cls
        members = [f"    {_upper(n)} = {1 << i}" for i, n in enumerate(t[2])]
        self.add(name, f"class {cls}(_enum.Flag):\n    \"\"\"WIT flags `{name}`.\"\"\"\n\n" + "\n".join(members) + "\n")
        return cls

    def walk_variant(self, t: Any) -> None:
        for _, ct in t[2]:
            if ct is not None:
                self.hint(ct)

    def resource(self, name: Optional[str]) -> str:
        name = name or "resource"
        if name not in self.class_of:
            self.class_of[name] = self.cls(name, "resource")
            self.resources.setdefault(name, [])
        return self.class_of[name]

    def add(self, name: str, code: str) -> None:
        if name not in self.types:
            self.types[name] = code
            self.order.append(name)


def _sig(g: _Gen, params: List[Tuple[str, Any]], skip_self: bool = False) -> Tuple[str, str]:
    ps = params[1:] if skip_self else params
    decl = ", ".join(f"{_snake(n)}: {g.hint(t)}" for n, t in ps)
    call = ", ".join(_snake(n) for n, _ in ps)
    return decl, call


def _strip(t: Any) -> Any:
    """A type-info tuple without resource ids (they differ per process)."""
    if isinstance(t, tuple):
        if t and t[0] in ("own", "borrow"):
            return (t[0], t[1])
        return tuple(_strip(x) for x in t)
    if isinstance(t, list):
        return [_strip(x) for x in t]
    return t


def _body(g: _Gen, target: str, call: str, result: Any, res: str = "self._res") -> str:
    if result is None:
        return f"        {target}({call})\n"
    hint = g.hint(result, result=True)
    if result[0] == "result" and result[1] is None:
        return f"        {target}({call})\n"
    conv_t = _strip(result[1] if result[0] == "result" else result)
    return f"        return _typing.cast({hint!r}, _conv({target}({call}), {conv_t!r}, _CLASSES, {res}))\n"


def generate(wasm: bytes, name: str) -> str:
    """The source of a bindings module for the component ``wasm``, whose
    component class is named after ``name`` (CamelCase).

    ```py
    >>> from wasmint.bindgen import generate
    >>> from wasmint.component import _ADD
    >>> "class Adder:" in generate(_ADD.encode(), "adder")
    True
    ```
    """
    from . import Store
    from .component import Component, Linker

    store = Store()
    component = Component(store, wasm if not wasm.lstrip().startswith(b"(") else wasm.decode())
    linker = Linker(store)
    linker._native.stub_missing()
    inst = linker._native.instantiate(component._native)
    from ._wit import _FuncInfo

    import_funcs: Dict[str, List[Tuple[str, Any]]] = {}
    for full, params, result, _ in linker._native.stubbed():
        iface, sep, fname = full.rpartition("#")
        if sep:
            import_funcs.setdefault(iface, []).append((fname, _FuncInfo(fname, params, result)))
    return _generate(inst.exports(), component.imports, import_funcs, name)


def generate_from_wit(text: str, name: str, world: Optional[str] = None) -> str:
    """The source of a bindings module for a world written in WIT (the
    component that implements it is given at run time).

    ```py
    >>> from wasmint.bindgen import generate_from_wit
    >>> wit = "package a:b; interface api { get: func(x: u32) -> string; } world w { export api; }"
    >>> "def get(self, x: int) -> str:" in generate_from_wit(wit, "w")
    True
    ```
    """
    from ._wit import world_exports

    entries, imports, import_funcs = world_exports(text, world)
    return _generate(entries, imports, import_funcs, name)


def _imported(g: _Gen, iface: str, funcs: List[Tuple[str, Any]]) -> str:
    """A Protocol for an imported interface, and the function that gives
    an implementation of it to a linker."""
    short = _snake(iface.split("/")[-1].split("@")[0])
    proto = _camel(short) + "Imports"
    lines = [f"class {proto}(_typing.Protocol):\n",
             f"    \"\"\"Imported interface `{iface}`: what an implementation gives (see\n"
             f"    `define_{short}`).\"\"\"\n\n"]
    entries = []
    for fname, f in funcs:
        params, result = f.type_info()
        decl, call = _sig(g, params)
        hint = g.hint(result, result=True) if result is not None else "None"
        lines.append(f"    def {_snake(fname)}(self{', ' if decl else ''}{decl}) -> {hint}:\n"
                     f"        \"\"\"`{fname}: {f.wit}`\"\"\"\n        ...\n\n")
        args = ", ".join(f"_conv({_snake(n)}, {_strip(t)!r}, _CLASSES, {{}})" for n, t in params)
        entries.append(f"        {fname!r}: lambda {call}: impl.{_snake(fname)}({args}),\n")
    lines.append(f"\ndef define_{short}(linker: Linker, impl: {proto}) -> None:\n"
                 f"    \"\"\"Gives `impl` to `linker` as the import `{iface}`.\"\"\"\n"
                 f"    linker.define({iface!r}, {{\n" + "".join(entries) + "    })\n")
    return "".join(lines)


def _generate(entries: List[Tuple[str, str, Any]], imports: List[str], import_funcs: Dict[str, List[Tuple[str, Any]]], name: str) -> str:
    g = _Gen()
    # Imported interfaces but WASI's (which `Linker.add_wasip2` gives).
    given = [(iface, funcs) for iface, funcs in import_funcs.items() if not iface.startswith("wasi:") and funcs]
    imported = [_imported(g, iface, funcs) for iface, funcs in given]
    import_names = [n for iface, _ in given for n in (_camel(_snake(iface.split("/")[-1].split("@")[0])) + "Imports",
                                                      "define_" + _snake(iface.split("/")[-1].split("@")[0]))]
    ifaces: List[str] = []
    top: List[str] = []
    world = _camel(name)
    for ename, kind, value in entries:
        if kind == "instance":
            cls = _camel(ename.split("/")[-1].split("@")[0])
            ifaces.append(_interface(g, ename, cls, value))
            top.append(f"        self.{_snake(ename.split('/')[-1].split('@')[0])} = {cls}(exports[{ename!r}])\n")
    funcs = [(n, v) for n, k, v in entries if k == "func"]
    methods = []
    for fname, f in funcs:
        params, result = f.type_info()
        decl, call = _sig(g, params)
        hint = g.hint(result, result=True) if result is not None else "None"
        methods.append(f"    def {_snake(fname)}(self{', ' if decl else ''}{decl}) -> {hint}:\n"
                       f"        \"\"\"`{fname}: {f.wit}`\"\"\"\n"
                       + _body(g, f"self._exports[{fname!r}]", call, result, "{}"))
    out = [
        f'"""Typed bindings of a component, written by `python -m wasmint bindgen`.\n\n'
        f"Imports: {', '.join(imports) or 'none'} (give them with a\n"
        f'`wasmint.component.Linker`: `define`, `add_wasip2`)."""\n\n',
        "from __future__ import annotations\n\n",
        "import dataclasses as _dataclasses\n",
        "import enum as _enum\n",
        "import typing as _typing\n",
        "from typing import Any, List, Optional, Tuple\n\n",
        "import wasmint\n",
        "from wasmint.component import Component, Linker, Variant, _bindgen_conv as _conv\n\n",
        "__all__ = [" + ", ".join(repr(c) for c in [world] + [g.class_of[n] for n in g.order] + list(g.class_of[n] for n in g.resources) + import_names) + "]\n\n",
    ]
    for n in g.order:
        out.append("\n" + g.types[n] + "\n")
    for rname, rmethods in g.resources.items():
        out.append("\n" + _resource_class(g.class_of[rname], rname, rmethods) + "\n")
    out.append("\n_CLASSES: _typing.Dict[str, Any] = {" + ", ".join(f"{n!r}: {c}" for n, c in g.class_of.items()) + "}\n\n")
    for code in imported + ifaces:
        out.append("\n" + code + "\n")
    out.append(
        f"\nclass {world}:\n"
        f"    \"\"\"The component: instantiates it (with `linker`, for its imports)\n"
        f"    and gives its exports as typed objects.\"\"\"\n\n"
        f"    def __init__(self, store: wasmint.Store, wasm: bytes, linker: Optional[Linker] = None) -> None:\n"
        f"        self.instance = (linker or Linker(store)).instantiate(Component(store, wasm))\n"
        f"        exports = self.instance.exports\n"
        f"        self._exports = exports\n"
        + "".join(top) + "\n" + "\n".join(methods)
    )
    return "".join(out).rstrip() + "\n"


def _interface(g: _Gen, ename: str, cls: str, entries: List[Tuple[str, str, Any]]) -> str:
    lines = [f"class {cls}:\n", f"    \"\"\"Exported interface `{ename}`.\"\"\"\n\n",
             "    def __init__(self, interface: Any) -> None:\n", "        self._i = interface\n"]
    resources = [n for n, k, _ in entries if k == "resource"]
    lines.append("        self._res: _typing.Dict[str, Any] = {}\n")
    for rname in resources:
        rcls = g.resource(rname)
        lines.append(f"        self.{rcls}: type[{rcls}] = type({rcls!r}, ({rcls},), "
                     f"{{'_runtime': interface.{rcls}, '_iface': interface, '_res': self._res}})\n")
        lines.append(f"        self._res[{rname!r}] = self.{rcls}\n")
    body = []
    for fname, kind, f in entries:
        if kind != "func":
            continue
        params, result = f.type_info()
        for prefix in ("[constructor]", "[method]", "[static]"):
            if fname.startswith(prefix):
                rname, _, member = fname[len(prefix):].partition(".")
                rcls = g.resource(rname)
                if prefix == "[constructor]":
                    decl, call = _sig(g, params)
                    g.resources[rname].append(
                        f"    def __init__(self{', ' if decl else ''}{decl}) -> None:\n"
                        f"        self._handle = self._runtime({call})\n")
                elif prefix == "[method]":
                    decl, call = _sig(g, params, skip_self=True)
                    hint = g.hint(result, result=True) if result is not None else "None"
                    g.resources[rname].append(
                        f"    def {_snake(member)}(self{', ' if decl else ''}{decl}) -> {hint}:\n"
                        f"        \"\"\"`{f.wit}`\"\"\"\n"
                        + _body(g, f"self._iface[{fname!r}]", f"self._handle{', ' if call else ''}{call}", result))
                else:
                    decl, call = _sig(g, params)
                    hint = g.hint(result, result=True) if result is not None else "None"
                    g.resources[rname].append(
                        f"    @classmethod\n"
                        f"    def {_snake(member)}(cls{', ' if decl else ''}{decl}) -> {hint}:\n"
                        f"        \"\"\"`{f.wit}`\"\"\"\n"
                        + _body(g, f"cls._iface[{fname!r}]", call, result, "cls._res"))
                break
        else:
            decl, call = _sig(g, params)
            hint = g.hint(result, result=True) if result is not None else "None"
            body.append(f"    def {_snake(fname)}(self{', ' if decl else ''}{decl}) -> {hint}:\n"
                        f"        \"\"\"`{fname}: {f.wit}`\"\"\"\n"
                        + _body(g, f"self._i[{fname!r}]", call, result))
    return "".join(lines) + "\n" + "\n".join(body)


def _resource_class(cls: str, rname: str, methods: List[str]) -> str:
    head = (f"class {cls}:\n"
            f"    \"\"\"WIT resource `{rname}`: `drop()` (or a `with` block) drops it.\"\"\"\n\n"
            f"    _runtime: Any = None\n"
            f"    _iface: Any = None\n"
            f"    _res: _typing.Dict[str, Any] = {{}}\n"
            f"    _handle: Any\n\n"
            f"    @classmethod\n"
            f"    def _wrap(cls, handle: Any) -> {cls}:\n"
            f"        obj = cls.__new__(cls)\n"
            f"        obj._handle = handle\n"
            f"        return obj\n\n"
            f"    def drop(self) -> None:\n"
            f"        self._handle.drop()\n\n"
            f"    def __enter__(self) -> {cls}:\n"
            f"        return self\n\n"
            f"    def __exit__(self, *exc: object) -> None:\n"
            f"        self.drop()\n")
    return head + "".join("\n" + m for m in methods)


def main(argv: List[str]) -> int:
    """``python -m wasmint bindgen COMPONENT.wasm [-o OUT.py] [--name NAME]``:
    writes the bindings (to stdout without ``-o``); returns the exit status.

    ```py
    >>> from wasmint.bindgen import main
    >>> main(["--help"])
    usage: python -m wasmint bindgen COMPONENT.wasm [-o OUT.py] [--name NAME]
    0
    ```
    """
    usage = "usage: python -m wasmint bindgen COMPONENT.wasm [-o OUT.py] [--name NAME]"
    if not argv or argv[0] in ("-h", "--help"):
        print(usage)
        return 0 if argv else 2
    path, out, name = None, None, None
    it = iter(argv)
    for a in it:
        if a == "-o":
            out = next(it, None)
        elif a == "--name":
            name = next(it, None)
        elif path is None:
            path = a
        else:
            print(usage)
            return 2
    if path is None:
        print(usage)
        return 2
    import os
    # The component class is named after the module written, else the file.
    cls = name or os.path.splitext(os.path.basename(out or path))[0]
    try:
        if path.endswith(".wit"):
            with open(path, encoding="utf-8") as f:
                code = generate_from_wit(f.read(), cls)
        else:
            with open(path, "rb") as f:
                code = generate(f.read(), cls)
    except (OSError, ValueError, RuntimeError) as e:
        print(f"bindgen: {path}: {e}")
        return 1
    if out is None:
        print(code, end="")
    else:
        with open(out, "w") as f:
            f.write(code)
    return 0
