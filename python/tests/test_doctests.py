"""Runs the examples in the docstrings of every public name of `wasmint`
(and of each method and property of its classes), and checks that every
public class and function has one. Examples are ```` ```py ```` fenced
blocks, as in wasmer-python's docs: a block of `>>>` lines runs as a
doctest (its outputs checked), any other block as a script."""

import doctest
import inspect
import re

import pytest

import wasmint
from wasmint import bindgen, component, engine, target, wasi
import wasmint.legacy as legacy
import wasmint_compiler_cranelift
import wasmint_compiler_llvm
import wasmint_compiler_singlepass


def public_objects():
    for module in (wasmint, component, bindgen, engine, target, wasi, legacy, wasmint_compiler_cranelift, wasmint_compiler_llvm,
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


FENCE = re.compile(r"^[ \t]*```py[ \t]*\n(.*?)^[ \t]*```[ \t]*$", re.S | re.M)


def examples(obj):
    """The ```py blocks of `obj`'s docstring (dedented)."""
    return [inspect.cleandoc(b) for b in FENCE.findall(inspect.cleandoc(docstring(obj)))]


@pytest.mark.parametrize("name", [n for n, o in OBJECTS.items() if examples(o)])
def test_docstring_examples(name):
    obj = OBJECTS[name]
    for k, block in enumerate(examples(obj)):
        if ">>>" not in block:
            exec(compile(block, f"<{name} example {k}>", "exec"), {})
            continue
        test = FINDER.get_doctest(block, {}, f"{name} example {k}", None, 0)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        runner.run(test)
        result = runner.summarize(verbose=False)
        assert result.failed == 0, f"{result.failed} example(s) of {name} failed (see the output above)"


@pytest.mark.parametrize("name", list(OBJECTS))
def test_every_example_is_in_a_fence(name):
    """No `>>>` example outside a ```py block (it would not run)."""
    outside = FENCE.sub("", inspect.cleandoc(docstring(OBJECTS[name])))
    assert ">>>" not in outside, f"{name} has an example outside a ```py block"


def test_fences_are_found():
    # The extraction itself: a fenced block is found and an unfenced one not.
    class Doc:
        """Text.

        ```py
        >>> 1 + 1
        2
        ```
        >>> 3
        """
    assert examples(Doc) == [">>> 1 + 1\n2"]


def is_api(obj):
    """A class, module, function, method or property (not a data value)."""
    if isinstance(obj, (staticmethod, classmethod, property)):
        return True
    return inspect.isclass(obj) or inspect.isroutine(obj) or inspect.ismodule(obj) or inspect.isdatadescriptor(obj)


@pytest.mark.parametrize("name", [n for n, o in OBJECTS.items() if is_api(o)])
def test_every_public_class_method_and_function_has_an_example(name):
    obj = OBJECTS[name]
    assert examples(obj), f"{name} has no ```py example in its docstring"
