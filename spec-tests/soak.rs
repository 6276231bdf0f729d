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

/// Cycles of the soak below: `WASMINT_SOAK_CYCLES` (100,000 for the long
/// run of issue 15; a bounded number on every test run).
fn soak_cycles() -> usize {
    std::env::var("WASMINT_SOAK_CYCLES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000)
}

/// Shared with `python/tests/test_soak.py`.
const SOAK: &str = include_str!("soak.wat");

/// A shared buffer that captures the guest's stdout.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// 100,000 (by `WASMINT_SOAK_CYCLES`) cycles of a new store, module and
/// instance with a memory, a table, host functions and WASI with captured
/// output; each calls, grows, traps, and has a host function fail: RSS
/// stays flat.
#[test]
fn store_module_instance_cycles_do_not_leak() {
    use std::sync::{Arc, Mutex};
    use wasmint::runtime::{Caller, Func};
    use wasmint::syntax::{FuncType, ValType};
    use wasmint::wasi::{Output, WasiCtxBuilder};
    use wasmint::{Error, Trap, TrapCode};

    let wasm = wat::parse_str(SOAK).unwrap();
    let cycle = |k: usize| {
        let mut s = Store::new();
        let m = Module::new(&wasm).unwrap();
        let add = s.func_new(
            FuncType::new([ValType::I32, ValType::I32], [ValType::I32]),
            Arc::new(|_c: &mut Caller<'_>, a: &[Value], r: &mut [Value]| {
                let (Value::I32(x), Value::I32(y)) = (a[0], a[1]) else { return Err(Trap::host("types")) };
                r[0] = Value::I32(x.wrapping_add(y));
                Ok(())
            }),
        );
        let fail = s.func_new(FuncType::new([], []), Arc::new(|_c, _a, _r| Err(Trap::host_with("boom", Box::new(7u32)))));
        let out = Captured::default();
        let ctx = WasiCtxBuilder::new().arg("soak").stdout(Output::Writer(Box::new(out.clone()))).build().unwrap();
        let ctx = Arc::new(Mutex::new(ctx));
        let fd_write = wasmint::wasi::define(&mut s, wasmint::wasi::Version::Preview1, "fd_write", &ctx).unwrap();
        let i = s.instantiate(&m, &[Extern::Func(add), Extern::Func(fail), Extern::Func(fd_write)]).unwrap();
        let f = |s: &Store, name: &str| -> Func {
            match s.export(i, name) {
                Some(Extern::Func(f)) => f,
                _ => panic!("{name}"),
            }
        };
        assert_eq!(s.call(f(&s, "sum"), &[Value::I32(k as i32)]).unwrap().len(), 1);
        assert_eq!(s.call(f(&s, "grow"), &[]).unwrap(), vec![Value::I32(1)]);
        match s.call(f(&s, "oob"), &[]) {
            Err(Error::Trap(t)) => assert_eq!(t.code(), Some(TrapCode::OutOfBoundsMemoryAccess)),
            other => panic!("{other:?}"),
        }
        match s.call(f(&s, "fail"), &[]) {
            Err(Error::Trap(t)) => assert_eq!(t.payload().and_then(|p| p.downcast_ref::<u32>()), Some(&7)),
            other => panic!("{other:?}"),
        }
        s.call(f(&s, "_start"), &[]).unwrap();
        assert_eq!(&*out.0.lock().unwrap(), b"soak\n");
    };
    let n = soak_cycles();
    for k in 0..200 {
        cycle(k);
    }
    let Some(start) = rss_kib() else { return };
    let mut mid = start;
    let t = std::time::Instant::now();
    for k in 0..n {
        cycle(k);
        if k == n / 2 {
            mid = rss_kib().unwrap_or(start);
        }
    }
    let end = rss_kib().unwrap_or(start);
    eprintln!(
        "soak: {n} store/module/instance cycles in {:.1} s; RSS {start} KiB at the start, {mid} KiB in the middle, {end} KiB at the end",
        t.elapsed().as_secs_f64()
    );
    assert!(end < start + 4 * 1024, "RSS grew from {start} to {end} KiB over {n} cycles");
}
