"""GC references from Python: `AnyRef` handles for structs, arrays and
i31s, host objects made internal and back, rooting while held, release
when dropped, refusal across stores."""

import gc
import os
import sys

import pytest

from wasmint import AnyRef, Function, FunctionType, Instance, Module, RefType, Store, Type, wat2wasm

WAT = """(module
  (type $box (struct (field (mut i32))))
  (type $pair (struct (field (ref null $box)) (field (ref null $box))))
  (type $bytes (array (mut i8)))
  (type $other (struct (field i64)))
  (global $g (export "g") (mut (ref null $box)) (ref.null $box))
  (global $any (export "any") (mut anyref) (ref.null any))
  (table $t (export "t") 4 (ref null $box))
  (func (export "box") (param i32) (result (ref $box))
    (struct.new $box (local.get 0)))
  (func (export "get") (param (ref $box)) (result i32)
    (struct.get $box 0 (local.get 0)))
  (func (export "set") (param (ref $box) i32)
    (struct.set $box 0 (local.get 0) (local.get 1)))
  (func (export "get_any") (param anyref) (result i32)
    (struct.get $box 0 (ref.cast (ref $box) (local.get 0))))
  (func (export "as_any") (param anyref) (result anyref) (local.get 0))
  (func (export "as_eq") (param eqref) (result eqref) (local.get 0))
  (func (export "as_struct") (param structref) (result structref) (local.get 0))
  (func (export "bytes") (param i32) (result (ref $bytes))
    (array.new $bytes (i32.const 7) (local.get 0)))
  (func (export "len") (param arrayref) (result i32) (array.len (local.get 0)))
  (func (export "other") (result (ref $other)) (struct.new $other (i64.const 1)))
  (func (export "i31") (param i32) (result i31ref) (ref.i31 (local.get 0)))
  (func (export "i31_get") (param i31ref) (result i32) (i31.get_s (local.get 0)))
  (func (export "same") (param eqref eqref) (result i32) (ref.eq (local.get 0) (local.get 1)))
  (func (export "internalize") (param externref) (result anyref) (any.convert_extern (local.get 0)))
  (func (export "externalize") (param anyref) (result externref) (extern.convert_any (local.get 0)))
  (func (export "churn") (param i32)
    ;; Allocates `n` pairs of boxes, keeping none.
    (loop $l
      (drop (struct.new $pair (struct.new $box (local.get 0)) (struct.new $box (local.get 0))))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if $l (i32.gt_s (local.get 0) (i32.const 0))))))"""


@pytest.fixture
def exports():
    store = Store()
    return Instance(Module(store, WAT)).exports


def test_struct_round_trip(exports):
    b = exports.box(42)
    assert isinstance(b, AnyRef)
    assert b.kind == "struct" and b.is_struct and not b.is_array and not b.is_i31
    assert b.i31 is None
    assert repr(b) == "AnyRef(struct)"
    assert exports.get(b) == 42
    exports.set(b, 7)
    assert exports.get(b) == 7
    assert exports.get_any(b) == 7
    assert exports.as_any(b) == b
    assert exports.as_eq(b) == b
    assert exports.as_struct(b) == b
    assert exports.same(b, exports.as_any(b)) == 1
    assert exports.same(b, exports.box(7)) == 0
    assert b != exports.box(7)
    assert hash(b) == hash(exports.as_any(b))
    assert len({b, exports.as_any(b)}) == 1


def test_array(exports):
    a = exports.bytes(5)
    assert a.kind == "array" and a.is_array and repr(a) == "AnyRef(array)"
    assert exports.len(a) == 5
    with pytest.raises(TypeError, match="expected a value of type"):
        exports.as_struct(a)
    with pytest.raises(TypeError):
        exports.get(a)


def test_concrete_type_checked(exports):
    o = exports.other()
    with pytest.raises(TypeError, match="expected a value of type RefType\\(heap: 'struct', nullable: false\\)"):
        exports.get(o)
    assert exports.as_struct(o) == o
    with pytest.raises(TypeError, match="non-null"):
        exports.get(None)
    assert exports.as_any(None) is None


def test_types_print(exports):
    assert str(exports.box.type) == (
        "FunctionType(params: [I32], results: [RefType(heap: 'struct', nullable: false)])"
    )
    assert exports.as_eq.type.params == [RefType("eq")]
    assert exports.i31.type.results == [RefType("i31")]
    assert exports.len.type.params[0].heap == "array"
    assert exports.g.type.type == RefType("struct")
    assert RefType("none").heap == "none" and RefType("any").type == Type.EXTERN_REF
    with pytest.raises(TypeError):
        RefType("anything")


