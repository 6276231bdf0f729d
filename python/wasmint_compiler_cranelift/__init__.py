"""Stand-in for wasmer's ``wasmer_compiler_cranelift`` package: code that did
``from wasmer_compiler_cranelift import Compiler`` runs with this name instead.
wasmint compiles nothing (it interprets); the engine records the choice.

```py
>>> from wasmint import engine, Store
>>> from wasmint_compiler_cranelift import Compiler
>>> Store(engine.Universal(Compiler)).compiler_name
'cranelift'
```
"""

from wasmint.engine import _stand_in_compiler

__all__ = ["Compiler"]

Compiler = _stand_in_compiler("cranelift", "Cranelift", __name__)
