"""Stand-in for wasmer's ``wasmer_compiler_singlepass`` package: code that did
``from wasmer_compiler_singlepass import Compiler`` runs with this name instead.
wasmint compiles nothing (it interprets); the engine records the choice.

```py
>>> from wasmint import engine, Store
>>> from wasmint_compiler_singlepass import Compiler
>>> Store(engine.Universal(Compiler)).compiler_name
'singlepass'
```
"""

from wasmint.engine import _stand_in_compiler

__all__ = ["Compiler"]

Compiler = _stand_in_compiler("singlepass", "Singlepass", __name__)
