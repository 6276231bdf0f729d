//! The store's resource limits (`limits.rs`): instantiation over a limit
//! fails before allocating, growth over it returns -1, host-made memories
//! and tables count, and the store stays usable after each refusal.

use crate::error::Error;
use crate::runtime::*;
use crate::syntax::{Limits, MemType, RefType, TableType};
use Value::I32;

use super::exn_tests::{call, module};

const MIB: u64 = 1 << 20;

fn store(f: impl FnOnce(&mut Config)) -> Store {
    let mut c = Config::default();
    f(&mut c);
    Store::with_config(c)
}

fn link_err(r: Result<Instance, Error>) -> String {
    match r {
        Err(Error::Link(m)) => m,
        Err(e) => panic!("expected a link error, got {e:?}"),
        Ok(_) => panic!("expected a link error, got an instance"),
    }
}

const GROW: &str = r#"(module
  (memory (export "mem") 1)
  (table (export "tab") 1 funcref)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "tgrow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "poke") (param i32) (i32.store8 (local.get 0) (i32.const 7)))
  (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0))))"#;

#[test]
fn defaults_are_unlimited() {
    let c = Config::default();
    assert_eq!(
        (c.max_memory_bytes, c.max_table_elements, c.max_instances, c.max_memories, c.max_tables),
        (None, None, None, None, None)
    );
    assert_eq!(c.max_gc_heap, 1 << 32);
    let mut s = Store::new();
    let i = s.instantiate(&module(GROW), &[]).unwrap();
    assert_eq!(call(&mut s, i, "grow", &[I32(100)]).unwrap(), vec![I32(1)]);
    assert_eq!(s.memory_bytes_used(), 101 << 16);
    assert_eq!(s.table_elements_used(), 1);
}

#[test]
fn memory_grow_stops_at_the_limit() {
    let mut s = store(|c| c.max_memory_bytes = Some(4 << 16));
    let i = s.instantiate(&module(GROW), &[]).unwrap();
    assert_eq!(call(&mut s, i, "grow", &[I32(2)]).unwrap(), vec![I32(1)]);
    // 3 pages of 4 used: one more fits, two do not.
    assert_eq!(call(&mut s, i, "grow", &[I32(2)]).unwrap(), vec![I32(-1)]);
    assert_eq!(call(&mut s, i, "size", &[]).unwrap(), vec![I32(3)]);
    assert_eq!(call(&mut s, i, "grow", &[I32(1)]).unwrap(), vec![I32(3)]);
    assert_eq!(call(&mut s, i, "grow", &[I32(1)]).unwrap(), vec![I32(-1)]);
    assert_eq!(s.memory_bytes_used(), 4 << 16);
    // Still usable: the memory works, and the host's grow is refused too.
    call(&mut s, i, "poke", &[I32((4 << 16) - 1)]).unwrap();
    assert_eq!(call(&mut s, i, "peek", &[I32((4 << 16) - 1)]).unwrap(), vec![I32(7)]);
    let Some(Extern::Memory(mem)) = s.export(i, "mem") else { panic!() };
    assert_eq!(s.memory_grow(mem, 1), None);
    assert_eq!(s.memory_grow(mem, 0), Some(4));
    // A bigger budget lets it grow again.
    s.config_mut().max_memory_bytes = Some(5 << 16);
    assert_eq!(s.memory_grow(mem, 1), Some(4));
}

#[test]
fn memory_grow_counts_every_memory_of_the_store() {
    let mut s = store(|c| c.max_memory_bytes = Some(3 << 16));
    let m = module(GROW);
    let a = s.instantiate(&m, &[]).unwrap();
    let b = s.instantiate(&m, &[]).unwrap();
    assert_eq!(call(&mut s, a, "grow", &[I32(1)]).unwrap(), vec![I32(1)]);
    assert_eq!(call(&mut s, b, "grow", &[I32(1)]).unwrap(), vec![I32(-1)]);
    // The third instance's page does not fit.
    let e = link_err(s.instantiate(&m, &[]));
    assert_eq!(e, "memory limit exceeded: 64 KiB of linear memory needed, the store allows 192 KiB (192 KiB already in use)");
}

#[test]
fn memory64_and_small_pages_count_bytes() {
    let mut s = store(|c| c.max_memory_bytes = Some(100));
    let m = module(r#"(module (memory (export "m") i64 0)
      (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0))))"#);
    let i = s.instantiate(&m, &[]).unwrap();
    assert_eq!(call(&mut s, i, "grow", &[Value::I64(1)]).unwrap(), vec![Value::I64(-1)]);
    let small = module(r#"(module (memory (export "m") 10 (pagesize 1))
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#);
    let i = s.instantiate(&small, &[]).unwrap();
    assert_eq!(call(&mut s, i, "grow", &[I32(90)]).unwrap(), vec![I32(10)]);
    assert_eq!(call(&mut s, i, "grow", &[I32(1)]).unwrap(), vec![I32(-1)]);
    assert_eq!(s.memory_bytes_used(), 100);
}

