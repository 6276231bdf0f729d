//! Startup: decode + validate + translate throughput on a module of over
//! 1 MB (benches/corpus/big.wasm: 120 renamed copies of the corpus), and
//! instantiate time, on wasmint and wasmi (`cargo bench --bench translate`).
//!
//! wasmint is also measured stage by stage: decode alone, validate alone
//! and translate (`compile_module`) alone, each on the decoded module, and
//! `Module::new` (all three). It also prints the size of the translated
//! code relative to the module's code section.
//! wasmi is measured both eagerly (translating every function, the same
//! work as wasmint) and in its default mode (validate now, translate each
//! function on first call).

mod common;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// `f()`, or `None` after saying why it failed.
fn works<T>(what: &str, f: impl FnOnce() -> Result<T, String>) -> Option<T> {
    common::catch(f).map_err(|e| eprintln!("{what}: skipped: {e}")).ok()
}

fn translate(c: &mut Criterion) {
    let big = common::big_module();
    eprintln!("big.wasm: {} bytes, code section {} bytes", big.len(), common::code_section_size(&big));
    let mut group = c.benchmark_group("translate");
    group.throughput(Throughput::Bytes(big.len() as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    if common::engine_enabled("wasmint") {
        // The stages separately, to see where the time goes.
        let decode = || wasmint::binary::decode(&big).map_err(|e| e.to_string());
        if let Some(module) = works("translate/wasmint-decode", decode) {
            group.bench_function("wasmint-decode", |b| b.iter(|| wasmint::binary::decode(&big).unwrap()));
            if works("translate/wasmint-validate", || wasmint::validate::validate(&module).map_err(|e| e.to_string()))
                .is_some()
            {
                group.bench_function("wasmint-validate", |b| b.iter(|| wasmint::validate::validate(&module).unwrap()));
            }
            let compile = || wasmint::compile::compile_module(&module).map_err(|e| e.to_string());
            if let Some(code) = works("translate/wasmint-compile", compile) {
                // Size of the internal code against the wasm it came from.
                let (funcs, words) = code.translated();
                let bytes = words * 2;
                let wasm = common::code_section_size(&big);
                eprintln!(
                    "wasmint translated code: {funcs} functions, {bytes} bytes = {:.2}x the code \
                     section ({wasm} bytes)",
                    bytes as f64 / wasm as f64
                );
                group.bench_function("wasmint-compile", |b| {
                    b.iter(|| wasmint::compile::compile_module(&module).unwrap())
                });
            }
        }
        if works("translate/wasmint", || common::wasmint_module(&big)).is_some() {
            group.bench_function("wasmint", |b| b.iter(|| common::wasmint_module(&big).unwrap()));
        }
    }
    if common::engine_enabled("wasmi") {
        let eager = common::wasmi_engine(false);
        group.bench_function("wasmi-eager", |b| b.iter(|| wasmi::Module::new(&eager, &big).unwrap()));
        let lazy = common::wasmi_engine(true);
        group.bench_function("wasmi-lazy", |b| b.iter(|| wasmi::Module::new(&lazy, &big).unwrap()));
    }
    group.finish();
}

fn instantiate(c: &mut Criterion) {
    let mut modules: Vec<(String, Vec<u8>)> = common::corpus().into_iter().map(|p| (p.name, p.wasm)).collect();
    modules.push(("big".into(), common::big_module()));
    for (name, wasm) in &modules {
        let mut group = c.benchmark_group(format!("instantiate/{name}"));
        group.sample_size(20);
        group.measurement_time(Duration::from_secs(2));
        if common::engine_enabled("wasmint") {
            let what = format!("instantiate/{name}/wasmint");
            if let Some(module) = works(&what, || {
                let m = common::wasmint_module(wasm)?;
                common::wasmint_instantiate(&m)?;
                Ok(m)
            }) {
                group.bench_function("wasmint", |b| b.iter(|| common::wasmint_instantiate(&module).unwrap()));
            }
        }
        if common::engine_enabled("wasmi") {
            let engine = common::wasmi_engine(false);
            let module = wasmi::Module::new(&engine, wasm).unwrap();
            group.bench_function("wasmi", |b| b.iter(|| common::wasmi_instantiate(&engine, &module).unwrap()));
        }
        group.finish();
    }
}

criterion_group!(benches, translate, instantiate);
criterion_main!(benches);
