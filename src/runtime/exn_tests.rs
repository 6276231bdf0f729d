//! Exception handling end to end: unwinding across frames, instances and
//! host calls, exceptions the host throws and sees, what is freed, and
//! serialized code with handler tables.

use std::sync::Arc;

use crate::error::{Error, Trap};
use crate::runtime::*;
use crate::syntax::{FuncType, ValType};
use Value::{I32, I64};

pub(super) fn module(wat: &str) -> Module {
    Module::new(&wat::parse_str(wat).unwrap()).unwrap()
}

pub(super) fn call(store: &mut Store, i: Instance, name: &str, args: &[Value]) -> Result<Vec<Value>, Error> {
    let Some(Extern::Func(f)) = store.export(i, name) else { panic!("no export {name}") };
    store.call(f, args)
}

const THROWER: &str = r#"(module
  (tag $e (export "e") (param i32 i64))
  (tag $other (export "other-tag"))
  (func $deep (export "deep") (param i32)
    (if (i32.eqz (local.get 0)) (then (throw $e (i32.const 7) (i64.const -1))))
    (call $deep (i32.sub (local.get 0) (i32.const 1))))
  (func (export "other") (throw $other)))"#;

#[test]
fn caught_across_frames_and_instances() {
    let mut s = Store::new();
    let a = s.instantiate(&module(THROWER), &[]).unwrap();
    let (Some(e), Some(deep), Some(other)) = (s.export(a, "e"), s.export(a, "deep"), s.export(a, "other")) else {
        panic!("exports")
    };
    let b = s
        .instantiate(
            &module(
                r#"(module
      (import "a" "e" (tag $e (param i32 i64)))
      (import "a" "deep" (func $deep (param i32)))
      (import "a" "other" (func $other))
      (memory 1)
      (func (export "catch") (param i32) (result i32 i64)
        (block $h (result i32 i64)
          (try_table (catch $e $h) (call $deep (local.get 0)))
          (return (i32.const 0) (i64.const 0)))
        ;; memory 0 of this instance again after the unwind
        (i32.store (i32.const 0) (i32.const 1)))
      (func (export "all") (result i32)
        (block $h
          (try_table (catch_all $h) (call $other))
          (return (i32.const 0)))
        (i32.const 1))
      (func (export "uncaught")
        (block $h (result i32 i64)
          (try_table (catch $e $h) (call $other))
          (return))
        (drop) (drop))
      (func (export "legacy") (param i32) (result i32)
        try (result i32)
          (call $deep (local.get 0)) (i32.const 0)
        catch $e
          (drop) (i32.const 10) (i32.add)
        catch_all
          (i32.const 20)
        end))"#,
            ),
            &[e, deep, other],
        )
        .unwrap();
    assert_eq!(call(&mut s, b, "catch", &[I32(100)]).unwrap(), vec![I32(7), I64(-1)]);
    assert_eq!(call(&mut s, b, "all", &[]).unwrap(), vec![I32(1)]);
    assert_eq!(call(&mut s, b, "legacy", &[I32(3)]).unwrap(), vec![I32(17)]);
    // Not caught: the host sees the tag and the payload.
    match call(&mut s, a, "deep", &[I32(2)]) {
        Err(Error::Trap(t)) if t.exn().is_some() => {
            let x = t.exn().unwrap();
            assert_eq!(Extern::Tag(s.exn_tag(x)), e);
            assert_eq!(s.exn_payload(x), vec![I32(7), I64(-1)]);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(call(&mut s, b, "uncaught", &[]), Err(Error::Trap(t)) if t.exn().is_some()));
    // A deep throw that is caught and rethrown ten thousand times stays fast and small.
    for _ in 0..10_000 {
        assert_eq!(call(&mut s, b, "catch", &[I32(5)]).unwrap(), vec![I32(7), I64(-1)]);
    }
    // Caught without a reference: freed, the store does not grow.
    assert!(s.exns.len() < 10, "{} exceptions kept", s.exns.len());
}

