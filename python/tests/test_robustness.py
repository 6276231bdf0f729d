"""Hostile inputs from Python: errors, never a crash."""

import random

import pytest

import wasmint
from wasmint import CompileError, Function, FunctionType, Instance, LinkError, Memory, MemoryType, Module, Store, Trap, Type

SEED_WAT = """(module
  (import "e" "f" (func $f (param i32) (result i32)))
  (import "e" "m" (memory 1))
  (table 2 funcref)
  (global $g (mut i64) (i64.const 5))
  (elem (i32.const 0) $a $f)
  (data (i32.const 8) "hello")
  (func $a (export "a") (param i32) (result i32)
    local.get 0 call $f i32.const 1 i32.add)
  (func (export "b") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.load offset=3 i32.div_u)
  (func (export "c") (result i64) global.get $g i64.const 3 i64.mul)
  (start $s)
  (func $s))"""


def test_mutated_modules_raise_or_work():
    rng = random.Random(1234)
    seed = wasmint.wat2wasm(SEED_WAT)
    store = Store()
    imports = {"e": {"f": Function(store, lambda x: x, FunctionType([Type.I32], [Type.I32])), "m": Memory(store, MemoryType(1))}}
    outcomes = {"compile": 0, "link": 0, "ok": 0}
    for _ in range(2000):
        data = bytearray(seed)
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(8, len(data))
            data[i] = rng.randrange(256)
        if rng.random() < 0.2:
            del data[rng.randrange(8, len(data)) :]
        try:
            module = Module(store, bytes(data))
        except CompileError:
            outcomes["compile"] += 1
            continue
        assert Module.validate(store, bytes(data))
        try:
            instance = Instance(module, imports)
        except (LinkError, Trap):
            outcomes["link"] += 1
            continue
        outcomes["ok"] += 1
        for name, export in instance.exports:
            if isinstance(export, Function):
                args = [1] * len(export.type.params)
                try:
                    export(*args)
                except (Trap, TypeError):
                    pass
    assert outcomes["compile"] > 0 and outcomes["ok"] > 0


def test_random_bytes_everywhere():
    rng = random.Random(99)
    store = Store()
    for n in range(300):
        blob = bytes(rng.randrange(256) for _ in range(rng.randrange(40)))
        for f in (lambda: Module(store, blob), lambda: Module.deserialize(store, blob), lambda: wasmint.wasm2wat(blob)):
            with pytest.raises((CompileError, TypeError)):
                f()
        assert Module.validate(store, b"\0asm" + blob) in (True, False)


def test_bad_argument_types_everywhere():
    store = Store()
    memory = Memory(store, MemoryType(1))
    weird = [None, "x", b"x", 1.5, -1, 2**80, [], {}, object(), memory]
    for w in weird:
        for call in (
            lambda: memory.grow(w),
            lambda: memory.uint8_view(w),
            lambda: memory.uint8_view()[w],
            lambda: Memory(store, w),
            lambda: Module(store, w),
            lambda: Instance(w),
            lambda: Function(store, w),
            lambda: wasmint.Global(store, w),
            lambda: wasmint.Value.i32(w),
            lambda: MemoryType(w),
            lambda: FunctionType(w, []),
        ):
            try:
                call()
            except (TypeError, ValueError, OverflowError, IndexError, LookupError, RuntimeError):
                pass
