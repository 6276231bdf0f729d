"""Calls across the Python boundary, by every way Python can make them:
vectorcall (``f(1, 2)``), ``tp_call`` (``f(*args)``, ``f.__call__``), and
host functions of every arity (up to four arguments go without a tuple)."""

import functools

import pytest

from wasmint import Function, FunctionType, Instance, Module, Store, Type

WAT = """(module
  (func (export "sum") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "ten") (param i32 i32 i32 i32 i32 i64 i64 i64 i64 i64) (result i64)
    local.get 0 i64.extend_i32_s local.get 1 i64.extend_i32_s i64.add
    local.get 2 i64.extend_i32_s i64.add local.get 3 i64.extend_i32_s i64.add
    local.get 4 i64.extend_i32_s i64.add local.get 5 i64.add local.get 6 i64.add
    local.get 7 i64.add local.get 8 i64.add local.get 9 i64.add)
  (func (export "nine") (result i32 i32 i32 i32 i32 i32 i32 i32 i32)
    i32.const 1 i32.const 2 i32.const 3 i32.const 4 i32.const 5
    i32.const 6 i32.const 7 i32.const 8 i32.const 9)
  (func (export "none")))"""


@pytest.fixture
def exports():
    return Instance(Module(Store(), WAT)).exports


def test_every_call_protocol_gives_the_same_result(exports):
    f = exports.sum
    assert f(1, 2) == 3
    assert f(*[1, 2]) == 3
    assert f.__call__(1, 2) == 3
    assert functools.partial(f, 1)(2) == 3
    assert list(map(f, [1, 2], [10, 20])) == [11, 22]
    assert exports.none() is None
    assert exports.none(*()) is None


def test_call_errors_name_the_problem(exports):
    f = exports.sum
    with pytest.raises(TypeError, match="keyword"):
        f(1, b=2)
    with pytest.raises(TypeError, match="keyword"):
        f(**{"a": 1, "b": 2})
    with pytest.raises(TypeError, match=r"takes 2 arguments \(1 given\)"):
        f(1)
    with pytest.raises(TypeError, match=r"takes 2 arguments \(3 given\)"):
        f.__call__(1, 2, 3)
    with pytest.raises(TypeError, match="argument 1"):
        f(1, "x")
    with pytest.raises(OverflowError, match="argument 0"):
        f(2**40, 1)
    assert f(1, 2) == 3  # still usable


def test_more_than_eight_params_and_results(exports):
    assert exports.ten(1, 2, 3, 4, 5, 6, 7, 8, 9, 2**40) == 45 + 2**40
    assert exports.nine() == (1, 2, 3, 4, 5, 6, 7, 8, 9)
    with pytest.raises(TypeError, match=r"takes 10 arguments \(9 given\)"):
        exports.ten(*range(9))


def test_exports_by_attribute_and_name(exports):
    assert exports.sum is exports.sum
    assert exports["sum"] is exports.sum
    assert "sum" in exports and "nope" not in exports
    with pytest.raises(LookupError, match="nope"):
        exports.nope
    with pytest.raises(LookupError, match="nope"):
        exports["nope"]
    with pytest.raises(TypeError):
        exports[5]
    assert type(exports).__name__ == "Exports"


def test_export_names_that_are_not_identifiers():
    exports = Instance(Module(Store(), '(module (func (export "a-b") (result i32) i32.const 7))')).exports
    assert exports["a-b"]() == 7
    assert getattr(exports, "a-b")() == 7


@pytest.mark.parametrize("arity", range(7))
def test_host_functions_of_every_arity(arity):
    """Arguments reach the host function in order; results come back."""
    store = Store()
    seen = []

    def host(*args):
        seen.append(args)
        return sum(args) * 2

    names = ["i64" if k % 2 else "i32" for k in range(arity)]
    params = [Type.I64 if n == "i64" else Type.I32 for n in names]
    h = Function(store, host, FunctionType(params, [Type.I64]))
    sig = " ".join(names)
    args = " ".join(f"local.get {k}" for k in range(arity))
    module = Module(store, f"""(module
      (import "env" "h" (func $h (param {sig}) (result i64)))
      (func (export "run") (param {sig}) (result i64) {args} call $h))""")
    run = Instance(module, {"env": {"h": h}}).exports.run
    values = [k + 1 if k % 2 == 0 else -(2**33) * (k + 1) for k in range(arity)]
    assert run(*values) == sum(values) * 2
    assert seen == [tuple(values)]
    # Called from Python directly, too.
    assert h(*values) == sum(values) * 2


def test_host_function_result_conversion_errors():
    store = Store()
    bad = Function(store, lambda x: "no", FunctionType([Type.I32], [Type.I32]))
    big = Function(store, lambda x: 2**40, FunctionType([Type.I32], [Type.I32]))
    module = Module(store, """(module
      (import "env" "bad" (func $bad (param i32) (result i32)))
      (import "env" "big" (func $big (param i32) (result i32)))
      (func (export "bad") (param i32) (result i32) local.get 0 call $bad)
      (func (export "big") (param i32) (result i32) local.get 0 call $big))""")
    e = Instance(module, {"env": {"bad": bad, "big": big}}).exports
    with pytest.raises(TypeError, match="host function result"):
        e.bad(1)
    with pytest.raises(OverflowError, match="host function result"):
        e.big(1)
