//! Nothing a hostile module declares makes the host allocate more than
//! the store's limits allow: under a 64 MiB memory limit, a 65,536-page
//! (4 GiB) minimum memory, 10,000 memories and a 10^9-element table each
//! fail to instantiate, fast, and the peak resident memory of this process
//! (its own test binary, so nothing else runs in it) stays small.

use std::time::{Duration, Instant};

use wasmint::{Config, Error, Extern, Module, Store, Value};

const MIB: u64 = 1 << 20;

/// Peak resident set of this process in bytes (`VmHWM`), if known.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn limited() -> Store {
    Store::with_config(Config {
        max_memory_bytes: Some(64 * MIB),
        // 64 MiB of 8-byte table slots.
        max_table_elements: Some(8 * MIB),
        ..Config::default()
    })
}

/// Instantiates `wat` in `store`, expecting a link error starting with
/// `want`, within two seconds.
fn refused(store: &mut Store, wat: &str, want: &str) {
    let module = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
    let t = Instant::now();
    match store.instantiate(&module, &[]) {
        Err(Error::Link(m)) => assert!(m.starts_with(want), "{m}"),
        Err(e) => panic!("expected a link error, got {e}"),
        Ok(_) => panic!("instantiated a module over the limits"),
    }
    assert!(t.elapsed() < Duration::from_secs(2), "refusal took {:?}", t.elapsed());
}

#[test]
fn hostile_modules_stay_within_the_limits() {
    let before = peak_rss();
    let mut store = limited();
    let huge_memory = "(module (memory 65536))";
    let huge_memory64 = "(module (memory i64 65536))";
    let many_memories = format!("(module {})", "(memory 1)".repeat(10_000));
    let many_empty_memories = format!("(module {})", "(memory 0)".repeat(10_000));
    let huge_table = "(module (table 1000000000 funcref))";
    let huge_table64 = "(module (table i64 1000000000 externref))";
    let everything = format!("(module (memory 65536) {} (table 1000000000 funcref))", "(memory 1)".repeat(10_000));

    refused(&mut store, huge_memory, "memory limit exceeded: 4 GiB of linear memory needed, the store allows 64 MiB");
    refused(&mut store, huge_memory64, "memory limit exceeded: 4 GiB");
    refused(&mut store, &many_memories, "memory limit exceeded: 625 MiB");
    refused(&mut store, huge_table, "table limit exceeded: 1000000000 table elements needed");
    refused(&mut store, huge_table64, "table limit exceeded: 1000000000 table elements needed");
    refused(&mut store, &everything, "memory limit exceeded");
    // 10,000 empty memories fit the byte limit; a count limit refuses them.
    store.config_mut().max_memories = Some(100);
    refused(&mut store, &many_empty_memories, "memory count limit exceeded: 10000 more memories requested");

    // Nothing the modules declared (4 GiB, 625 MiB, 8 GB of table slots)
    // was allocated: the peak stays small.
    if let (Some(before), Some(after)) = (before, peak_rss()) {
        let grew = after.saturating_sub(before);
        eprintln!("peak RSS {} MiB before, {} MiB after", before / MIB, after / MIB);
        assert!(grew < 32 * MIB, "peak RSS grew by {} MiB", grew / MIB);
    }

    // Nothing was made, and the store still works up to its limits.
    assert_eq!((store.memory_bytes_used(), store.table_elements_used()), (0, 0));
    let ok = Module::new(
        &wat::parse_str(
            r#"(module (memory (export "m") 1) (table 1 funcref)
            (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
            (func (export "tgrow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))"#,
        )
        .unwrap(),
    )
    .unwrap();
    let i = store.instantiate(&ok, &[]).unwrap();
    let call = |store: &mut Store, name: &str, n: i32| {
        let Some(Extern::Func(f)) = store.export(i, name) else { panic!() };
        store.call(f, &[Value::I32(n)]).unwrap()
    };
    assert_eq!(call(&mut store, "grow", 65535), vec![Value::I32(-1)]);
    assert_eq!(call(&mut store, "grow", 1024), vec![Value::I32(-1)]);
    assert_eq!(call(&mut store, "grow", 1023), vec![Value::I32(1)]);
    assert_eq!(call(&mut store, "grow", 1), vec![Value::I32(-1)]);
    assert_eq!(call(&mut store, "tgrow", 1_000_000_000), vec![Value::I32(-1)]);
    // (Growing a table writes its new slots: a small limit here.)
    store.config_mut().max_table_elements = Some(1000);
    assert_eq!(call(&mut store, "tgrow", 1000), vec![Value::I32(-1)]);
    assert_eq!(call(&mut store, "tgrow", 999), vec![Value::I32(1)]);
    assert_eq!(call(&mut store, "tgrow", 1), vec![Value::I32(-1)]);
    assert_eq!((store.memory_bytes_used(), store.table_elements_used()), (64 * MIB, 1000));

}
