//! Stores that come and go free what they held: RSS stays flat over 1,000
//! stores that each run GC code (its own process, one test: RSS is the
//! process's).

use wasmint::runtime::{Extern, Module, Store, Value};

const LIST: &str = r#"(module
  (type $node (struct (field $v i32) (field $next (mut (ref null $node)))))
  (global $keep (mut (ref null $node)) (ref.null $node))
  (func (export "build") (param $n i32)
    (local $l (ref null $node))
    (block $done (loop $l1
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $l (struct.new $node (local.get $n) (local.get $l)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l1)))
    (global.set $keep (local.get $l))))"#;

/// Resident memory in KiB, from /proc (Linux).
fn rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = s.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4)
}

#[test]
fn stores_that_come_and_go_free_their_heaps() {
    let m = Module::new(&wat::parse_str(LIST).unwrap()).unwrap();
    let cycle = || {
        let mut s = Store::new();
        let i = s.instantiate(&m, &[]).unwrap();
        let Some(Extern::Func(f)) = s.export(i, "build") else { panic!() };
        s.call(f, &[Value::I32(20_000)]).unwrap();
    };
    for _ in 0..100 {
        cycle();
    }
    let Some(before) = rss_kib() else { return };
    let mut mid = before;
    for k in 0..1_000 {
        cycle();
        if k == 500 {
            mid = rss_kib().unwrap_or(before);
        }
    }
    let after = rss_kib().unwrap_or(before);
    eprintln!("RSS over 1,000 stores of 20,000 structs each: {before} KiB, {mid} KiB at 500, {after} KiB at the end");
    assert!(after < before + 4 * 1024, "RSS grew from {before} to {after} KiB over 1,000 stores");
}