#[test]
fn host_functions_throw_and_see_exceptions() {
    let mut s = Store::new();
    let tag = s.tag_new(FuncType::new([ValType::I32], [])).unwrap();
    assert!(s.tag_new(FuncType::new([], [ValType::I32])).is_err());
    let throws = s.func_new(
        FuncType::new([ValType::I32], []),
        Arc::new(move |c, args, _| {
            let x = c.store.exn_new(tag, &[args[0]]).map_err(|e| Trap::host(e.to_string()))?;
            Err(Trap::exception(x))
        }),
    );
    assert!(s.exn_new(tag, &[I64(1)]).is_err());
    // Calls back into wasm, which throws through this host frame.
    let reenter = s.func_new(
        FuncType::new([], []),
        Arc::new(|c, _, _| {
            let Some(Extern::Func(f)) = c.store.export(c.instance.expect("from wasm"), "throw") else {
                return Err(Trap::host("no export"));
            };
            match c.store.call(f, &[I32(5)]) {
                Err(Error::Trap(t)) => Err(t),
                other => Err(Trap::host(format!("{other:?}"))),
            }
        }),
    );
    let m = module(
        r#"(module
      (import "h" "tag" (tag $t (param i32)))
      (import "h" "throws" (func $throws (param i32)))
      (import "h" "reenter" (func $reenter))
      (func (export "throw") (param i32) (call $throws (local.get 0)))
      (func (export "catch") (param i32) (result i32)
        (block $h (result i32)
          (try_table (catch $t $h) (call $throws (local.get 0)))
          (i32.const -1)))
      (func (export "through") (result i32)
        (block $h (result i32)
          (try_table (catch $t $h) (call $reenter))
          (i32.const -1))))"#,
    );
    let i = s.instantiate(&m, &[Extern::Tag(tag), Extern::Func(throws), Extern::Func(reenter)]).unwrap();
    assert_eq!(call(&mut s, i, "catch", &[I32(42)]).unwrap(), vec![I32(42)]);
    assert_eq!(call(&mut s, i, "through", &[]).unwrap(), vec![I32(5)]);
    // A tag of another type does not link.
    let other = s.tag_new(FuncType::new([ValType::I64], [])).unwrap();
    let linked = s.instantiate(&m, &[Extern::Tag(other), Extern::Func(throws), Extern::Func(reenter)]);
    assert!(matches!(linked, Err(Error::Link(_))), "{linked:?}");
}

#[test]
fn exception_references_and_tail_calls() {
    let mut s = Store::new();
    let i = s
        .instantiate(
            &module(
                r#"(module
      (tag $e (param i32))
      (global $kept (mut exnref) (ref.null exn))
      (func $thrower (param i32) (throw $e (local.get 0)))
      (func $thrower_i (param i32) (result i32) (throw $e (local.get 0)))
      (func (export "keep") (param i32) (result i32)
        (block $h (result i32 exnref)
          (try_table (catch_ref $e $h) (call $thrower (local.get 0)))
          (unreachable))
        (global.set $kept)
        )
      (func (export "rethrow") (result i32)
        (block $h (result i32)
          (try_table (catch $e $h) (throw_ref (global.get $kept)))
          (i32.const -1)))
      (func (export "null") (throw_ref (ref.null exn)))
      ;; The tail call leaves the frame: its try does not catch.
      (func (export "tail") (result i32)
        (block $h
          (try_table (catch_all $h) (return_call $thrower_i (i32.const 3))))
        (i32.const -1))
      ;; A local written before the throw reads as written, one written
      ;; after it as zero.
      (func (export "locals") (result i32) (local $a i32) (local $b i32)
        (block $h
          (try_table (catch_all $h)
            (local.set $a (i32.const 5))
            (call $thrower (i32.const 0))
            (local.set $b (i32.const 6))))
        (i32.add (local.get $a) (local.get $b))))"#,
            ),
            &[],
        )
        .unwrap();
    assert_eq!(call(&mut s, i, "keep", &[I32(9)]).unwrap(), vec![I32(9)]);
    assert_eq!(call(&mut s, i, "rethrow", &[]).unwrap(), vec![I32(9)]);
    assert_eq!(call(&mut s, i, "rethrow", &[]).unwrap(), vec![I32(9)]);
    match call(&mut s, i, "null", &[]) {
        Err(Error::Trap(t)) => assert_eq!(t.to_string(), "null exception reference"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(call(&mut s, i, "tail", &[]), Err(Error::Trap(t)) if t.exn().is_some()));
    assert_eq!(call(&mut s, i, "locals", &[]).unwrap(), vec![I32(5)]);
}

#[test]
fn serialized_handler_tables_run_the_same() {
    let m = module(
        r#"(module
      (tag $e (param i32))
      (func $t (param i32) (throw $e (local.get 0)))
      (func (export "f") (param i32) (result i32)
        try (result i32)
          (block $h (result i32)
            (try_table (catch $e $h) (call $t (local.get 0)))
            (i32.const -1))
        catch_all
          (i32.const -2)
        end)
      (func (export "g") (param i32) (result i32)
        try (result i32)
          try (result i32) (call $t (local.get 0)) (i32.const 0) delegate 0
        catch $e
          (i32.const 100) (i32.add)
        end))"#,
    );
    let blob = m.serialize().unwrap();
    // SAFETY: a blob `serialize` just made.
    let back = unsafe { Module::deserialize(&blob) }.unwrap();
    back.translate_all().unwrap();
    let mut s = Store::new();
    for m in [&m, &back] {
        let i = s.instantiate(m, &[]).unwrap();
        assert_eq!(call(&mut s, i, "f", &[I32(4)]).unwrap(), vec![I32(4)]);
        assert_eq!(call(&mut s, i, "g", &[I32(4)]).unwrap(), vec![I32(104)]);
    }
}
