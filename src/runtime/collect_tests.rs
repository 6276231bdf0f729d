//! Freeing unreachable entities (`collect.rs`): what roots reach stays and
//! keeps working, the rest is freed and its slots reused, so a loop of
//! instantiations in one store stays the same size.

use std::sync::Arc;

use crate::runtime::*;
use crate::syntax::{FuncType, ValType};
use Value::I32;

use super::exn_tests::{call, module};

const TOUCH: &str = r#"(module
  (memory (export "m") 16)
  (table (export "t") 1 funcref)
  (global (export "g") (mut i32) (i32.const 5))
  (elem (i32.const 0) $f)
  (func $f (export "f") (result i32) (global.get 0))
  (func (export "touch") (local i32)
    (loop
      (i32.store (local.get 0) (i32.const 1))
      (local.tee 0 (i32.add (local.get 0) (i32.const 4096)))
      (br_if 0 (i32.lt_u (i32.const 1048576))))))"#;

fn func(store: &Store, i: Instance, name: &str) -> Func {
    match store.export(i, name) {
        Some(Extern::Func(f)) => f,
        _ => panic!("no function {name}"),
    }
}

#[test]
fn a_loop_of_instances_stays_the_same_size() {
    let m = module(TOUCH);
    let mut store = Store::new();
    let mut sizes = Vec::new();
    for round in 0..2_000 {
        let i = store.instantiate(&m, &[]).unwrap();
        call(&mut store, i, "touch", &[]).unwrap();
        if round % 100 == 99 {
            let c = store.collect([]).unwrap();
            assert_eq!((c.instances, c.memories, c.tables, c.live_instances), (100, 100, 100, 0));
            sizes.push((store.instances.len(), store.mems.len(), store.funcs.len(), store.globals.len(), store.mem_bytes));
        }
    }
    // The first collection's slots are reused by every later round.
    assert!(sizes.iter().all(|s| *s == sizes[0]), "{sizes:?}");
    assert_eq!(sizes[0].0, 100);
    assert_eq!(sizes[0].4, 0);
}

#[test]
fn roots_keep_what_they_reach() {
    let m = module(TOUCH);
    let mut store = Store::new();
    let kept = store.instantiate(&m, &[]).unwrap();
    let f = func(&store, kept, "f");
    let Some(Extern::Memory(mem)) = store.export(kept, "m") else { panic!() };
    store.memory_data_mut(mem)[100] = 9;
    for _ in 0..10 {
        store.instantiate(&m, &[]).unwrap();
    }
    // Rooted by one exported function: its instance, memory, global and
    // table stay, with their contents.
    let c = store.collect([Root::Extern(Extern::Func(f))]).unwrap();
    assert_eq!((c.instances, c.memories, c.live_instances), (10, 10, 1));
    assert_eq!(store.call(f, &[]).unwrap(), vec![I32(5)]);
    assert_eq!(store.memory_data(mem)[100], 9);
    // New instances reuse the freed slots and do not disturb the kept one.
    let again = store.instantiate(&m, &[]).unwrap();
    assert_ne!(again, kept);
    call(&mut store, again, "touch", &[]).unwrap();
    assert_eq!(store.memory_data(mem)[100], 9);
    assert_eq!(store.call(f, &[]).unwrap(), vec![I32(5)]);
}

#[test]
fn references_in_tables_and_imports_keep_their_owners() {
    let m = module(TOUCH);
    let user = module(
        r#"(module
      (import "a" "t" (table 1 funcref))
      (import "a" "host" (func $h (result i32)))
      (type $r (func (result i32)))
      (func (export "via_table") (result i32) (call_indirect (type $r) (i32.const 0)))
      (func (export "via_host") (result i32) (call $h)))"#,
    );
    let mut store = Store::new();
    let host = store.func_new(FuncType::new([], [ValType::I32]), Arc::new(|_, _, r| {
        r[0] = I32(77);
        Ok(())
    }));
    let owner = store.instantiate(&m, &[]).unwrap();
    let Some(t) = store.export(owner, "t") else { panic!() };
    let other = store.instantiate(&m, &[]).unwrap();
    let Some(Extern::Table(t2)) = store.export(other, "t") else { panic!() };
    let f = store.table_get(t2, 0).unwrap();
    assert!(matches!(f, Value::FuncRef(Some(_))));
    let u = store.instantiate(&user, &[t, Extern::Func(host)]).unwrap();
    // Only `u` is a root: the owner's table (imported), its `$f` (in the
    // table) and the host function (imported) stay; `other` goes.
    let c = store.collect([Root::Instance(u)]).unwrap();
    assert_eq!((c.instances, c.live_instances), (1, 2));
    assert_eq!(call(&mut store, u, "via_table", &[]).unwrap(), vec![I32(5)]);
    assert_eq!(call(&mut store, u, "via_host", &[]).unwrap(), vec![I32(77)]);
    // Without roots, everything goes; a dangling handle traps instead of
    // running freed code.
    let c = store.collect([]).unwrap();
    assert_eq!((c.instances, c.live_instances), (2, 0));
    assert!(store.call(host, &[]).is_err());
}

#[test]
fn no_collection_during_a_call() {
    let mut store = Store::new();
    let m = module(r#"(module (import "a" "b" (func)) (func (export "go") (call 0)))"#);
    let seen = Arc::new(std::sync::Mutex::new(None));
    let s2 = Arc::clone(&seen);
    let h = store.func_new(FuncType::new([], []), Arc::new(move |caller, _, _| {
        *s2.lock().unwrap() = Some(caller.store.collect([]).is_none());
        Ok(())
    }));
    let i = store.instantiate(&m, &[Extern::Func(h)]).unwrap();
    call(&mut store, i, "go", &[]).unwrap();
    assert_eq!(*seen.lock().unwrap(), Some(true));
}

#[test]
fn limits_count_live_entities() {
    let m = module(TOUCH);
    let mut c = Config::default();
    c.max_instances = Some(3);
    c.max_memories = Some(3);
    let mut store = Store::with_config(c);
    for _ in 0..3 {
        store.instantiate(&m, &[]).unwrap();
    }
    assert!(store.instantiate(&m, &[]).is_err());
    store.collect([]).unwrap();
    for _ in 0..3 {
        store.instantiate(&m, &[]).unwrap();
    }
}