def test_i31(exports):
    r = exports.i31(-5)
    assert r.is_i31 and r.kind == "i31" and r.i31 == -5
    assert repr(r) == "AnyRef(i31 -5)"
    assert r == exports.i31(-5) and r != exports.i31(5)
    assert exports.i31_get(r) == -5
    # An int passes as an i31ref (its low 31 bits, as ref.i31 takes them).
    assert exports.i31_get(12) == 12
    assert exports.i31_get(-(2**30)) == -(2**30)
    assert exports.i31_get(2**31 - 1) == -1
    with pytest.raises(OverflowError):
        exports.i31_get(2**31)
    with pytest.raises(OverflowError):
        exports.i31_get(-(2**30) - 1)
    # An i31 is an eqref and an anyref.
    assert exports.as_eq(r) == r and exports.as_any(r) == r
    # Ints are i31s only where the type says i31.
    with pytest.raises(TypeError):
        exports.as_eq(3)


def test_host_objects_internalized(exports):
    obj = object()
    # Python object -> externref -> any.convert_extern -> Python: itself.
    assert exports.internalize(obj) is obj
    # A Python object to an anyref parameter is a host reference made internal.
    assert exports.as_any(obj) is obj
    assert exports.externalize(obj) is obj
    assert exports.as_any(5) == 5
    # eqref and structref take no host objects.
    with pytest.raises(TypeError):
        exports.as_eq(obj)
    # A struct made external and internal again is the same struct.
    b = exports.box(3)
    e = exports.externalize(b)
    assert isinstance(e, AnyRef) and e == b
    assert exports.internalize(e) == b
    assert exports.get_any(exports.internalize(e)) == 3


def test_globals_and_tables(exports):
    b = exports.box(11)
    assert exports.g.value is None
    exports.g.value = b
    assert exports.g.value == b
    assert exports.get(exports.g.value) == 11
    with pytest.raises(TypeError):
        exports.g.value = exports.other()
    exports.t.set(2, b)
    assert exports.t.get(2) == b and exports.t.get(0) is None
    with pytest.raises(TypeError):
        exports.t.set(1, exports.bytes(1))
    exports.any.value = exports.bytes(3)
    assert exports.len(exports.any.value) == 3
    obj = ["host"]
    exports.any.value = obj
    assert exports.any.value is obj
    exports.any.value = exports.i31(9)
    assert exports.any.value.i31 == 9


def test_held_reference_survives_collections():
    store = Store()
    exports = Instance(Module(store, WAT)).exports
    held = [exports.box(i) for i in range(10)]
    before = store.gc_collections
    exports.churn(300_000)  # ~20 MB of boxes: several collections
    assert store.gc_collections > before
    assert [exports.get(b) for b in held] == list(range(10))
    # Held across collections in a nested call, too.
    def host(r):
        assert r.is_struct
        exports.churn(200_000)
        return exports.get_any(r)

    inner = Instance(
        Module(store, """(module
      (type $box (struct (field (mut i32))))
      (import "env" "h" (func $h (param anyref) (result i32)))
      (func (export "run") (result i32)
        (call $h (struct.new $box (i32.const 99)))))"""),
        {"env": {"h": Function(store, host, FunctionType([RefType("any")], [Type.I32]))}},
    ).exports
    n = store.gc_collections
    assert inner.run() == 99
    assert store.gc_collections > n


def test_dropped_reference_is_collected():
    store = Store()
    exports = Instance(Module(store, WAT)).exports
    store.collect_garbage()
    base = store.gc_live_objects
    held = [exports.box(i) for i in range(100)]
    store.collect_garbage()
    assert store.gc_live_objects == base + 100
    copies = [exports.as_any(b) for b in held[:50]]
    del held
    gc.collect()
    store.collect_garbage()
    assert store.gc_live_objects == base + 50  # the copies still hold theirs
    assert [exports.get(b) for b in copies] == list(range(50))
    del copies
    gc.collect()
    store.collect_garbage()
    assert store.gc_live_objects == base


def test_host_function_takes_and_returns_references():
    store = Store()
    exports = Instance(Module(store, WAT)).exports
    seen = []

    def host(r):
        seen.append(r)
        return exports.box(r.i31 + 1) if isinstance(r, AnyRef) and r.is_i31 else r

    inner = Instance(
        Module(store, """(module
      (type $box (struct (field (mut i32))))
      (import "env" "h" (func $h (param anyref) (result anyref)))
      (func (export "run") (param anyref) (result i32)
        (struct.get $box 0 (ref.cast (ref $box) (call $h (local.get 0))))))"""),
        {"env": {"h": Function(store, host, FunctionType([RefType("any")], [RefType("any")]))}},
    ).exports
    assert inner.run(exports.i31(41)) == 42
    assert inner.run(exports.box(5)) == 5
    assert seen[0] == exports.i31(41) and seen[1].is_struct
    # A host object that wasm cannot cast to a box traps.
    with pytest.raises(Exception, match="cast"):
        inner.run(object())


