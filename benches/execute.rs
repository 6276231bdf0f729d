//! Execution speed: every corpus program on wasmint and on wasmi, side by
//! side (`cargo bench --bench execute`). Each iteration is one `run(n)`
//! call on an instance prepared beforehand, and its checksum is checked.
//!
//! `cargo test --benches` runs each program once at its quick size.
//! WASMINT_BENCH_ENGINES=wasmint,wasmi selects engines; criterion's own
//! filter selects programs (`cargo bench --bench execute -- fib`).
//! benches/python_peers.py adds these wasmi medians to its table.

mod common;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};

fn execute(c: &mut Criterion) {
    for p in common::corpus() {
        let (n, sum) = p.size();
        let mut group = c.benchmark_group(format!("execute/{}", p.name));
        // Iterations take 0.1-1 s: flat sampling, few samples.
        group.sampling_mode(SamplingMode::Flat);
        group.sample_size(10);
        group.warm_up_time(Duration::from_millis(500));
        group.measurement_time(Duration::from_secs(3));
        for &(engine, prepare) in common::ENGINES {
            if !common::engine_enabled(engine) {
                continue;
            }
            let mut runner = match common::prepare_checked(engine, prepare, &p) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("execute/{}/{engine}: skipped: {e}", p.name);
                    continue;
                }
            };
            group.bench_function(engine, |b| {
                b.iter(|| {
                    let got = runner.run(n);
                    assert_eq!(got, sum, "{engine}: {}: wrong checksum", p.name);
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, execute);
criterion_main!(benches);
