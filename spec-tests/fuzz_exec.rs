//! Fuzz targets (b) and (c) over fixed seeds, and their regressions:
//! wasm-smith modules run on wasmint and on wasmi must agree on results,
//! traps, memories, globals and tables, and wasmint must finish within a
//! multiple of wasmi's time (the checks are in fuzz/src/, shared with the
//! `cargo fuzz` targets; fuzz/README.md).

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod fuzz;

#[test]
fn exec_fixed_seeds() {
    fuzz::seeds::run("exec", 3_000, &[], fuzz::exec::check, fuzz::exec::summary);
}

/// Every `exec-*.wasm` (or `.wat`) in spec-tests/fuzz-regressions runs
/// alike on both engines (what it once did wrong is in its `.txt` note).
#[test]
fn exec_regressions() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec-tests/fuzz-regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("exec-") {
            continue;
        }
        let bytes = match path.extension().and_then(|e| e.to_str()) {
            Some("wasm") => std::fs::read(&path).unwrap(),
            Some("wat") => wat::parse_file(&path).unwrap(),
            _ => continue,
        };
        fuzz::exec::compare(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        n += 1;
    }
    println!("{n} exec regressions");
}

/// `WASMINT_FUZZ_REPRO=path.wasm`: checks that one module (a saved
/// finding; e.g. as the predicate of `wasm-tools shrink`).
#[test]
fn exec_repro() {
    if let Some(path) = std::env::var_os("WASMINT_FUZZ_REPRO") {
        let bytes = std::fs::read(&path).unwrap();
        let bytes = wat::parse_bytes(&bytes).unwrap().into_owned();
        if let Err(e) = fuzz::exec::compare(&bytes) {
            panic!("{e}");
        }
    }
}

/// Every `.wast` in spec-tests/fuzz-regressions (findings reduced by
/// hand, with the expected behaviour as assertions) passes on wasmint.
#[test]
fn wast_regressions() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec-tests/fuzz-regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "wast") {
            // With every feature, as the fuzzers generate them (custom
            // page sizes too, which the 3.0 default refuses).
            let report = wasmint::script::run_file_with(&path, wasmint::syntax::Features::ALL);
            assert!(report.failed == 0 && report.passed > 0, "{}: {:?}", report.name, report.failures);
            n += 1;
        }
    }
    println!("{n} wast regressions");
}