def test_collect_garbage_refused_during_a_call():
    store = Store()

    def host():
        with pytest.raises(RuntimeError, match="running a call"):
            store.collect_garbage()
        return 1

    exports = Instance(
        Module(store, '(module (import "env" "h" (func $h (result i32))) (func (export "f") (result i32) call $h))'),
        {"env": {"h": Function(store, host, FunctionType([], [Type.I32]))}},
    ).exports
    assert exports.f() == 1


def test_handle_dropped_inside_a_host_call():
    store = Store()
    exports = Instance(Module(store, WAT)).exports
    box = [exports.box(5)]

    def host():
        box.clear()  # drops the handle while a call runs
        return 0

    inner = Instance(
        Module(store, '(module (import "env" "h" (func $h (result i32))) (func (export "f") (result i32) call $h))'),
        {"env": {"h": Function(store, host, FunctionType([], [Type.I32]))}},
    ).exports
    inner.f()
    gc.collect()
    store.collect_garbage()
    exports.churn(1)
    store.collect_garbage()
    assert store.gc_live_objects == 0


def test_other_store_refused(exports):
    b = exports.box(1)
    other = Instance(Module(Store(), WAT)).exports
    with pytest.raises(ValueError, match="the reference belongs to another store"):
        other.get(b)
    with pytest.raises(ValueError, match="another store"):
        other.as_any(b)
    with pytest.raises(ValueError, match="another store"):
        other.internalize(b)
    with pytest.raises(ValueError, match="another store"):
        other.g.value = b
    with pytest.raises(ValueError, match="another store"):
        other.t.set(0, b)
    # i31s are values, but they too belong to their store's handle.
    with pytest.raises(ValueError, match="another store"):
        other.i31_get(exports.i31(1))


def test_cycle_through_a_handle_is_collected():
    # store -> its externref objects -> list -> handle -> store.
    gc.collect()
    stores = sum(1 for o in gc.get_objects() if isinstance(o, Store))
    for _ in range(20):
        store = Store()
        exports = Instance(Module(store, WAT)).exports
        exports.any.value = [exports.box(1)]
    del store, exports
    gc.collect()
    assert sum(1 for o in gc.get_objects() if isinstance(o, Store)) == stores


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def one_round(wasm):
    store = Store()
    exports = Instance(Module(store, wasm)).exports
    held = exports.box(1)
    exports.churn(2_000)
    exports.g.value = held
    exports.t.set(0, exports.box(2))
    exports.any.value = exports.bytes(100)
    assert exports.get(held) == 1
    store.collect_garbage()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_no_leak_over_1000_stores():
    wasm = wat2wasm(WAT)
    for _ in range(100):
        one_round(wasm)
    gc.collect()
    before = rss_bytes()
    for _ in range(1_000):
        one_round(wasm)
    gc.collect()
    grown = rss_bytes() - before
    print(f"RSS grew by {grown / 2**20:.2f} MB")
    # A store kept alive by its handles would keep its heap: 1000 rounds of
    # at least 100 kB each.
    assert grown < 10 * 2**20, f"RSS grew by {grown / 2**20:.1f} MB"


def test_exception_payloads():
    from wasmint import WasmException

    store = Store()
    exports = Instance(Module(store, WAT)).exports
    thrower = Instance(
        Module(store, """(module
      (type $box (struct (field (mut i32))))
      (tag $e (export "e") (param anyref))
      (func (export "throw") (param i32) (throw $e (struct.new $box (local.get 0))))
      (func (export "catch") (param funcref) (result anyref)
        (block $h (result anyref)
          (try_table (catch $e $h) (call_ref $thunk (ref.cast (ref $thunk) (local.get 0))))
          (ref.null any)))
      (type $thunk (func)))"""),
    ).exports
    with pytest.raises(WasmException) as info:
        thrower.throw(8)
    (payload,) = info.value.payload
    assert payload.is_struct and exports.get_any(payload) == 8
    b = exports.box(21)

    def host():
        raise WasmException(thrower.e, [b])

    f = Function(store, host)
    assert thrower.catch(f) == b