#[test]
fn table_grow_stops_at_the_limit() {
    let mut s = store(|c| c.max_table_elements = Some(10));
    let i = s.instantiate(&module(GROW), &[]).unwrap();
    assert_eq!(call(&mut s, i, "tgrow", &[I32(9)]).unwrap(), vec![I32(1)]);
    assert_eq!(call(&mut s, i, "tgrow", &[I32(1)]).unwrap(), vec![I32(-1)]);
    assert_eq!(call(&mut s, i, "tgrow", &[I32(0)]).unwrap(), vec![I32(10)]);
    let Some(Extern::Table(t)) = s.export(i, "tab") else { panic!() };
    assert_eq!(s.table_grow(t, 1, Value::FuncRef(None)), None);
    assert_eq!(s.table_size(t), 10);
    assert_eq!(s.table_elements_used(), 10);
    let e = link_err(s.instantiate(&module(GROW), &[]));
    assert_eq!(e, "table limit exceeded: 1 table elements needed, the store allows 10 (10 already in use)");
    // The failed instantiation made nothing.
    assert_eq!(s.memory_bytes_used(), 1 << 16);
}

#[test]
fn counts_of_instances_memories_and_tables() {
    let m = module(GROW);
    let mut s = store(|c| c.max_instances = Some(2));
    s.instantiate(&m, &[]).unwrap();
    s.instantiate(&m, &[]).unwrap();
    assert_eq!(link_err(s.instantiate(&m, &[])), "instance limit exceeded: the store holds 2 instances and allows 2");

    let mut s = store(|c| c.max_memories = Some(2));
    s.instantiate(&m, &[]).unwrap();
    let two = module("(module (memory 0) (memory 0))");
    assert_eq!(
        link_err(s.instantiate(&two, &[])),
        "memory count limit exceeded: 2 more memories requested, the store allows 2 (1 already in use)"
    );
    s.instantiate(&m, &[]).unwrap();

    let mut s = store(|c| c.max_tables = Some(1));
    s.instantiate(&m, &[]).unwrap();
    assert_eq!(
        link_err(s.instantiate(&m, &[])),
        "table count limit exceeded: 1 more tables requested, the store allows 1 (1 already in use)"
    );
    // A module without tables still instantiates.
    s.instantiate(&module("(module (memory 1))"), &[]).unwrap();
}

#[test]
fn host_made_memories_and_tables_count() {
    let mt = |min| MemType { limits: Limits { min, max: None }, is64: false, page_log2: 16 };
    let tt = |min| TableType::new(RefType::FUNCREF, Limits { min, max: None });
    let mut s = store(|c| {
        c.max_memory_bytes = Some(2 << 16);
        c.max_table_elements = Some(5);
        c.max_memories = Some(2);
        c.max_tables = Some(2);
    });
    let mem = s.memory_new(mt(2)).unwrap();
    assert!(matches!(s.memory_new(mt(1)), Err(Error::Link(m)) if m.starts_with("memory limit exceeded")));
    s.memory_new(mt(0)).unwrap();
    assert!(matches!(s.memory_new(mt(0)), Err(Error::Link(m)) if m.starts_with("memory count limit exceeded")));
    assert_eq!(s.memory_grow(mem, 1), None);
    let t = s.table_new(tt(5), Value::FuncRef(None)).unwrap();
    assert!(matches!(s.table_new(tt(1), Value::FuncRef(None)), Err(Error::Link(m)) if m.starts_with("table limit exceeded")));
    s.table_new(tt(0), Value::FuncRef(None)).unwrap();
    assert!(matches!(s.table_new(tt(0), Value::FuncRef(None)), Err(Error::Link(m)) if m.starts_with("table count limit exceeded")));
    assert_eq!(s.table_grow(t, 1, Value::FuncRef(None)), None);
    // A module importing the host's memory adds nothing.
    let imp = module(r#"(module (import "" "m" (memory 2)))"#);
    s.instantiate(&imp, &[Extern::Memory(mem)]).unwrap();
}

#[test]
fn hostile_declarations_fail_before_allocating() {
    let mut s = store(|c| {
        c.max_memory_bytes = Some(64 * MIB);
        c.max_table_elements = Some(8 * MIB);
    });
    let e = link_err(s.instantiate(&module("(module (memory 65536))"), &[]));
    assert_eq!(e, "memory limit exceeded: 4 GiB of linear memory needed, the store allows 64 MiB");
    let e = link_err(s.instantiate(&module("(module (table 1000000000 funcref))"), &[]));
    assert_eq!(e, "table limit exceeded: 1000000000 table elements needed, the store allows 8388608");
    // (10,000 memories and the peak RSS: `spec-tests/limits.rs`, in a
    // process of its own.)
    assert_eq!((s.memory_bytes_used(), s.table_elements_used(), s.mems.len(), s.tables.len()), (0, 0, 0, 0));
    // The store is still usable within its limits.
    let i = s.instantiate(&module(GROW), &[]).unwrap();
    assert_eq!(call(&mut s, i, "grow", &[I32(1023)]).unwrap(), vec![I32(1)]);
    assert_eq!(call(&mut s, i, "grow", &[I32(1)]).unwrap(), vec![I32(-1)]);
}

#[test]
fn byte_sizes_print_readably() {
    use super::limits::fmt_bytes;
    assert_eq!(fmt_bytes(0), "0 bytes");
    assert_eq!(fmt_bytes(1), "1 byte");
    assert_eq!(fmt_bytes(1536), "1.5 KiB");
    assert_eq!(fmt_bytes(64 << 20), "64 MiB");
    assert_eq!(fmt_bytes(1 << 32), "4 GiB");
}
