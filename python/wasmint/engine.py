"""Engines, for compatibility with wasmer.

wasmint has one engine: an interpreter. Nothing is compiled to machine code,
so there is no executable memory and no per-target code. The classes here
accept wasmer's arguments (an optional compiler and target) and record them,
so code written for wasmer runs unchanged; `Store.engine_name` and
`Store.compiler_name` report them.

```py
>>> from wasmint import engine, Store
>>> store = Store(engine.Universal())
>>> store.engine_name, store.compiler_name
('universal', None)
>>> engine.JIT is engine.Universal and engine.Native is engine.Dylib
True
```
"""

from __future__ import annotations

del annotations  # the future import also binds this public name

from typing import TYPE_CHECKING as _TYPE_CHECKING

if _TYPE_CHECKING:  # annotations only: keeps typing's names out of the module
    from typing import Any, Optional

__all__ = ["Universal", "Dylib", "JIT", "Native"]


def _compiler_name(compiler: Any) -> Optional[str]:
    """The short name of a wasmer compiler (``'cranelift'``, ``'llvm'``,
    ``'singlepass'``), as wasmer gave it: the stand-ins' (and wasmer's own
    classes') name, else from the module name; None without a compiler."""
    if compiler is None:
        return None
    name = getattr(compiler, "name", None)
    if isinstance(name, str):
        return name
    module = getattr(compiler, "__module__", "") or ""
    for prefix in ("wasmer_compiler_", "wasmint_compiler_"):
        if module.startswith(prefix):
            return module[len(prefix):].split(".")[0]
    return getattr(compiler, "__name__", type(compiler).__name__).lower()


def _stand_in_compiler(name: str, title: str, module: str) -> type:
    """The `Compiler` class of the stand-in package `module` for wasmer's
    `wasmer_compiler_<name>` (one class a package, as wasmer's)."""
    doc = f"""The {title} compiler, as wasmer's `wasmer_compiler_{name}.Compiler`:
    given to an engine, it is recorded as `Store.compiler_name`; wasmint
    interprets every module whatever the compiler.

    ```py
    >>> from wasmint import engine, Store
    >>> from {module} import Compiler
    >>> Store(engine.JIT(Compiler)).compiler_name
    '{name}'
    ```
    """
    return type("Compiler", (), {"name": name, "__doc__": doc, "__module__": module})


class _Engine:
    name = "universal"

    def __init__(self, compiler: Any = None, target: Any = None) -> None:
        if target is not None:
            from .target import Target

            if not isinstance(target, Target):
                raise TypeError("engine: `target` must be a wasmint.target.Target")
        self.compiler = compiler
        self.target = target
        self.compiler_name = _compiler_name(compiler)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(compiler={self.compiler_name!r})"


class Universal(_Engine):
    """The default engine (wasmer's "universal" engine). In wasmint it runs
    modules with the interpreter; `compiler` and `target` are accepted and
    ignored.

    ```py
    >>> from wasmint import engine
    >>> engine.Universal().name
    'universal'
    ```
    """

    name = "universal"


class Dylib(_Engine):
    """wasmer's shared-library engine. In wasmint it runs modules with the
    same interpreter as `Universal`.

    ```py
    >>> from wasmint import engine
    >>> engine.Dylib().name
    'dylib'
    ```
    """

    name = "dylib"


#: The name of `Universal` in wasmer-python 1.0.
JIT = Universal
#: The name of `Dylib` in wasmer-python 1.0.
Native = Dylib
