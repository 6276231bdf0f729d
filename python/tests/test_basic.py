import pathlib

import pytest

import wasmint
from wasmint import Instance, Module, Store

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"

SUM = """
(module
  (func (export "sum") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func (export "swap") (param i64 f64) (result f64 i64) local.get 1 local.get 0)
  (func $loop (export "loop") call $loop))
"""


@pytest.fixture
def exports():
    return Instance(Module(Store(), SUM)).exports


def test_sum(exports):
    assert exports.sum(1, 2) == 3
    assert exports.sum(-1, 1) == 0
    assert exports.sum(2**31 - 1, 1) == -(2**31)


def test_multi_value(exports):
    assert exports.swap(7, 2.5) == (2.5, 7)


def test_trap_is_runtime_error(exports):
    with pytest.raises(wasmint.Trap, match="integer divide by zero"):
        exports.div(1, 0)
    assert issubclass(wasmint.Trap, RuntimeError)


def test_infinite_recursion_traps(exports):
    with pytest.raises(wasmint.Trap, match="call stack exhausted"):
        exports.loop()
    # The process and the instance go on.
    assert exports.sum(20, 22) == 42


def test_bad_arguments(exports):
    with pytest.raises(TypeError):
        exports.sum(1)
    with pytest.raises(TypeError):
        exports.sum("a", 2)
    with pytest.raises(OverflowError):
        exports.sum(2**40, 1)


def test_unknown_export(exports):
    with pytest.raises(LookupError):
        exports.nope


def test_invalid_module():
    with pytest.raises(RuntimeError, match="magic header"):
        Module(Store(), b"\0asx\1\0\0\0")
    with pytest.raises(RuntimeError, match="type mismatch"):
        Module(Store(), "(module (func (result i32) i64.const 1))")


def test_example_program():
    module = Module(Store(), (EXAMPLES / "puzzles.wasm").read_bytes())
    exports = Instance(module).exports
    assert exports.queens(8) == 92
    assert exports.sieve(1000) == 168
    assert exports.mandelbrot(10, 10, 50) > 0
