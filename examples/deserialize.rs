//! Times `Module::new` (decode + validate; translation is lazy) against
//! `Module::deserialize` of the same module's serialized form (checking
//! and linking are lazy), and checks that the two modules, once every
//! function is translated or linked, hold the same code.
//!
//! `cargo run --release --example deserialize -- FILE.wasm [ROUNDS]`

use std::time::{Duration, Instant};

use wasmint::Module;

fn best(rounds: usize, mut f: impl FnMut()) -> Duration {
    (0..rounds)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: deserialize FILE.wasm [ROUNDS]");
    let rounds: usize = args.next().map_or(5, |r| r.parse().expect("ROUNDS: a number"));
    let wasm = std::fs::read(&path).expect("read the module");
    let module = Module::new(&wasm).expect("a valid module");
    let t = Instant::now();
    let blob = module.serialize().expect("serialize");
    let serialize = t.elapsed();
    let new = best(rounds, || drop(Module::new(&wasm).unwrap()));
    // SAFETY: the blob was just made by this build.
    let de = best(rounds, || drop(unsafe { Module::deserialize(&blob) }.unwrap()));
    // SAFETY: as above.
    let back = unsafe { Module::deserialize(&blob) }.unwrap();
    let t = Instant::now();
    module.translate_all().expect("translate");
    let translate = t.elapsed();
    let t = Instant::now();
    back.translate_all().expect("check and link");
    let link = t.elapsed();
    assert!(back.same_code(&module), "the deserialized code differs from the translator's");
    let mb = |n: usize| n as f64 / 1e6;
    println!(
        "{path}: wasm {:.1} MB, serialized {:.1} MB ({:.2}x)",
        mb(wasm.len()),
        mb(blob.len()),
        blob.len() as f64 / wasm.len() as f64
    );
    println!("Module::new (decode + validate)  {:8.1} ms", new.as_secs_f64() * 1e3);
    println!("translate_all                    {:8.1} ms", translate.as_secs_f64() * 1e3);
    println!("check + link all (deserialized)  {:8.1} ms", link.as_secs_f64() * 1e3);
    println!("serialize                        {:8.1} ms", serialize.as_secs_f64() * 1e3);
    println!(
        "Module::deserialize              {:8.1} ms  ({:.1}x faster than Module::new)",
        de.as_secs_f64() * 1e3,
        new.as_secs_f64() / de.as_secs_f64()
    );
}
