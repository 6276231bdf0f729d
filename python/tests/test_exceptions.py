"""Wasm exceptions from Python: `Tag`, `WasmException` out of calls, host
functions that throw, exception references."""

import gc

import pytest

from wasmint import (
    Function,
    FunctionType,
    Instance,
    Module,
    Store,
    Tag,
    Trap,
    Type,
    WasmException,
)

THROWER = """(module
  (tag $e (export "e") (param i32 f64))
  (tag $empty (export "empty"))
  (func (export "throw") (param i32) (throw $e (local.get 0) (f64.const 1.5)))
  (func (export "catch") (param i32) (result i32)
    (block $h (result i32 f64)
      (try_table (catch $e $h) (throw $e (local.get 0) (f64.const 0)))
      (unreachable))
    (drop))
  (func (export "trap") unreachable))"""


def test_uncaught_exception_raises_wasm_exception_with_tag_and_payload():
    exports = Instance(Module(Store(), THROWER)).exports
    with pytest.raises(WasmException) as info:
        exports.throw(42)
    e = info.value
    assert isinstance(e, RuntimeError) and not isinstance(e, Trap)
    assert e.tag == exports.e and e.tag != exports.empty
    assert e.payload == [42, 1.5]
    assert e.tag.type.params == [Type.I32, Type.F64] and e.tag.type.results == []
    assert "uncaught wasm exception" in str(e)
    # Caught inside: a plain result; a trap stays a Trap.
    assert exports.catch(7) == 7
    with pytest.raises(Trap, match="unreachable"):
        exports.trap()


def test_host_function_throws_a_wasm_exception_that_wasm_catches():
    store = Store()
    tag = Tag(store, FunctionType([Type.I64], []))

    def fail(x: int):
        raise WasmException(tag, [x * 2])

    module = Module(
        store,
        """(module
      (import "env" "tag" (tag $t (param i64)))
      (import "env" "fail" (func $fail (param i32)))
      (func (export "run") (param i32) (result i64)
        (block $h (result i64)
          (try_table (catch $t $h) (call $fail (local.get 0)))
          (i64.const -1)))
      (func (export "raw") (param i32) (call $fail (local.get 0))))""",
    )
    exports = Instance(module, {"env": {"tag": tag, "fail": Function(store, fail)}}).exports
    assert exports.run(21) == 42
    # Not caught in wasm: back to Python as a WasmException of that tag.
    with pytest.raises(WasmException) as info:
        exports.raw(5)
    assert info.value.tag == tag and info.value.payload == [10]


def test_wrong_tags_and_payloads_are_errors_not_crashes():
    store = Store()
    tag = Tag(store, FunctionType([Type.I32], []))
    other = Tag(Store(), FunctionType([Type.I32], []))
    with pytest.raises(ValueError, match="no results"):
        Tag(store, FunctionType([], [Type.I32]))
    with pytest.raises(TypeError, match="must be a Tag"):
        WasmException("not a tag", [1])
    module = Module(
        store,
        """(module (import "env" "f" (func $f))
      (func (export "run") (call $f)))""",
    )

    def raiser(exc):
        def f():
            raise exc

        return Function(store, f, FunctionType([], []))

    cases = [
        (WasmException(tag, ["x"]), TypeError, "payload 0"),
        (WasmException(tag, []), TypeError, "takes 1 payload"),
        (WasmException(other, [1]), ValueError, "another store"),
    ]
    for exc, cls, msg in cases:
        run = Instance(module, {"env": {"f": raiser(exc)}}).exports.run
        with pytest.raises(cls, match=msg):
            run()
    # A tag of the wrong type does not link.
    wants_i64 = Module(store, '(module (import "env" "t" (tag (param i64))))')
    with pytest.raises(RuntimeError, match="incompatible import type"):
        Instance(wants_i64, {"env": {"t": tag}})


def test_exception_from_a_nested_call_is_rethrown_as_the_same_exception():
    store = Store()
    exports = {}

    def relay():
        exports["throw"](3)  # raises WasmException; it propagates

    module = Module(
        store,
        """(module
      (import "env" "relay" (func $relay))
      (tag $e (export "e") (param i32 f64))
      (func (export "throw") (param i32) (throw $e (local.get 0) (f64.const 2)))
      (func (export "via") (result i32)
        (block $h (result i32 f64)
          (try_table (catch $e $h) (call $relay))
          (unreachable))
        (drop)))""",
    )
    inst = Instance(module, {"env": {"relay": Function(store, relay)}})
    exports["throw"] = inst.exports.throw
    assert inst.exports.via() == 3


def test_exnref_values_cross_to_python_and_back():
    exports = Instance(
        Module(
            Store(),
            """(module
      (tag $e (export "e") (param i32))
      (func (export "catch") (param i32) (result exnref)
        (block $h (result exnref)
          (try_table (catch_all_ref $h) (throw $e (local.get 0)))
          (unreachable)))
      (func (export "rethrow") (param exnref) (throw_ref (local.get 0))))""",
        )
    ).exports
    ref = exports.catch(9)
    assert isinstance(ref, WasmException) and ref.payload == [9]
    with pytest.raises(WasmException) as info:
        exports.rethrow(ref)
    assert info.value.payload == [9]
    with pytest.raises(Trap, match="null exception reference"):
        exports.rethrow(None)
    with pytest.raises(TypeError, match="argument 0"):
        exports.rethrow(5)


def test_throwing_in_a_loop_does_not_leak():
    exports = Instance(Module(Store(), THROWER)).exports
    for _ in range(2000):
        assert exports.catch(1) == 1
        with pytest.raises(WasmException):
            exports.throw(1)
    gc.collect()


EXAMPLES = __import__("pathlib").Path(__file__).resolve().parents[2] / "examples"

PROGRAM_OUTPUT = "sum: 51\nbad character at 2\nsum: 300\nempty line\nsum: 42\n"


def test_example_program_catches_by_tag_and_python_sees_the_rest():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, str(EXAMPLES / "exceptions.py")], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    assert out == PROGRAM_OUTPUT + "from Python: uncaught bad_char exception, bad character at 2\n"
