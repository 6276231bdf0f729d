//! The GC heap end to end: collection under allocation, what stays
//! alive (globals, tables, held references, active frames), cycles,
//! limits, and stores that come and go.

use crate::error::{Error, TrapCode};
use crate::runtime::*;
use Value::I32;

use super::exn_tests::{call, module};

const LIST: &str = r#"(module
  (type $node (struct (field $v i32) (field $next (mut (ref null $node)))))
  (type $arr (array (mut i32)))
  (global $keep (mut (ref null $node)) (ref.null $node))
  (table $t 1 (ref null $node))
  ;; `n` short-lived structs and arrays; returns a checksum.
  (func (export "churn") (param $n i32) (result i32)
    (local $i i32) (local $acc i32) (local $s (ref null $node)) (local $a (ref null $arr))
    (loop $l
      (local.set $s (struct.new $node (local.get $i) (ref.null $node)))
      (local.set $a (array.new $arr (local.get $i) (i32.const 3)))
      (local.set $acc (i32.add (local.get $acc)
        (i32.add (struct.get $node $v (local.get $s)) (array.get $arr (local.get $a) (i32.const 2)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))
  ;; A list of `n` nodes kept in the global (or, `to_table`, the table).
  (func (export "build") (param $n i32) (param $to_table i32)
    (local $l (ref null $node))
    (block $done (loop $l1
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $l (struct.new $node (local.get $n) (local.get $l)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l1)))
    (if (local.get $to_table)
      (then (table.set $t (i32.const 0) (local.get $l)))
      (else (global.set $keep (local.get $l)))))
  (func $sum (param $l (ref null $node)) (result i32)
    (local $acc i32)
    (block $done (loop $l1
      (br_if $done (ref.is_null (local.get $l)))
      (local.set $acc (i32.add (local.get $acc) (struct.get $node $v (local.get $l))))
      (local.set $l (struct.get $node $next (local.get $l)))
      (br $l1)))
    (local.get $acc))
  (func (export "sum_global") (result i32) (call $sum (global.get $keep)))
  (func (export "sum_table") (result i32) (call $sum (table.get $t (i32.const 0))))
  (func (export "drop_all") (global.set $keep (ref.null $node)) (table.set $t (i32.const 0) (ref.null $node)))
  ;; Two-node cycles, dropped at once.
  (func (export "cycles") (param $n i32)
    (local $a (ref null $node)) (local $b (ref null $node))
    (loop $l
      (local.set $a (struct.new $node (i32.const 1) (ref.null $node)))
      (local.set $b (struct.new $node (i32.const 2) (local.get $a)))
      (struct.set $node $next (local.get $a) (local.get $b))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n))))
  ;; A list held only by this frame's local while the loop allocates.
  (func (export "local_survives") (param $n i32) (result i32)
    (local $keep (ref null $node))
    (local.set $keep (struct.new $node (i32.const 41) (struct.new $node (i32.const 1) (ref.null $node))))
    (drop (call 0 (local.get $n)))
    (call $sum (local.get $keep)))
  (func (export "make") (param i32) (result (ref $node)) (struct.new $node (local.get 0) (ref.null $node)))
  (func (export "get") (param (ref null $node)) (result i32) (struct.get $node $v (local.get 0)))
  (func (export "big") (param i32) (result (ref $arr)) (array.new_default $arr (local.get 0))))"#;

#[test]
fn short_lived_objects_are_collected() {
    let mut s = Store::new();
    let i = s.instantiate(&module(LIST), &[]).unwrap();
    call(&mut s, i, "churn", &[I32(1_000_000)]).unwrap();
    let (live, collections) = s.gc_stats();
    assert!(collections > 0, "no collection after 2M objects");
    // What is left is what the last collection saw and what came since.
    assert!(live < 500_000, "{live} objects live after the loop");
    s.gc_collect();
    assert_eq!(s.gc_stats().0, 0);
}

#[test]
fn globals_tables_and_frames_keep_objects() {
    let mut s = Store::new();
    let i = s.instantiate(&module(LIST), &[]).unwrap();
    call(&mut s, i, "build", &[I32(10_000), I32(0)]).unwrap();
    call(&mut s, i, "build", &[I32(1_000), I32(1)]).unwrap();
    call(&mut s, i, "churn", &[I32(500_000)]).unwrap();
    s.gc_collect();
    assert_eq!(s.gc_stats().0, 11_000);
    assert_eq!(call(&mut s, i, "sum_global", &[]).unwrap(), [I32(50_005_000)]);
    assert_eq!(call(&mut s, i, "sum_table", &[]).unwrap(), [I32(500_500)]);
    // Held by a local of an active frame only, across many collections.
    assert_eq!(call(&mut s, i, "local_survives", &[I32(500_000)]).unwrap(), [I32(42)]);
    call(&mut s, i, "drop_all", &[]).unwrap();
    s.gc_collect();
    assert_eq!(s.gc_stats().0, 0);
}

#[test]
fn cycles_are_reclaimed() {
    let mut s = Store::new();
    let i = s.instantiate(&module(LIST), &[]).unwrap();
    call(&mut s, i, "cycles", &[I32(300_000)]).unwrap();
    s.gc_collect();
    assert_eq!(s.gc_stats().0, 0);
}

#[test]
fn held_references_survive_and_stale_ones_fail_cleanly() {
    let mut s = Store::new();
    let i = s.instantiate(&module(LIST), &[]).unwrap();
    let [Value::AnyRef(Some(held))] = call(&mut s, i, "make", &[I32(7)]).unwrap()[..] else { panic!() };
    let [Value::AnyRef(Some(loose))] = call(&mut s, i, "make", &[I32(8)]).unwrap()[..] else { panic!() };
    s.gc_hold(held);
    call(&mut s, i, "churn", &[I32(300_000)]).unwrap();
    s.gc_collect();
    assert_eq!(s.struct_field(held, 0), Some(I32(7)));
    assert_eq!(call(&mut s, i, "get", &[Value::AnyRef(Some(held))]).unwrap(), [I32(7)]);
    // Not held: freed, and the reference names nothing any more (not the
    // object that reuses its index).
    assert_eq!(s.struct_field(loose, 0), None);
    assert!(call(&mut s, i, "get", &[Value::AnyRef(Some(loose))]).is_err());
    s.gc_release(held);
    s.gc_collect();
    assert_eq!(s.gc_stats().0, 0);
    assert_eq!(s.struct_field(held, 0), None);
}

#[test]
fn the_heap_limit_traps() {
    let mut s = Store::new();
    s.config_mut().max_gc_heap = 64 << 20;
    let i = s.instantiate(&module(LIST), &[]).unwrap();
    let e = call(&mut s, i, "big", &[I32(-1)]).unwrap_err();
    assert!(matches!(&e, Error::Trap(t) if t.code() == Some(TrapCode::OutOfMemory)), "{e}");
    // Below the limit it works, and the store goes on.
    let [Value::AnyRef(Some(a))] = call(&mut s, i, "big", &[I32(1_000_000)]).unwrap()[..] else { panic!() };
    assert_eq!(s.array_len(a), Some(1_000_000));
    assert_eq!(call(&mut s, i, "churn", &[I32(10)]).unwrap(), [I32(90)]);
}

#[test]
fn gc_modules_are_not_serialized_yet() {
    for wat in [LIST, "(module (func (export \"f\") (result i32) (i31.get_s (ref.i31 (i32.const 5)))))"] {
        let e = module(wat).serialize().unwrap_err();
        assert!(e.to_string().contains("garbage collection"), "{e}");
    }
}

#[test]
fn empty_recursion_groups_are_nothing() {
    // (rec) (type (struct)) (rec): an empty group on each side.
    let bytes = [
        0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, // header
        1, 7, 3, 0x4e, 0, 0x5f, 0, 0x4e, 0, // type section: 3 groups
    ];
    let m = Module::new(&bytes).unwrap();
    let mut s = Store::new();
    s.instantiate(&m, &[]).unwrap();
}

#[test]
fn packed_arrays_take_their_size() {
    let wat = r#"(module
      (type $bytes (array (mut i8)))
      (type $chars (array (mut i16)))
      (func (export "bytes") (param i32) (result (ref $bytes)) (array.new $bytes (i32.const 0x1ff) (local.get 0)))
      (func (export "chars") (param i32) (result (ref $chars)) (array.new $chars (i32.const -1) (local.get 0)))
      (func (export "poke") (param (ref $bytes)) (param i32) (param i32) (result i32)
        (array.set $bytes (local.get 0) (local.get 1) (local.get 2))
        (array.get_s $bytes (local.get 0) (local.get 1))))"#;
    let mut s = Store::new();
    // 8 million bytes in 8 MiB: a slot each would need 64.
    s.config_mut().max_gc_heap = 12 << 20;
    let i = s.instantiate(&module(wat), &[]).unwrap();
    let [Value::AnyRef(Some(b))] = call(&mut s, i, "bytes", &[I32(8_000_000)]).unwrap()[..] else { panic!() };
    assert_eq!(s.array_len(b), Some(8_000_000));
    assert_eq!(s.array_get(b, 7_999_999), Some(I32(0xff)));
    assert_eq!(call(&mut s, i, "poke", &[Value::AnyRef(Some(b)), I32(12_345), I32(-2)]).unwrap(), [I32(-2)]);
    assert_eq!(s.array_get(b, 12_345), Some(I32(0xfe)));
    assert_eq!((s.array_get(b, 12_344), s.array_get(b, 12_346)), (Some(I32(0xff)), Some(I32(0xff))));
    let [Value::AnyRef(Some(c))] = call(&mut s, i, "chars", &[I32(3)]).unwrap()[..] else { panic!() };
    assert_eq!((s.array_len(c), s.array_get(c, 2), s.array_get(c, 3)), (Some(3), Some(I32(0xffff)), None));
}
