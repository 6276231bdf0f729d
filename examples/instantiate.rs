//! Time to instantiate a small module (a memory with a data segment, a
//! table with an element segment, globals, exports), wasmint against wasmi
//! in the same process: `cargo run --release --example instantiate`.
//!
//! Each sample is the mean over a batch of instantiations, each in a new
//! store (wasmint: `Store::new` + `instantiate`; wasmi: `Store::new` +
//! `Linker::new` + `instantiate_and_start`), the store dropped after; the
//! engines alternate batch by batch; the median of the samples is printed.
//!
//! `-- wasmint N` (or `wasmi N`) only instantiates N times with that engine,
//! for a profiler or `strace -c`.

use std::time::Instant;

const WAT: &str = r#"(module
  (memory (export "memory") 1)
  (table (export "table") 4 funcref)
  (global $g0 (mut i32) (i32.const 1))
  (global $g1 (mut i64) (i64.const 2))
  (global $g2 f32 (f32.const 3))
  (global (export "g3") (mut f64) (f64.const 4))
  (func $add (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func $get (export "get") (result i32) global.get $g0)
  (func (export "load") (param i32) (result i32) local.get 0 i32.load)
  (elem (i32.const 0) $add $get)
  (data (i32.const 16) "hello, world"))"#;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let wasm = wat::parse_str(WAT).unwrap();
    let module = wasmint::Module::new(&wasm).unwrap();
    let engine = wasmi::Engine::default();
    let wmodule = wasmi::Module::new(&engine, &wasm).unwrap();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [engine_name, n] = &args[..] {
        let n: usize = n.parse().expect("N: a count");
        for _ in 0..n {
            if engine_name == "wasmint" {
                let mut store = wasmint::Store::new();
                let i = store.instantiate(&module, &[]).unwrap();
                std::hint::black_box((&store, i));
            } else {
                let mut store = wasmi::Store::new(&engine, ());
                let linker = wasmi::Linker::<()>::new(&engine);
                let i = linker.instantiate_and_start(&mut store, &wmodule).unwrap();
                std::hint::black_box((&store, i));
            }
        }
        return;
    }
    let batch = 2000;
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..41 {
        let t = Instant::now();
        for _ in 0..batch {
            let mut store = wasmint::Store::new();
            let i = store.instantiate(&module, &[]).unwrap();
            std::hint::black_box((&store, i));
        }
        ours.push(t.elapsed().as_secs_f64() / batch as f64);
        let t = Instant::now();
        for _ in 0..batch {
            let mut store = wasmi::Store::new(&engine, ());
            let linker = wasmi::Linker::<()>::new(&engine);
            let i = linker.instantiate_and_start(&mut store, &wmodule).unwrap();
            std::hint::black_box((&store, i));
        }
        theirs.push(t.elapsed().as_secs_f64() / batch as f64);
    }
    let (a, b) = (median(ours) * 1e6, median(theirs) * 1e6);
    println!("instantiate a small module: wasmint {a:.2} us, wasmi {b:.2} us ({:.2}x wasmi)", a / b);
}
