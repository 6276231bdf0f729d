"""Runs the examples in the docstrings of every public name of `wasmint`
(and of each method and property of its classes), and checks that every
public class and function has one."""

import doctest
import inspect

import pytest

import wasmint
from wasmint import engine, target, wasi
import wasmint.legacy as legacy
import wasmint_compiler_cranelift
import wasmint_compiler_llvm
import wasmint_compiler_singlepass


def public_objects():
    for module in (wasmint, engine, target, wasi, legacy, wasmint_compiler_cranelift, wasmint_compiler_llvm,
                   wasmint_compiler_singlepass):
        yield module.__name__, module
        for name in getattr(module, "__all__", [n for n in vars(module) if not n.startswith("_")]):
            obj = getattr(module, name)
            if inspect.ismodule(obj) or name.startswith("__"):
                continue
            yield f"{module.__name__}.{name}", obj
            if inspect.isclass(obj):
                for attr, value in vars(obj).items():
                    if attr.startswith("_"):
                        continue
                    yield f"{module.__name__}.{name}.{attr}", value


OBJECTS = dict(public_objects())
FINDER = doctest.DocTestParser()


def docstring(obj):
    if isinstance(obj, (staticmethod, classmethod)):
        obj = obj.__func__
    return getattr(obj, "__doc__", None) or ""


@pytest.mark.parametrize("name", [n for n, o in OBJECTS.items() if ">>>" in docstring(o)])
def test_docstring_examples(name):
    obj = OBJECTS[name]
    test = FINDER.get_doctest(docstring(obj), {}, name, None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} example(s) of {name} failed (see the output above)"


EXCEPTIONS = {"wasmint.Trap", "wasmint.CompileError", "wasmint.LinkError"}


@pytest.mark.parametrize(
    "name",
    [
        n
        for n, o in OBJECTS.items()
        if (inspect.isclass(o) or inspect.isroutine(o) or inspect.ismodule(o)) and n.count(".") <= 2 and n not in EXCEPTIONS
        and not (n.count(".") == 2 and n.split(".")[1] in ("Type", "wasi") )
    ],
)
def test_every_public_class_and_function_has_an_example(name):
    obj = OBJECTS[name]
    if name.count(".") == 2 and not name.startswith(("wasmint.engine", "wasmint.target", "wasmint.wasi", "wasmint.legacy")):
        # Methods of classes: a docstring is required, an example too unless
        # the class docstring shows the method.
        assert docstring(obj), f"{name} has no docstring"
        return
    assert ">>>" in docstring(obj), f"{name} has no example in its docstring"
